"""The parser registry: suffix → parser, and reading a file through the right one."""

from __future__ import annotations

from pathlib import Path

from .._files import FileRefused, as_text, read_path
from .._types import ParsedDocument
from ._base import ParseFailed, Parser, UnsupportedFormat

__all__ = [
    "DEFAULT_MAX_BYTES",
    "parse_bytes",
    "parse_file",
    "register",
    "supported_suffixes",
    "unregister",
]

DEFAULT_MAX_BYTES = 200 * 2**20

_PARSERS: dict[str, Parser] = {}


def register(suffixes: tuple[str, ...] | str, parser: Parser) -> None:
    """Use `parser` for files ending in each suffix (".pdf"); a later call replaces an earlier."""
    for suffix in (suffixes,) if isinstance(suffixes, str) else suffixes:
        if not suffix.startswith("."):
            raise ValueError(f"suffix must start with a dot, got {suffix!r}")
        _PARSERS[suffix.lower()] = parser


def unregister(suffixes: tuple[str, ...] | str) -> None:
    """Stop parsing files ending in these suffixes (a plug-in removing what it added)."""
    for suffix in (suffixes,) if isinstance(suffixes, str) else suffixes:
        _PARSERS.pop(suffix.lower(), None)


def supported_suffixes() -> list[str]:
    """The file suffixes a parser is registered for, sorted."""
    return sorted(_PARSERS)


def parse_bytes(data: bytes, name: str) -> ParsedDocument:
    """Parse file content already in memory; `name` picks the parser by its suffix."""
    parser = _PARSERS.get(Path(name).suffix.lower())
    if parser is None:
        raise UnsupportedFormat(name, Path(name).suffix.lower(), _PARSERS)
    if not data:
        raise ParseFailed(name, "the file is empty", "Add content to it or leave it out.")
    return parser.parse(data, name)


def parse_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Read and parse one file; raises `UnsupportedFormat` or `ParseFailed` with advice."""
    path = Path(path)
    name = as_text(path)
    suffix = path.suffix.lower()
    if suffix not in _PARSERS:
        raise UnsupportedFormat(name, suffix, _PARSERS)
    try:
        data = read_path(path, max_bytes)  # never blocks on a FIFO or reads a device
    except FileRefused as exc:
        raise ParseFailed(name, exc.reason, exc.advice.capitalize() + ".") from exc
    except OSError as exc:
        raise ParseFailed(
            name,
            f"cannot read the file ({exc.strerror or exc})",
            "Check that it exists and that you may read it.",
        ) from exc
    return parse_bytes(data, name)
