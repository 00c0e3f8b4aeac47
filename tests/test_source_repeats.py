"""Lines repeated across the documents of one source are removed as `source_repeat`."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

import cleaner

TAGLINE = "Coastal Courier: independent local reporting since 1998"
DISCLAIMER = "Opinions expressed by contributors are their own and not those of the paper."
TOPICS = ["ferry", "harbour", "school", "library", "bridge", "market", "museum"]


def body(i: int, topic: str) -> str:
    return (f"The {topic} committee met for the {i}th time on Monday evening and agreed to "
            f"publish its {topic} accounts online, after residents complained that the "
            f"figures for item {i} had been hard to find for several years in a row.")


def rows(path: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((path / "data").glob("*.parquet")):
        for r in pq.read_table(f).to_pylist():
            out[f"{r['source_path']}#{r['record_index']}"] = r
    return out


def test_repeated_lines_of_one_folder_are_removed_with_source_and_threshold(tmp_path: Path):
    site, other = tmp_path / "in" / "courier", tmp_path / "in" / "blog"
    site.mkdir(parents=True)
    other.mkdir()
    for i, topic in enumerate(TOPICS):
        (site / f"{i}.txt").write_text(f"{TAGLINE}\n\n{body(i, topic)}\n\n{DISCLAIMER}\n")
    for i in range(2):  # the tagline twice in another source: under the threshold
        (other / f"{i}.txt").write_text(f"{TAGLINE}\n\n{body(i + 10, 'garden')}\n")
    res = cleaner.clean(tmp_path / "in", out=tmp_path / "out", model=False, min_words=10)
    got = rows(res.path)
    for i in range(len(TOPICS)):
        r = got[f"courier/{i}.txt#0"]
        assert r["text"] == body(i, TOPICS[i])
        removed = {x["text"]: x for x in r["removed"]}
        assert set(removed) == {TAGLINE, DISCLAIMER}
        assert removed[TAGLINE]["reason"] == "source_repeat"
        assert removed[TAGLINE]["detail"] == "in 7 documents of source 'courier' (threshold 5)"
    for i in range(2):
        assert got[f"blog/{i}.txt#0"]["text"].startswith(TAGLINE)
    assert res.stats["lines_removed_by_reason"]["source_repeat"] == 14
    assert res.manifest["config"]["source_repeat_min_docs"] == 5


def test_source_is_the_url_host_for_records_and_duplicates_count_once(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    recs = [{"text": f"{TAGLINE}\n{body(i, t)}", "url": f"https://www.courier.example/{i}"}
            for i, t in enumerate(TOPICS[:4])]
    recs += [recs[0]] * 3  # exact duplicates do not make a line "repeated"
    recs += [{"text": f"{TAGLINE}\n{body(9, 'tide')}", "url": "https://elsewhere.example/a"}]
    (src / "dump.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    res = cleaner.clean(src, out=tmp_path / "out", model=False, min_words=10,
                        source_repeat_min_docs=4)
    got = rows(res.path)
    for n in range(1, 5):
        r = got[f"dump.jsonl#{n}"]
        assert [x["reason"] for x in r["removed"]] == ["source_repeat"]
        assert "source 'courier.example' (threshold 4)" in r["removed"][0]["detail"]
    assert got["dump.jsonl#8"]["text"].startswith(TAGLINE)  # another host
    assert [got[f"dump.jsonl#{n}"]["reject_reason"] for n in (5, 6, 7)] == ["duplicate"] * 3


def test_turned_off(tmp_path: Path):
    site = tmp_path / "in"
    site.mkdir()
    for i, topic in enumerate(TOPICS):
        (site / f"{i}.txt").write_text(f"{TAGLINE}\n\n{body(i, topic)}\n")
    res = cleaner.clean(site, out=tmp_path / "out", model=False, min_words=10,
                        source_repeat_min_docs=0)
    assert "source_repeat" not in res.stats["lines_removed_by_reason"]


def test_counting_stays_bounded_and_exact_for_repeated_lines() -> None:
    """More distinct lines than the count table holds, most of them seen twice (so dropping
    lines seen once frees nothing): pruning still runs rarely, the table stays bounded, and
    a line in every document keeps its exact count."""
    from cleaner.filters.source_repeats import SourceLineCounter

    counter = SourceLineCounter(min_docs=5, max_entries=100)
    n_docs = 2000
    for i in range(n_docs):
        pairs = [f"pair line {i // 2} number {j}" for j in range(10)]  # in 2 documents each
        counter.add("site", [TAGLINE, f"own line {i}", *pairs])
        assert len(counter) <= 100 + counter.batch  # the counts, and hashes not merged yet
    distinct = n_docs * 6 + 1  # lines in all: 5 pair lines a document, 1 own, the tagline
    assert counter.prunes <= distinct // 50 + 1  # at most once per max_entries / 2 new lines
    repeated = counter.repeated()
    assert list(repeated.values()) == [n_docs]  # only the tagline, counted exactly


def test_counts_are_exact_across_merges_when_nothing_is_pruned() -> None:
    """Merging batches of hashes into the sorted arrays gives the counts a plain Counter
    gives, for every line at the threshold or over; duplicates of a document count once."""
    import random
    from collections import Counter

    from cleaner.filters.source_repeats import SourceLineCounter, line_hashes

    rng = random.Random(3)
    counter = SourceLineCounter(min_docs=3, max_entries=10**6, batch=7)  # many merges
    expected: Counter[int] = Counter()
    seen = set()
    for i in range(400):
        lines = [f"line {rng.randrange(60)}" for _ in range(rng.randrange(1, 9))]
        source = f"site{i % 3}"
        doc_hash, hashes = line_hashes(source, lines)
        counter.add_hashes(doc_hash, hashes)
        if doc_hash not in seen:
            seen.add(doc_hash)
            expected.update(hashes)
    assert counter.prunes == 0
    assert counter.repeated() == {h: c for h, c in expected.items() if c >= 3}
    assert len(counter.repeated()) > 50
