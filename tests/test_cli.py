"""The command line: user mistakes give one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.cli import main
from tests.conftest import SEEDS


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_missing_path(capsys, tmp_path: Path) -> None:
    code, _, err = run_main([str(tmp_path / "nope"), "--out", str(tmp_path)], capsys)
    assert code != 0
    assert err.strip().splitlines() == [f"clean: error: input not found: {tmp_path / 'nope'}"]


def test_unknown_format(capsys, tmp_path: Path) -> None:
    f = tmp_path / "data.csv"
    f.write_text("a,b\n")
    code, _, err = run_main([str(f), "--out", str(tmp_path)], capsys)
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("clean: error: unknown input format")


def test_empty_folder(capsys, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run_main([str(tmp_path / "empty"), "--out", str(tmp_path)], capsys)
    assert code != 0
    assert err.strip() == f"clean: error: no files found in {tmp_path / 'empty'}"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--to", "csv"], "--to must be one of parquet, hf, jsonl"),
        (["--min-words", "many"], "Invalid value for '--min-words'"),
        (["--min-words", "-3"], "--min-words must be 0 or more"),
        (["--workers", "-1"], "--workers must be 0"),
        (["--name", "../escape"], "--name must be a plain folder name"),
        (["--bogus"], "No such option: --bogus"),
    ],
)
def test_bad_option_values(capsys, tmp_path: Path, args: list[str], needle: str) -> None:
    code, _, err = run_main([str(SEEDS), "--out", str(tmp_path), *args], capsys)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("clean: error:") and needle in lines[0]
    assert "Traceback" not in err


def test_config_file_unknown_key(capsys, tmp_path: Path) -> None:
    cfg = tmp_path / "clean.toml"
    cfg.write_text('to = "jsonl"\nmin_wrods = 3\n')
    code, _, err = run_main([str(SEEDS), "--out", str(tmp_path), "--config", str(cfg)], capsys)
    assert code != 0
    assert "unknown key 'min_wrods'" in err and len(err.strip().splitlines()) == 1


def test_config_file_sets_options_and_flags_win(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "clean.toml"
    cfg.write_text('to = "jsonl"\nmin_words = 100000\nmodel = false\n')
    code, _, _ = run_main([str(SEEDS), "--out", str(tmp_path), "--config", str(cfg),
                           "--min-words", "5", "--quiet"], capsys)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "seeds" / "data").iterdir()) == [
        "rejected-00000-000.jsonl", "train-00000-000.jsonl"]
    kept = (tmp_path / "seeds" / "data" / "train-00000-000.jsonl").read_text().count("\n")
    assert kept == 5  # --min-words 5 overrode the file's 100000


def test_help_teaches_by_example(capsys) -> None:
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0
    assert "Examples:" in out and "clean seeds/ --to parquet" in out
    code, out, _ = run_main(["run", "--help"], capsys)
    assert "--min-words" in out and "--lang" in out


def test_console_script_and_module_entry(tmp_path: Path) -> None:
    for cmd in (["clean"], [sys.executable, "-m", "cleaner"]):
        r = subprocess.run([*cmd, str(tmp_path / "missing")], capture_output=True, text=True)
        assert r.returncode == 2
        assert r.stderr.strip() == f"clean: error: input not found: {tmp_path / 'missing'}"


def test_run_prints_a_summary(tmp_path: Path) -> None:
    r = subprocess.run(["clean", str(SEEDS), "--out", str(tmp_path), "--no-model"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "5 in, 5 kept, 0 rejected" in r.stderr
    assert "related_teaser" in r.stderr and "10" in r.stderr


def test_config_show_round_trips_and_thresholds_apply(tmp_path: Path, capsys) -> None:
    code, shown, _ = run_main(["config", "--show"], capsys)
    assert code == 0
    assert "min_words = 50" in shown and "[thresholds]" in shown
    assert "max_heading_words = 8" in shown
    cfg = tmp_path / "clean.toml"
    cfg.write_text(shown.replace("max_heading_words = 8", "max_heading_words = 3")
                   .replace('to = "parquet"', 'to = "jsonl"'))
    code, _, err = run_main([str(SEEDS), "--out", str(tmp_path), "--config", str(cfg),
                             "--no-model", "--quiet"], capsys)
    assert code == 0, err
    import json

    rows = [json.loads(x) for x in
            (tmp_path / "seeds" / "data" / "train-00000-000.jsonl").read_text().splitlines()]
    t2 = next(r for r in rows if r["source_path"].startswith("002"))
    # "Trending News on PVDN" has 4 words: over the lowered heading threshold, it stays
    assert "Trending News on PVDN" in t2["text"]
    code, shown2, _ = run_main(["config", "--show", "--config", str(cfg)], capsys)
    assert "max_heading_words = 3" in shown2 and 'to = "jsonl"' in shown2


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[thresholds]\nmax_headng_words = 3\n", "unknown key 'thresholds.max_headng_words'"),
        ("min_words = 'many'\n", "min_words in"),
        ("model = 3\n", "model in"),
        ("to = [\n", "is not valid TOML"),
    ],
)
def test_bad_config_files(tmp_path: Path, capsys, toml: str, needle: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    code, _, err = run_main([str(SEEDS), "--out", str(tmp_path), "--config", str(cfg)], capsys)
    assert code != 0 and needle in err and len(err.strip().splitlines()) == 1
