"""Resume after kill -9, --overwrite, config changes, and --workers equality."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cleaner

WORDS = ("river harbour council budget school library museum station bridge festival market "
         "garden hospital stadium theatre airport factory island valley forest").split()


def make_corpus(root: Path, n: int = 60) -> Path:
    """n small articles, with exact duplicates spread across the corpus."""
    src = root / "corpus"
    src.mkdir()
    for i in range(n):
        k = i if i % 7 else i - 7 if i >= 7 else i  # every 7th repeats one 7 earlier
        words = [WORDS[(k * 3 + j * (k % 5 + 1)) % len(WORDS)] for j in range(80)]
        body = f"Article {k} about the {WORDS[k % len(WORDS)]}. " + " ".join(words) + "."
        (src / f"{i:03d}.txt").write_text(f"Title {k}\n\n{body}\n\nScroll to Top\n")
    return src


def data_files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file() and p.parent.name == "data"}


ARGS = ["--no-model", "--quiet", "--config"]


def write_config(tmp: Path) -> Path:
    cfg = tmp / "clean.toml"
    cfg.write_text("chunk_size = 5\nshard_rows = 4\nmin_words = 20\n")
    return cfg


def run_cli(src: Path, out: Path, cfg: Path, env: dict | None = None, workers: int = 1):
    return subprocess.run(
        [sys.executable, "-m", "cleaner", str(src), "--out", str(out), "--workers",
         str(workers), *ARGS, str(cfg)],
        capture_output=True, text=True, env={**os.environ, **(env or {})},
    )


@pytest.mark.slow
def test_kill_mid_write_then_rerun_gives_identical_output(tmp_path: Path) -> None:
    src, cfg = make_corpus(tmp_path), write_config(tmp_path)
    ref = run_cli(src, tmp_path / "ref", cfg)
    assert ref.returncode == 0, ref.stderr
    expected = data_files(tmp_path / "ref" / "corpus")
    assert len(expected) > 6  # several chunks and shards

    out = tmp_path / "out"
    killed = run_cli(src, out, cfg, env={"CLEANER_FAULT_KILL_AT_WRITE": "9"})
    assert killed.returncode == -signal.SIGKILL
    partial = out / ".corpus.partial"
    assert not (out / "corpus").exists()
    assert list(partial.rglob(".*.tmp"))  # the crash left a half-written file behind
    done = list((partial / "chunks").glob("*.json"))
    assert 0 < len(done) < 12

    again = run_cli(src, out, cfg)
    assert again.returncode == 0, again.stderr
    manifest = json.loads((out / "corpus" / "manifest.json").read_text())
    assert manifest["resumed_chunks"] == len(done)  # finished chunks were not redone
    assert data_files(out / "corpus") == expected
    assert not (out / ".corpus.partial").exists()


@pytest.mark.slow
def test_sigkill_from_outside_at_a_random_point(tmp_path: Path) -> None:
    src, cfg = make_corpus(tmp_path, n=120), write_config(tmp_path)
    assert run_cli(src, tmp_path / "ref", cfg).returncode == 0
    expected = data_files(tmp_path / "ref" / "corpus")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", str(src), "--out", str(out), "--workers", "1",
         *ARGS, str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chunks = out / ".corpus.partial" / "chunks"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if len(list(chunks.glob("*.json"))) >= 3:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run_cli(src, out, cfg).returncode == 0
    assert data_files(out / "corpus") == expected


def test_changed_config_never_reuses_partial_state(tmp_path: Path) -> None:
    src, cfg = make_corpus(tmp_path, n=20), write_config(tmp_path)
    out = tmp_path / "out"
    killed = run_cli(src, out, cfg, env={"CLEANER_FAULT_KILL_AT_WRITE": "4"})
    assert killed.returncode == -signal.SIGKILL
    cfg.write_text("chunk_size = 5\nshard_rows = 4\nmin_words = 30\n")
    assert run_cli(src, out, cfg).returncode == 0
    manifest = json.loads((out / "corpus" / "manifest.json").read_text())
    assert manifest["resumed_chunks"] == 0
    assert {r for r in manifest["stats"]["rejected_by_reason"]} >= {"duplicate"}
    fresh = tmp_path / "fresh"
    assert run_cli(src, fresh, cfg).returncode == 0
    assert data_files(out / "corpus") == data_files(fresh / "corpus")


def test_overwrite_starts_afresh(tmp_path: Path) -> None:
    src = make_corpus(tmp_path, n=12)
    opts = dict(out=tmp_path / "out", model=False, chunk_size=3, min_words=20)
    partial = tmp_path / "out" / ".corpus.partial"
    partial.mkdir(parents=True)
    (partial / "state.json").write_text("{not json")
    res = cleaner.Pipeline(**opts).run([src], overwrite=True)
    assert res.manifest["resumed_chunks"] == 0 and res.stats["kept"] > 0


def test_workers_two_equals_workers_one(tmp_path: Path) -> None:
    src = make_corpus(tmp_path, n=80)
    one = cleaner.clean(src, out=tmp_path / "one", model=False, workers=1, min_words=20,
                        chunk_size=30)
    two = cleaner.clean(src, out=tmp_path / "two", model=False, workers=2, min_words=20,
                        chunk_size=30)
    assert one.stats["rejected_by_reason"].get("duplicate", 0) > 0
    assert data_files(one.path) == data_files(two.path)


def test_dedup_index_on_disk_equals_in_memory(tmp_path: Path) -> None:
    src = make_corpus(tmp_path, n=40)
    opts = dict(model=False, min_words=20, chunk_size=7)
    disk = cleaner.clean(src, out=tmp_path / "disk", dedup_index="disk", **opts)
    memory = cleaner.clean(src, out=tmp_path / "memory", dedup_index="memory", **opts)
    assert disk.stats["rejected_by_reason"].get("duplicate", 0) > 0
    assert data_files(disk.path) == data_files(memory.path)
    assert not list(Path(disk.path).rglob("*.sqlite"))  # the index files are gone


def test_clean_overwrite_from_python(tmp_path: Path) -> None:
    src = make_corpus(tmp_path, n=12)
    partial = tmp_path / "out" / ".corpus.partial"
    partial.mkdir(parents=True)
    (partial / "state.json").write_text('{"identity": "other", "chunks": {}}')
    seen: list[tuple[int, int]] = []
    res = cleaner.clean(src, out=tmp_path / "out", model=False, min_words=20, overwrite=True,
                        progress=lambda done, total: seen.append((done, total)))
    assert res.manifest["resumed_chunks"] == 0 and seen[-1] == (12, 12)


def test_partial_run_in_the_older_layout_is_done_again(tmp_path: Path) -> None:
    """A partial run whose state.json lists its chunks (the layout before chunks/KEY.json)
    with the same identity: nothing is reused from it, and the run completes."""
    src = make_corpus(tmp_path, n=12)
    opts = dict(model=False, min_words=20, chunk_size=5)
    ref = cleaner.clean(src, out=tmp_path / "ref", **opts)
    out = tmp_path / "out"
    pipeline = cleaner.Pipeline(out=str(out), **opts)
    job = cleaner.job.Job(pipeline, [src])
    staging = out / ".corpus.partial"
    identity = {"config_hash": pipeline.config_hash,  # what the job checks on resume
                "inputs": cleaner.job.fingerprint(cleaner.job.discover([str(src)])),
                "format": "parquet", "cleaner_version": cleaner.__version__}
    staging.mkdir(parents=True)
    (staging / "state.json").write_text(json.dumps({"identity": identity, "chunks": {}}))
    res = job.run()
    assert res.manifest["resumed_chunks"] == 0
    assert data_files(res.path) == data_files(ref.path)
