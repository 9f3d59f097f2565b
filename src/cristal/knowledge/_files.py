"""Finding the files to ingest under the given paths, and reading one file safely.

What the walk does with what it meets:

- Only regular files are read. A FIFO, a device, a socket (or a link to one, such as
  `/dev/zero`) is skipped with a reason: reading it would block or never end.
- A symlink, to a file or a folder, whose target lies outside the folder being ingested
  is refused (skipped, with the option that allows it) unless `follow_outside` is set.
  Broken links and link loops are skipped with a reason. A folder reached a second time
  (a loop) is not walked again; a link to a folder inside the ingested one is not
  followed (its files are read where they really are); a file reached twice is indexed
  once, by its own name rather than a link's.
- A folder that cannot be listed, or a file whose metadata cannot be read, is recorded
  as unreadable: documents indexed from there before stay in the index.
- A name that is not valid UTF-8 is shown (and stored) with `\\xNN` escapes for its
  undecodable bytes; the file itself is still read through its real name.

`read_regular` opens without blocking, checks with `fstat` that it still holds the
regular file the walk vetted, and reads at most `max_bytes`.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cristal.errors import InvalidInput
from cristal.knowledge._report import FileResult

__all__ = ["FileRefused", "Found", "Walk", "as_text", "discover", "read_path", "read_regular"]

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(InvalidInput):
    """A file was not read: not a regular file (any more), or larger than allowed."""

    def __init__(self, path: str, reason: str, advice: str) -> None:
        super().__init__(f"{reason}: {advice}", path=path, reason=reason)
        self.reason = reason
        self.advice = advice


@dataclass(frozen=True, slots=True)
class Found:
    """A regular file to ingest."""

    source: Path  # the path to open
    key: str  # its identity in the index (documents.source): the absolute path as text
    path: str  # relative to the root it was found under, as text
    ident: tuple[int, int]  # (st_dev, st_ino) of the file the walk vetted
    size: int


@dataclass(slots=True)
class Walk:
    """Everything the walk found: files to read, roots walked, what it skipped or could not read."""

    files: list[Found] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # keys of the folders walked
    skipped: list[FileResult] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # keys: keep what was indexed below
    shown_unreadable: list[str] = field(default_factory=list)  # the same, as shown


def as_text(path: str | os.PathLike[str]) -> str:
    """A path as printable, storable text: undecodable bytes become `\\xNN` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    for check, name in _KINDS:
        if check(mode):
            return name
    return "not a regular file"


@dataclass(slots=True)
class _Walker:
    suffixes: set[str]
    follow_outside: bool
    out: Walk
    visited: set[tuple[int, int]] = field(default_factory=set)
    links: set[str] = field(default_factory=set)  # keys of files reached through a symlink

    def folder(self, root: Path) -> None:
        """Walk a folder tree depth first, names sorted; `root` is a resolved path."""
        stack: list[tuple[Path, str]] = [(root, "")]
        while stack:
            folder, prefix = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                self._unreadable(folder, prefix or "./", exc)
                continue
            subfolders: list[tuple[Path, str]] = []
            for entry in entries:
                if entry.name.startswith(".") or entry.name.startswith("~$"):
                    continue
                path, shown = Path(entry.path), f"{prefix}{as_text(entry.name)}"
                link = entry.is_symlink()
                target = self._target(root, path, shown, link)
                if target is None:
                    continue
                if not stat.S_ISDIR(target.st_mode):
                    self.file(path, shown, target, link)
                elif link and Path(os.path.realpath(path)).is_relative_to(root):
                    self._skip(f"{shown}/", "a link to a folder inside the ingested folder: "
                               "its files are read where they really are")
                elif (target.st_dev, target.st_ino) in self.visited:
                    self._skip(f"{shown}/", "a folder already walked (a symlink loop)")
                else:
                    self.visited.add((target.st_dev, target.st_ino))
                    subfolders.append((path, f"{shown}/"))
            stack.extend(reversed(subfolders))

    def _target(
        self, root: Path, path: Path, shown: str, link: bool
    ) -> os.stat_result | None:
        """The stat of what `path` leads to, or None when it is skipped or unreadable."""
        try:
            target = path.stat() if link else path.lstat()
        except OSError as exc:
            if exc.errno == errno.ENOENT and not link:
                return None  # removed while we walked
            if link and exc.errno in (errno.ELOOP, errno.ENOENT):
                what = "a symlink loop" if exc.errno == errno.ELOOP else "a broken symlink"
                self._skip(shown, f"{what}: fix or remove the link")
                return None
            self._unreadable(path, shown, exc)
            return None
        if link and not self.follow_outside:
            real = Path(os.path.realpath(path))
            if not real.is_relative_to(root):
                self._skip(
                    shown,
                    f"a symlink to {as_text(real)}, outside {as_text(root)}: not followed; "
                    "pass --follow-outside (follow_outside=True) to index what links point to",
                )
                return None
        return target

    def file(self, path: Path, shown: str, info: os.stat_result, link: bool = False) -> None:
        """Keep a regular file with a supported suffix; skip anything else with a reason."""
        if not stat.S_ISREG(info.st_mode):
            self._skip(shown, f"{_kind(info.st_mode)}, not a regular file: not read")
            return
        suffix = path.suffix.lower()
        if suffix not in self.suffixes:
            self._skip(shown, f"unsupported format '{as_text(suffix) or '(none)'}'")
            return
        found = Found(path, as_text(path), shown, (info.st_dev, info.st_ino), info.st_size)
        if link:
            self.links.add(found.key)
        self.out.files.append(found)

    def dedupe(self) -> None:
        """A file reached twice (a link, a hard link) is indexed once, by its own name first."""
        order = sorted(self.out.files, key=lambda f: (f.key in self.links, f.key))
        first: dict[tuple[int, int], Found] = {}
        for found in order:
            if found.ident in first:
                self._skip(found.path, f"the same file as {first[found.ident].path}: "
                           "indexed once")
            else:
                first[found.ident] = found
        self.out.files = sorted(first.values(), key=lambda f: f.key)

    def _skip(self, shown: str, reason: str) -> None:
        self.out.skipped.append(FileResult(shown, "skipped", reason))

    def _unreadable(self, path: Path, shown: str, exc: OSError) -> None:
        self.out.unreadable.append(as_text(path))
        self.out.shown_unreadable.append(shown)
        self.out.skipped.append(
            FileResult(
                shown,
                "failed",
                f"cannot read: {exc.strerror or exc}; documents indexed from here before "
                "are kept (check the permissions)",
            )
        )


def discover(
    paths: list[Path], suffixes: list[str], *, follow_outside: bool = False
) -> Walk:
    """Walk files and folders: regular files with a supported suffix, sorted by path."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise InvalidInput(
            f"no such file or folder: {', '.join(as_text(p) for p in missing)}; check the path.",
            paths=[as_text(p) for p in missing],
        )
    out = Walk()
    walker = _Walker(set(suffixes), follow_outside, out)
    for given in paths:
        try:
            root = Path(given).resolve(strict=True)
            info = root.stat()
        except (OSError, RuntimeError) as exc:
            raise InvalidInput(
                f"cannot follow {as_text(given)} ({getattr(exc, 'strerror', None) or exc}): "
                "fix the link or give the real path.",
                paths=[as_text(given)],
            ) from exc
        if stat.S_ISDIR(info.st_mode):
            out.roots.append(as_text(root))
            walker.visited.add((info.st_dev, info.st_ino))
            walker.folder(root)
        else:  # a file named on purpose: where it lives is the user's choice
            walker.file(root, as_text(root.name), info)
    walker.dedupe()
    return out


def read_regular(found: Found, max_bytes: int) -> bytes:
    """The file's bytes, if it is still the regular file the walk found and not too large."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(found.source, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != found.ident:
            now = _kind(info.st_mode) if not stat.S_ISREG(info.st_mode) else "another file"
            raise FileRefused(found.path, f"it changed while it was read (now {now})",
                              "run the ingest again")
        parts: list[bytes] = []
        total = 0
        while block := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            parts.append(block)
            total += len(block)
            if total > max_bytes:
                raise FileRefused(found.path, *_too_large(max(info.st_size, total), max_bytes))
        return b"".join(parts)
    finally:
        os.close(fd)


def read_path(path: Path, max_bytes: int) -> bytes:
    """Read one named file (links followed), refusing anything but a regular file."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(as_text(path), f"it is {_kind(info.st_mode)}, not a regular file",
                          "give a document file")
    if info.st_size > max_bytes:
        raise FileRefused(as_text(path), *_too_large(info.st_size, max_bytes))
    found = Found(path, as_text(path), as_text(path), (info.st_dev, info.st_ino), info.st_size)
    return read_regular(found, max_bytes)


def _too_large(size: int, limit: int) -> tuple[str, str]:
    return f"too large ({size:,} bytes, limit {limit:,})", "split the file"


def too_large(size: int, limit: int) -> str:
    """The reason given for a file over the size limit."""
    return ": ".join(_too_large(size, limit))
