"""The parser seam: the `Parser` protocol and the two errors parsing can raise.

```
InvalidInput (cristal.errors)
├── UnsupportedFormat     no parser for this file suffix
└── ParseFailed           the file has the right suffix but cannot be read (fields: path, reason)
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from cristal.errors import InvalidInput

from .._types import ParsedDocument

__all__ = ["ParseFailed", "Parser", "UnsupportedFormat"]


@runtime_checkable
class Parser(Protocol):
    """Turns the bytes of one file into a `ParsedDocument`; `name` is used for messages."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Parse `data` (the whole file) or raise `ParseFailed`."""
        ...


class UnsupportedFormat(InvalidInput):
    """No parser is registered for the file's suffix."""

    def __init__(self, path: str, suffix: str, supported: Iterable[str]) -> None:
        listed = ", ".join(sorted(supported))
        shown = suffix or "(no suffix)"
        super().__init__(
            f"Cannot read {path}: files ending in {shown} are not supported. "
            f"Convert it to one of: {listed}.",
            path=path,
            suffix=suffix,
        )


class ParseFailed(InvalidInput):
    """A file could not be parsed; `reason` says why and the message says what to do."""

    def __init__(self, path: str, reason: str, advice: str) -> None:
        super().__init__(f"Cannot read {path}: {reason}. {advice}", path=path, reason=reason)
