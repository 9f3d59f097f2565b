"""The base of every Cristal environment: Gymnasium's API, tool-call actions, recorded episodes.

An action is one tool call, `{"tool": NAME, "args": {...}}`; the OpenAI shapes
(`{"name", "arguments"}` and `{"type": "function", "function": {...}}`) and JSON text
of any of them are accepted too. An action the environment cannot take is not an
exception: the observation says what was wrong, the reward is 0 and the step counts.

Every episode is determined by its seed and task: `reset(seed=None)` draws a seed
from the environment's generator and reseeds with it, so the recorded episode
(`env.unwrapped.episode`) always carries the seed that reproduces it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import gymnasium
import numpy as np

from cristal.envs._spaces import TextSpace, ToolCallSpace
from cristal.errors import InvalidInput, NotFound
from cristal.store import new_id

__all__ = ["CristalEnv", "Episode", "InvalidAction", "obs_hash", "to_call"]

_MAX_SEED = 2**31 - 1


class InvalidAction(InvalidInput):
    """The action is not one the environment can take (shown to the agent, not raised)."""


# Page snapshots are framed by markers carrying a random per-run code (so a page cannot
# close its own block); the code is not part of what the page showed.
_NONCE = re.compile(r"(\[(?:end of )?untrusted page content) [0-9a-f]{8,}")


def obs_hash(text: str) -> str:
    """A short, stable hash of an observation (for replay checks; marker codes ignored)."""
    return hashlib.sha256(_NONCE.sub(r"\1", text).encode("utf-8")).hexdigest()[:16]


def to_call(action: Any) -> dict[str, Any]:
    """`{"tool", "args"}` from any accepted action shape; InvalidAction says what is wrong."""
    if isinstance(action, str):
        try:
            action = json.loads(action)
        except json.JSONDecodeError:
            raise InvalidAction("The action is not JSON. Send one tool call: "
                                '{"tool": NAME, "args": {...}}.') from None
    if not isinstance(action, dict):
        raise InvalidAction(f"The action is a {type(action).__name__}, not an object. Send "
                            '{"tool": NAME, "args": {...}}.')
    if isinstance(action.get("function"), dict):  # an OpenAI tool_call
        action = action["function"]
    if "tool" in action:
        name, args = action["tool"], action.get("args", {})
    elif "name" in action:
        name, args = action["name"], action.get("arguments", {})
    else:
        raise InvalidAction('The action names no tool. Send {"tool": NAME, "args": {...}}.')
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except json.JSONDecodeError:
            raise InvalidAction(f"The arguments of {name} are not JSON: {args[:200]!r}.") from None
    if not isinstance(name, str) or not isinstance(args, dict):
        raise InvalidAction('The tool name must be text and "args" an object.')
    return {"tool": name, "args": args}


@dataclass
class Episode:
    """One recorded episode: enough to replay it and to turn it into training data."""

    env_id: str
    task_id: str
    seed: int
    id: str = field(default_factory=lambda: new_id("ep"))
    actions: list[dict[str, Any]] = field(default_factory=list)
    observation_hashes: list[str] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    terminated: bool = False
    truncated: bool = False
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_reward(self) -> float:
        """The sum of the step rewards."""
        return float(sum(self.rewards))

    @property
    def steps(self) -> int:
        """Actions taken."""
        return len(self.actions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        data = asdict(self)
        data["total_reward"] = self.total_reward
        return data


class CristalEnv(gymnasium.Env):
    """Text observations, tool-call actions, seeded tasks and a recorded episode."""

    env_id: ClassVar[str] = "cristal/Env-v0"
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"]}

    def __init__(self, *, max_steps: int = 20, task: str | None = None,
                 render_mode: str | None = None) -> None:
        if render_mode not in (None, "ansi"):
            raise InvalidInput(f"render_mode {render_mode!r} is not supported; use 'ansi' or "
                               "leave it out.")
        self.max_steps = max_steps
        self.render_mode = render_mode
        self.fixed_task = task
        self.observation_space = TextSpace()
        self.action_space = ToolCallSpace([t["function"]["name"] for t in self.tools()],
                                          sampler=self._sample)
        self._episode: Episode | None = None
        self._last_obs = ""
        self._started = 0.0

    # -- what a subclass provides ------------------------------------------

    def task_ids(self) -> list[str]:
        """Every task this environment can run."""
        raise NotImplementedError

    def tools(self) -> list[dict[str, Any]]:
        """The actions as OpenAI-format tool definitions."""
        raise NotImplementedError

    def instructions(self) -> str:
        """A system prompt for an agent acting in this environment."""
        return "Solve the task with the tools, one tool call per turn."

    def _begin(self, task_id: str, seed: int) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _act(self, call: dict[str, Any]) -> tuple[str, float, bool, dict[str, Any]]:
        raise NotImplementedError

    def _normalize(self, action: Any) -> dict[str, Any]:
        return to_call(action)

    def _sample(self, rng: np.random.Generator) -> dict[str, Any]:
        tools = self.action_space.tools
        return {"tool": tools[int(rng.integers(len(tools)))], "args": {}}

    # -- Gymnasium API -----------------------------------------------------

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode: `options={"task_id": ...}` picks the task, else the seed does."""
        if seed is None:  # continue the generator, but record a seed that replays it
            seed = int(self.np_random.integers(_MAX_SEED))
        super().reset(seed=seed)
        self.action_space.seed(seed)
        options = options or {}
        tasks = self.task_ids()
        task_id = options.get("task_id") or self.fixed_task
        if task_id is None:
            task_id = tasks[int(self.np_random.integers(len(tasks)))]
        elif task_id not in tasks:
            shown = ", ".join(tasks[:5]) + (", ..." if len(tasks) > 5 else "")
            raise NotFound(f"{self.env_id} has no task {task_id!r}; its tasks are {shown}.",
                           task_id=task_id)
        self._episode = Episode(env_id=self.env_id, task_id=task_id, seed=seed)
        self._started = time.perf_counter()
        obs, info = self._begin(task_id, seed)
        self._record_obs(obs)
        return obs, {**info, "task_id": task_id, "seed": seed, "step": 0,
                     "episode_id": self._episode.id}

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Take one tool call; returns (observation, reward, terminated, truncated, info)."""
        episode = self._episode
        if episode is None:
            raise InvalidInput("Call reset() before step().")
        if episode.terminated or episode.truncated:
            raise InvalidInput("This episode has ended; call reset() to start another.")
        try:
            call = self._normalize(action)
            episode.actions.append(call)
            if call["tool"] not in self.action_space.tools:
                raise InvalidAction(f"There is no tool {call['tool']!r}; the tools are "
                                    f"{', '.join(self.action_space.tools)}.")
            obs, reward, terminated, info = self._act(call)
        except InvalidAction as exc:
            if len(episode.actions) == len(episode.rewards):  # not even readable
                episode.actions.append({"tool": "<invalid>", "args": {"raw": _short(action)}})
            obs, reward, terminated, info = f"Error: {exc.message}", 0.0, False, {
                "error": exc.message}
        episode.rewards.append(float(reward))
        truncated = not terminated and len(episode.actions) >= self.max_steps
        episode.terminated, episode.truncated = terminated, truncated
        episode.seconds = time.perf_counter() - self._started
        if terminated or truncated:
            episode.info = {k: v for k, v in info.items() if _plain(v)}
        self._record_obs(obs)
        return obs, float(reward), terminated, truncated, {
            **info, "task_id": episode.task_id, "step": len(episode.actions),
            "episode_id": episode.id}

    def render(self) -> str | None:
        """The last observation (render_mode 'ansi')."""
        return self._last_obs if self.render_mode == "ansi" else None

    @property
    def episode(self) -> Episode | None:
        """The episode so far (or the last one)."""
        return self._episode

    def _record_obs(self, obs: str) -> None:
        self._last_obs = obs
        assert self._episode is not None
        self._episode.observation_hashes.append(obs_hash(obs))


def _short(action: Any) -> str:
    return (action if isinstance(action, str) else repr(action))[:500]


def _plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
