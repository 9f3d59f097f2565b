"""What one run of the loop leaves behind: status, answer, and a trace of every decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cristal.agent._values import TRUSTED, Label, short

__all__ = ["AgentRun", "CallRecord"]


@dataclass
class CallRecord:
    """One tool call that ran: its raw arguments and result (or error)."""

    step: str
    tool: str
    args: dict[str, Any]
    result: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the tool returned without raising."""
        return self.error is None


@dataclass
class AgentRun:
    """A finished run: how it ended, the answer, and its trace (plan, calls, refusals)."""

    request: str
    defence: bool
    status: str = "done"  # done | failed | refused | needs_confirmation
    answer: str = ""
    answer_label: Label = TRUSTED
    plan: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    extractor_tool_calls: list[dict[str, Any]] = field(default_factory=list)
    model_calls: list[str] = field(default_factory=list)

    def event(self, kind: str, step: str = "", **detail: Any) -> None:
        """Append one trace event."""
        self.events.append({"kind": kind, "step": step, **detail})

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON data (values shortened in calls; everything else whole)."""
        return {
            "status": self.status, "defence": self.defence, "answer": self.answer,
            "answer_trusted": self.answer_label.trusted,
            "answer_sources": sorted(self.answer_label.sources), "plan": self.plan,
            "calls": [{"step": c.step, "tool": c.tool, "args": c.args, "ok": c.ok,
                       "result": short(c.result, 300) if c.ok else None, "error": c.error}
                      for c in self.calls],
            "refusals": self.refusals, "extractor_tool_calls": self.extractor_tool_calls,
            "events": self.events, "model_calls": self.model_calls,
        }
