"""Term matching for reading evidence: light stemming, and the weight of a synonym match.

The index matches words as written; reading a sentence can afford to be more
forgiving, since only a few hundred sentences are read per question. Synonyms
and paraphrases come from the lexicon (`_lexicon.py`); they match at reduced weight.
"""

from __future__ import annotations

__all__ = ["SYNONYM_WEIGHT", "canonical"]

SYNONYM_WEIGHT = 0.7


def canonical(term: str) -> str:
    """Fold common English suffixes (monthly → month, waived → waive) for matching."""
    if not term.isascii() or len(term) <= 4:
        return term
    for suffix, repl in (("ly", ""), ("ing", ""), ("ied", "y"), ("ed", "e"), ("ed", "")):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: len(term) - len(suffix)] + repl
    return term
