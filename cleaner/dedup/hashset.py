"""A compact set of 64-bit hashes.

A Python `set` of such ints costs about 70 bytes an entry (69.5 by tracemalloc: the int
object and a table slot kept under 60% full), so a million documents' hashes take 70 MB.
Here they sit in a sorted NumPy array, 8 bytes each, with the most recent additions in a
small set that is merged into the array every `batch` additions.
"""

from __future__ import annotations

import numpy as np

BATCH = 65_536  # additions held in a plain set before a merge (4.5 MB, tracemalloc)


class HashSet:
    """`h in s`, `s.add(h)` and `len(s)` for ints in [0, 2**64)."""

    def __init__(self, batch: int = BATCH) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)
        self._recent: set[int] = set()
        self._batch = batch

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __contains__(self, h: int) -> bool:
        if h in self._recent:
            return True
        arr = self._sorted
        i = int(arr.searchsorted(np.uint64(h)))
        return i < len(arr) and int(arr[i]) == h

    def add(self, h: int) -> None:
        if h in self:
            return
        self._recent.add(h)
        if len(self._recent) >= self._batch:
            new = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            self._sorted = np.union1d(self._sorted, new)
            self._recent = set()
