"""Terminal output: Rich for people, one JSON object per command for programs.

Text from outside (documents, inputs, outputs, errors quoting them, config values)
is printed literally, by construction rather than call by call:

- `console` and `err_console` interpret no markup and no `:emoji:` codes in the
  strings they print, and every string they render (a plain print, a table cell,
  a title) goes through `safe()`: terminal escape sequences and C0/C1 control
  characters are removed (newline and tab stay), and bidirectional-override
  characters are shown as `<U+202E>` so they cannot reorder what a person reads.
- Styled lines are built with `styled("[bold]{name}[/]: …", name=value)`: the
  template is our own markup; every value is cleaned and escaped.
- `text(value)` and `markdown(value)` give Rich objects for panels and titles
  (Rich parses a plain-string Panel title as markup, so titles are always `Text`).
- JSON output escapes C1 controls and bidi overrides as `\\uXXXX` (same value for
  a program, harmless on a terminal).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.text import Text

__all__ = ["LiteralStream", "SafeConsole", "console", "err_console", "literal", "markdown",
           "print_error", "print_json", "safe", "styled", "text", "to_jsonable"]

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings, two-byte ESC
# sequences, and their 8-bit C1 forms (CSI 0x9b, OSC 0x9d).
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-OQ-WYZ\\\\`-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"
)
# The same sequences, complete (terminated): a streamed one may arrive in pieces.
_COMPLETE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)|\x1b[ -/]*[0-OQ-WYZ\\\\`-~]|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)"
)
_STARTS = re.compile(r"[\x1b\x9b\x9d]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(value: object) -> str:
    """Text fit for a terminal: escape sequences and control characters (but \\n, \\t) removed,
    bidi overrides made visible."""
    raw = value if isinstance(value, str) else str(value)
    if raw.isprintable():  # the common case: nothing to clean
        return raw
    cleaned = _CONTROLS.sub("", _SEQUENCES.sub("", raw.replace("\r\n", "\n")))
    return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", cleaned)


class LiteralStream:
    """`safe()` for text arriving in pieces: an escape sequence cut between two pieces is
    held back until it is complete (or clearly is not one), then removed whole."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        """The printable text of everything received so far, less a held tail."""
        data, self._held = self._held + piece, ""
        starts = [m.start() for m in _STARTS.finditer(data)]
        if starts:
            last = starts[-1]
            if not _COMPLETE.match(data, last) and len(data) - last < 512:
                data, self._held = data[:last], data[last:]
        return safe(data) if data else ""

    def flush(self) -> str:
        """Whatever is still held (an unterminated sequence: cleaned like any text)."""
        data, self._held = self._held, ""
        return safe(data) if data else ""


class SafeConsole(Console):
    """A Console that prints strings literally: no markup, no emoji codes, no control codes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("highlight", False)
        super().__init__(markup=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:  # noqa: D102 - Rich API
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(safe(text), **kwargs)


console = SafeConsole()
err_console = SafeConsole(stderr=True)


def text(value: object, style: str = "") -> Text:
    """A `Text` holding `value` literally (cleaned), for titles, panels and cells."""
    return Text(safe(value), style=style)


def literal(value: object) -> Text:
    """Outside text (names, groups, audit details) as a `Text`: no markup, no controls."""
    return text("" if value is None else value)


def styled(template: str, **values: object) -> Text:
    """Our own markup `template` with `{name}` fields filled by cleaned, escaped values."""
    clean = {k: v if isinstance(v, int | float) and not isinstance(v, bool)
             else escape(safe(v)) for k, v in values.items()}
    return Text.from_markup(template.format(**clean), emoji=False)


def markdown(value: str) -> Markdown:
    """Markdown from outside text: cleaned, links shown with their address (no hidden URLs)."""
    return Markdown(safe(value), hyperlinks=False)


def print_error(message: str) -> None:
    """`error: <message>` on stderr, the message printed literally."""
    err_console.print(Text.assemble(("error:", "bold red"), " ", text(message)))


def to_jsonable(value: Any) -> Any:
    """Dates, paths and dataclass-like objects made JSON-friendly."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


def print_json(data: Any) -> None:
    """Print one JSON object on one line (the last line of the command's output)."""
    line = json.dumps(to_jsonable(data), ensure_ascii=False)
    # Only string contents can hold these characters, so \\u escapes keep the JSON valid.
    line = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
