"""Bytes to text for every text-based format, with encoding detection that works for Japanese.

Order: BOM (UTF-8, UTF-16 LE/BE) → a declared charset (HTML meta, e-mail header) → NUL bytes
(UTF-16 without BOM; binary unless there are only a few) → ISO-2022-JP escape sequences →
strict UTF-8 → strict cp932 / Shift_JIS / EUC-JP trials scored by how Japanese the result
looks → charset-normalizer.
"""

from __future__ import annotations

import codecs
import re

from ._base import ParseFailed

__all__ = ["decode", "looks_binary", "normalize_newlines"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_ISO2022_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I", b"\x1b$(D", b"\x1b$(Q")
_ISO2022_CODECS = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004")
_JAPANESE_CODECS = ("cp932", "euc_jp", "shift_jis_2004", "euc_jis_2004")
_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "x-euc-jp": "euc_jp",
}
_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_BINARY_ADVICE = "It looks binary; save it as UTF-8 text or use a supported document format."


def normalize_newlines(text: str) -> str:
    """`\\r\\n` and `\\r` become `\\n`; a leading BOM character is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def looks_binary(text: str) -> bool:
    """True when control characters (other than tab, newlines, form feed, ESC) are common."""
    sample = text[:65_536]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 100)


def decode(data: bytes, name: str, declared: str | None = None) -> tuple[str, str]:
    """Decode a text file: returns (text with `\\n` newlines and no BOM, encoding used).

    A few stray NUL characters in otherwise textual content are dropped (databases reject them).
    """
    text, encoding = _detect(data, name, declared)
    if looks_binary(text):
        raise ParseFailed(name, "binary content", _BINARY_ADVICE)
    return normalize_newlines(text.replace("\x00", "")), encoding


def _detect(data: bytes, name: str, declared: str | None) -> tuple[str, str]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom) :], codec)
            if text is not None:
                return text, label
    if declared:
        codec = _ALIASES.get(declared.strip().lower(), declared.strip().lower())
        text = _try(data, codec)
        if text is not None and "\x00" not in text:
            return text, codec
    if b"\x00" in data:
        found = _utf16(data)
        if found is not None:
            return found
        if data.count(b"\x00") > 2 + len(data) // 1000:
            raise ParseFailed(name, "binary content (NUL bytes)", _BINARY_ADVICE)
    if b"\x1b" in data and any(esc in data for esc in _ISO2022_ESCAPES):
        for codec in _ISO2022_CODECS:
            text = _try(data, codec)
            if text is not None:
                return text, codec
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    best: tuple[float, str, str] | None = None
    for codec in _JAPANESE_CODECS:
        text = _try(data, codec)
        if text is not None:
            score = japanese_score(text)
            if best is None or score > best[0]:
                best = (score, text, codec)
    if best is not None and best[0] >= 0.5:
        return best[1], best[2]
    return _charset_normalizer(data, name)


def _utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM: NUL bytes sit on one byte parity (the high byte of ASCII)."""
    sample = data[:8192]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = max(1, len(sample) // 2)
    for nuls, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # ASCII-heavy UTF-16 has a NUL in most pairs; Japanese-heavy at least at each newline.
        if nuls >= max(2, pairs // 200) and other * 4 <= nuls:
            text = _try(data[: len(data) - len(data) % 2], codec)
            if text is None or looks_binary(text):
                continue
            # Few NULs is a weak signal: 8-bit text read as UTF-16 turns into random kanji.
            if nuls * 100 >= pairs or _kana_or_ascii_share(text) >= 0.3:
                return text, codec
    return None


def _kana_or_ascii_share(text: str) -> float:
    sample = text[:4096]
    hits = sum(1 for ch in sample if ch < "\x80" or "\u3041" <= ch <= "\u30ff")
    return hits / max(1, len(sample))


def _charset_normalizer(data: bytes, name: str) -> tuple[str, str]:
    try:
        from charset_normalizer import from_bytes

        matches = from_bytes(data)
        best = matches.best()
        if best is not None:
            # Ties between Western code pages are common: prefer Windows-1252, the usual one.
            for match in matches:
                tie = match.chaos <= best.chaos and match.coherence >= best.coherence - 0.01
                if match.encoding == "cp1252" and tie:
                    best = match
    except Exception as exc:  # third-party failure: report it as unreadable input
        raise ParseFailed(name, f"encoding detection failed ({exc})", _BINARY_ADVICE) from exc
    if best is None:
        raise ParseFailed(name, "binary content or an unknown text encoding", _BINARY_ADVICE)
    return str(best), best.encoding


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def japanese_score(text: str) -> float:
    """How Japanese the non-ASCII part of `text` looks: 1.0 clean, below 0.5 mis-decoded."""
    good = bad = 0.0
    hiragana = total = 0
    for ch in text[:200_000]:
        code = ord(ch)
        if code < 0x80:
            continue
        total += 1
        if 0x3041 <= code <= 0x309F:
            hiragana += 1
            good += 1
        elif 0x30A0 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F:
            good += 1
        elif 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x266F or 0x0391 <= code <= 0x0451:
            good += 0.5  # full-width ASCII, punctuation, Greek/Cyrillic: legal, less common
        elif 0xFF61 <= code <= 0xFF9F or 0xE000 <= code <= 0xF8FF or code < 0xA0:
            bad += 1  # half-width katakana, private use, C1 controls: typical of a wrong guess
    if total == 0:
        return 0.0
    return (good - 2 * bad) / total + min(0.2, hiragana / total)
