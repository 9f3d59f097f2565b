"""`research`: a Deep Research question over a collection (or a folder) of documents.

The step runs the same research as `cristal research`: with a model on the `research`
route when one is configured, extractive otherwise. Its output is the report's answer,
whether it was found, the claims with their citations and the session id, which
`cristal research show ID` opens. Model calls are charged to the run's tenant. A run
started through the server researches only the collections its starter may read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from cristal.config import Settings
from cristal.errors import PermissionDenied
from cristal.governance import Principal
from cristal.research import ResearchOptions as Knobs
from cristal.research import ResearchRequest, run_research
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec

__all__ = ["ResearchStep"]


class ResearchOptions(Options):
    """`question:` what to research; `collection:` an ingested collection, or `docs:` a folder."""

    question: str
    collection: str | None = None
    docs: str | None = None
    model: bool | None = None  # None: a model when the route has one; False: extractive
    max_steps: int = Field(16, ge=1, le=100)


class ResearchStep:
    """Researches a question over the tenant's documents and returns the cited answer."""

    name = "research"
    options = ResearchOptions
    templated = frozenset({"question", "collection", "docs"})
    durable = False
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Exactly one place to look: `collection:` or `docs:`."""
        opts = step.options
        if (opts.collection is None) == (opts.docs is None):
            raise StepProblem("give exactly one of `collection:` (an ingested collection) "
                              "or `docs:` (a folder, ingested when the step runs)", "collection")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Research, store the session, and return its answer and citations."""
        opts = step.options
        args = ctx.args
        assert ctx.app is not None
        reader = Principal.from_dict(ctx.principal) if ctx.principal else None
        if args.get("docs") and reader is not None and reader.kind != "local":
            raise PermissionDenied(
                "a research step of a run started through the server cannot read a folder on "
                "the server (`docs:`); upload the documents to a collection and use "
                "`collection:` instead.", step=step.id)
        request = ResearchRequest(
            question=str(args["question"]),
            docs=Path(args["docs"]) if args.get("docs") else None,
            collection=args.get("collection"), tenant=ctx.tenant, use_model=opts.model,
            options=Knobs(max_steps=opts.max_steps),
            # Only what the run's starter may read (a run started at the CLI: everything).
            reader=reader)
        report, _ = run_research(ctx.app.store, ctx.app.gateway, request)
        ctx.meta.update(research_session=report.id, mode=report.mode,
                        model_calls=report.model_calls)
        return {
            "session": report.id, "answer": report.answer, "not_found": report.not_found,
            "mode": report.mode,
            "claims": [{"text": c.text,
                        "citations": [{"doc": x.doc, "quote": x.quote, "start": x.start,
                                       "end": x.end} for x in c.citations]}
                       for c in report.claims if c.verified],
            "sources": [d["doc"] for d in report.retrieved[:5]],
        }
