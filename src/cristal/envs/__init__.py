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
from cristal.envs._client import RemoteEnv
from cristal.envs._defended import DefendedPolicy
from cristal.envs._episodes import (
    ReplayResult,
    Rollout,
    get_episode,
    iter_episodes,
    list_episodes,
    replay,
    save_episode,
)
from cristal.envs._eval import (
    EvalRun,
    frontier,
    get_eval_run,
    list_eval_runs,
    run_eval,
    summarize,
)
from cristal.envs._export import FORMATS, ExportReport, export_dataset
from cristal.envs._policies import (
    ModelPolicy,
    OperatorSkillPolicy,
    OraclePolicy,
    Policy,
    RandomPolicy,
    ResearchSkillPolicy,
    rollout,
)
from cristal.envs._rubric import Rubric, is_not_found, score_answer
from cristal.envs._server import create_app
from cristal.envs._sources import SOURCES, Sample, samples
from cristal.envs._spaces import TextSpace, ToolCallSpace
from cristal.envs._synth import SynthReport, synthesize

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
    "FORMATS",
    "SOURCES",
    "CristalEnv",
    "DefendedPolicy",
    "Episode",
    "EvalRun",
    "ExportReport",
    "InvalidAction",
    "ModelPolicy",
    "OperatorSkillPolicy",
    "OraclePolicy",
    "Policy",
    "RandomPolicy",
    "RemoteEnv",
    "ReplayResult",
    "ResearchSkillPolicy",
    "Rollout",
    "Rubric",
    "Sample",
    "SynthReport",
    "TextSpace",
    "ToolCallSpace",
    "create_app",
    "export_dataset",
    "frontier",
    "get_episode",
    "get_eval_run",
    "is_not_found",
    "iter_episodes",
    "list_episodes",
    "list_eval_runs",
    "obs_hash",
    "register_envs",
    "replay",
    "rollout",
    "run_eval",
    "samples",
    "save_episode",
    "score_answer",
    "summarize",
    "synthesize",
    "to_call",
]
