# ruff: noqa: E501
"""Evaluation of the line model / product cleaner against baselines on <id>.html[.gz] + <id>.txt pairs.

Text mode: every page is rendered to whole-page text with inscriptis; systems see ONLY that text
(except the trafilatura-on-HTML reference, which gets the HTML).  HTML mode: systems get the HTML.
All systems are run live (not cached) so ms/page are real; renders are not counted in text mode.
Metrics: see metrics.py.  Results on WCXB (CC-BY-4.0) must credit the dataset.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from .data import justext_lines, load_pages, render_inscriptis, trafilatura_extract
from .metrics import aggregate, bow_f1, shingle_pr

CREDIT = "Data: WCXB dev set (CC-BY-4.0)."


def _as_text(x) -> str:
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    t = getattr(x, "text", None)
    return t if isinstance(t, str) else str(x)


def _product():
    """The product's per-document stage with default settings (None if it cannot load)."""
    try:
        from cleaner.pipeline import Pipeline

        return Pipeline()
    except Exception:
        return None


def evaluate(
    data_dir,
    *,
    mode: str = "text",
    split: str = "test",
    baselines: bool = True,
    clean_fn=None,
    limit: int | None = None,
    model=None,
    html_model=None,
) -> dict:
    """Score every system on the pages of ``split``. Text mode: each page is rendered to
    whole-page text by inscriptis and the systems see only that text (trafilatura, the
    reference, gets the HTML). HTML mode: the systems get the HTML."""
    from .htmlmodel import HtmlLineModel
    from .linemodel import LineModel

    if mode not in ("text", "html"):
        raise ValueError("mode must be 'text' or 'html'")
    pages = load_pages(data_dir, split)
    if limit is not None:
        pages = pages[: int(limit)]
    model = model or LineModel.load()
    if mode == "html":
        html_model = html_model or HtmlLineModel.load()
    systems: dict = {}
    product = None if clean_fn else _product()
    if product is not None and product.model_filter is not None:  # the models scored here
        product.model_filter.model = model
        if html_model is not None:
            product.model_filter.html_model = html_model
    if mode == "text":
        if clean_fn or product is not None:
            clean_one = clean_fn or product.clean_text
            systems["cleaner (product)"] = lambda text, html: _as_text(clean_one(text))
        systems["line model"] = lambda text, html: model.clean_text(text)
        if baselines:
            systems["no cleaning"] = lambda text, html: text
            systems["jusText on lines"] = lambda text, html: justext_lines(text)
            systems["trafilatura on HTML"] = lambda text, html: trafilatura_extract(html)
    else:
        if clean_fn or product is not None:
            clean_page = clean_fn or product.clean_html
            systems["cleaner (product)"] = lambda text, html: _as_text(clean_page(html))
        systems["HTML line model"] = lambda text, html: _clean_page(html_model, html)
        if baselines:
            systems["trafilatura on HTML"] = lambda text, html: trafilatura_extract(html)
            systems["trafilatura favor_recall"] = lambda text, html: trafilatura_extract(
                html, favor_recall=True
            )
            systems["line model on inscriptis text"] = lambda text, html: model.clean_text(text)
    rows: dict[str, list] = defaultdict(list)
    types: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    secs: dict[str, float] = defaultdict(float)
    for page in pages:
        html = page.read_html()
        gold = page.read_gold()
        text = render_inscriptis(html)
        for name, fn in systems.items():
            t0 = time.perf_counter()
            try:
                out = _as_text(fn(text, html))
            except Exception:
                out = ""
            secs[name] += time.perf_counter() - t0
            p, r = shingle_pr(gold, out)
            b = bow_f1(gold, out)
            rows[name].append((p, r, b))
            types[name][page.page_type].append((p, r, b))
    n = len(pages)
    res = {
        "mode": mode,
        "split": split,
        "n": n,
        "data_dir": str(Path(data_dir)),
        "model_version": model.version,
        "threshold": model.threshold,
        "credit": CREDIT,
        "systems": {},
    }
    if html_model is not None:
        res["html_model_version"] = html_model.version
        res["html_threshold"] = html_model.threshold
    for name in systems:
        agg = aggregate(rows[name])
        agg["ms_per_page"] = 1000 * secs[name] / max(n, 1)
        agg["by_type"] = {t: aggregate(v) for t, v in sorted(types[name].items())}
        res["systems"][name] = agg
    return res


def _clean_page(html_model, html: str) -> str:
    """The HTML line model alone on the page's lines (no rules)."""
    from cleaner.extractors.dom import render_dom

    page = render_dom(html)
    return html_model.clean_page(page) if page is not None else ""


def format_report(result: dict) -> str:
    systems = result.get("systems", {})
    out = [
        f"mode={result.get('mode')} split={result.get('split')} pages={result.get('n')} model={result.get('model_version')} threshold={result.get('threshold')}"
        + (f" html_model={result['html_model_version']} html_threshold={result['html_threshold']}" if "html_model_version" in result else ""),
        "",
        f"{'system':34s} {'P':>6s} {'R':>6s} {'F1':>6s} {'BoW-F1':>7s} {'ms/page':>8s}",
    ]
    for name, a in systems.items():
        out.append(
            f"{name:34s} {a['P']:6.3f} {a['R']:6.3f} {a['F1']:6.3f} {a['BoW_F1']:7.3f} {a['ms_per_page']:8.1f}"
        )
    ptypes = sorted({t for a in systems.values() for t in a.get("by_type", {})})
    if ptypes:
        out.append("")
        out.append("shingle F1 by page type (n):")
        hdr = f"{'system':34s} " + " ".join(f"{t[:11]:>11s}" for t in ptypes)
        out.append(hdr)
        first = next(iter(systems.values()))
        out.append(
            f"{'(pages)':34s} "
            + " ".join(f"{first['by_type'].get(t, {}).get('n', 0):>11d}" for t in ptypes)
        )
        for name, a in systems.items():
            out.append(
                f"{name:34s} "
                + " ".join(
                    f"{a['by_type'].get(t, {}).get('F1', float('nan')):11.3f}" for t in ptypes
                )
            )
    out.append("")
    out.append(result.get("credit", CREDIT))
    return "\n".join(out)
