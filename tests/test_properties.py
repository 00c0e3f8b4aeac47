"""Property-based tests (hypothesis), each with a fixed budget of 250 examples."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from tempfile import TemporaryDirectory

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.filters.rules import BoilerplateRules
from cleaner.readers.decode import DecodeProblem, decode, gunzip
from cleaner.text import split_lines
from cleaner.writers.schema import SCHEMA, to_row
from cleaner.writers.shards import JsonlWriter, ParquetWriter

BUDGET = settings(max_examples=250, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])

# Text that looks like scraped pages: boilerplate words, punctuation, bullets, all line breaks.
PIECES = st.sampled_from([
    "Previous", "Next", "Scroll to Top", "© 2024 Site. All rights reserved.", "Follow us",
    "Trending News", "  • teaser headline", "Home > News", "We use cookies.", "Read more",
    "The council met on Monday and agreed the budget.", "|", "»", "\r\n", "\n", "\r", "\n\n",
    " ", "\t", "\u2028", "\x00", "\ufeff", "Ñandú", "東京", "🙂", "-", "–", "\"", "“",
])
PAGES = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=60).map("".join)


def rules_doc(text: str) -> Document:
    doc = Document(id="x", source_path="x", source_sha256="", source_bytes=0, format="text",
                   raw_text=text, lines=split_lines(text))
    BoilerplateRules().apply(doc)
    return doc


@BUDGET
@given(PAGES)
def test_line_splitter_spans_index_the_original(text: str) -> None:
    lines = split_lines(text)
    expected = [ln for ln in re.split(r"\r\n|\r|\n", text) if ln.strip()]
    assert [ln.text for ln in lines] == expected
    assert [ln.number for ln in lines] == list(range(1, len(lines) + 1))
    for ln in lines:
        assert text[ln.start : ln.end] == ln.text


@BUDGET
@given(PAGES)
def test_rules_never_raise_and_kept_plus_removed_rebuild_the_lines(text: str) -> None:
    doc = rules_doc(text)
    kept, removed = doc.kept_lines, doc.removed_lines
    merged = sorted(kept + removed, key=lambda ln: ln.number)
    assert [ln.text for ln in merged] == [ln for ln in re.split(r"\r\n|\r|\n", text) if ln.strip()]
    for ln in removed:
        assert ln.reason and 0 < ln.score <= 1 and text[ln.start : ln.end] == ln.text
    out_lines = [x for x in doc.text.split("\n") if x]
    assert out_lines == [ln.text.rstrip() for ln in kept]


@BUDGET
@given(st.binary(max_size=2000))
def test_decoder_returns_text_or_a_reason(data: bytes) -> None:
    try:
        text, enc, notes = decode(data)
    except DecodeProblem as p:
        assert p.reason == "binary" and p.detail
        return
    assert isinstance(text, str) and enc and "\x00" not in text
    assert all(isinstance(n, str) for n in notes)


@BUDGET
@given(st.text(max_size=500))
def test_decoder_keeps_valid_utf8_text(text: str) -> None:
    if "\x00" in text or any(h in text for h in ("Ã", "â€", "Â")):
        return
    try:
        got, enc, _ = decode(text.encode("utf-8"))
    except DecodeProblem:
        return  # mostly control characters: rightly called binary
    assert (got, enc) == (text, "utf-8") or text.startswith("\ufeff")


@BUDGET
@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=200))
def test_gunzip_round_trips_and_refuses_truncation(data: bytes, cut: int) -> None:
    packed = gzip.compress(data)
    assert gunzip(packed, limit=10_000) == data
    with pytest.raises(DecodeProblem):
        gunzip(packed[: max(0, len(packed) - cut)], limit=10_000)


ROW_DOCS = st.builds(
    lambda text, title, meta, reject: (text, title, meta, reject),
    PAGES, st.one_of(st.none(), st.text(max_size=30)),
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=10)),
                    max_size=3),
    st.booleans(),
)


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(ROW_DOCS, min_size=1, max_size=5))
def test_writers_round_trip_rows(docs: list) -> None:
    rows = []
    for i, (text, title, meta, reject) in enumerate(docs):
        doc = rules_doc(text)
        doc.id, doc.title, doc.metadata = f"id{i}", title, meta
        if reject:
            doc.reject("too_short", "detail")
        rows.append(to_row(doc, "0", "h"))
    with TemporaryDirectory() as tmp:
        for cls in (ParquetWriter, JsonlWriter):
            w = cls(Path(tmp) / cls.__name__, shard_rows=2)
            for r in rows:
                w.write(pa.Table.from_pylist([r], schema=SCHEMA),
                        "rejected" if r["status"] == "rejected" else "train")
            back = []
            for s in sorted(w.close(), key=lambda s: (s.split != "train", s.path)):
                f = w.folder / s.path
                back += (pq.read_table(f).to_pylist() if f.suffix == ".parquet"
                         else [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()])
            want = sorted(rows, key=lambda r: r["status"] == "rejected")
            assert [r["id"] for r in back] == [r["id"] for r in want]
            assert [r["text"] for r in back] == [r["text"] for r in want]
            assert [[x["text"] for x in r["removed"]] for r in back] == \
                   [[x["text"] for x in r["removed"]] for r in want]
