"""Run the per-document stage on one machine: in process, or on a pool of processes.

Results come back in input order whatever the number of workers, so the output of
`--workers N` is identical to that of `--workers 1`.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_FOR_POOL = 16  # below this, starting processes costs more than it saves

_TASK: Callable[[Any], Any] | None = None


def _call(item: Any) -> Any:
    assert _TASK is not None
    return _TASK(item)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class LocalExecutor:
    """Maps a function over items, in order. Call `map(fn, items)`."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or default_workers()

    def map(self, fn: Callable[[T], R], items: Iterable[T], n_items: int) -> Iterator[R]:
        if self.workers <= 1 or n_items < MIN_ITEMS_FOR_POOL:
            for item in items:
                yield fn(item)
            return
        global _TASK
        _TASK = fn  # inherited by the forked workers: the model and rules load once
        ctx = mp.get_context("fork")
        chunk = max(1, min(64, n_items // (self.workers * 8)))
        with ctx.Pool(self.workers) as pool:
            yield from pool.imap(_call, items, chunksize=chunk)
