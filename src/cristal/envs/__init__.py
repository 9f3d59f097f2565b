"""Training environments: Cristal's tasks as Gymnasium environments, rollouts, scorecards, data.

Importing this package registers three Gymnasium 1.x environments:

- `cristal/Research-v0`: a question over a document folder (search, read, answer);
- `cristal/Operator-v0`: a browser task (MiniWoB++ or a start URL, goal and checker);
- `cristal/Tools-v0`: AgentDojo's tool-use suites, scored by their utility checks.

Gymnasium 1.x no longer loads plugins from entry points, so registration happens on
`import cristal.envs`; `gymnasium.make("cristal.envs:cristal/Research-v0", ...)` imports
it for you. Episodes are recorded (`env.unwrapped.episode`), stored, replayed, scored
in parallel (`run_eval`) and exported as training data (`export_dataset`).
"""

from __future__ import annotations

import gymnasium

from cristal.envs._base import CristalEnv, Episode, InvalidAction, obs_hash, to_call
from cristal.envs._rubric import Rubric, is_not_found, score_answer
from cristal.envs._spaces import TextSpace, ToolCallSpace

ENV_IDS = ("cristal/Research-v0", "cristal/Operator-v0", "cristal/Tools-v0")
_ENTRY = {
    "cristal/Research-v0": "cristal.envs._research:ResearchEnv",
    "cristal/Operator-v0": "cristal.envs._operator:OperatorEnv",
    "cristal/Tools-v0": "cristal.envs._tools:ToolsEnv",
}


def register_envs() -> None:
    """Register the Cristal environments with Gymnasium (idempotent)."""
    for env_id, entry in _ENTRY.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry)


register_envs()

__all__ = [
    "ENV_IDS",
    "CristalEnv",
    "Episode",
    "InvalidAction",
    "Rubric",
    "TextSpace",
    "ToolCallSpace",
    "is_not_found",
    "obs_hash",
    "register_envs",
    "score_answer",
    "to_call",
]
