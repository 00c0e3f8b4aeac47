"""Where the text path's time goes: each stage of the per-document work, timed in one process.

Run by hand (not in CI), on a quiet machine, after bench_pipeline.py has built its corpus:

    python bench/bench_stages.py [--docs 2000] [--work /tmp/cleaner-bench]

The documents are the first --docs files of bench_pipeline.py's text corpus (WCXB dev
pages, CC-BY-4.0, rendered to whole-page text by inscriptis, repeated and perturbed).
Every stage runs as the pipeline runs it (same steps, same order, default settings); the
first pass counts source lines first, as `Pipeline.prepare` does. Models, kernels and the
language-ID fallback are loaded before the clock starts (a long run pays those once), and
reading the files, dedup's sequential stage and writing Parquet are not included: compare
with bench_pipeline.py's end-to-end figure for those.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from cleaner import accel
from cleaner.dedup.exact import ExactDedup
from cleaner.document import KEPT, Document
from cleaner.filters.language import LangdetectBackend
from cleaner.filters.source_repeats import SourceLineCounter, source_key, text_line_hashes
from cleaner.pipeline import Pipeline
from cleaner.text import split_lines
from cleaner.writers.schema import to_row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cleaner-bench"))
    args = ap.parse_args()
    folders = sorted(args.work.glob("text-*"), key=lambda p: -len(list(p.iterdir()))
                     if p.is_dir() else 0)
    files = sorted(f for d in folders if d.is_dir() for f in d.rglob("*.txt"))[: args.docs]
    if not files:
        raise SystemExit(f"no text corpus under {args.work}: run bench/bench_pipeline.py first")
    texts = [f.read_text(encoding="utf-8") for f in files]
    paths = [str(f.relative_to(args.work)) for f in files]

    def documents():  # made one at a time and dropped after their row, as a run does:
        # thousands of documents kept with their lines make the garbage collector's passes
        # (which walk every live object) part of every stage's time
        for i, (path, t) in enumerate(zip(paths, texts, strict=True)):
            yield Document(id=str(i), source_path=path, source_sha256="", source_bytes=0,
                           format="text", raw_text=t)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    p = Pipeline()
    accel.warm_up()
    p.clean_text(texts[0])  # loads the line model and fastText
    backend = p.language.backend
    if getattr(backend, "fast", None) is not None:  # the hybrid: load its fallback too
        backend.slow = backend.slow or LangdetectBackend()
        backend.slow.detect("ceci est une phrase courte")  # (fastText was sure of this one,
    backend.detect("ceci est une phrase courte")  # so langdetect loaded in the timed loop)
    times: collections.Counter[str] = collections.Counter()
    clock = time.perf_counter

    t0 = clock()
    counter = SourceLineCounter(p.config.source_repeat_min_docs, p.config.source_repeat_max_words)
    for d in documents():
        counter.add_hashes(*text_line_hashes(source_key(d), d.raw_text,
                                             p.config.source_repeat_max_words))
    p.source_repeats.repeated = counter.repeated()
    times["first pass (source-line counts)"] = clock() - t0
    for d in documents():
        s = clock()
        d.lines = split_lines(d.raw_text)
        times["line splitting"] += clock() - s
        for f in p.line_filters:
            s = clock()
            f.apply(d)
            times[type(f).__name__] += clock() - s
        s = clock()
        d.freeze_text()
        times["kept text"] += clock() - s
        for f in p.doc_filters:
            s = clock()
            f.apply(d)
            times[type(f).__name__] += clock() - s
        if d.status == KEPT:
            s = clock()
            d.exact_key = ExactDedup.key_of(d)
            d.signature = p.near_dedup.signature(d.text)
            times["dedup keys and MinHash signature"] += clock() - s
        s = clock()
        to_row(d, "bench", "bench")
        times["output row"] += clock() - s
    total = sum(times.values())
    print(f"{len(texts)} documents, {mb:.1f} MB: {total:.2f} s in these stages, "
          f"{mb / total:.2f} MB/s ({'numba' if accel.HAVE_NUMBA else 'numpy'} kernels)\n")
    for name, secs in times.most_common():
        print(f"{name:36s} {secs:7.2f} s {100 * secs / total:5.1f}% "
              f"{1000 * secs / len(texts):6.2f} ms/doc")


if __name__ == "__main__":
    main()
