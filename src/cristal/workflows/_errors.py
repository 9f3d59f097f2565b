"""Errors of the workflows area, under the one tree in `cristal.errors`.

```
InvalidInput
└── SpecError               a workflow spec is invalid: each problem has a line and a field
CristalError
├── StepError               a step failed (after its retries); the run ends `failed`
│   ├── ApprovalRejected    a person rejected an approval step (on_reject: fail)
│   └── ApprovalTimedOut    nobody decided before the approval's timeout (on_timeout: fail)
├── HttpStepError           an `http` step got a 4xx answer: not retried
│   └── HttpStepTransient   a connection error, 408, 429 or 5xx: retried with backoff
└── StepUnavailable         a step type exists but cannot run in this build (research)
```

Errors stay picklable with a single message argument: DBOS stores a failed step's
exception and raises it again when a run is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cristal.errors import CristalError, InvalidInput

__all__ = [
    "ApprovalRejected",
    "ApprovalTimedOut",
    "HttpStepError",
    "HttpStepTransient",
    "Problem",
    "SpecError",
    "StepError",
    "StepUnavailable",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a spec: where (line, field) and what to do."""

    message: str
    field: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {"line": self.line, "field": self.field, "message": self.message}


class SpecError(InvalidInput):
    """A workflow spec cannot run; `problems` lists each one with its line and field."""

    @classmethod
    def from_problems(cls, source: str, problems: list[Problem]) -> SpecError:
        """One error listing every problem as `file:line: field: message`."""
        lines = []
        for p in sorted(problems, key=lambda p: (p.line or 0, p.field)):
            where = f"{source}:{p.line}" if p.line else source
            lines.append(f"{where}: {p.field + ': ' if p.field else ''}{p.message}")
        first = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        return cls(f"invalid workflow spec {first}\nNothing was run; fix the spec and try again.",
                   errors=[p.to_dict() for p in problems], path=source)


class StepError(CristalError):
    """A step failed after all its attempts; the run ends `failed` with this message."""


class ApprovalRejected(StepError):
    """A person rejected an approval step."""


class ApprovalTimedOut(StepError):
    """An approval step's timeout passed without a decision."""


class HttpStepError(CristalError):
    """An `http` step was answered with a client error (4xx): retrying would not help."""


class HttpStepTransient(HttpStepError):
    """An `http` step failed in a way that may pass: connection error, 408, 429 or 5xx."""

    retryable = True


class StepUnavailable(CristalError):
    """A step type is defined but cannot run in this build."""
