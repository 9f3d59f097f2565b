"""Secrets masked in every encoding they reach storage or a screen in.

A secret typed into a page comes back in many spellings: in the URL of a GET form
(`S3cr3t%2Bp%2540ss%2521`, `+` for a space), HTML-escaped in page text (`&amp;`,
`&#43;`), JSON-escaped in stored records (`\\u0040`, `\\"`), base64 in a token or an
`Authorization` header. `SecretMask` turns each secret into one pattern that matches
every character either as itself or in any of those encodings (percent-escapes in
either case, once or twice encoded; HTML entities by name, decimal or hex; JSON and JS
escapes), so mixed spellings are caught too, plus its base64 forms (standard and
URL-safe, at each of the three alignments inside a longer base64 text).
"""

from __future__ import annotations

import base64
import html
import re
from typing import Any

__all__ = ["MASK", "SecretMask"]

MASK = "<secret>"
_B64_MIN = 8  # shorter base64 fragments would match ordinary text by chance


def _char_forms(ch: str) -> list[str]:
    """Regex alternatives for one character: itself and its common encodings."""
    forms = {re.escape(ch)}
    raw = ch.encode("utf-8")
    pct = "".join(f"%{b:02x}" for b in raw)
    forms.add(re.escape(pct).replace("%", "(?:%|%25)"))  # case via the IGNORECASE flag
    if ch == " ":
        forms.add(r"\+")
    code = ord(ch)
    forms.add(f"&#0*{code};")
    forms.add(f"&#x0*{code:x};")
    escaped = html.escape(ch)
    if escaped != ch:
        forms.add(re.escape(escaped))
    if ch == "'":
        forms.add("&apos;")
    if code > 0xFFFF:
        hi, lo = divmod(code - 0x10000, 0x400)
        forms.add(rf"\\u{0xD800 + hi:04x}\\u{0xDC00 + lo:04x}")
    else:
        forms.add(rf"\\u{code:04x}")
        if code < 0x100:
            forms.add(rf"\\x{code:02x}")
    if ch in "\"\\/'":
        forms.add(re.escape("\\" + ch))
    for name, value in (("\\n", "\n"), ("\\t", "\t"), ("\\r", "\r")):
        if ch == value:
            forms.add(re.escape(name))
    return sorted(forms, key=len, reverse=True)


def _pattern(secret: str) -> str:
    return "".join("(?:" + "|".join(_char_forms(ch)) + ")" for ch in secret)


def _base64_forms(secret: str) -> list[str]:
    """Base64 of the secret at each alignment, trimmed to the characters only it decides."""
    data = secret.encode("utf-8")
    out = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + data).decode("ascii").rstrip("=")
        start = -(-pad * 8 // 6)  # first character made of secret bits only
        end = (pad + len(data)) * 8 // 6  # characters past this mix in what follows
        core = encoded[start:end]
        if len(core) >= _B64_MIN:
            out.add(core)
            out.add(core.replace("+", "-").replace("/", "_"))
    return sorted(out, key=len, reverse=True)


class SecretMask:
    """The secrets of one run; `text()` and `value()` replace them, in any encoding, by a mask."""

    def __init__(self, secrets: tuple[str, ...] | list[str] = ()) -> None:
        self.values: list[str] = []
        self._regex: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def __bool__(self) -> bool:
        return bool(self.values)

    def add(self, secret: str) -> None:
        """Mask `secret` from now on."""
        if not secret or secret in self.values:
            return
        self.values.append(secret)
        parts = [_pattern(s) for s in sorted(self.values, key=len, reverse=True)]
        parts += [re.escape(b) for s in self.values for b in _base64_forms(s)]
        self._regex = re.compile("|".join(parts), re.IGNORECASE)

    def text(self, text: str) -> str:
        """`text` with every spelling of every secret replaced by `<secret>`."""
        if self._regex is None or not text:
            return text
        return self._regex.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """A JSON-like value with every string (and key) masked."""
        if self._regex is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.value(v)
                    for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def variants(self) -> list[str]:
        """Literal spellings worth looking for in a page (raw, URL- and HTML-encoded)."""
        from urllib.parse import quote, quote_plus

        out: list[str] = []
        for s in self.values:
            out += [s, quote(s, safe=""), quote_plus(s), html.escape(s)]
        return list(dict.fromkeys(v for v in out if v))
