"""The synonym and paraphrase lexicon: built-in business words (JA/EN) plus company files.

A *group* lists words and phrases a question and a document use for the same thing
(「会社のPC」 / 「貸与端末」 / "laptop"); a *contrast set* lists values of one slot that
exclude each other (国内 / 海外, 課長 / 部長, "annual fee" / "late fee"), so evidence
about one value is recognised as a neighbour, not an answer, for a question about
another. Phrases are compared as sets of index terms (Sudachi normalised forms, lower
case, light English stemming), the way the full-text index sees them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cristal.errors import ConfigError
from cristal.knowledge import query_terms
from cristal.research._terms import canonical

__all__ = ["Lexicon", "Phrase", "load_lexicon"]

_BUILTIN = Path(__file__).with_name("lexicon.txt")
_lock = threading.Lock()
_cache: dict[tuple[tuple[str, float], ...], Lexicon] = {}


@dataclass(frozen=True, slots=True)
class Phrase:
    """A word or phrase as written, and the index terms that must all occur for a match."""

    text: str
    terms: frozenset[str]

    def within(self, terms: set[str] | frozenset[str]) -> bool:
        """True when every term of the phrase is in `terms`."""
        return bool(self.terms) and self.terms <= terms


def phrase(text: str) -> Phrase:
    """A phrase from its written form."""
    return Phrase(text, frozenset(canonical(t) for t in query_terms(text, compounds=False)))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Synonym groups and contrast sets, with the lookups research needs."""

    groups: tuple[tuple[Phrase, ...], ...]
    contrasts: tuple[tuple[tuple[Phrase, ...], ...], ...]  # set -> value -> its phrases
    _words: frozenset[str] = frozenset()  # terms that are a whole phrase of some group
    _values: frozenset[str] = frozenset()  # terms that are a whole value of some contrast

    def __post_init__(self) -> None:
        words = {next(iter(p.terms)) for g in self.groups for p in g if len(p.terms) == 1}
        object.__setattr__(self, "_words", frozenset(words))
        values = {next(iter(p.terms)) for c in self.contrasts for v in c for p in v
                  if len(p.terms) == 1}
        object.__setattr__(self, "_values", frozenset(values))

    def alternatives(self, terms: Iterable[str]) -> dict[str, list[frozenset[str]]]:
        """For each term of a question, the term sets of phrases that say the same.

        A group applies when one of its phrases occurs in `terms`; each term of that
        phrase then gets the group's other phrases as alternatives.
        """
        have = set(terms)
        out: dict[str, list[frozenset[str]]] = {}
        for group in self.groups:
            matched = [p for p in group if p.within(have)]
            if not matched:
                continue
            others = [p.terms for p in group if p.terms and not p.within(have)]
            for p in matched:
                for term in p.terms:
                    out.setdefault(term, []).extend(others)
        return out

    def expansion(self, terms: Iterable[str], limit: int = 40) -> list[str]:
        """Phrases (as written) to add to a search for a question with these terms."""
        have = set(terms)
        found: list[str] = []
        for group in self.groups:
            if any(p.within(have) for p in group):
                found += [p.text for p in group if p.terms and not p.within(have)]
        return list(dict.fromkeys(found))[:limit]

    def knows(self, term: str) -> bool:
        """True when a single-word phrase of some group is this term (a common word)."""
        return term in self._words

    def is_value(self, term: str) -> bool:
        """True when a one-word phrase of some contrast set is this term (「海外」, Singapore)."""
        return term in self._values

    def values(self, terms: Iterable[str]) -> dict[int, list[int]]:
        """Contrast values named by `terms`: {set index: [value indexes]}."""
        have = set(terms)
        out: dict[int, list[int]] = {}
        for i, values in enumerate(self.contrasts):
            named = [j for j, value in enumerate(values) if any(p.within(have) for p in value)]
            if named:
                out[i] = named
        return out

    def contrast(self, asked: Iterable[str], reach: set[str]) -> tuple[str, str] | None:
        """(value asked, other value found) when `reach` names another value of a slot.

        Returns None when the evidence names the asked value too, or no other one.
        """
        for i, named in self.values(asked).items():
            values = self.contrasts[i]
            if any(p.within(reach) for j in named for p in values[j]):
                continue
            others = [j for j in range(len(values)) if j not in named
                      and any(p.within(reach) for p in values[j])]
            if others:
                return (self.label(i, named[0], asked), self.label(i, others[0], reach))
        return None

    def label(self, set_index: int, value: int, terms: Iterable[str]) -> str:
        """The written form of a contrast value, preferring the phrase found in `terms`."""
        have = set(terms)
        phrases = self.contrasts[set_index][value]
        return next((p.text for p in phrases if p.within(have)), phrases[0].text)


def _parse(text: str, source: str) -> tuple[list[tuple[Phrase, ...]],
                                              list[tuple[tuple[Phrase, ...], ...]]]:
    groups: list[tuple[Phrase, ...]] = []
    contrasts: list[tuple[tuple[Phrase, ...], ...]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("contrast:"):
            values = []
            for value in line.split(":", 1)[1].split(","):
                phrases = tuple(phrase(w.strip()) for w in value.split("=") if w.strip())
                if phrases:
                    values.append(phrases)
            if len(values) < 2:
                raise ConfigError(f"{source}:{number}: a contrast set needs at least two "
                                  "values separated by commas, e.g. `contrast: 国内, 海外`.")
            contrasts.append(tuple(values))
            continue
        words = tuple(phrase(w.strip()) for w in line.split(",") if w.strip())
        if len(words) < 2:
            raise ConfigError(f"{source}:{number}: a synonym group needs at least two words "
                              "separated by commas, e.g. `PC, パソコン, 端末`.")
        groups.append(words)
    return groups, contrasts


def load_lexicon(extra: Sequence[Path | str] = ()) -> Lexicon:
    """The built-in lexicon plus company files (cached until a file changes)."""
    paths = [_BUILTIN, *(Path(p).expanduser() for p in extra)]
    stamp = []
    for path in paths:
        try:
            stamp.append((str(path), path.stat().st_mtime))
        except OSError:
            raise ConfigError(f"lexicon file {path} cannot be read: fix `research.lexicon` "
                              "in the config (or CRISTAL_RESEARCH__LEXICON).") from None
    key = tuple(stamp)
    with _lock:
        if key in _cache:
            return _cache[key]
    groups: list[tuple[Phrase, ...]] = []
    contrasts: list[tuple[tuple[Phrase, ...], ...]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"lexicon file {path} cannot be read ({exc}); it must be "
                              "UTF-8 text, one group a line.") from None
        g, c = _parse(text, str(path))
        groups += g
        contrasts += c
    lexicon = Lexicon(tuple(groups), tuple(contrasts))
    with _lock:
        _cache[key] = lexicon
    return lexicon
