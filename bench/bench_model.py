# ruff: noqa: E501
"""Benchmark of the shipped line models: load time, file size, ms per 10 KB document (one core).

    python bench/bench_model.py [--data DIR] [--docs N] [--model PATH] [--against PATH]
    python bench/bench_model.py --html [--data DIR] [--docs N] [--model PATH]

With --html: the HTML line model on the WCXB pages themselves; timing covers laying the page
out (`render_dom`, lxml's parse included) and `HtmlLineModel.score_page`, beside
`trafilatura.extract` on the same pages; ms per 10 KB are per 10 KB of the laid-out text.

Documents: whole-page texts rendered by inscriptis from the WCXB dev pages (CC-BY-4.0) when the
folder is found (CLEANER_WCXB_DIR or <repo>/../shared/data/wcxb-dev), otherwise synthetic pages.
Timing covers splitting the text into lines + LineModel.score (+ threshold), i.e. the work the
model adds to cleaning; it is normalised to 10 KB of text (UTF-8 bytes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def synthetic_docs(n: int) -> list[str]:
    import random

    rng = random.Random(0)
    words = (
        "the of and to in a is that for it as was with be by on not he this are or his from at which "
        "but have an they you were her she there been one all we their has would when if so no more "
        "model data page content article market energy water city people report study"
    ).split()
    nav = [
        "Home",
        "About us",
        "Contact",
        "Login",
        "Sign up",
        "Share on Facebook",
        "Tweet",
        "Privacy Policy",
        "© 2024 Example Inc. All rights reserved.",
        "Read more",
        "Next »",
        "Menu",
        "Search",
    ]
    docs = []
    for _ in range(n):
        parts = [rng.choice(nav) for _ in range(rng.randint(20, 40))]
        for _ in range(rng.randint(8, 20)):
            parts.append(
                " ".join(rng.choice(words) for _ in range(rng.randint(20, 80))).capitalize() + "."
            )
            parts.append("")
        parts += [rng.choice(nav) for _ in range(rng.randint(20, 40))]
        docs.append("\n".join(parts))
    return docs


def cold_loads(code: str, n: int) -> tuple[list[float], bool]:
    """Seconds to import and load the model in each of ``n`` fresh interpreters, and whether
    scipy was imported (numba imports it, when it is installed, to find BLAS)."""
    secs, scipy_loaded = [], False
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
        secs.append(float(out[0]))
        scipy_loaded = scipy_loaded or out[1] == "True"
    return secs, scipy_loaded


def load_line(secs: list[float], scipy_loaded: bool) -> str:
    ms = sorted(round(1000 * s) for s in secs)
    note = ("; scipy was imported too (installed with the train extra: numba imports it to "
            "find BLAS)" if scipy_loaded else "; scipy not imported")
    return f"median {statistics.median(ms):.0f} ms of {len(ms)} runs ({ms[0]}-{ms[-1]}){note}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--model", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--loads", type=int, default=5, help="fresh processes timed for the load")
    ap.add_argument("--html", action="store_true", help="the HTML line model")
    ap.add_argument("--against", default=None,
                    help="a second text model file, scored in turns with the first (ten "
                    "documents each), so both see the same machine")
    args = ap.parse_args()
    if args.html:
        return bench_html(args)

    from cleaner.model.linemodel import DEFAULT_MODEL

    path = Path(args.model) if args.model else DEFAULT_MODEL
    size = path.stat().st_size
    # cold load in fresh interpreters (imports of the package, numpy and numba included)
    code = (
        f"import time; t=time.perf_counter(); import sys; sys.path.insert(0, {str(REPO)!r}); "
        f"from cleaner.model import LineModel; m=LineModel.load({str(path)!r}); "
        "print(time.perf_counter()-t, 'scipy' in sys.modules)"
    )
    cold, scipy_loaded = cold_loads(code, args.loads)

    from cleaner.model import LineModel
    from cleaner.model.data import default_data_dir, load_pages, render_inscriptis, text_to_lines

    t = time.perf_counter()
    model = LineModel._load(path)
    warm = time.perf_counter() - t

    data = Path(args.data) if args.data else default_data_dir()
    if data and data.is_dir():
        pages = load_pages(data, "all")[: args.docs]
        docs = [render_inscriptis(p.read_html()) for p in pages]
        src = f"{len(docs)} inscriptis renders of WCXB dev pages (CC-BY-4.0)"
    else:
        docs = synthetic_docs(args.docs)
        src = f"{len(docs)} synthetic pages"
    total_bytes = sum(len(d.encode("utf-8")) for d in docs)
    models = [model] + ([LineModel._load(Path(args.against))] if args.against else [])
    for m in models:
        for d in docs[:5]:
            m.score(*text_to_lines(d, indent=m.indent))  # warm-up
    bests = [float("inf")] * len(models)
    for _ in range(args.repeat):
        secs = [0.0] * len(models)
        for i in range(0, len(docs), 10):  # the models take turns, ten documents at a time
            for j, m in enumerate(models):
                t = time.perf_counter()
                for d in docs[i : i + 10]:
                    lines, bb = text_to_lines(d, indent=m.indent)
                    _ = m.score(lines, bb) >= m.threshold
                secs[j] += time.perf_counter() - t
        bests = [min(b_, s_) for b_, s_ in zip(bests, secs, strict=True)]
    best = bests[0]
    ms_per_10kb = 1000 * best / (total_bytes / 10240)
    print(f"model file          : {path} ({size / 1e6:.2f} MB, version {model.version})")
    print(f"load (fresh process, incl. imports): {load_line(cold, scipy_loaded)}")
    print(f"load (warm, LineModel._load)      : {warm * 1000:.0f} ms")
    print(f"documents           : {src}, {total_bytes / 1e6:.2f} MB of text")
    print(
        f"scoring             : {1000 * best / len(docs):.2f} ms/doc, {ms_per_10kb:.2f} ms per 10 KB (best of {args.repeat}, one core)"
    )
    if args.against:
        other = 1000 * bests[1] / (total_bytes / 10240)
        print(f"against             : {args.against} (version {models[1].version}): "
              f"{other:.2f} ms per 10 KB in the same turns; ratio {ms_per_10kb / other:.2f}")
    ok = size <= 20e6 and statistics.median(cold) < 1.0 and ms_per_10kb <= 2.0
    print(f"targets (<=20 MB, load <1 s, <=2 ms/10KB): {'met' if ok else 'NOT met'}")


def bench_html(args) -> None:
    import trafilatura

    from cleaner.extractors.dom import render_dom
    from cleaner.model import HtmlLineModel
    from cleaner.model.data import default_data_dir, load_pages
    from cleaner.model.htmlmodel import DEFAULT_HTML_MODEL

    path = Path(args.model) if args.model else DEFAULT_HTML_MODEL
    code = (
        f"import time; t=time.perf_counter(); import sys; sys.path.insert(0, {str(REPO)!r}); "
        f"from cleaner.model import HtmlLineModel; m=HtmlLineModel.load({str(path)!r}); "
        "print(time.perf_counter()-t, 'scipy' in sys.modules)"
    )
    cold, scipy_loaded = cold_loads(code, args.loads)
    model = HtmlLineModel._load(path)
    data = Path(args.data) if args.data else default_data_dir()
    if not (data and data.is_dir()):
        sys.exit("--html needs the WCXB dev pages (CLEANER_WCXB_DIR)")
    htmls = [p.read_html() for p in load_pages(data, "all")[: args.docs]]
    for h in htmls[:5]:
        model.score_page(render_dom(h))  # warm-up
    text_bytes = sum(len(render_dom(h).text.encode("utf-8")) for h in htmls)
    best = {"layout": float("inf"), "layout + model": float("inf"), "trafilatura": float("inf")}
    for _ in range(args.repeat):
        t = time.perf_counter()
        pages = [render_dom(h) for h in htmls]
        best["layout"] = min(best["layout"], time.perf_counter() - t)
        t = time.perf_counter()
        for h in htmls:
            _ = model.score_page(render_dom(h)) >= model.threshold
        best["layout + model"] = min(best["layout + model"], time.perf_counter() - t)
        t = time.perf_counter()
        for h in htmls:
            trafilatura.extract(h, include_comments=False, include_tables=True)
        best["trafilatura"] = min(best["trafilatura"], time.perf_counter() - t)
    del pages
    n = len(htmls)
    model_only = best["layout + model"] - best["layout"]
    print(f"model file          : {path} ({path.stat().st_size / 1e6:.2f} MB, "
          f"version {model.version})")
    print(f"load (fresh process, incl. imports): {load_line(cold, scipy_loaded)}")
    print(f"pages               : {n} WCXB dev pages (CC-BY-4.0), "
          f"{text_bytes / 1e6:.2f} MB of laid-out text")
    for k, v in best.items():
        print(f"{k:20s}: {1000 * v / n:.2f} ms/page (best of {args.repeat}, one core)")
    print(f"model alone         : {1000 * model_only / n:.2f} ms/page, "
          f"{1000 * model_only / (text_bytes / 10240):.2f} ms per 10 KB of text")
    print(f"layout + model / trafilatura: {best['layout + model'] / best['trafilatura']:.2f}")


if __name__ == "__main__":
    main()
