"""The collection's own word for a word it never uses, found by meaning (the vector side).

An employee asks about 「スマホ」 where the rules say 「携帯電話」, or 「罰金」 where they say
「反則金」. When a word of the question occurs in no passage and the lexicon has no
other word for it, the vector index is asked for the passages nearest to the word,
and the noun phrases of those passages are compared with it one by one (e5, the same
model as the index). A phrase close enough stands for the word, as a lexicon synonym
would; when none is, the word is taken to be absent from the documents (the thing
asked about is not there: 「香典」, 「監査役」, 「レンタカー」).

e5-small places related words close together too (「会長」 and 「社長」 score 0.87,
true synonyms 0.86 to 0.91), so the bar is high and the match only ever stands in for
the word at a synonym's weight; it never makes evidence out of a related word alone.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

import numpy as np

from cristal.errors import CristalError
from cristal.knowledge import Collection, Scope, query_terms, search
from cristal.knowledge.ja import noun_spans
from cristal.models import Gateway
from cristal.research._terms import canonical
from cristal.store import Store

if TYPE_CHECKING:
    from cristal.research._search import SearchState
    from cristal.research._types import SubQuestion

__all__ = ["MEANING_SIMILARITY", "said_by_meaning", "unseen_meanings"]

MEANING_SIMILARITY = 0.87  # word-to-phrase cosine at which a phrase stands for the word
_PASSAGES = 4  # nearest passages whose phrases are compared
_MAX_PHRASES = 80
_EN_PHRASE = re.compile(r"[A-Za-z][A-Za-z-]+(?:\s+[A-Za-z][A-Za-z-]+)?")
_LOOKUPS = 2  # unseen words per sub-question looked up by meaning
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_lock = threading.Lock()
_phrase_vectors: dict[str, np.ndarray] = {}


def _phrases(text: str, lang: str) -> list[str]:
    """Candidate phrases of a passage: Japanese noun phrases, English words and pairs."""
    if lang == "ja":
        found = [text[a:b] for a, b in noun_spans(text)]
    else:
        found = [m.group(0) for m in _EN_PHRASE.finditer(text)]
    return [p for p in dict.fromkeys(found) if 2 <= len(p) <= 16 and not p.isdigit()]


def said_by_meaning(word: str, store: Store, gateway: Gateway, collection: Collection | Scope,
                    tenant: str, caller: str, lang: str) -> list[frozenset[str]]:
    """Term sets of the collection's phrases that mean `word` (empty without vectors)."""
    if not collection.embedded:
        return []
    try:
        found = search(store, gateway, collection, word, k=_PASSAGES, mode="vector",
                       tenant=tenant)
        query = gateway.embed([word], kind="query", tenant=tenant, caller=caller).vectors[0]
        phrases = list(dict.fromkeys(p for passage in found
                                     for p in _phrases(passage.text, lang)))[:_MAX_PHRASES]
        with _lock:
            todo = [p for p in phrases if p not in _phrase_vectors]
        if todo:
            vectors = gateway.embed(todo, kind="passage", tenant=tenant,
                                    caller=caller).vectors
            with _lock:
                if len(_phrase_vectors) > 50_000:
                    _phrase_vectors.clear()
                _phrase_vectors.update(zip(todo, vectors, strict=True))
    except CristalError:
        return []
    with _lock:
        scored = sorted(((float(_phrase_vectors[p] @ query), p) for p in phrases
                         if p in _phrase_vectors), reverse=True)
    out = []
    for similarity, phrase in scored[:3]:
        if similarity < MEANING_SIMILARITY:
            break
        terms = frozenset(canonical(t) for t in query_terms(phrase, compounds=False))
        if terms:
            out.append(terms)
    return out


def unseen_meanings(state: SearchState, sub: SubQuestion, raw: dict[str, float],
                    alternatives: dict[str, list[frozenset[str]]],
                    names: set[str]) -> dict[str, list[frozenset[str]]]:
    """Alternatives by meaning for a few Japanese words of `sub` that no passage uses."""
    own = set(query_terms(sub.text, compounds=False))
    unseen = [t for t in raw if t in own and state.df(t) == 0 and len(t) > 1
              and not _HIRAGANA.search(t) and canonical(t) not in alternatives
              and canonical(t) not in names and not t.isascii()]
    out: dict[str, list[frozenset[str]]] = {}
    for term in unseen[:_LOOKUPS]:
        meant = said_by_meaning(term, state.store, state.gateway, state.collection,
                                state.tenant, state.caller, state.lang or "en")
        if meant:
            out[canonical(term)] = meant
    return out
