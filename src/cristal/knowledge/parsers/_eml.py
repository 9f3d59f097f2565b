"""E-mail (.eml) through the standard library: subject, headers, body and attachment names.

The Subject becomes the title and a heading block; From/To/Cc/Date form a `meta` block; the
body is the text/plain part when there is one, else the HTML part run through the HTML
extraction. Attachment file names are listed in `metadata["attachments"]` (not parsed).
"""

from __future__ import annotations

import email
from email import policy
from typing import Any

from .._types import ParsedDocument
from ._base import ParseFailed
from ._builder import TextBuilder
from ._decode import decode
from ._html import html_into
from ._markdown import scan

__all__ = ["EmlParser"]

_HEADERS = ("From", "To", "Cc", "Date")


class EmlParser:
    """Parses .eml messages (RFC 822 / MIME)."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Read headers and the preferred body part."""
        try:
            message: Any = email.message_from_bytes(data, policy=policy.default)
            subject = " ".join(str(message.get("Subject", "") or "").split())
            headers = [f"{h}: {message[h]}" for h in _HEADERS if message.get(h)]
            body = message.get_body(preferencelist=("plain", "html"))
            content = _content(body, name) if body is not None else None
            kind = body.get_content_subtype() if body is not None else None
            attachments = [a.get_filename() or "(unnamed)" for a in message.iter_attachments()]
        except ParseFailed:
            raise
        except Exception as exc:  # malformed MIME, unknown charsets, broken encodings
            raise ParseFailed(
                name, f"not a readable e-mail ({exc})", "Export the message again as .eml."
            ) from exc
        if not list(message.keys()):
            raise ParseFailed(name, "no e-mail headers", "Export the message again as .eml.")
        builder = TextBuilder()
        if subject:
            builder.heading(1, subject)
        if headers:
            builder.add("\n".join(headers), "meta")
        if isinstance(content, str):
            if kind == "html":
                html_into(builder, content, name, depth=1 if subject else 0)
            else:
                _plain_into(builder, content)
        metadata: dict[str, Any] = {"attachments": attachments} if attachments else {}
        for header in ("Message-ID", "From", "To", "Date"):
            if message.get(header):
                metadata[header.lower().replace("-", "_")] = str(message[header])
        return builder.build(name, "eml", title=subject or None, metadata=metadata)


def _content(part: Any, name: str) -> str:
    """A body part as text; an unknown or wrong charset falls back to our own detection."""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeDecodeError):
        return decode(part.get_payload(decode=True) or b"", name)[0]


def _plain_into(builder: TextBuilder, content: str) -> None:
    """Paragraphs and list items of a plain-text body."""
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    blocks, _ = scan(text, markdown=False)
    for block in blocks:
        builder.add(text[block.start : block.end], block.kind)
