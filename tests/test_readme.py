"""The README's Python examples run, and `clean explain` shows every line's verdict."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_example_runs(code: str, tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    assert (tmp_path / "out").exists() or "clean(" not in code


def test_explain_shows_each_lines_verdict() -> None:
    seed = "seeds/002_4159d1db6277fff6.txt"
    r = subprocess.run([sys.executable, "-m", "cleaner", "explain", seed, "--no-color"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    original = [x for x in (ROOT / seed).read_text().splitlines() if x.strip()]
    verdicts = [x for x in lines if re.match(r"\s*\d+ (KEEP|DROP)", x)]
    assert len(verdicts) == len(original)  # one verdict a line
    trending = next(x for x in verdicts if "Trending News on PVDN" in x)
    assert re.match(r"\s*21 DROP related\s+1\.00", trending)
    assert "(related / trending heading)" in trending
    title = verdicts[0]
    assert "KEEP" in title and "U.S. Drone Surveillance" in title
    assert sum("DROP related_teaser" in x for x in verdicts) == 10
