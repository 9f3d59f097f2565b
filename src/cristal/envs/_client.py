"""`RemoteEnv`: a Gymnasium environment whose episodes run on a `cristal envs serve` server."""

from __future__ import annotations

import base64
import contextlib
from typing import Any

import gymnasium
import httpx

from cristal.envs._spaces import TextSpace, ToolCallSpace
from cristal.errors import CristalError, InvalidInput, NotFound, Refused

__all__ = ["RemoteEnv"]


class RemoteEnv(gymnasium.Env):
    """`RemoteEnv(URL, "cristal/Research-v0", set_dir=...)`: reset/step over HTTP."""

    metadata = {"render_modes": []}

    def __init__(self, base_url: str, env_id: str = "cristal/Research-v0", *,
                 timeout_s: float = 120.0, **kwargs: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.env_id, self.kwargs = env_id, kwargs
        self.episode_id: str | None = None
        self.observation_space = TextSpace()
        self.action_space = ToolCallSpace([])
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise CristalError(f"the environment server at {self.base_url} did not answer "
                               f"({exc}); start it with `cristal envs serve`.") from None
        return _checked(response)

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode on the server (the first reset opens a session)."""
        body = {"env": self.env_id, "seed": seed, "options": options or {},
                "kwargs": self.kwargs, "episode_id": self.episode_id}
        data = self._post("/reset", body)
        info = data["metadata"]
        self.episode_id = info["episode_id"]
        if info.get("tools"):
            self.action_space = ToolCallSpace([t["function"]["name"] for t in info["tools"]])
        return data["observation"]["text"], _decode(info)

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Take one action on the server."""
        if self.episode_id is None:
            raise InvalidInput("Call reset() before step().")
        data = self._post("/step", {"episode_id": self.episode_id, "action": action})
        info = data["metadata"]
        return (data["observation"]["text"], float(data["reward"] or 0.0),
                bool(info.get("terminated")), bool(info.get("truncated")), _decode(info))

    def state(self) -> dict[str, Any]:
        """The session's state (`episode_id`, `step_count`, task, seed, done)."""
        if self.episode_id is None:
            raise InvalidInput("No session yet: call reset() first.")
        return _checked(self._http.get("/state", params={"episode_id": self.episode_id}))

    def close(self) -> None:
        """Close the session on the server and the HTTP client."""
        if self.episode_id is not None:
            with contextlib.suppress(httpx.HTTPError):  # the server may be gone already
                self._http.delete(f"/sessions/{self.episode_id}")
            self.episode_id = None
        self._http.close()


def _decode(info: dict[str, Any]) -> dict[str, Any]:
    if isinstance(info.get("screenshot"), str):
        info["screenshot"] = base64.b64decode(info["screenshot"])
    return info


def _checked(response: httpx.Response) -> dict[str, Any]:
    if response.status_code < 400:
        return response.json()
    try:
        detail = response.json()
    except ValueError:
        detail = {"message": response.text[:300]}
    detail = detail.get("detail", detail) if isinstance(detail, dict) else {"message": detail}
    message = str(detail.get("message") or detail) if isinstance(detail, dict) else str(detail)
    if response.status_code == 404:
        raise NotFound(message)
    if response.status_code == 403:
        raise Refused(message)
    if response.status_code < 500:
        raise InvalidInput(message)
    raise CristalError(f"the environment server failed: {message}")
