"""What a detector returns: typed character spans over the original text."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENTITY_TYPES", "STRUCTURED_TYPES", "Span"]

# The twelve entity names are a contract (DESIGN.md: `cristal eval pii`, `cristal pii detect`).
STRUCTURED_TYPES = (
    "EMAIL", "PHONE", "MY_NUMBER", "CORPORATE_NUMBER", "POSTAL_CODE", "CREDIT_CARD",
    "BANK_ACCOUNT", "IP_ADDRESS", "DATE_OF_BIRTH",
)
ENTITY_TYPES = ("PERSON", "ADDRESS", "ORGANIZATION", *STRUCTURED_TYPES)


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """One detected entity: `text[start:end]` is of `type` (character offsets)."""

    start: int
    end: int
    type: str
    score: float = 1.0
    source: str = "rule"

    def to_dict(self, text: str | None = None) -> dict[str, object]:
        """The span as JSON data; with `text`, the covered text too."""
        data: dict[str, object] = {"start": self.start, "end": self.end, "type": self.type}
        if text is not None:
            data["text"] = text[self.start:self.end]
        return data
