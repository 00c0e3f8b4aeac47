"""Inputs and outputs as fsspec URLs (memory:// here; s3://, gs:// on a cluster)."""

from __future__ import annotations

import io
from pathlib import Path

import fsspec
import pyarrow.parquet as pq

import cleaner
from tests.conftest import SEEDS
from tests.test_resume import data_files


def test_memory_urls_in_and_out_equal_a_local_run(tmp_path: Path) -> None:
    fs = fsspec.filesystem("memory")
    for p in SEEDS.glob("*.txt"):
        fs.pipe(f"/bench-in/seeds/{p.name}", p.read_bytes())
    remote = cleaner.clean("memory://bench-in/seeds", out="memory://bench-out", model=False)
    local = cleaner.clean(SEEDS, out=tmp_path / "local", model=False)
    assert remote.path == "memory://bench-out/seeds"
    files = sorted(fs.find("/bench-out/seeds"))
    assert files[-1].endswith("manifest.json") or "/bench-out/seeds/manifest.json" in files
    for name, blob in data_files(local.path).items():
        assert fs.cat_file(f"/bench-out/seeds/{name}") == blob
    rows = pq.read_table(io.BytesIO(fs.cat_file("/bench-out/seeds/data/train-00000-000.parquet")))
    assert rows.num_rows == 5
    assert remote.stats["kept"] == local.stats["kept"]


def test_file_url_is_a_local_path(tmp_path: Path) -> None:
    res = cleaner.clean(f"file://{SEEDS}", out=f"file://{tmp_path}/o", model=False)
    assert Path(res.path) == tmp_path / "o" / "seeds"
    assert res.stats["kept"] == 5


def test_missing_remote_input_is_a_user_error() -> None:
    import pytest

    with pytest.raises(cleaner.UserError, match="input not found: memory://nothing-here"):
        cleaner.clean("memory://nothing-here", out="memory://o", model=False)
