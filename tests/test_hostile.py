"""The hostile corpus through `clean` in one run: every input accounted for, no traceback,
the inputs untouched, peak memory under 1 GB. Run with `pytest -m hostile`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import cleaner
from tests.conftest import model_available
from tests.hostile import EXPECTED, build

pytestmark = pytest.mark.hostile

RUNNER = """
import resource, sys
from cleaner.cli import main
try:
    main(sys.argv[2:])
finally:
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    open(sys.argv[1], "w").write(str(peak))
"""


def snapshot(d: Path) -> dict[str, str]:
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_file() and not p.is_symlink() and os.access(p, os.R_OK) and p.stat().st_size < 1e6:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def read_all(path: Path) -> list[dict]:
    return [r for f in sorted((path / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def key(row: dict) -> str:
    return f"{row['source_path']}#{row['record_index']}" if row["format"].startswith("jsonl") \
        else row["source_path"]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    corpus = build(root)
    before = snapshot(corpus)
    out, peak_file = root / "out", root / "peak"
    cmd = [sys.executable, "-c", RUNNER, str(peak_file), str(corpus), "--out", str(out),
           "--min-words", "30", "--no-dedup",  # its articles are alike on purpose
           *([] if model_available() else ["--no-model"])]
    if os.geteuid() == 0:  # root reads any file: drop that power so chmod 000 means something
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        cmd = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    return corpus, before, out / "hostile", proc, int(peak_file.read_text())


def test_every_hostile_input_lands_where_expected(hostile_run) -> None:
    _, _, out, proc, _ = hostile_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = read_all(out)
    manifest = json.loads((out / "manifest.json").read_text())
    seen: dict[str, tuple[str, str | None]] = {}
    for r in rows:
        k = key(r)
        assert k not in seen, f"{k} appears twice"
        seen[k] = (r["status"], r["reject_reason"])
        if seen[k] != EXPECTED.get(k):
            print(k, r["reject_detail"], r["encoding"], r["notes"], r["text"][:100], r["removed"])
        if r["status"] == "rejected":
            assert r["reject_detail"] and "\n" not in r["reject_detail"]
    for u in manifest["unreadable"]:
        assert u["path"] not in seen, f"{u['path']} appears twice"
        seen[u["path"]] = ("unreadable", u["reason"])
        assert u["error"] and "\n" not in u["error"]
    assert seen == EXPECTED


def test_what_the_rows_record(hostile_run) -> None:
    _, _, out, _, _ = hostile_run
    rows = {key(r): r for r in read_all(out)}
    assert "NUL characters dropped" in rows["nul-bytes.txt"]["notes"]
    assert "\0" not in rows["nul-bytes.txt"]["text"]
    assert rows["cp1252.txt"]["encoding"] == "cp1252" and "\u201charbour authority\u201d" in rows["cp1252.txt"]["text"]
    assert rows["shift-jis.txt"]["encoding"] in ("cp932", "shift_jis")
    assert "港湾局" in rows["shift-jis.txt"]["text"]
    mojibake = rows["mojibake.txt"]
    assert "Café, naïve, “quoted”" in mojibake["text"]
    assert any("mojibake repaired" in n for n in mojibake["notes"])
    assert rows["bom-utf8.txt"]["encoding"] == "utf-8-sig"
    assert not rows["bom-utf8.txt"]["text"].startswith("\ufeff")
    assert rows["utf16.txt"]["encoding"] == "utf-16" and "harbour" in rows["utf16.txt"]["text"]
    long_line = rows["one-50mb-line.txt"]["removed"][0]
    assert long_line["reason"] == "long_line" and long_line["end"] == 50 * 1024 * 1024
    assert len(long_line["text"]) < 20_000  # clipped in the row; the span is exact
    assert "root:" not in rows["xxe.html"]["text"]  # no external entity was resolved
    assert rows["bad-\\xff-name.txt"]["source_path"] == "bad-\\xff-name.txt"


def test_inputs_are_never_modified(hostile_run) -> None:
    corpus, before, _, _, _ = hostile_run
    assert snapshot(corpus) == before


def test_peak_memory_under_1_gb(hostile_run) -> None:
    *_, peak_kb = hostile_run
    assert peak_kb < 1024 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"


def test_file_deleted_while_the_run_is_in_progress(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"{i}.txt").write_text(f"Paragraph {i} " + "word " * 60)

    def delete_last(done: int, total: int) -> None:
        if done == 1:
            (src / "3.txt").unlink()

    res = cleaner.Pipeline(model=False, chunk_size=1, min_words=10).run([src], progress=delete_last)
    assert res.manifest["unreadable"] == [
        {"path": "3.txt", "reason": "vanished", "error": "file disappeared before it could be read"}]
    assert res.stats["kept"] == 3
