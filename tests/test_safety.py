"""Safety: full disk, output paths, no pickles, no network at run time."""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import pytest

import cleaner
from cleaner.cli import main
from cleaner.writers import shards
from tests.conftest import ROOT, SEEDS


def test_full_disk_gives_a_clear_error_and_keeps_the_earlier_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    first = cleaner.clean(SEEDS, out=out, model=False)
    before = {p: p.read_bytes() for p in first.path.rglob("*") if p.is_file()}

    def no_space(self, path, rows):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(shards.ParquetWriter, "_write_file", no_space)
    with pytest.raises(SystemExit) as exc:
        main([str(SEEDS), "--out", str(out), "--no-model", "--min-words", "3"])
    err = capsys.readouterr().err
    assert exc.value.code != 0
    assert err.strip().splitlines() == [
        f"clean: error: No space left on device: {next(out.glob('.seeds.partial/data'))}"
        f"/.train-00000-000.parquet.tmp"
    ]
    assert {p: p.read_bytes() for p in first.path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "/abs", ".", "a\\b", "x\0y"])
def test_no_name_escapes_out(tmp_path: Path, name: str) -> None:
    with pytest.raises(cleaner.UserError, match="--name must be a plain folder name"):
        cleaner.clean(SEEDS, out=tmp_path / "out", name=name, model=False)
    assert not (tmp_path / "x").exists()


def test_output_paths_come_from_the_run_never_from_input_names(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / ".." / "evil").mkdir(parents=True, exist_ok=True)
    (src / "..weird..txt").write_text("Body words " * 20)
    res = cleaner.clean(src, out=tmp_path / "out", model=False, min_words=5)
    written = sorted(p.relative_to(res.path).as_posix() for p in res.path.rglob("*"))
    assert all(re.fullmatch(r"(data|data/(train|rejected)-\d{5}-\d{3}\.parquet|"
                            r"manifest\.json|stats\.json|README\.md|report\.html)", p)
               for p in written), written


def test_no_pickle_is_ever_loaded() -> None:
    pattern = re.compile(r"\bimport pickle\b|\bpickle\.load|allow_pickle\s*=\s*True|joblib\.load"
                         r"|torch\.load|cloudpickle")
    offenders = [str(p) for p in (ROOT / "cleaner").rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
    assert not [p for p in (ROOT / "cleaner").rglob("*") if p.suffix in (".pkl", ".pickle",
                                                                           ".joblib")]


def test_html_parser_resolves_no_external_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY s SYSTEM "file://{secret}">]>'
            "<html><body><article><p>&s; " + "Ordinary words of the article. " * 30
            + "</p></article></body></html>")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.html").write_text(page)
    res = cleaner.clean(tmp_path / "in", out=tmp_path / "out", model=False, min_words=5)
    blob = b"".join(p.read_bytes() for p in res.path.rglob("*") if p.is_file())
    assert b"TOP-SECRET" not in blob
    assert json.loads((res.path / "stats.json").read_text())["kept"] == 1


def test_a_step_that_raises_rejects_the_document_not_the_run(tmp_path: Path) -> None:
    class Broken:
        name = "broken"

        def apply(self, doc):
            if "Mitch McConnell" in doc.raw_text:
                raise TypeError("a parser bug\nwith a second line")

    p = cleaner.Pipeline(model=False, out=str(tmp_path / "out"))
    p.add_line_filter(Broken())
    res = p.run([SEEDS])
    assert res.stats["rejected_by_reason"] == {"error": 1}  # only seed 003 names him
    assert res.stats["kept"] == 4
    import pyarrow.parquet as pq

    rows = [r for f in sorted((res.path / "data").glob("rejected-*.parquet"))
            for r in pq.read_table(f).to_pylist()]
    assert {r["reject_detail"] for r in rows} == {"TypeError: a parser bug with a second line"}
