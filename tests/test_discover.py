"""Input discovery: the walk's order, folders reached twice, and the packed source list."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from cleaner.readers.discover import Source, SourceList, discover


def _touch(root: Path, *rels: str) -> None:
    for rel in rels:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n", encoding="utf-8")


def test_walk_yields_files_in_the_order_of_their_relative_paths(tmp_path: Path) -> None:
    # '-' and '.' sort before '/', '0' after it: a folder's files must come where the full
    # relative paths put them, not all before or after the folder's siblings
    _touch(tmp_path, "a.txt", "a-b.txt", "a0.txt", "a/x.txt", "a/b/c.txt", "a-b/q.md",
           "Z.txt", "b.html", "ä.txt", "zz/deep/er/f.jsonl", "notes.bin")
    rels = [s.rel for s in discover([tmp_path])]
    assert rels == sorted(rels)
    assert set(rels) == {"a.txt", "a-b.txt", "a0.txt", "a/x.txt", "a/b/c.txt", "a-b/q.md",
                         "Z.txt", "b.html", "ä.txt", "zz/deep/er/f.jsonl", "notes.bin"}
    by_rel = {s.rel: s for s in discover([tmp_path])}
    assert by_rel["a/b/c.txt"].path == str(tmp_path / "a" / "b" / "c.txt")
    assert by_rel["a/b/c.txt"].format == "text"
    assert by_rel["zz/deep/er/f.jsonl"].format == "jsonl"
    assert by_rel["notes.bin"].format is None


def test_a_folder_reached_twice_is_read_once_under_its_first_path(tmp_path: Path) -> None:
    _touch(tmp_path, "a/x.txt")
    (tmp_path / "b").mkdir()
    os.symlink("../a", tmp_path / "b" / "link")
    found = {s.rel: s.problem for s in discover([tmp_path])}
    assert found == {"a/x.txt": None, "b/link": "symlink loop: folder already visited"}


def test_several_inputs_keep_their_folder_names_and_their_order(tmp_path: Path) -> None:
    _touch(tmp_path, "one/k.txt", "one/a/x.txt", "two/a/x.txt")
    single = tmp_path / "one" / "k.txt"
    sources = discover([tmp_path / "two", tmp_path / "one", single])
    assert [s.rel for s in sources] == ["two/a/x.txt", "one/a/x.txt", "one/k.txt", "k.txt"]
    assert sources[-1].path == single
    assert sources[-4].path == str(tmp_path / "two" / "a" / "x.txt")


def test_file_names_that_are_not_utf8_are_escaped_in_rel_but_read_by_their_bytes(
        tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw, "wb") as f:
        f.write(b"text\n")
    [src] = discover([tmp_path])
    assert src.rel == "caf\\xe9.txt"
    with src.open() as f:
        assert f.read() == b"text\n"


def test_source_list_packs_a_folders_files_and_builds_sources_on_demand() -> None:
    sources = SourceList()
    problem = Source("/data/in/bad", "bad", None, "cannot list folder: denied")
    sources.add_folder("/data/in", "in/", iter(["a.txt", problem, "b/c.html"]))
    sources.add(Source(Path("/x/k.jsonl"), "k.jsonl", "jsonl"))
    assert len(sources) == 4
    assert list(sources) == [
        Source("/data/in/a.txt", "in/a.txt", "text"),
        Source("/data/in/bad", "in/bad", None, "cannot list folder: denied"),
        Source("/data/in/b/c.html", "in/b/c.html", "html"),
        Source(Path("/x/k.jsonl"), "k.jsonl", "jsonl"),
    ]
    assert sources[-2] == sources[2]


def test_source_list_of_a_hundred_thousand_files_stays_small() -> None:
    names = [f"{i // 1000:04d}/{i:07d}.txt" for i in range(100_000)]  # 16 bytes each
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sources = SourceList()
    sources.add_folder("/corpus", "", iter(names))
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert sources[12_345].rel == "0012/0012345.txt"
    assert used / len(names) < 40  # bytes a file (a Source object and its strings: ~245)
