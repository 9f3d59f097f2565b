"""Evaluate Deep Research on any folder of the research-dev layout.

Layout: `docs/` (any depth) and `questions.jsonl`, one object a line with `id`,
`question`, `lang`, `answer_facts`, `gold_docs` (paths under docs/), `hops`,
`answerable`. Figures: gold-document recall@5/@10 (a hit when any gold document
is among the first k retrieved), answer-fact recall (facts found in the answer,
NFKC- and case-insensitive), citation validity (quoted span found in the cited
file, read from disk), not-found accuracy on unanswerable questions (and how often
the closest neighbour was shown as such), false not-found on answerable ones, fact
recall and false not-found per language, and latency p50/p95 of the research step.
"""

from __future__ import annotations

import json
import statistics
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cristal.errors import CristalError, InvalidInput
from cristal.knowledge import parse_file
from cristal.models import Gateway
from cristal.research._engine import ResearchOptions
from cristal.research._run import ResearchRequest, collection_for, run_research
from cristal.store import Store

__all__ = ["EvalResult", "evaluate", "load_questions"]

_REQUIRED = ("id", "question")


@dataclass(slots=True)
class EvalResult:
    """Per-question rows and totals."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def load_questions(folder: Path) -> list[dict[str, Any]]:
    """Read and check questions.jsonl; errors name the line."""
    path = folder / "questions.jsonl"
    if not (folder / "docs").is_dir() or not path.is_file():
        raise InvalidInput(f"{folder} is not an evaluation set: it needs docs/ and "
                           "questions.jsonl (see ../shared/eval/research-dev).")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{number}: not JSON ({exc.msg}).") from None
        missing = [k for k in _REQUIRED if k not in item]
        if missing:
            raise InvalidInput(f"{path}:{number}: missing {', '.join(missing)}.")
        item.setdefault("answer_facts", [])
        item.setdefault("gold_docs", [])
        item.setdefault("answerable", bool(item["gold_docs"] or item["answer_facts"]))
        item.setdefault("lang", "")
        questions.append(item)
    if not questions:
        raise InvalidInput(f"{path} has no questions.")
    return questions


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Sources:
    """The text of cited files as on disk (parsed for binary formats), read once each."""

    def __init__(self, docs: Path) -> None:
        self.docs = docs
        self._texts: dict[str, str | None] = {}

    def text(self, rel: str) -> str | None:
        if rel not in self._texts:
            path = self.docs / rel
            try:
                # For Markdown and text the parsed text is the decoded file itself.
                self._texts[rel] = parse_file(path).text
            except (CristalError, OSError):
                self._texts[rel] = None
        return self._texts[rel]


def _row(item: dict[str, Any], report: dict[str, Any], sources: _Sources) -> dict[str, Any]:
    docs = [d["doc"] for d in report["retrieved"]]
    gold = set(item["gold_docs"])
    answer = _norm(report["answer"])
    facts = item["answer_facts"]
    hits = [f for f in facts if _norm(f) in answer]
    # Every quote shown counts: the claims, the direct answer and a neighbour's passages.
    citations = [c for claim in [*report["claims"], *report.get("direct", [])]
                 for c in claim["citations"]]
    citations += (report.get("neighbour") or {}).get("citations", [])
    valid = 0
    for cite in citations:
        text = sources.text(cite["doc"])
        valid += bool(text) and cite["quote"] in text
    return {
        "id": item["id"], "lang": item.get("lang") or report["lang"],
        "answerable": item["answerable"], "not_found": report["not_found"],
        "neighbour": bool(report.get("neighbour")),
        "recall_at_5": bool(gold & set(docs[:5])) if gold else None,
        "recall_at_10": bool(gold & set(docs[:10])) if gold else None,
        "facts": len(facts), "facts_found": len(hits),
        "missing_facts": [f for f in facts if f not in hits],
        "citations": len(citations), "citations_valid": valid,
        "latency_ms": round(report["timings_ms"]["research"], 1),
        "model_calls": report["model_calls"], "session": report["id"],
    }


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    latencies = sorted(r["latency_ms"] for r in rows)
    cites = sum(r["citations"] for r in rows)
    totals: dict[str, Any] = {
        "questions": len(rows),
        "recall_at_5": _share([r["recall_at_5"] for r in answerable if r["recall_at_5"]
                               is not None]),
        "recall_at_10": _share([r["recall_at_10"] for r in answerable if r["recall_at_10"]
                                is not None]),
        "answer_fact_recall": round(sum(r["facts_found"] for r in answerable) /
                                    max(1, sum(r["facts"] for r in answerable)), 4),
        "answer_fact_recall_macro": round(statistics.mean(
            r["facts_found"] / r["facts"] for r in answerable if r["facts"]), 4)
        if any(r["facts"] for r in answerable) else None,
        "citation_validity": round(sum(r["citations_valid"] for r in rows) / cites, 4)
        if cites else None,
        "citations": cites,
        "not_found_correct": _share([r["not_found"] for r in unanswerable]),
        "neighbour_shown": _share([r["neighbour"] for r in unanswerable]),
        "false_not_found": _share([r["not_found"] for r in answerable]),
        "latency_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(latencies[min(len(latencies) - 1,
                                               int(0.95 * len(latencies)))], 1)
        if latencies else None,
        "model_calls": sum(r["model_calls"] for r in rows),
    }
    for lang in sorted({r["lang"] for r in answerable}):
        mine = [r for r in answerable if r["lang"] == lang and r["recall_at_10"] is not None]
        totals[f"recall_at_10_{lang}"] = _share([r["recall_at_10"] for r in mine])
        totals[f"recall_at_5_{lang}"] = _share([r["recall_at_5"] for r in mine])
        facts = [r for r in answerable if r["lang"] == lang]
        totals[f"answer_fact_recall_{lang}"] = round(
            sum(r["facts_found"] for r in facts) / max(1, sum(r["facts"] for r in facts)), 4)
        totals[f"false_not_found_{lang}"] = _share([r["not_found"] for r in facts])
    return totals


def evaluate(
    store: Store,
    gateway: Gateway,
    folder: Path,
    *,
    tenant: str | None = None,
    use_model: bool | None = False,
    options: ResearchOptions = ResearchOptions(),
    limit: int | None = None,
    progress: Callable[[str, int, int, str], None] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    embed: bool = True,
) -> EvalResult:
    """Ingest the set's documents (incrementally) and research every question.

    `embed=False` leaves vectors out (lexical search only), e.g. to measure that mode.
    """
    questions = load_questions(folder)[:limit] if limit else load_questions(folder)
    docs = folder / "docs"
    collection = "eval-" + collection_for(docs)
    sources = _Sources(docs)
    result = EvalResult()
    first = True
    for number, item in enumerate(questions, start=1):
        request = ResearchRequest(
            question=item["question"], docs=docs if first else None,
            collection=collection, tenant=tenant, use_model=use_model, options=options,
            embed=embed, embed_seconds=None)  # figures with every vector computed
        report, _ = run_research(store, gateway, request, progress if first else None)
        first = False
        row = _row(item, report.to_contract(), sources)
        result.rows.append(row)
        if on_row:
            on_row(row)
        if progress:
            progress("questions", number, len(questions), item["id"])
    result.totals = _totals(result.rows)
    return result
