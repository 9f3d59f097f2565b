"""Rich progress for long work: one bar per stage (parse, embed, questions...)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cristal.cli._output import err_console, safe

__all__ = ["progress_bars"]

_LABELS = {"parse": "Parsing", "embed": "Embedding", "questions": "Questions",
           "plan": "Planning", "search": "Searching", "follow": "Following"}


@contextlib.contextmanager
def progress_bars(enabled: bool = True) -> Iterator[Callable[[str, int, int, str], None]]:
    """A progress callback `(stage, done, total, detail)` drawing bars on stderr."""
    if not enabled or not err_console.is_terminal:
        yield lambda stage, done, total, detail: None
        return
    # File names and questions reach `detail`: shown literally (no markup, cleaned).
    bars = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[detail]}", style="dim", markup=False),
                    console=err_console, transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int, detail: str) -> None:
        label = _LABELS.get(stage, stage)
        if stage not in tasks:
            tasks[stage] = bars.add_task(label, total=total or None, detail="")
        bars.update(tasks[stage], completed=done, total=total or None,
                    detail=safe(detail)[:50])

    with bars:
        yield update
