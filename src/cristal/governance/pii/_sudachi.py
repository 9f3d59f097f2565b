"""Japanese morphemes for the PII rules: SudachiPy once per text, as flat arrays.

Tokenisation is most of the Japanese detection cost, so it is paid once and kept
cheap: one dictionary for the process (a tokenizer per thread, since a tokenizer
must not be shared), part-of-speech tuples looked up in a table built once, and
only lines with kana or kanji tokenised (a line of Latin text, digits or symbols
holds nothing the Japanese rules look for; the English rules read it).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

__all__ = ["Morphs", "analyse", "is_common_noun", "is_surname"]

_MAX = 8000  # Sudachi's input limit is ~49 KB; cut long text at line breaks
# Anchored at a line start, so a line without kana or kanji is scanned once, not once per
# character.
_JA_LINE = re.compile(r"(?m)^[^\n]*[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f][^\n]*")
_lock = threading.Lock()
_local = threading.local()
_shared: dict[str, Any] = {}
_BLANK = ("空白", "*", "*", "*", "*", "*")


class Morphs(NamedTuple):
    """Morphemes of a text: begin and end offsets and part-of-speech tuples, by index."""

    text: str
    begins: list[int]
    ends: list[int]
    pos: list[tuple[str, ...]]

    def surface(self, i: int) -> str:
        """The text of morpheme i."""
        return self.text[self.begins[i]:self.ends[i]]

    def __len__(self) -> int:
        return len(self.begins)


def _dictionary() -> tuple[Any, list[tuple[str, ...]]]:
    """The process's Sudachi dictionary and its part-of-speech table (built once)."""
    with _lock:
        if not _shared:
            from sudachipy import Dictionary

            dictionary = Dictionary(dict="core")
            table: list[tuple[str, ...]] = []
            while (pos := dictionary.pos_of(len(table))) is not None:
                table.append(tuple(pos))
            _shared.update(dictionary=dictionary, table=table)
    return _shared["dictionary"], _shared["table"]


def _tokenizer() -> tuple[Any, list[tuple[str, ...]]]:
    """This thread's tokenizer (mode C) and the part-of-speech table."""
    found = getattr(_local, "tok", None)
    if found is None:
        from sudachipy import SplitMode

        dictionary, table = _dictionary()
        found = _local.tok = (dictionary.tokenizer(mode=SplitMode.C), table)
    return found


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Runs of consecutive lines with kana or kanji, at most `_MAX` characters each."""
    start = end = -1
    for m in _JA_LINE.finditer(text):
        if start >= 0 and m.start() == end + 1 and m.end() - start <= _MAX:  # the next line
            end = m.end()
            continue
        if start >= 0:
            yield start, end
        start, end = m.start(), m.end()
        while end - start > _MAX:  # one very long line: cut it
            yield start, start + _MAX
            start += _MAX
    if start >= 0:
        yield start, end


def analyse(text: str) -> Morphs:
    """Sudachi's morphemes (mode C) of the Japanese lines of `text`, with text offsets."""
    tok, table = _tokenizer()
    begins: list[int] = []
    ends: list[int] = []
    ids: list[int] = []
    for start, end in _blocks(text):
        if ends and ends[-1] < start:  # the lines skipped stand as one blank, as a break would
            begins.append(ends[-1])
            ends.append(start)
            ids.append(-1)
        for m in tok.tokenize(text[start:end]):
            begins.append(start + m.begin())
            ends.append(start + m.end())
            ids.append(m.part_of_speech_id())
    return Morphs(text, begins, ends, [table[i] if i >= 0 else _BLANK for i in ids])


def _entries(word: str) -> list[tuple[str, ...]]:
    """Parts of speech of every dictionary entry spelled `word` (none before SudachiPy 0.6.8)."""
    dictionary, _ = _dictionary()
    lookup = getattr(dictionary, "lookup", None)
    if lookup is None:
        return []
    with _lock:  # one dictionary for all threads: look up one word at a time
        return [tuple(m.part_of_speech()) for m in lookup(word)]


@functools.lru_cache(maxsize=4096)
def is_surname(word: str) -> bool:
    """True when Sudachi's dictionary lists `word` as a surname (人名,姓), whatever the
    reading it chose in context (平野 is also a plain noun, 小松 a town)."""
    return any(pos[2:4] == ("人名", "姓") for pos in _entries(word))


@functools.lru_cache(maxsize=4096)
def is_common_noun(word: str) -> bool:
    """True when the dictionary knows `word` as a common noun (ドライバー, ゲスト), even if it
    also lists it among names, as it does many katakana words."""
    return any(pos[1] == "普通名詞" for pos in _entries(word))
