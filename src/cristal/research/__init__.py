"""Deep Research: plan, search iteratively, quote evidence, write a verified, cited report."""

from cristal.research._engine import Findings, ResearchOptions, gather, retrieved_documents
from cristal.research._eval import EvalResult, evaluate, load_questions
from cristal.research._plan import answer_type, plan_rules
from cristal.research._render import render_html, render_markdown, write_report
from cristal.research._run import (
    DEFAULT_EMBED_SECONDS,
    ResearchRequest,
    collection_for,
    run_research,
)
from cristal.research._sessions import get_session, list_sessions, set_out_dir
from cristal.research._types import (
    Citation,
    Claim,
    Evidence,
    Report,
    SubQuestion,
    report_from_contract,
)

__all__ = [
    "DEFAULT_EMBED_SECONDS",
    "Citation",
    "Claim",
    "EvalResult",
    "Evidence",
    "Findings",
    "Report",
    "ResearchOptions",
    "ResearchRequest",
    "SubQuestion",
    "answer_type",
    "collection_for",
    "evaluate",
    "gather",
    "get_session",
    "list_sessions",
    "load_questions",
    "plan_rules",
    "render_html",
    "render_markdown",
    "report_from_contract",
    "retrieved_documents",
    "run_research",
    "set_out_dir",
    "write_report",
]
