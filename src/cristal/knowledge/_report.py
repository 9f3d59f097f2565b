"""What an ingest run reports: one `FileResult` per file, summed up in an `IngestReport`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["STATUSES", "FileResult", "IngestReport", "Progress"]

Progress = Callable[[str, int, int, str], None]  # (stage, done, total, detail)
STATUSES = ("added", "updated", "unchanged", "removed", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one file."""

    path: str
    status: str  # added | updated | unchanged | removed | failed | skipped
    reason: str | None = None
    chunks: int = 0
    pages: int = 0
    bytes: int = 0


@dataclass(slots=True)
class IngestReport:
    """The outcome of one ingest run; `unreadable` lists folders and files that could not be read.

    Documents indexed earlier from an unreadable part of the tree are kept, not removed.
    """

    collection: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    unreadable: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with this status."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def pages(self) -> int:
        """Pages parsed in this run (a page is a PDF page or 3,000 characters of text)."""
        return sum(f.pages for f in self.files if f.status in ("added", "updated"))

    def to_dict(self) -> dict:
        """JSON-friendly summary with every file that was not simply unchanged."""
        return {
            "collection": self.collection,
            "seconds": round(self.seconds, 3),
            **{s: self.count(s) for s in STATUSES},
            "chunks": sum(f.chunks for f in self.files if f.status in ("added", "updated")),
            "pages": self.pages,
            "bytes": sum(f.bytes for f in self.files if f.status in ("added", "updated")),
            "unreadable": list(self.unreadable),
            "files": [
                {"path": f.path, "status": f.status, "reason": f.reason, "chunks": f.chunks}
                for f in self.files
                if f.status != "unchanged"
            ],
        }
