"""Where the dedup state of a run lives: in memory, or in an SQLite file on disk.

The state grows with the kept documents: for near-duplicates, each kept document's MinHash
signature, its band keys and its id; for exact duplicates, its key and id. In memory that is
about 1.5 KB a kept document (1.4 GiB per million). On disk, in a temporary SQLite file
beside the run's output, the process holds only SQLite's page cache (`CACHE_MB`), so memory
stays flat however large the corpus; the file is about 0.8 KB a kept document (641 MB for
800,000, `bench/bench_dedup_index.py`) and is deleted when the run ends. A `Job` uses the
disk (`--dedup-index disk`, the default); `memory` is faster for small runs and is what
`MinHashDedup()` / `ExactDedup()` use on their own.

Both stores give the same answers (tested), so the choice does not change the output; the
one exception would take two 64-bit keys of different bands to collide on disk (it would add
a candidate, which is then verified on its signature like any other). Nothing here needs to
survive a crash: a resumed run rebuilds the state from its finished shards. A connection is
opened in the process that runs dedup; forked workers inherit it but never touch it (they
leave with `os._exit`), as SQLite requires.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CACHE_MB = 8  # SQLite's own page cache, per store: the OS caches the file anyway, outside RSS
COMMIT_EVERY = 4096  # registrations between commits (bounds the dirty pages held)
_BAND_MIX = 0x9E3779B97F4A7C15  # spreads (band, key) over one 64-bit key space
_MASK64 = (1 << 64) - 1
_MAX_PARAMS = 999  # parameters in one statement (SQLite's lowest limit, before 3.32)


def _signed(x: int) -> int:
    """A uint64 as the int64 SQLite stores."""
    return x - (1 << 64) if x >= 1 << 63 else x


class _SqliteFile:
    """One fresh SQLite file for the length of a run: created with `tables`, written in
    transactions of `COMMIT_EVERY` registrations, deleted by `close`."""

    def __init__(self, path: Path, tables: Sequence[str]) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a fresh index for every run
        self._db = sqlite3.connect(str(path), isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_MB * 1024}",
                       "locking_mode=EXCLUSIVE", "temp_store=FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        for table in tables:
            self._db.execute(table)
        self._db.execute("BEGIN")
        self._n = 0  # registrations

    def __len__(self) -> int:
        return self._n

    def _registered(self) -> None:
        self._n += 1
        if self._n % COMMIT_EVERY == 0:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")

    def close(self) -> None:
        """Close and delete the file."""
        self._db.close()
        self.path.unlink(missing_ok=True)


class MemorySignatures:
    """MinHash state in memory: signatures in NumPy blocks, one dict a band."""

    _BLOCK = 1024  # signatures are stored in blocks of this many rows

    def __init__(self, num_perm: int, bands: int) -> None:
        self.num_perm = num_perm
        self._buckets: list[dict[int, int | list[int]]] = [{} for _ in range(bands)]
        self._blocks: list[np.ndarray] = []
        self._ids: list[str] = []

    def __len__(self) -> int:
        return len(self._ids)

    def candidates(self, keys: Sequence[int]) -> list[int]:
        """Registered documents sharing at least one band key, in registration order."""
        cands: set[int] = set()
        for bucket, key in zip(self._buckets, keys, strict=True):
            hit = bucket.get(key)
            if hit is None:
                continue
            if isinstance(hit, int):
                cands.add(hit)
            else:
                cands.update(hit)
        return sorted(cands)

    def signatures(self, order: list[int]) -> np.ndarray:
        """The signatures of the documents `order` (ascending), one row each."""
        idx = np.array(order, dtype=np.intp)
        block, row = np.divmod(idx, self._BLOCK)
        if block[0] == block[-1]:
            return self._blocks[block[0]][row]
        return np.concatenate([self._blocks[k][row[block == k]] for k in np.unique(block)])

    def doc_id(self, idx: int) -> str:
        return self._ids[idx]

    def add(self, doc_id: str, sig: np.ndarray, keys: Sequence[int]) -> None:
        idx = len(self._ids)
        if idx % self._BLOCK == 0:
            self._blocks.append(np.empty((self._BLOCK, self.num_perm), dtype=np.uint32))
        self._blocks[-1][idx % self._BLOCK] = sig
        self._ids.append(doc_id)
        for bucket, key in zip(self._buckets, keys, strict=True):
            hit = bucket.setdefault(key, idx)
            if hit == idx:
                continue
            if isinstance(hit, int):
                bucket[key] = [hit, idx]
            else:
                hit.append(idx)

    def close(self) -> None:
        """Nothing to release."""


class DiskSignatures(_SqliteFile):
    """MinHash state in an SQLite file: the band keys in one B-tree, the signatures and ids
    in another; memory is SQLite's page cache only."""

    def __init__(self, path: Path, num_perm: int, bands: int) -> None:
        super().__init__(path, [
            "CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, "
            "PRIMARY KEY (key, doc)) WITHOUT ROWID",
            "CREATE TABLE docs (idx INTEGER PRIMARY KEY, id TEXT NOT NULL, sig BLOB NOT NULL)",
        ])
        self.num_perm = num_perm
        self._find = (f"SELECT DISTINCT doc FROM bands WHERE key IN "
                      f"({','.join('?' * bands)}) ORDER BY doc")
        self._mix = [b * _BAND_MIX for b in range(bands)]

    def _band_keys(self, keys: Sequence[int]) -> list[int]:
        return [_signed((k + m) & _MASK64) for k, m in zip(keys, self._mix, strict=True)]

    def candidates(self, keys: Sequence[int]) -> list[int]:
        return [r[0] for r in self._db.execute(self._find, self._band_keys(keys))]

    def signatures(self, order: list[int]) -> np.ndarray:
        blobs = []
        for i in range(0, len(order), _MAX_PARAMS):  # SQLite bounds a statement's parameters
            part = order[i : i + _MAX_PARAMS]
            blobs += [r[0] for r in self._db.execute(
                f"SELECT sig FROM docs WHERE idx IN ({','.join('?' * len(part))}) ORDER BY idx",
                part)]
        return np.frombuffer(b"".join(blobs), dtype=np.uint32).reshape(len(blobs), self.num_perm)

    def doc_id(self, idx: int) -> str:
        return self._db.execute("SELECT id FROM docs WHERE idx = ?", (idx,)).fetchone()[0]

    def add(self, doc_id: str, sig: np.ndarray, keys: Sequence[int]) -> None:
        idx = self._n
        self._db.execute("INSERT INTO docs VALUES (?, ?, ?)",
                         (idx, doc_id, np.ascontiguousarray(sig, dtype=np.uint32).tobytes()))
        self._db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)",
                             [(k, idx) for k in self._band_keys(keys)])
        self._registered()


class MemoryKeys:
    """Exact-dedup state in memory: key -> the id of the first document with it."""

    def __init__(self) -> None:
        self._seen: dict[bytes, str] = {}

    def first(self, key: bytes, doc_id: str) -> str:
        """The id of the first document registered under `key`; registers `doc_id` when
        there is none."""
        return self._seen.setdefault(key, doc_id)

    def close(self) -> None:
        """Nothing to release."""


class DiskKeys(_SqliteFile):
    """Exact-dedup state in an SQLite file."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, ["CREATE TABLE seen (key INTEGER PRIMARY KEY, id TEXT NOT NULL)"])

    def first(self, key: bytes, doc_id: str) -> str:
        k = int.from_bytes(key[:8], "little", signed=True)
        row = self._db.execute("SELECT id FROM seen WHERE key = ?", (k,)).fetchone()
        if row is not None:
            return row[0]
        self._db.execute("INSERT INTO seen VALUES (?, ?)", (k, doc_id))
        self._registered()
        return doc_id
