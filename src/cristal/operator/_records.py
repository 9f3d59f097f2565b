"""Trajectory records: one StepRecord per operator step, kept by a Recorder."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

__all__ = ["JsonlRecorder", "MemoryRecorder", "Recorder", "StepRecord"]


class StepRecord(BaseModel):
    """Everything about one step: what was seen, what was done, to what, and how it went."""

    run_id: str = ""
    step: int
    started_at: str
    url: str = ""
    snapshot_hash: str = ""
    snapshot_text: str = ""
    snapshot_tokens: int = 0
    action: dict[str, Any]
    source: str = "policy"  # policy | plan | skill | fallback | user
    target: dict[str, Any] | None = None  # ref, role, name, score, runner_up, by
    confirmation: dict[str, Any] | None = None  # reasons, kinds, approved
    result: dict[str, Any]
    blocked: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    model_call_id: str | None = None  # the gateway call that chose this action, if any

    @property
    def ok(self) -> bool:
        """Whether the action succeeded."""
        return bool(self.result.get("ok"))

    @property
    def error_type(self) -> str | None:
        """The error class name when the step failed."""
        return self.result.get("error_type")


@runtime_checkable
class Recorder(Protocol):
    """Where step records go (memory, a JSONL file, the database)."""

    def record(self, step: StepRecord) -> None:
        """Keep one step."""


class MemoryRecorder:
    """Keeps records in a list (tests, skill compilation, evaluation)."""

    def __init__(self) -> None:
        self.steps: list[StepRecord] = []

    def record(self, step: StepRecord) -> None:
        """Append one step."""
        self.steps.append(step)


class JsonlRecorder:
    """Appends one JSON object per step to a file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def record(self, step: StepRecord) -> None:
        """Append one line and flush it."""
        line = json.dumps(step.model_dump(mode="json"), ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def read(self) -> list[StepRecord]:
        """Every record in the file, in order."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [StepRecord.model_validate_json(line) for line in fh if line.strip()]
