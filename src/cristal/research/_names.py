"""Names written in lower case: "the silver zoom card" is the Silver Zoom Card.

Employees type product and plan names in lower case ("whats the late fee on the
silver zoom card"), while the rules that tell a product from its siblings look for
capitalised words. A question word counts as a name when the collection itself
writes it as one: capitalised in the middle of its sentences nearly every time it
occurs ("Purple Account", "EcoCard"), unlike an ordinary word ("late", "fee").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cristal.knowledge import Collection, Passage, Scope, query_terms, search
from cristal.research._lexicon import Lexicon
from cristal.research._terms import canonical
from cristal.store import Store

__all__ = ["recase"]

_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z0-9]{2,}(?![\w'’-])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;|#*>\n\"“(（]\s*|^\s*[-*+]\s+)$")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*\s*$)")
_SAMPLE = 30  # passages read per word
_MIN_SEEN = 2  # mid-sentence occurrences needed to judge by them
_MIN_DOCUMENTS = 4  # documents needed to judge by titles
_CAPITALISED = 0.8  # share of them written with a capital


def _capitals(word: str, texts: list[str]) -> tuple[int, int]:
    """(mid-sentence occurrences of `word` or its plural, how many are capitalised)."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?:s|es)?(?![\w-])", re.I)
    seen = capital = 0
    for text in texts:
        for m in pattern.finditer(text):
            if _SENTENCE_START.search(text[max(0, m.start() - 3):m.start()]):
                continue  # a capital at the start of a sentence or cell says nothing
            seen += 1
            capital += m.group(0)[0].isupper()
    return seen, capital


def _written_as_name(word: str, found: list[Passage]) -> bool:
    """True when the passages holding `word` write it as a name.

    Either capitalised mid-sentence nearly every time in running text, or (names that
    running text rarely repeats: "Silver Zoom", "EcoCard") in the titles of nearly all
    the documents that hold it, and not written in lower case in their text.
    """
    # Headings and titles capitalise every word ("Making Payments"): body text only.
    body = ["\n".join(line for line in p.text.split("\n") if not _HEADING.match(line))
            for p in found]
    seen, capital = _capitals(word, body)
    if seen >= _MIN_SEEN:
        return capital >= _CAPITALISED * seen
    titles = {p.document_id: p.title or "" for p in found}
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}", re.I)
    titled = sum(1 for t in titles.values() if pattern.search(t))
    return len(titles) >= _MIN_DOCUMENTS and titled >= _CAPITALISED * len(titles)


def recase(question: str, store: Store, collection: Collection | Scope, lexicon: Lexicon,
           chunk_share: Callable[[list[str]], dict[str, float]]) -> str:
    """The question with the lower-case words the collection writes as names capitalised.

    `chunk_share(terms)` gives the share of the collection's chunks holding each term;
    words in more than a fifth of them are taken for ordinary words without looking.
    """
    words = list(dict.fromkeys(m.group(0) for m in _LOWER_WORD.finditer(question)))
    terms = {w: query_terms(w, compounds=False) for w in words}
    words = [w for w in words if len(terms[w]) == 1  # stop words give no term
             and not lexicon.knows(canonical(terms[w][0]))]  # fee, limit, pc: common
    if not words:
        return question
    share = chunk_share([terms[w][0] for w in words])
    names = set()
    for word in words:
        if not 0 < share.get(terms[word][0], 0.0) <= 0.2:
            continue
        if _written_as_name(word, search(store, None, collection, word, k=_SAMPLE,
                                         mode="lexical")):
            names.add(word)
    if not names:
        return question
    return _LOWER_WORD.sub(lambda m: m.group(0).capitalize() if m.group(0) in names
                           else m.group(0), question)
