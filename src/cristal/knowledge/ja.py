"""Japanese and English text analysis for the full-text index: normalise, extract terms, detect.

Everything here is for the *index and queries only*. `normalize` changes lengths
(``ﾊﾟ`` → ``パ``, ``㍿`` → ``株式会社``, ``ﬁ`` → ``fi``), so its output must never be used
with offsets into `ParsedDocument.text`; citations always point at the original text.

Term rules, shared by `index_terms` and `query_terms` so both sides always agree:

- the text is normalised first (NFKC, lowercase): ``ＡＢＣ１２３`` → ``abc123``,
  ``ｶﾀｶﾅ`` → ``カタカナ``;
- runs of kana/kanji go through SudachiPy: split mode A tokens (経費, 精算) plus the mode C
  token where it differs (経費精算), as Sudachi normalised forms (附属 → 付属, 三千 → 3000);
- numbers drop thousands separators and trailing decimal zeros (``3,000`` → ``3000``,
  ``200.00`` → ``200``) and keep other decimals (``3.5``), so
  ``3,000円`` → ``3000 円`` on both sides; a tokenizer that splits on ``.`` splits both sides alike;
- Latin words are lowercased and lightly de-pluralised (``fees`` → ``fee``,
  ``policies`` → ``policy``);
- punctuation, symbols and whitespace are dropped; terms are separated by single spaces.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any

__all__ = ["detect_lang", "index_terms", "normalize", "noun_spans", "query_terms"]

# Kana and kanji; iteration marks 々〆〇 and the long-vowel mark ー included, the middle dot ・ not.
_J = "\u3005-\u3007\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_J_RUN = re.compile(f"[{_J}\U00020000-\U0002ffff]+")
_TOKEN = re.compile(
    f"(?P<ja>[{_J}\U00020000-\U0002ffff]+)"
    r"|(?P<num>\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    f"|(?P<word>[^\\W\\d_{_J}\U00020000-\U0002ffff]+)"
)
_LETTER = re.compile(r"[^\W\d_]")
_HALFWIDTH_OR_FULLWIDTH = re.compile("[\uff01-\uffef]")

# Sudachi's input limit is about 49 KB; a kana/kanji run never contains a newline, so only a
# pathological single line needs cutting, at a size well inside the limit.
_MAX_RUN = 8_000

_DROP_POS = frozenset({"補助記号", "記号", "空白"})
_QUERY_DROP_POS = _DROP_POS | {"助詞", "助動詞", "接続詞"}
_QUESTION_AND_FILLER_JA = """
何 なに なん いつ どう どの どこ どちら どれ 誰 だれ なぜ 何故 いくら 幾ら どれほど どのよう どんな
下さる ください 教える 知る 為る する 有る ある 居る いる 成る なる 出来る できる 良い いい
此れ これ 其れ それ 彼れ あれ 此の この 其の その 事 こと 物 もの ます です 様 よう 的
つく 就く について に就いて
"""
_FUNCTION_WORDS_EN = """
a an the and or but if then else of to in on at by for from with without about into over under
between through during before after above below up down out off again further here there when
where why how what which who whom whose this that these those am is are was were be been being
have has had having do does did doing can could shall should will would may might must i me my
we our you your he him his she her it its they them their please tell explain describe give
show list find know any some all each every no not only own same so than too very just also as
such much many more most other s t
"""
_QUERY_DROP_JA = frozenset(_QUESTION_AND_FILLER_JA.split())
_QUERY_DROP_EN = frozenset(_FUNCTION_WORDS_EN.split())

_lock = threading.Lock()
_local = threading.local()
_dictionary: Any = None
_stems: dict[str, str] = {}
_pos: dict[int, str] = {}


def normalize(text: str) -> str:
    """NFKC + lowercase (full-width ASCII and half-width katakana fold); index and queries only."""
    return unicodedata.normalize("NFKC", text).lower()


def detect_lang(text: str) -> str:
    """``"ja"`` when kana/kanji make up at least a fifth of the letters, else ``"en"``."""
    sample = text if len(text) <= 200_000 else text[:100_000] + text[-100_000:]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return "en"
    japanese = sum(len(run) for run in _J_RUN.findall(sample))
    return "ja" if japanese / letters >= 0.2 else "en"


def index_terms(text: str) -> str:
    """Space-separated terms of `text` for a full-text index (see the module docstring)."""
    return " ".join(_terms(normalize(text), query=False))


def query_terms(text: str, compounds: bool = True) -> list[str]:
    """The terms of a query, deduplicated in order, without English or Japanese stop words.

    Mode C compounds (経費精算) depend on context: a document saying 経費精算システム is
    indexed as 経費 / 精算 / システム / 経費精算システム. So require only the terms from
    `compounds=False` (mode A) when every term must match; with ranked OR queries the
    compounds (the default) add weight to exact matches.
    """
    seen: dict[str, None] = {}
    for term in _terms(normalize(text), query=True, compounds=compounds):
        seen.setdefault(term, None)
    return list(seen)


def _terms(text: str, *, query: bool, compounds: bool = True) -> Iterator[str]:
    stop_en = _QUERY_DROP_EN if query else frozenset()
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "word":
            if token not in stop_en:
                yield _stem(token)
        elif kind == "num":
            yield _number(token)
        else:
            for start in range(0, len(token), _MAX_RUN):
                yield from _japanese(token[start : start + _MAX_RUN], query, compounds)


@functools.lru_cache(maxsize=4096)
def _one_noun(word: str) -> bool:
    """Whether the dictionary reads `word` as a single noun (日当, not 出張+行)."""
    _, tok_c, _, mode_c = _tokenizers()
    found = list(tok_c.tokenize(word, mode_c))
    return len(found) == 1 and found[0].part_of_speech()[0] == "名詞"


def noun_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the noun phrases of Japanese text (Sudachi mode C).

    A phrase is a run of nouns with their prefixes and suffixes (お客さん, 人事データ,
    重さ, 25日), joined across ``-`` and ``・`` (MX-2200); verbs, particles and
    adjectives end it. For reading questions, not for the index.
    """
    _, tok_c, _, mode_c = _tokenizers()
    spans: list[tuple[int, int]] = []
    for offset in range(0, len(text), _MAX_RUN):
        start = end = None
        last = ""  # the noun token just before, if the phrase runs up to here
        for m in tok_c.tokenize(text[offset:offset + _MAX_RUN], mode_c):
            pos = m.part_of_speech()[0]
            surface = m.surface()
            joiner = surface in ("-", "・", "ー") and end == offset + m.begin()
            ends_noun = pos == "動詞" and len(surface) == 2 and surface.endswith("っ") and \
                end == offset + m.begin()
            if ends_noun and (surface == "会っ" or _one_noun(last + surface[0])):
                # 「日当って」「歓送迎会って」: Sudachi may read 当っ+て as 当たる and 会っ+て as
                # 会う; after a noun they end it (日当, the 会 of a gathering), and って
                # marks the topic.
                end += 1
                last = ""
                continue
            last = surface if pos == "名詞" else ""
            if pos in ("名詞", "接尾辞", "接頭辞") or joiner:
                if start is None:
                    start = offset + m.begin()
                if not joiner:
                    end = offset + m.end()
                continue
            if start is not None and end is not None:
                spans.append((start, end))
            start = end = None
        if start is not None and end is not None:
            spans.append((start, end))
    return spans


def _japanese(run: str, query: bool, compounds: bool) -> Iterator[str]:
    """Sudachi terms of one kana/kanji run: mode A tokens, then mode C tokens that differ."""
    tok_a, tok_c, mode_a, mode_c = _tokenizers()
    drop_pos = _QUERY_DROP_POS if query else _DROP_POS
    spans = set()
    for morpheme in tok_a.tokenize(run, mode_a):
        spans.add((morpheme.begin(), morpheme.end()))
        term = _sudachi_term(morpheme, drop_pos, query)
        if term:
            yield term
    if not compounds:
        return
    for morpheme in tok_c.tokenize(run, mode_c):
        if (morpheme.begin(), morpheme.end()) not in spans:
            term = _sudachi_term(morpheme, drop_pos, query)
            if term:
                yield term


def _sudachi_term(morpheme: Any, drop_pos: frozenset[str], query: bool) -> str | None:
    pos_id = morpheme.part_of_speech_id()
    pos = _pos.get(pos_id)
    if pos is None:
        pos = _pos[pos_id] = morpheme.part_of_speech()[0]
    if pos in drop_pos:
        return None
    form = morpheme.normalized_form()
    if query and (form in _QUERY_DROP_JA or morpheme.surface() in _QUERY_DROP_JA):
        return None
    if query and len(form) == 1 and "\u3041" <= form <= "\u309f":
        return None  # a lone hiragana in a query is a particle Sudachi mis-tagged at a run edge
    # Sudachi may normalise a run into digits or Latin (三千 → 3000, ＡＢＣ → ABC): fold it too.
    if form.isascii():
        form = _number(form) if form[:1].isdigit() else form.lower()
    elif _HALFWIDTH_OR_FULLWIDTH.search(form):
        form = normalize(form)
    return form if form.strip() else None


def _tokenizers() -> tuple[Any, Any, Any, Any]:
    """This thread's Sudachi tokenizers (Sudachi tokenizers must not be shared across threads)."""
    cached = getattr(_local, "tokenizers", None)
    if cached is None:
        from sudachipy import SplitMode

        dictionary = _shared_dictionary()
        cached = (
            dictionary.tokenizer(SplitMode.A),
            dictionary.tokenizer(SplitMode.C),
            SplitMode.A,
            SplitMode.C,
        )
        _local.tokenizers = cached
    return cached


def _shared_dictionary() -> Any:
    """One Sudachi dictionary per process, loaded on first use (it takes a moment)."""
    global _dictionary
    with _lock:
        if _dictionary is None:
            from sudachipy import Dictionary

            _dictionary = Dictionary(dict="core")
        return _dictionary


def _number(token: str) -> str:
    """Canonical number: no thousands separators, no trailing decimal zeros (3,000.50 → 3000.5)."""
    token = token.replace(",", "")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return token


def _stem(word: str) -> str:
    """Harman's S-stemmer: strips English plural endings only, so terms stay recognisable."""
    stem = _stems.get(word)
    if stem is None:
        stem = word
        if len(word) > 3 and word.isascii():
            if word.endswith("ies") and not word.endswith(("eies", "aies")):
                stem = word[:-3] + "y"
            elif word.endswith("s") and not word.endswith(("us", "ss")):
                stem = word[:-1]  # "-es" keeps its e: balances → balance, fees → fee
        if len(_stems) < 200_000:
            _stems[word] = stem
    return stem
