"""Text normalisation and fuzzy similarity shared by targeting, plans and skills (JA and EN)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["estimate_tokens", "norm", "similarity", "tokens"]

_SPACE = re.compile(r"\s+")
# Punctuation that decorates labels without changing what they name ("Name:", "* Email").
_DECOR = re.compile(r"[\s:：*＊・\u3000\"'“”‘’「」『』()（）\[\]【】<>〈〉.,、。!?！？]+")
_WORD = re.compile(r"[0-9a-z]+|[^\x00-\x7f]", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def norm(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: full/half width and case stop mattering."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _bare(text: str) -> str:
    return _DECOR.sub(" ", norm(text)).strip()


def tokens(text: str) -> list[str]:
    """Words for overlap scoring: ASCII words, and each CJK character on its own."""
    return _WORD.findall(_bare(text))


def _bigrams(text: str) -> set[str]:
    s = _bare(text).replace(" ", "")
    return {s[i : i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def similarity(query: str, name: str) -> float:
    """How well `name` answers to `query`, 0..1: exact > normalised > partial > fuzzy."""
    if not query or not name:
        return 0.0
    if query.strip() == name.strip():
        return 1.0
    q, n = norm(query), norm(name)
    if q == n:
        return 0.97
    qb, nb = _bare(query), _bare(name)
    if not qb or not nb:
        return 0.0
    if qb == nb:
        return 0.95
    ratio = min(len(qb), len(nb)) / max(len(qb), len(nb))
    if _contains_word(nb, qb):  # the query is a whole word or phrase of the name
        return 0.72 + 0.2 * ratio
    if nb.startswith(qb) or qb in nb:
        return 0.6 + 0.2 * ratio
    if _contains_word(qb, nb):  # the name is a phrase of the query: "the Submit button" vs "Submit"
        return 0.6 + 0.25 * ratio
    qt, nt = set(tokens(qb)), set(tokens(nb))
    overlap = len(qt & nt) / len(qt | nt) if qt and nt else 0.0
    qg, ng = _bigrams(qb), _bigrams(nb)
    dice = 2 * len(qg & ng) / (len(qg) + len(ng)) if qg and ng else 0.0
    return round(max(0.65 * overlap, 0.6 * dice), 4)


def _contains_word(haystack: str, needle: str) -> bool:
    """`needle` occurs in `haystack` on word boundaries (any position for CJK text)."""
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if _boundary(before, needle[0]) and _boundary(after, needle[-1]):
            return True
        start = haystack.find(needle, start + 1)
    return False


def _boundary(outside: str, inside: str) -> bool:
    if _CJK.match(outside) or _CJK.match(inside):
        return True
    return not (outside.isalnum() and inside.isalnum())


def estimate_tokens(text: str) -> int:
    """Rough LLM token count: ~4 ASCII characters per token, ~1 token per CJK/other character."""
    ascii_chars = len(text.encode("ascii", "ignore"))
    return round(ascii_chars / 4 + (len(text) - ascii_chars) * 0.9)
