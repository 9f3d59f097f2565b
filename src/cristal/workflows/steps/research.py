"""`research`: a Deep Research question over a collection (refuses until research is wired).

The lead replaces this type with the real one through `register_step_type(...,
replace=True)`; specs that use `research` keep working unchanged.
"""

from __future__ import annotations

from typing import Any

from cristal.config import Settings
from cristal.workflows._errors import StepUnavailable
from cristal.workflows._steptypes import Options, StepContext, StepSpec

__all__ = ["ResearchStep"]

UNAVAILABLE = (
    "Deep Research is not available in this build: the `research` step type is defined, but "
    "no research engine is registered for workflows yet. Guard the step with `when:` so it "
    "is skipped, or remove it."
)


class ResearchOptions(Options):
    """`question:` what to research; `collection:` which documents to search."""

    question: str
    collection: str | None = None
    max_sources: int | None = None


class ResearchStep:
    """Placeholder for Deep Research steps: it validates, then refuses clearly if reached."""

    name = "research"
    options = ResearchOptions
    templated = frozenset({"question", "collection"})
    durable = False
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Nothing beyond the keys: a guarded research step may stay in a spec."""

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Refuse: there is no research engine in this build."""
        raise StepUnavailable(UNAVAILABLE)
