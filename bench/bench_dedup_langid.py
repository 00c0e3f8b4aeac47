"""Benchmark of near-duplicate detection (MinHash + LSH) and of the two language-ID backends.

    python bench/bench_dedup_langid.py [--data DIR] [--docs N] [--repeat R] [--lang-docs N]

One process, one core. Documents: the WCXB dev texts (`*.txt`, CC-BY-4.0) cut to ~3 KB at a
word boundary when the folder is found (--data, CLEANER_WCXB_DIR or
<repo>/../shared/data/wcxb-dev), otherwise synthetic ~3 KB documents.

Measures:
- MinHash: docs/s of `MinHashDedup.signature` (the parallel per-document stage) and of its
  parts (tokens, shingles); the permutation step alone against rensa's when rensa is installed.
- LSH: docs/s of `MinHashDedup.apply` (the sequential stage) on a stream in which ~20% of the
  documents are edited copies of earlier ones, with the share of those copies caught.
- State: bytes a kept document (tracemalloc: the growth over the second 10,000 of 20,000
  kept documents).
- Language ID: ms/doc of langdetect and fastText lid.176 on the short and long texts of
  tests/test_langid.py and on what LanguageFilter gives them (<= 1,500-character samples of
  real documents), and how often the two agree on those.
Timings are the best of --repeat runs (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from cleaner.dedup.minhash import MinHashDedup  # noqa: E402
from cleaner.document import KEPT, Document  # noqa: E402
from cleaner.filters.language import LangdetectBackend, sample  # noqa: E402
from cleaner.text import split_lines  # noqa: E402

DOC_CHARS = 3000


def data_dir(arg: str | None) -> Path | None:
    default = REPO.parent / "shared" / "data" / "wcxb-dev"
    p = Path(arg or os.environ.get("CLEANER_WCXB_DIR", default))
    return p if p.is_dir() and any(p.glob("*.txt")) else None


def load_docs(folder: Path | None, n: int) -> tuple[list[str], str]:
    docs: list[str] = []
    if folder is not None:
        for f in sorted(folder.glob("*.txt")):
            text = f.read_text(encoding="utf-8", errors="replace")
            if len(text) >= DOC_CHARS:
                docs.append(text[:DOC_CHARS].rsplit(" ", 1)[0])
            if len(docs) >= n:
                break
        if docs:
            return docs, f"{len(docs)} WCXB dev texts from {folder}, cut to ~3 KB"
    rng = random.Random(0)
    stems = "lorem ipsum data model water city report".split() * 400
    vocab = [f"{w}{i}" for i, w in enumerate(stems)]
    while len(docs) < n:
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < DOC_CHARS:
            words.append(rng.choice(vocab))
        docs.append(" ".join(words))
    return docs, f"{len(docs)} synthetic ~3 KB documents"


def best_of(repeat: int, fn, items) -> float:
    """Best wall time (s) of `repeat` passes of fn over items."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for x in items:
            fn(x)
        best = min(best, time.perf_counter() - t)
    return best


def edited_copy(text: str, rng: random.Random) -> str:
    """An edited copy: a span of 5-150 words replaced by other words, a line of boilerplate
    added, whitespace (and sometimes case) changed. Large edits make copies that are no longer
    near-duplicates (true Jaccard < 0.75): those must not be caught."""
    words = text.split()
    k = rng.choice([5, 10, 20, 30, 45, 60, 80, 100, 150])
    i = rng.randrange(max(1, len(words) - k))
    words[i : i + k] = [f"edited{rng.randrange(10**6)}" for _ in range(k * 2 // 3)]
    out = "  ".join(words) if rng.random() < 0.5 else " ".join(words)
    return "Share this article\n" + (out.upper() if rng.random() < 0.3 else out)


def bench_minhash(docs: list[str], repeat: int) -> None:
    d = MinHashDedup()
    nbytes = statistics.mean(len(x.encode("utf-8")) for x in docs)
    print(f"\n## MinHash signature ({d!r})")
    print(f"documents: mean {nbytes:,.0f} bytes")
    for name, fn in (("tokens (token_hashes)", d.token_hashes),
                     ("shingles (shingle_hashes)", d.shingle_hashes),
                     ("signature (all)", d.signature)):
        t = best_of(repeat, fn, docs)
        print(f"  {name:28s} {len(docs) / t:9,.0f} docs/s  {1e6 * t / len(docs):7.1f} us/doc")

    shingles = [d.shingle_hashes(x) for x in docs]

    def numpy_perm(x: np.ndarray) -> np.ndarray:
        v = d._a * x[None, :]
        v += d._b
        return v.min(axis=1)

    t = best_of(repeat, numpy_perm, shingles)
    print(f"  {'permutations alone, numpy':28s} {len(docs) / t:9,.0f} docs/s  "
          f"{1e6 * t / len(docs):7.1f} us/doc")
    try:
        import rensa
    except ImportError:
        print("  (rensa not installed: no comparison)")
    else:
        def rensa_perm(x: np.ndarray):
            off = np.array([0, len(x)], dtype=np.uint64)
            return rensa.RMinHash.digest_matrix_from_flat_token_hashes(x, off, d.num_perm, 1
                                                                       ).to_rows()

        t = best_of(repeat, rensa_perm, shingles)
        print(f"  {'permutations alone, rensa':28s} {len(docs) / t:9,.0f} docs/s  "
              f"{1e6 * t / len(docs):7.1f} us/doc   (not used: see the report)")


BUCKETS = [(0.0, 0.6), (0.6, 0.7), (0.7, 0.75), (0.75, 0.8), (0.8, 0.9), (0.9, 1.01)]
CONFIGS = [(14, 8), (16, 7), (18, 6)]  # bands x rows for threshold 0.75 (default: 14 x 8)


def bench_lsh(docs: list[str], repeat: int) -> None:
    rng = random.Random(1)
    stream: list[tuple[str, str, str | None]] = []  # (id, text, id of the original if a copy)
    for i, text in enumerate(docs):
        stream.append((f"d{i}", text, None))
        if i > 10 and rng.random() < 0.3:
            j = rng.randrange(i)
            stream.append((f"c{i}", edited_copy(docs[j], rng), f"d{j}"))
    signer = MinHashDedup()
    prepared = []
    texts = {}
    for doc_id, text, orig in stream:
        doc = Document(id=doc_id, source_path=doc_id, source_sha256="", source_bytes=0,
                       format="text", raw_text=text)
        doc.lines = split_lines(text)
        texts[doc_id] = doc.text
        doc.signature = signer.signature(doc.text)
        prepared.append((doc, orig))

    def true_j(a: str, b: str) -> float:
        sa = set(signer.shingle_hashes(texts[a]).tolist())
        sb = set(signer.shingle_hashes(texts[b]).tolist())
        return len(sa & sb) / len(sa | sb)

    truth = {doc.id: true_j(doc.id, orig) for doc, orig in prepared if orig is not None}
    n_copies = len(truth)
    print(f"\n## LSH apply (sequential stage): {len(prepared)} documents, of which {n_copies} "
          "edited copies of earlier ones; threshold 0.75")
    head = " ".join(f"J {lo:.2f}-{min(hi, 1):.2f}" for lo, hi in BUCKETS)
    print(f"  {'bands x rows':12s} {'docs/s':>8s} {'us/doc':>7s}  caught by true Jaccard of the "
          f"copy:  {head}   other rejections")
    for bands, rows in CONFIGS:
        best = float("inf")
        result: list[tuple[Document, str | None]] = []
        for _ in range(repeat):
            result = []
            for doc, orig in prepared:
                c = Document(id=doc.id, source_path=doc.source_path, source_sha256="",
                             source_bytes=0, format="text")
                c.signature = doc.signature
                result.append((c, orig))
            d = MinHashDedup(bands=bands, rows=rows)
            t = time.perf_counter()
            for c, _ in result:
                d.apply(c)
            best = min(best, time.perf_counter() - t)
        cells = []
        for lo, hi in BUCKETS:
            group = [(c, o) for c, o in result if o is not None and lo <= truth[c.id] < hi]
            caught = sum(c.status != KEPT for c, _ in group)
            cells.append(f"{caught:>4d}/{len(group):<4d}")
        other = sum(c.status != KEPT for c, o in result if o is None)
        print(f"  {bands:>4d} x {rows:<5d} {len(result) / best:8,.0f} "
              f"{1e6 * best / len(result):7.1f}  {'':32s}" + " ".join(f"{x:>11s}" for x in cells)
              + f"   {other}")


def bench_state(n: int = 20_000, bands: int = 14, rows: int = 8) -> None:
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(n, 112), dtype=np.uint64).astype(np.uint32)
    ids = [f"{i:020x}" for i in range(n)]  # ids like make_id's: 20 hex characters
    d = MinHashDedup(bands=bands, rows=rows)
    half = n // 2
    tracemalloc.start()
    for k in range(n):
        if k == half:
            mid = tracemalloc.get_traced_memory()[0]
        doc = Document(id=ids[k], source_path="", source_sha256="", source_bytes=0,
                       format="text")
        doc.signature = sigs[k]
        d.apply(doc)
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per_doc = (end - mid) / (n - half)
    id_bytes = sys.getsizeof(ids[0])
    print(f"  {bands:>4d} x {rows:<5d} {per_doc:6,.0f} bytes a kept document + {id_bytes} for its "
          f"id string = {per_doc + id_bytes:6,.0f} bytes "
          f"({(per_doc + id_bytes) * 1e6 / 2**30:.2f} GiB per million kept documents)")


def bench_langid(docs: list[str], repeat: int, n_real: int) -> None:
    from cleaner.filters.langid_fasttext import FastTextBackend, load_model
    from tests.test_langid import ALIASES, TEXTS

    ld = LangdetectBackend()
    ft = FastTextBackend()
    t = time.perf_counter()
    load_model(ft.model_path)
    load = time.perf_counter() - t
    print(f"\n## Language ID (fastText model {ft.model_path.name}, "
          f"{ft.model_path.stat().st_size / 1024:.0f} KB, loaded in {1e3 * load:.0f} ms)")
    real = [sample(x) for x in docs[:n_real]]
    sets = {
        "short (test set, 28)": [s for s, _ in TEXTS.values()],
        "long (test set, 28)": [long_ for _, long_ in TEXTS.values()],
        f"real samples ({len(real)}, <=1500 chars)": real,
    }
    for label, texts in sets.items():
        chars = statistics.mean(len(x) for x in texts)
        row = [f"  {label:34s} mean {chars:5.0f} chars:"]
        times = {}
        for name, backend in (("langdetect", ld), ("fastText", ft)):
            r = repeat if len(texts) < 100 else 1
            times[name] = 1e3 * best_of(r, backend.detect, texts) / len(texts)
            row.append(f"{name} {times[name]:7.3f} ms/doc")
        row.append(f"(x{times['langdetect'] / times['fastText']:.0f})")
        print(" ".join(row))
    agree = 0
    disagreements = []
    for text in real:
        a = ALIASES.get(ld.detect(text)[0], ld.detect(text)[0])
        b = ft.detect(text)[0]
        agree += a == b
        if a != b:
            disagreements.append((a, b, " ".join(text.split())[:70]))
    print(f"  agreement on real samples: {agree}/{len(real)}")
    for a, b, text in disagreements[:10]:
        print(f"    langdetect {a:6s} fastText {b:6s} {text!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None, help="folder of *.txt documents")
    ap.add_argument("--docs", type=int, default=2000, help="documents for MinHash / LSH")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lang-docs", type=int, default=300,
                    help="real documents for the language-ID timing and agreement")
    args = ap.parse_args()
    docs, src = load_docs(data_dir(args.data), args.docs)
    print(f"documents: {src}; python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"one process")
    bench_minhash(docs, args.repeat)
    bench_lsh(docs, args.repeat)
    print("\n## State of MinHashDedup, 112 permutations (tracemalloc, marginal over 10,000 "
          "kept documents; signature 448 bytes + band dicts + index)")
    for bands, rows in CONFIGS:
        bench_state(bands=bands, rows=rows)
    bench_langid(docs, args.repeat, args.lang_docs)


if __name__ == "__main__":
    main()
