"""Files only their owner may read: data directories 0700, databases and reports 0600.

The database holds prompts, documents, model replies and approvals; on a shared
machine other users must not read it. SQLite creates its `-wal` and `-shm`
files with the permissions of the database file, so creating that file 0600
first covers all three.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["private_dir", "private_file", "write_private_text"]

_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: str | Path) -> Path:
    """Create `path` (and missing parents) with mode 0700; existing folders are left as is."""
    folder = Path(path).expanduser()
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for item in reversed(missing):
        try:
            item.mkdir(mode=0o700)
        except FileExistsError:  # made by another process meanwhile
            continue
        os.chmod(item, 0o700)  # mkdir's mode is filtered by the umask; be exact
    return folder


def private_file(path: str | Path, *, sqlite: bool = False) -> Path:
    """Create `path` empty with mode 0600 if missing; tighten it (and, for SQLite, its
    -wal/-shm/-journal files) to 0600 if group or others could read it."""
    file = Path(path).expanduser()
    private_dir(file.parent)
    try:
        os.close(os.open(file, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
    except OSError:
        return file  # opening it for real reports the problem
    for item in [file, *(Path(f"{file}{s}") for s in _SQLITE_SIDE_FILES if sqlite)]:
        _tighten(item)
    return file


def _tighten(file: Path) -> None:
    try:
        info = file.stat()
    except OSError:
        return
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) and info.st_uid == os.getuid():
        os.chmod(file, stat.S_IMODE(info.st_mode) & 0o700)


def write_private_text(path: str | Path, content: str) -> Path:
    """Write a file atomically with mode 0600 (a report, an export)."""
    file = Path(path)
    tmp = file.with_name(file.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(tmp, 0o600)
    tmp.replace(file)
    return file
