"""`--engine ray` (a local Ray here) gives the same output as the local engine."""

from __future__ import annotations

from pathlib import Path

import pytest

import cleaner
from tests.test_output import make_mixed
from tests.test_resume import data_files

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'cleaner[ray]')")


@pytest.mark.slow
def test_ray_engine_equals_local_engine(tmp_path: Path) -> None:
    src = make_mixed(tmp_path)
    local = cleaner.clean(src, out=tmp_path / "local", model=False, min_words=20)
    remote = cleaner.clean(src, out=tmp_path / "ray", model=False, min_words=20, engine="ray",
                           workers=2)
    assert data_files(local.path) == data_files(remote.path)
    assert remote.stats["rejected_by_reason"] == local.stats["rejected_by_reason"]
    assert remote.manifest["config_hash"] == local.manifest["config_hash"]
    assert not ray.is_initialized()  # the engine shut down the Ray it started
