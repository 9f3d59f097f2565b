"""The records of a research session: plan, evidence, claims, citations and the report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Citation", "Claim", "Evidence", "Report", "SubQuestion", "report_from_contract"]


@dataclass(slots=True)
class SubQuestion:
    """One part of the question, searched and answered on its own."""

    id: str
    text: str
    query: str
    answer_type: str = "general"  # amount | count | time | person | yesno | method | general
    context: str = ""
    lent: list[str] = field(default_factory=list)  # names it takes from the rest of the question
    found: bool = False
    steps: list[str] = field(default_factory=list)  # the queries that were run for it
    absent: list[str] = field(default_factory=list)  # names asked about that no document has
    neighbour: dict[str, str] | None = None  # {"kind", "asked", "found"} when only a neighbour
    focus: str | None = None  # what it asks about (「重さ」, "late fee"), the answer must carry
    pointed: str = ""  # a phrase pointing back at the answer before (「その会議」)
    referent: str = ""  # what that answer named for it (its references, else its text)


@dataclass(slots=True)
class Evidence:
    """A sentence quoted from a document, with its exact position in the parsed text."""

    id: str
    doc: str
    document_id: str
    chunk_id: int
    quote: str
    start: int
    end: int
    page: int | None
    heading_path: list[str]
    score: float
    sub_question: str
    lang: str
    title: str | None = None
    focus: tuple[int, int] | None = None  # the sentence (or table row) that scored best


@dataclass(slots=True)
class Citation:
    """Where a claim's support is: a document, the quoted text and its offsets."""

    doc: str
    quote: str
    start: int
    end: int
    page: int | None = None
    evidence: str | None = None


@dataclass(slots=True)
class Claim:
    """A statement of the report and the passages that support it."""

    text: str
    citations: list[Citation]
    sub_question: str | None = None
    verified: bool = True
    note: str | None = None


@dataclass(slots=True)
class Report:
    """A finished research session; `to_contract()` is the JSON other tools read."""

    id: str
    question: str
    lang: str
    answer: str
    not_found: bool
    claims: list[Claim]
    retrieved: list[dict[str, Any]]
    sub_questions: list[SubQuestion]
    evidence: list[Evidence]
    timings_ms: dict[str, float]
    model_calls: int
    mode: str  # extractive | model
    collection: str
    tenant: str
    created_at: str
    notes: list[str] = field(default_factory=list)
    docs_root: str | None = None
    direct: list[Claim] = field(default_factory=list)  # the answer's first lines
    neighbour: dict[str, Any] | None = None  # only a neighbour of what was asked was found

    def to_contract(self) -> dict[str, Any]:
        """The report as DESIGN.md's contract: id, question, lang, answer, claims, ..."""
        data = asdict(self)
        data["claims"] = [_claim(c) for c in self.claims]
        data["direct"] = [_claim(c) for c in self.direct]
        data["timings_ms"] = {k: round(v, 1) for k, v in self.timings_ms.items()}
        return data


def _claim(c: Claim) -> dict[str, Any]:
    return {"text": c.text, "verified": c.verified, "note": c.note,
            "sub_question": c.sub_question,
            "citations": [{"doc": x.doc, "quote": x.quote, "start": x.start, "end": x.end,
                           "page": x.page, "evidence": x.evidence} for x in c.citations]}


def _claim_from(c: dict[str, Any]) -> Claim:
    return Claim(text=c["text"], citations=[
        Citation(**{k: v for k, v in x.items() if k in Citation.__dataclass_fields__})
        for x in c.get("citations", [])], sub_question=c.get("sub_question"),
        verified=c.get("verified", True), note=c.get("note"))


def report_from_contract(data: dict[str, Any]) -> Report:
    """A Report back from its stored JSON contract (to render a stored session again)."""
    names = set(Report.__dataclass_fields__)
    fields = {k: v for k, v in data.items() if k in names}
    fields["claims"] = [_claim_from(c) for c in data.get("claims", [])]
    fields["direct"] = [_claim_from(c) for c in data.get("direct", [])]
    fields["evidence"] = [Evidence(**{k: v for k, v in e.items()
                                      if k in Evidence.__dataclass_fields__})
                          for e in data.get("evidence", [])]
    fields["sub_questions"] = [SubQuestion(**{k: v for k, v in q.items()
                                              if k in SubQuestion.__dataclass_fields__})
                               for q in data.get("sub_questions", [])]
    return Report(**fields)
