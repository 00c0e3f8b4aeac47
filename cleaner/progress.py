"""Progress bar while a run goes, and the summary after it (both on stderr)."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

_console = Console(stderr=True)


class Progress:
    """A rich progress bar over input files; silent when disabled or not on a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: RichProgress | None = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(
                TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                TimeRemainingColumn(), console=_console, transient=True,
            )
            self._bar.__enter__()
        return self

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task("clean", total=total)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def print_summary(result: Any) -> None:
    s = result.stats
    _console.print(
        f"[bold]{s['documents_in']}[/] in, [green]{s['kept']} kept[/], "
        f"[red]{s['rejected']} rejected[/], {s['unreadable']} unreadable "
        f"in {s['seconds']:.1f}s ({s['docs_per_second'] or 0:.0f} docs/s) -> {result.path}"
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("what")
    table.add_column("reason")
    table.add_column("count", justify="right")
    for reason, n in s["rejected_by_reason"].items():
        table.add_row("documents rejected", reason, str(n))
    for reason, n in s["unreadable_by_reason"].items():
        table.add_row("inputs unreadable", reason, str(n))
    for reason, n in s["lines_removed_by_reason"].items():
        table.add_row("lines removed", reason, str(n))
    if table.row_count:
        _console.print(table)
