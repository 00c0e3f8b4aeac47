"""Shard writers: rows stream in, bounded shards come out, each written atomically.

A shard is written under a temporary name and renamed into place only once complete, so
a crash never leaves a half-written shard that looks finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.writers.schema import REMOVED_LINE, SCHEMA

SPLITS = ("train", "rejected")


@dataclass(frozen=True, slots=True)
class Shard:
    path: str  # relative to the output folder
    split: str
    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "split": self.split, "rows": self.rows, "sha256": self.sha256}


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_writes = 0


def atomic_write(path: Path, write) -> None:
    """Call `write(tmp_path)`, then rename the temporary file to `path`."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        _fault_point()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _fault_point() -> None:
    """Fault injection for the crash tests: with CLEANER_FAULT_KILL_AT_WRITE=N in the
    environment, the process SIGKILLs itself after writing the Nth temporary file and
    before renaming it (a crash mid-write)."""
    global _writes
    target = os.environ.get("CLEANER_FAULT_KILL_AT_WRITE")
    if target:
        _writes += 1
        if _writes == int(target):
            os.kill(os.getpid(), signal.SIGKILL)


class ShardWriter:
    """Buffers rows per split and writes a shard every `shard_rows` rows. Call `write`
    with tables of rows (of `SCHEMA`)."""

    extension = ""

    def __init__(self, folder: Path, shard_rows: int, prefix: str = "00000") -> None:
        self.folder = folder
        self.shard_rows = shard_rows
        self.prefix = prefix  # the chunk of the run these shards belong to
        self._buffers: dict[str, list[pa.Table]] = {s: [] for s in SPLITS}
        self._buffered: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.shards: list[Shard] = []

    def write(self, rows: pa.Table, split: str) -> None:
        if not rows.num_rows:
            return
        self._buffers[split].append(rows)
        self._buffered[split] += rows.num_rows
        while self._buffered[split] >= self.shard_rows:
            self._flush(split)

    def close(self) -> list[Shard]:
        """Flush what is left (no empty shards: see `write_empty`)."""
        for split in SPLITS:
            if self._buffered[split]:
                self._flush(split)
        return self.shards

    def write_empty(self, split: str) -> Shard:
        """An empty shard, so that a split with no rows still exists with its schema."""
        self._flush(split)
        return self.shards[-1]

    def read_back(self, shard: Shard, columns: list[str]) -> list[dict[str, Any]]:
        """The rows of a finished shard (to rebuild dedup state when a run resumes)."""
        raise NotImplementedError

    def _flush(self, split: str) -> None:
        """Write the first `shard_rows` buffered rows of `split` (all when fewer) as a
        shard; keep the rest."""
        buffered = (pa.concat_tables(self._buffers[split]) if self._buffers[split]
                    else SCHEMA.empty_table())
        rows = buffered.slice(0, self.shard_rows).combine_chunks()
        rest = buffered.slice(self.shard_rows)
        self._buffers[split] = [rest] if rest.num_rows else []
        self._buffered[split] = rest.num_rows
        index = sum(1 for s in self.shards if s.split == split)
        rel = f"data/{split}-{self.prefix}-{index:03d}{self.extension}"
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: self._write_file(tmp, rows))
        self.shards.append(Shard(rel, split, rows.num_rows, file_sha256(path)))

    def _write_file(self, path: Path, rows: pa.Table) -> None:
        raise NotImplementedError


class ParquetWriter(ShardWriter):
    """Parquet shards, zstd, one row group a shard."""

    extension = ".parquet"

    def _write_file(self, path: Path, rows: pa.Table) -> None:
        if not rows.num_rows:  # no row group at all: readers choke on an empty one
            pq.ParquetWriter(path, SCHEMA, compression="zstd").close()
            return
        pq.write_table(rows, path, compression="zstd", row_group_size=self.shard_rows)

    def read_back(self, shard: Shard, columns: list[str]) -> list[dict[str, Any]]:
        return pq.read_table(self.folder / shard.path, columns=columns).to_pylist()


# Characters that some readers take for line breaks (str.splitlines, JavaScript): escaped,
# so that one row is always exactly one line.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


_FLOAT32 = [f.name for f in SCHEMA if f.type == pa.float32()]
_REMOVED_FLOAT32 = [f.name for f in REMOVED_LINE if f.type == pa.float32()]


def _float32(x: float | None) -> float | None:
    """A float32 column's value as its shortest decimal (0.9, not 0.8999999761581421):
    the same number as in the Parquet shards, written the way it was computed."""
    return None if x is None else float(str(np.float32(x)))


class JsonlWriter(ShardWriter):
    """JSON Lines shards, one row an object, keys in schema order."""

    extension = ".jsonl"

    def _write_file(self, path: Path, rows: pa.Table) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for row in rows.to_pylist():
                for k in _FLOAT32:
                    row[k] = _float32(row[k])
                for r in row["removed"]:
                    for k in _REMOVED_FLOAT32:
                        r[k] = _float32(r[k])
                f.write(json.dumps(row, ensure_ascii=False).translate(_LINE_BREAKS) + "\n")

    def read_back(self, shard: Shard, columns: list[str]) -> list[dict[str, Any]]:
        with open(self.folder / shard.path, encoding="utf-8") as f:
            return [{c: r[c] for c in columns} for r in map(json.loads, f)]
