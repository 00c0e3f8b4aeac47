"""Compact counts of 64-bit hashes, and so a compact set of them.

A Python `set` of such ints costs about 70 bytes an entry (69.5 by tracemalloc: the int
object and a table slot kept under 60% full) and a dict of counts 78, so a million take
70-80 MB. Here the keys sit in a sorted NumPy uint64 array beside uint32 counts (12 bytes
a key), with the latest additions in a small dict that is merged into the arrays once it
holds `batch` keys. The first pass uses it twice: for the line counts of
`SourceLineCounter` and for its memo of documents already counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

BATCH = 65_536  # keys held in the dict before a merge (a few MB)


class HashCounts:
    """`add(hashes)` counts each hash once more; `add_new(h)` adds `h` only when absent
    (a set); `h in c` and `len(c)`; `keys` and `counts` are the merged arrays, sorted by
    key (call `merge()` first to include the latest additions)."""

    def __init__(self, batch: int = BATCH) -> None:
        self.keys = np.empty(0, dtype=np.uint64)
        self.counts = np.empty(0, dtype=np.uint32)
        self.batch = batch
        self._recent: Counter[int] = Counter()  # counted in C (`Counter.update`)

    def __len__(self) -> int:
        """Keys held (a key counted both before and after the last merge counts twice
        until the next one)."""
        return len(self.keys) + len(self._recent)

    def __contains__(self, h: int) -> bool:
        if h in self._recent:
            return True
        keys = self.keys
        i = int(keys.searchsorted(np.uint64(h)))
        return i < len(keys) and int(keys[i]) == h

    def add(self, hashes: Iterable[int]) -> bool:
        """Count every hash once more; True when this merged the latest additions."""
        recent = self._recent
        recent.update(hashes)
        if len(recent) < self.batch:
            return False
        self.merge()
        return True

    def add_new(self, h: int) -> bool:
        """Add `h` if it is not held yet; True when it was new."""
        if h in self:
            return False
        self.add((h,))
        return True

    def merge(self) -> None:
        """Fold the latest additions into the sorted arrays."""
        if not self._recent:
            return
        n = len(self._recent)
        new = np.fromiter(self._recent.keys(), dtype=np.uint64, count=n)
        add = np.fromiter(self._recent.values(), dtype=np.uint32, count=n)
        self._recent = Counter()
        order = np.argsort(new)
        new, add = new[order], add[order]
        at = self.keys.searchsorted(new)
        found = at < len(self.keys)
        found[found] = self.keys[at[found]] == new[found]
        np.add.at(self.counts, at[found], add[found])
        fresh = ~found
        self.keys = np.insert(self.keys, at[fresh], new[fresh])
        self.counts = np.insert(self.counts, at[fresh], add[fresh])

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the merged keys where `mask` is true."""
        self.keys, self.counts = self.keys[mask], self.counts[mask]
