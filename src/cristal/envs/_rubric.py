"""The Research-v0 reward: answer-fact recall, verified citations, correct "not found", step cost.

For an answerable question the reward is `fact recall × (0.6 + 0.4 × citation validity)`
(facts found, NFKC- and case-insensitively, in the answer text or its quotes; a
citation is valid when its quote, at least 4 characters, is in the parsed text of the
cited document), so verified quotes raise the score of a right answer but earn nothing
on their own. A question without listed facts scores the share of citations that are
valid and in one of its gold documents. Saying "not found" to an answerable question
scores 0. For an
unanswerable question, saying "not found" scores 1 and anything else 0. Every action
before the answer costs `step_cost`. The result is clipped to [0, 1].
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["NOT_FOUND_PHRASES", "Rubric", "is_not_found", "norm_text", "score_answer"]

NOT_FOUND_PHRASES = (
    "not found", "no answer", "do not say", "does not say", "don't say", "not mentioned",
    "no information", "not in the documents", "cannot be answered", "見つかりません",
    "記載がありません", "記載はありません", "見当たりません", "分かりません", "わかりません",
    "該当する記述はありません", "文書にはありません",
)
FACT_WEIGHT = 0.6
CITATION_WEIGHT = 0.4
MIN_QUOTE = 4


def norm_text(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def is_not_found(text: str, flag: Any = None) -> bool:
    """The answer says the documents do not answer (flag, empty text, or a set phrase)."""
    if flag is True:
        return True
    plain = norm_text(text)
    return not plain or any(p in plain for p in NOT_FOUND_PHRASES)


@dataclass(frozen=True, slots=True)
class Rubric:
    """The parts of one answer's reward."""

    reward: float
    answerable: bool
    not_found: bool
    fact_recall: float | None
    facts_found: list[str]
    citation_validity: float | None
    citations: int
    citations_valid: int
    step_penalty: float
    success: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


def _quote_in(quote: str, text: str | None) -> bool:
    if not text or len(quote.strip()) < MIN_QUOTE:
        return False
    if quote in text:
        return True
    squash = re.compile(r"\s+")
    return squash.sub(" ", quote).strip() in squash.sub(" ", text)


def score_answer(task: dict[str, Any], args: dict[str, Any], steps_before: int, *,
                 doc_text: Callable[[str], str | None], step_cost: float) -> Rubric:
    """Score an `answer` action's arguments against a questions.jsonl task."""
    text = str(args.get("text") or "")
    citations = [c for c in args.get("citations") or [] if isinstance(c, dict)]
    not_found = is_not_found(text, args.get("not_found"))
    valid = sum(_quote_in(str(c.get("quote") or ""), doc_text(str(c.get("doc") or "")))
                for c in citations)
    validity = valid / len(citations) if citations else None
    penalty = round(step_cost * steps_before, 6)
    answerable = bool(task.get("answerable", True))
    facts = [str(f) for f in task.get("answer_facts") or []]
    said = norm_text(text + " " + " ".join(str(c.get("quote") or "") for c in citations))
    found = [f for f in facts if norm_text(f) in said]
    recall = len(found) / len(facts) if facts else None
    if not answerable:
        base = 1.0 if not_found else 0.0
        success = not_found
    elif not_found:
        base, success = 0.0, False
    else:
        if recall is not None:
            base = recall * (FACT_WEIGHT + CITATION_WEIGHT * (validity or 0.0))
        else:
            gold = set(task.get("gold_docs") or [])
            good = sum(_quote_in(str(c.get("quote") or ""), doc_text(str(c.get("doc") or "")))
                       and (not gold or c.get("doc") in gold) for c in citations)
            base = good / len(citations) if citations else 0.0
        success = (recall is None or recall == 1.0) and validity == 1.0
    reward = min(1.0, max(0.0, base - penalty))
    return Rubric(reward=round(reward, 6), answerable=answerable, not_found=not_found,
                  fact_recall=recall, facts_found=found, citation_validity=validity,
                  citations=len(citations), citations_valid=valid, step_penalty=penalty,
                  success=success)
