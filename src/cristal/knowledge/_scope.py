"""A search scope: the collections one search or research may read, and nothing else.

The use-case layer builds it from the collections the asker can read; search and
research take it as given and never look outside it, so a restricted collection's
passages, titles and counts cannot reach anyone through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cristal.knowledge._collections import Collection
from cristal.knowledge._lexical import phrase_count, term_stats
from cristal.store import Store

__all__ = ["Scope", "as_scope"]


@dataclass(frozen=True, slots=True)
class Scope:
    """One or more collections searched together."""

    collections: tuple[Collection, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The collection ids."""
        return tuple(c.id for c in self.collections)

    @property
    def name(self) -> str:
        """The collection names, joined (for reports and call-log callers)."""
        return ", ".join(c.name for c in self.collections)

    @property
    def embedded(self) -> int:
        """Passages with vectors, over all the collections."""
        return sum(c.embedded for c in self.collections)

    @property
    def chunks(self) -> int:
        """Passages, over all the collections."""
        return sum(c.chunks for c in self.collections)

    def term_stats(self, store: Store, terms: list[str]) -> tuple[int, dict[str, int]]:
        """Passages in the scope, and in how many of them each term occurs."""
        total, df = 0, {t: 0 for t in terms}
        for cid in self.ids:
            n, found = term_stats(store, cid, terms)
            total += n
            for term, count in found.items():
                df[term] = df.get(term, 0) + count
        return total, df

    def phrase_count(self, store: Store, text: str) -> int:
        """Passages in the scope containing `text` as a phrase."""
        return sum(phrase_count(store, cid, text) for cid in self.ids)


def as_scope(target: Collection | Scope | Sequence[Collection]) -> Scope:
    """A Scope from one collection, a list of them, or a Scope."""
    if isinstance(target, Scope):
        return target
    if isinstance(target, Collection):
        return Scope((target,))
    return Scope(tuple(target))
