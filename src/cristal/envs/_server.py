"""Remote environments over HTTP, in OpenEnv's reset / step / state shape.

    POST /reset  {"env": ID, "seed": 1, "options": {...}, "kwargs": {...}, "episode_id": ...}
              -> {"observation": {"text": ...}, "reward": null, "done": false,
                  "metadata": {...info, "episode_id": ...}}
    POST /step   {"episode_id": ..., "action": {"tool": ..., "args": {...}}}
              -> {"observation": {"text": ...}, "reward": 0.0, "done": false,
                  "metadata": {...info, "terminated": ..., "truncated": ...}}
    GET  /state?episode_id=...  -> {"episode_id", "step_count", "env", "task_id", ...}
    GET  /schema?episode_id=... -> the session's action (tool definitions), observation, state
    DELETE /sessions/{episode_id}, GET /health, GET /envs

These are OpenEnv's request and response models (`ResetRequest`, `StepRequest`,
`observation` / `reward` / `done` / `metadata`, `State` with `episode_id` and
`step_count`). OpenEnv keeps sessions on a WebSocket; here a session is named by
`episode_id` over plain HTTP: `reset` without one opens a new session (one environment,
many episodes), so many trainers' episodes run at once. Each session's calls run on its
own thread, because browser environments must stay on the thread that made them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import gymnasium
from pydantic import BaseModel, ConfigDict, Field

from cristal.errors import CristalError, NotFound, Refused, UserError

__all__ = ["create_app"]


class ResetRequest(BaseModel):
    """OpenEnv's reset request, plus which environment and its constructor arguments."""

    model_config = ConfigDict(extra="forbid")
    env: str = "cristal/Research-v0"
    seed: int | None = Field(default=None, ge=0)
    episode_id: str | None = Field(default=None, max_length=255)
    options: dict[str, Any] = Field(default_factory=dict)
    kwargs: dict[str, Any] = Field(default_factory=dict)


class StepRequest(BaseModel):
    """OpenEnv's step request, naming the session."""

    model_config = ConfigDict(extra="forbid")
    episode_id: str
    action: dict[str, Any] | str
    timeout_s: float | None = Field(default=None, gt=0)
    request_id: str | None = None


@dataclass
class _Session:
    id: str
    env_id: str
    executor: ThreadPoolExecutor
    env: Any = None
    last_used: float = field(default_factory=time.monotonic)
    steps: int = 0
    done: bool = False
    task_id: str | None = None
    seed: int | None = None
    total_reward: float = 0.0


def _jsonable(info: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in info.items():
        if isinstance(value, bytes):
            out[key] = base64.b64encode(value).decode("ascii")
        elif isinstance(value, str | int | float | bool | list | dict) or value is None:
            out[key] = value
    return out


def create_app(*, defaults: dict[str, dict[str, Any]] | None = None, max_sessions: int = 64,
               idle_s: float = 900.0, app: Any = None) -> Any:
    """The FastAPI application; `defaults` holds constructor arguments per environment id."""
    try:
        from fastapi import FastAPI, HTTPException
        from fastapi.responses import JSONResponse
    except ImportError:
        raise UserError("Serving environments needs FastAPI and uvicorn: `pip install "
                        "'cristal[envs]'`.") from None

    import cristal.envs  # noqa: F401 - registers the environments

    sessions: dict[str, _Session] = {}
    lock = threading.Lock()
    defaults = defaults or {}

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> Any:
        yield
        for key in list(sessions):
            close(sessions.pop(key))

    api = FastAPI(title="Cristal environments", version="0", lifespan=lifespan)

    def error(exc: CristalError) -> JSONResponse:
        if isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, Refused):
            status = 403
        else:
            status = 400 if isinstance(exc, UserError) else 500
        return JSONResponse(status_code=status, content=exc.to_dict())

    def session(episode_id: str) -> _Session:
        found = sessions.get(episode_id)
        if found is None:
            raise HTTPException(404, {"error": "NotFound", "message": f"no session "
                                      f"{episode_id!r}; POST /reset starts one."})
        found.last_used = time.monotonic()
        return found

    async def run(s: _Session, fn: Any, timeout: float | None = None) -> Any:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(s.executor, fn), timeout)

    def close(s: _Session) -> None:
        def shut() -> None:
            if s.env is not None:
                s.env.close()
        s.executor.submit(shut).result(timeout=60)
        s.executor.shutdown(wait=False)

    def evict_idle() -> None:
        now = time.monotonic()
        for key in [k for k, s in sessions.items() if now - s.last_used > idle_s]:
            close(sessions.pop(key))

    @api.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "healthy", "sessions": len(sessions), "max_sessions": max_sessions}

    @api.get("/envs")
    def envs() -> dict[str, Any]:
        return {"envs": sorted(k for k in gymnasium.registry if k.startswith("cristal/"))}

    @api.post("/reset")
    async def reset(body: ResetRequest) -> Any:
        if body.episode_id and body.episode_id in sessions:
            s = session(body.episode_id)
        else:
            with lock:
                evict_idle()
                if len(sessions) >= max_sessions:
                    raise HTTPException(429, {"error": "CapacityReached", "message":
                                              f"{max_sessions} sessions are open; close one "
                                              "(DELETE /sessions/ID) or start the server with "
                                              "a higher --max-sessions."})
                from cristal.store import new_id

                sid = body.episode_id or new_id("ses")
                s = sessions[sid] = _Session(sid, body.env, ThreadPoolExecutor(1, "env"))
        if s.env is None:
            kwargs = {**defaults.get(body.env, {}), **body.kwargs}
            if body.env == "cristal/Research-v0" and app is not None:
                kwargs.setdefault("app", app)
            try:
                s.env = await run(s, lambda: gymnasium.make(body.env, **kwargs))
            except CristalError as exc:
                sessions.pop(s.id, None)
                return error(exc)
            except gymnasium.error.Error as exc:
                sessions.pop(s.id, None)
                return error(NotFound(f"{exc}. GET /envs lists the environments."))
        try:
            obs, info = await run(s, lambda: s.env.reset(seed=body.seed,
                                                         options=body.options or None))
        except CristalError as exc:
            return error(exc)
        s.steps, s.done, s.total_reward = 0, False, 0.0
        s.task_id, s.seed = info.get("task_id"), info.get("seed")
        return {"observation": {"text": obs}, "reward": None, "done": False,
                "metadata": {**_jsonable(info), "episode_id": s.id}}

    @api.post("/step")
    async def step(body: StepRequest) -> Any:
        s = session(body.episode_id)
        try:
            obs, reward, terminated, truncated, info = await run(
                s, lambda: s.env.step(body.action), body.timeout_s)
        except CristalError as exc:
            return error(exc)
        except TimeoutError:
            raise HTTPException(504, {"error": "Timeout", "message": "the step did not finish "
                                      f"within {body.timeout_s} s."}) from None
        s.steps += 1
        s.total_reward += float(reward)
        s.done = bool(terminated or truncated)
        return {"observation": {"text": obs}, "reward": float(reward), "done": s.done,
                "metadata": {**_jsonable(info), "terminated": bool(terminated),
                             "truncated": bool(truncated), "episode_id": s.id}}

    @api.get("/state")
    def state(episode_id: str) -> dict[str, Any]:
        s = session(episode_id)
        return {"episode_id": s.id, "step_count": s.steps, "env": s.env_id,
                "task_id": s.task_id, "seed": s.seed, "done": s.done,
                "total_reward": s.total_reward}

    @api.get("/schema")
    def schema(episode_id: str) -> dict[str, Any]:
        s = session(episode_id)
        return {"action": {"type": "object", "description": "one tool call: {tool, args}",
                           "tools": s.env.unwrapped.tools()},
                "observation": {"type": "object", "properties": {"text": {"type": "string"}}},
                "state": {"type": "object", "properties": {
                    "episode_id": {"type": "string"}, "step_count": {"type": "integer"}}}}

    @api.delete("/sessions/{episode_id}")
    def delete(episode_id: str) -> dict[str, Any]:
        with lock:
            s = sessions.pop(episode_id, None)
        if s is None:
            raise HTTPException(404, {"error": "NotFound", "message":
                                      f"no session {episode_id!r}."})
        close(s)
        return {"closed": episode_id}

    return api
