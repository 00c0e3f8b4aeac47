"""Run the per-document stage on one machine: in process, or on a pool of processes.

Results come back in input order whatever the number of workers, so the output of
`--workers N` is identical to that of `--workers 1`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

MIN_ITEMS_FOR_POOL = 16  # below this, starting processes costs more than it saves

_TASK: Callable[[Any], Any] | None = None


def _call(item: Any) -> Any:
    assert _TASK is not None
    return _TASK(item)


def release_free_memory() -> None:
    """Hand the allocator's free pages back to the OS (glibc's `malloc_trim`); a no-op
    where there is no glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: not glibc
        ctypes.CDLL(name).malloc_trim(0)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class LocalExecutor:
    """Maps one function over batches of items, in order. Use as a context manager and call
    `map(items)`; the pool (when there is one) lives across calls."""

    name = "local"

    def __init__(self, fn: Callable[[Any], Any], workers: int = 0) -> None:
        self.fn = fn
        self.workers = workers or default_workers()
        self._pool: Any = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate() if exc[0] else self._pool.close()
            self._pool.join()
            self._pool = None

    def map(self, items: list[Any]) -> Iterator[Any]:
        if self.workers <= 1 or (self._pool is None and len(items) < MIN_ITEMS_FOR_POOL):
            return (self.fn(item) for item in items)
        if self._pool is None:
            global _TASK
            _TASK = self.fn  # inherited by the forked workers: models and rules load once
            # What the first pass left behind is collected and handed back to the OS before
            # the fork, so neither the parent nor the workers carry it. Frozen objects are
            # never scanned by a worker's garbage collector, so the parent's heap (models,
            # the source list) stays shared instead of being copied page by page into every
            # worker as the collector touches it.
            gc.collect()
            release_free_memory()
            gc.freeze()
            try:
                self._pool = mp.get_context("fork").Pool(self.workers)
            finally:
                gc.unfreeze()
        chunk = max(1, min(32, len(items) // (self.workers * 8)))
        return self._pool.imap(_call, items, chunksize=chunk)


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
