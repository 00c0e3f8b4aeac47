"""Exact dedup: the key computed from a document's kept lines (on the workers) equals the
key of its kept text (used when a resumed run replays finished shards)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedup.exact import ExactDedup
from cleaner.pipeline import Pipeline

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PIPELINE = Pipeline(min_words=0, model=False)
NO_RULES = Pipeline(min_words=0, model=False, rules=False)  # line keys computed one by one

_lines = st.lists(
    st.sampled_from([*"ab_.,-—’“ \t\u00a0ÉéΣσßﬁ①İ\u0301©", "Follow us", "Next"]),
    max_size=30,
).map("".join)


@settings(max_examples=250, deadline=None)
@given(st.lists(_lines, max_size=12))
def test_key_of_lines_equals_key_of_text(lines: list[str]) -> None:
    for pipeline in (PIPELINE, NO_RULES):
        doc = pipeline.clean_text("\n".join(lines))
        assert ExactDedup.key_of(doc) == ExactDedup.key(doc.text)


@pytest.mark.parametrize("on_disk", [False, True])
def test_seed_keys_and_duplicates(on_disk: bool, tmp_path: Path) -> None:
    dedup = ExactDedup(tmp_path / "exact.sqlite" if on_disk else None)
    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc = PIPELINE.clean_text(path.read_text(encoding="utf-8"))
        assert ExactDedup.key_of(doc) == ExactDedup.key(doc.text)
        doc.id = path.name
        docs.append(doc)
    assert len(docs) == 5
    copy = PIPELINE.clean_text(docs[0].text.upper().replace(".", " ."))  # case, spacing
    copy.id = "copy"
    for doc in [*docs, copy]:
        dedup.apply(doc)
    assert [d.status for d in docs] == ["kept"] * 5
    assert copy.status == "rejected" and copy.duplicate_of == docs[0].id
    dedup.close()
    assert not (tmp_path / "exact.sqlite").exists()
