from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def wcxb_dir() -> Path | None:
    """The shared WCXB dev set, when it is beside the project (CI); None on a fresh clone."""
    p = Path(os.environ.get("CLEANER_WCXB_DIR", ROOT.parent / "shared" / "data" / "wcxb-dev"))
    return p if (p / "meta.jsonl").is_file() else None


def model_available() -> bool:
    try:
        from cleaner.model import LineModel

        LineModel.load()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"
