"""The seeds' expected output: exactly the listed boilerplate goes, everything else stays."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cleaner
from tests.conftest import SEEDS, model_available

LEDE_COPY = "Puerto Vallarta, Mexico - The United States has escalated"
COPYRIGHT = "© 2025 Latin Times. All rights reserved. Do not reproduce without permission."


def _removed_002(lines: list[str]) -> set[int]:
    idx = {i for i, ln in enumerate(lines) if ln.startswith(LEDE_COPY)}
    assert len(idx) == 1  # the first copy uses an en dash and stays
    for i, ln in enumerate(lines):
        if ln in ("Follow Us On Google News | Get Our Newsletter", "Trending News on PVDN",
                  "Scroll to Top") or ln.startswith("  • "):
            idx.add(i)
    return idx


def _removed_003(lines: list[str]) -> set[int]:
    start = lines.index("Previous")
    tail = [ln for ln in lines[start:] if ln.strip()]
    assert tail == ["Previous", "Previous", "Mitch McConnell to Retire: What It Means for the U.S.",
                    "Next", "Next", "Trump Ousts Kennedy Center Board, Appointed Chairman"]
    return {i for i in range(start, len(lines)) if lines[i].strip()}


EXPECTED = {
    "000_bca3979c619ec3c9.txt": (lambda lines: {lines.index(COPYRIGHT)}, {"copyright"}),
    "001_877cdcef44f12bb3.txt": (lambda lines: {lines.index(COPYRIGHT)}, {"copyright"}),
    "002_4159d1db6277fff6.txt": (_removed_002, {"repeated", "social", "related",
                                                "related_teaser", "nav"}),
    "003_3bc484ce82143b90.txt": (_removed_003, {"nav"}),
    "004_d44878ff5300bacd.txt": (lambda lines: set(), set()),
}


def expected_text(original: str, drop: set[int]) -> str:
    """The original with the dropped lines removed, blank runs collapsed, ends trimmed."""
    kept = [ln.rstrip() for i, ln in enumerate(original.split("\n")) if i not in drop]
    return re.sub(r"\n(?:[ \t]*\n)+", "\n\n", "\n".join(kept)).strip("\n")


MODES = [pytest.param(False, id="rules"),
         pytest.param(True, id="rules+model",
                      marks=pytest.mark.skipif(not model_available(), reason="no shipped model"))]


@pytest.mark.parametrize("model", MODES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_kept_text_is_exactly_the_article(name: str, model: bool) -> None:
    original = (SEEDS / name).read_text(encoding="utf-8")
    lines = original.split("\n")
    drop_fn, reasons = EXPECTED[name]
    drop = drop_fn(lines)
    doc = cleaner.clean_text(original, model=model, min_words=0)
    assert doc.text == expected_text(original, drop)
    assert {ln.reason for ln in doc.removed_lines} == reasons
    for ln in doc.removed_lines:  # spans index the decoded original
        assert original[ln.start : ln.end] == ln.text
        assert ln.score > 0 and ln.detail


def test_seed_run_keeps_all_five_with_titles_and_headings(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    res = cleaner.clean([SEEDS], to="parquet", out=tmp_path, model=False)
    rows = pq.read_table(res.path / "data" / "train-00000-000.parquet").to_pylist()
    assert [r["source_path"] for r in rows] == sorted(p.name for p in SEEDS.glob("*.txt"))
    by_name = {r["source_path"]: r for r in rows}
    t2 = by_name["002_4159d1db6277fff6.txt"]["text"]
    assert t2.startswith("U.S. Drone Surveillance of Cartels in Mexico Sparks Diplomatic Tensions")
    assert "\n\nExpanded Surveillance Operations\n\n" in t2
    assert "What Comes Next?" in by_name["003_3bc484ce82143b90.txt"]["text"]
    assert res.stats["lines_removed_by_reason"] == {
        "copyright": 2, "nav": 7, "related": 1, "related_teaser": 10, "repeated": 1, "social": 1,
    }
