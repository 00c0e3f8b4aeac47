"""Benchmark of the HTML report at scale: build time, file size, and load time in Chromium.

    python bench/bench_report.py [--docs 100000] [--max-docs 5000] [--out DIR] [--keep]

Synthesises an output folder of `--docs` documents (Parquet shards of 10,000 rows with the
real schema, plus stats.json and manifest.json; 20% rejected, some duplicate clusters,
boilerplate lines removed), writes its report with `write_report`, then opens it in headless
Chromium (/usr/bin/chromium, driven by Playwright) and measures the time until the summary
and the first page of the document list are rendered (the page sets `html[data-ready]`
after its first render), and the time to open a document. Target: load under 3 s.
Not part of the test suite: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHARD_ROWS = 10_000

WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from "
         "at which but have an they you were her she there been one all we their has would "
         "when if so no more model data page content article market energy water city people "
         "report study council river school budget election season players weather").split()
BOILERPLATE = [
    ("nav", "Scroll to Top"), ("nav", "Home > News > World"), ("social", "Follow us on X"),
    ("social", "Share on Facebook | Tweet | Email"), ("cookie", "We use cookies. Accept"),
    ("copyright", "© 2025 Example Media. All rights reserved."), ("related", "Trending Now"),
    ("related_teaser", "  • Ten things you missed this week about the city budget vote"),
]
LANGS = ["en"] * 12 + ["es"] * 3 + ["de"] * 2 + ["fr"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _template(rng: random.Random) -> tuple[list[str], dict[int, tuple[str, str]]]:
    """A document's lines (about 4 KB) and which of them are removed, by which reason."""
    body = [" ".join(_sentence(rng, rng.randint(8, 22)) for _ in range(rng.randint(1, 5)))
            for _ in range(rng.randint(5, 30))]
    head = [BOILERPLATE[rng.randrange(2)] for _ in range(rng.randint(0, 2))]
    tail = [rng.choice(BOILERPLATE) for _ in range(rng.randint(0, 5))]
    lines = [t for _, t in head] + body + [t for _, t in tail]
    removed = {i: head[i] for i in range(len(head))}
    removed.update({len(head) + len(body) + j: tail[j] for j in range(len(tail))})
    return lines, removed


def synthesise(out: Path, n_docs: int, seed: int = 0) -> dict:
    """Write an output folder of n_docs rows; return its stats."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaner.stats import Stats, removed_word_count
    from cleaner.writers.schema import SCHEMA

    rng = random.Random(seed)
    templates = [_template(rng) for _ in range(400)]
    stats = Stats()
    buffers: dict[str, list[dict]] = {"train": [], "rejected": []}
    shards: dict[str, int] = {"train": 0, "rejected": 0}
    (out / "data").mkdir(parents=True)

    def flush(split: str) -> None:
        rows = buffers[split]
        table = pa.Table.from_pylist(rows, schema=SCHEMA)
        stats.add_table(table, [removed_word_count(r) for r in rows])
        pq.write_table(table, out / "data" / f"{split}-{shards[split]:05d}.parquet",
                       compression="zstd", row_group_size=SHARD_ROWS)
        shards[split] += 1
        buffers[split] = []

    last_kept = None
    for i in range(n_docs):
        lines, removed_at = templates[i % len(templates)]
        kept_lines = [t for j, t in enumerate(lines) if j not in removed_at]
        text = "\n\n".join(kept_lines)
        roll = rng.random()
        status, reason, dup = "kept", None, None
        if roll < 0.08:
            status, reason = "rejected", "too_short"
        elif roll < 0.14 and last_kept:
            status, reason, dup = "rejected", "duplicate", last_kept
        elif roll < 0.20:
            status, reason = "rejected", "language"
        folder = f"crawl-{i % 7}/" if i % 5 else ""
        row = {
            "id": f"{i:020x}", "text": text, "status": status, "reject_reason": reason,
            "reject_detail": reason and f"synthetic {reason}", "duplicate_of": dup,
            "source_path": f"{folder}page-{i:07d}.html", "record_index": 0,
            "source_sha256": f"{i:064x}", "source_bytes": 3 * len(text), "format": "html",
            "encoding": "utf-8", "notes": [], "title": f"Page {i}", "url": None, "date": None,
            "language": rng.choice(LANGS), "language_prob": 0.99,
            "n_words": len(text.split()), "n_lines_in": len(lines),
            "n_lines_kept": len(kept_lines),
            "removed": [
                {"line": j + 1, "start": 0, "end": 0, "text": lines[j], "reason": r,
                 "score": 1.0, "by": "rule", "detail": f"{r} rule", "model_score": None}
                for j, (r, _) in sorted(removed_at.items())
            ],
            "metadata": None, "cleaner_version": "0.1.0", "config_hash": "bench",
        }
        if status == "kept" and i % 50 == 0:
            last_kept = row["id"]
        split = "train" if status == "kept" else "rejected"
        buffers[split].append(row)
        if len(buffers[split]) >= SHARD_ROWS:
            flush(split)
    for split in ("train", "rejected"):
        if buffers[split] or not shards[split]:
            flush(split)
    stats.seconds = n_docs / 400
    s = stats.as_dict()
    (out / "stats.json").write_text(json.dumps(s, indent=2), "utf-8")
    (out / "manifest.json").write_text(json.dumps({
        "cleaner_version": "0.1.0", "config_hash": "bench", "format": "parquet",
        "inputs": ["synthetic"], "config": {"model": False, "min_words": 50, "workers": 1},
        "stats": s,
    }, indent=2), "utf-8")
    return s


def measure(report: Path, runs: int) -> list[tuple[float, float, float]]:
    """(wall seconds to ready, in-page ms to ready, ms to open a document) per run."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            t0 = time.perf_counter()
            page.goto(report.resolve().as_uri(), wait_until="commit", timeout=120_000)
            page.wait_for_selector("html[data-ready]", timeout=120_000)
            wall = time.perf_counter() - t0
            in_page = page.evaluate("window.reportReadyAt")
            t1 = time.perf_counter()
            page.locator("#list tbody tr").first.click()
            page.wait_for_selector("#viewer:not([hidden]) #v-lines li")
            open_ms = 1000 * (time.perf_counter() - t1)
            assert not errors, errors
            out.append((wall, in_page, open_ms))
            page.close()
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--max-docs", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3, help="page loads to time")
    ap.add_argument("--out", type=Path, help="folder for the synthetic output (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep the synthetic output")
    args = ap.parse_args()

    from cleaner.report import write_report

    root = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    out = root / "bench"
    if out.exists():
        shutil.rmtree(out)
    try:
        t = time.perf_counter()
        synthesise(out, args.docs)
        print(f"synthesised {args.docs:,} documents in {time.perf_counter() - t:.1f} s "
              f"({sum(f.stat().st_size for f in (out / 'data').iterdir()) / 1e6:.1f} MB "
              "of Parquet)")
        t = time.perf_counter()
        report = write_report(out, max_docs=args.max_docs)
        print(f"write_report: {time.perf_counter() - t:.2f} s, report.html "
              f"{report.stat().st_size / 1e6:.1f} MB ({args.max_docs:,} documents embedded)")
        results = measure(report, args.runs)
        for i, (wall, in_page, open_ms) in enumerate(results, 1):
            print(f"load {i}: {wall:.2f} s until the summary and the first page of the list "
                  f"are rendered (in page: {in_page:.0f} ms after navigation start); "
                  f"opening a document: {open_ms:.0f} ms")
        best = min(r[0] for r in results)
        print(f"best load: {best:.2f} s (target < 3 s): {'OK' if best < 3 else 'TOO SLOW'}")
    finally:
        if not args.keep and not args.out:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
