"""Turn finished Parquet shards into a folder that `datasets.load_from_disk` opens."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cleaner.writers.schema import SCHEMA
from cleaner.writers.shards import SPLITS, Shard


def export_hf(folder: Path, shards: list[Shard], cache_dir: Path) -> None:
    """Write a `DatasetDict` with splits `train` (kept) and `rejected` into `folder`.

    The Arrow files are memory-mapped from the shards, not held in memory. Each split's
    fingerprint is the hash of its shards, so the same input gives the same folder.
    """
    import datasets
    import pyarrow as pa

    datasets.disable_progress_bars()
    features = datasets.Features.from_arrow_schema(SCHEMA)
    splits = {}
    num_shards = {}
    for split in SPLITS:
        mine = [s for s in shards if s.split == split]
        files = [str(folder / s.path) for s in mine if s.rows]
        fingerprint = hashlib.sha256("".join(s.sha256 for s in mine).encode()).hexdigest()[:16]
        if files:
            ds = datasets.Dataset.from_parquet(files, features=features, cache_dir=str(cache_dir))
            ds = ds.flatten_indices() if ds._indices is not None else ds
            ds._fingerprint = fingerprint
        else:
            ds = datasets.Dataset(pa.Table.from_pylist([], schema=SCHEMA), fingerprint=fingerprint)
        splits[split] = ds
        num_shards[split] = max(1, len(files))
    datasets.DatasetDict(splits).save_to_disk(str(folder), num_shards=num_shards)
