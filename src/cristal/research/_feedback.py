"""Query expansion from the top passages (pseudo-relevance feedback).

An employee's words may match no document, while the passages the first searches
found (by meaning, or through the lexicon) use the documents' own words: 「在宅する日」
finds a passage on 在宅勤務 that says 「勤怠システムに登録」. The words those top
passages share and the question lacks, weighted by how often they occur there and how
rare they are in the collection, make one more lexical search, which brings in the
passages that use that vocabulary (the rest of the rule, a related table). Sentences
are still scored against the question's own words, so the extra passages only add
candidates; they cannot make a sentence look like an answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from cristal.knowledge import Passage, query_terms
from cristal.research._terms import canonical

__all__ = ["feedback_terms"]

_SKIP = re.compile(r"(?:[\d.,%]+|[\u3041-\u309f]+|.)")  # numbers, kana-only, one character


def feedback_terms(top: list[Passage], asked: set[str],
                   idf: Callable[[list[str]], dict[str, float]], limit: int = 5,
                   documents: int = 3) -> list[str]:
    """The `limit` best new terms of the first `documents` passages (one per document).

    A term scores its count in those passages times its IDF, and must occur in at
    least two of them when more than one was read (a word of one passage alone is
    as likely that passage's own topic as the question's).
    """
    chosen: list[Passage] = []
    for p in top:
        if all(p.document_id != q.document_id for q in chosen):
            chosen.append(p)
        if len(chosen) >= documents:
            break
    if not chosen:
        return []
    counts: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    for p in chosen:
        # Index forms, not the reading's folded ones: the terms go back into a search.
        terms = [t for t in query_terms(p.text, compounds=False)
                 if canonical(t) not in asked and not _SKIP.fullmatch(t)]
        counts.update(terms)
        spread.update(set(terms))
    need = 2 if len(chosen) > 1 else 1
    candidates = [t for t in counts if spread[t] >= need]
    if not candidates:
        return []
    weights = idf(candidates)
    ranked = sorted(candidates, key=lambda t: (-counts[t] * weights.get(t, 0.0), t))
    return ranked[:limit]
