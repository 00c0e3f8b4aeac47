"""Deterministic training of the HTML line model (scikit-learn is used here only).

The text model's recipe (`training.py`) on the lines of `render_dom`, with the page's
structure added:
 1. every page of the ``fit`` split is rendered by `render_dom`; its lines are labelled by
    alignment with the gold text (`align.py`) and weighted by (tokens + 2), normalised per page;
    short documents cut from each page (`training.short_windows`) join them, so that a short
    text is not taken for boilerplate;
 2. two logistic regressions, their out-of-fold logits (4 host folds) feeding the trees: the
    lexical one over the line's words (as in the text model) and the name one over its
    ancestors' class / id / role tokens and its tag signature (`dom_features.line_keys`);
 3. stage-1 trees over the text features, the DOM features and the name logit's context;
    out-of-fold stage-1 probabilities feed the stage-2 trees (neighbours and containers);
 4. stage-2 use, the HMM and the threshold are chosen on the validation hosts
    (`training.tune_sequence`), scoring model-only output by shingle F1;
 5. everything is refitted on fit + validation pages with those settings and saved.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np

from cleaner.extractors.dom import DomPage, render_dom

from .align import align_lines
from .dom_features import LINK_FRAC_COL, dom_features, key_context, line_keys
from .features import Prepared, Tables, context_features, shape_features
from .htmlmodel import HtmlLineModel, stage2_input
from .training import (
    HGB1,
    HGB2,
    _folds,
    _log,
    _split_rows,
    build_vocab,
    fit_and_val_pages,
    fit_hgb,
    fit_lex,
    label_transitions,
    lex_matrix,
    oof_proba,
    set_oov_frac,
    short_windows,
    stoplists,
    take_labels,
    train_summary,
    tune_sequence,
    vocab_words,
    with_val_docs,
)

FOLDS = 4
# Short documents cut from each page (`training.short_windows`: a run around content, a run
# anywhere, a short page with the page's own first and last lines), and their weight
# against a page's (whose lines sum to 100). Chosen on validation pages: 3 windows at 0.15
# gave F1 0.872 where none gave 0.868, and kept a lone paragraph between a menu and a
# footer (synthetic pages from validation gold: F1 1.0, against 0.0 without).
WINDOWS = 3
WINDOW_WEIGHT = 0.15
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.05, 0.81, 0.05))  # content threshold grid
KEY_MIN_PAGES = 3  # a name key is learned only when seen on this many pages ...
KEY_MIN_HOSTS = 2  # ... of this many sites (no site's own class names)


@dataclass
class HtmlDoc:
    page: int
    host: str
    lines: list[str]
    toks: list[list[str]]
    shape: np.ndarray
    dom: DomPage
    D: np.ndarray
    keys: list[list[str]]
    y: np.ndarray
    w: np.ndarray


def build_html_docs(pages, stop_tables: Tables, progress=False, windows: int = WINDOWS
                    ) -> list[HtmlDoc]:
    """Every page's lines, labels and features; each page followed by ``windows`` short
    windows of it (`short_windows`), documents of their own."""
    docs = []
    t0 = time.time()
    for pi, page in enumerate(pages):
        dom = render_dom(page.read_html())
        if dom is None or not len(dom):
            continue
        y = np.asarray(align_lines(dom.texts, page.read_gold()), dtype=np.float64)
        docs.append(html_doc(pi, page.host, dom, y, stop_tables))
        for spans in short_windows(y, windows, f"{page.id}|{page.host}"):
            docs.append(html_doc(pi, page.host, dom.take(spans), take_labels(y, spans),
                                 stop_tables, WINDOW_WEIGHT))
        if progress and pi % 200 == 0:
            _log(progress, f"  pages {pi}/{len(pages)} {time.time() - t0:.0f}s")
    return docs


def html_doc(pi: int, host: str, dom: DomPage, y: np.ndarray, stop_tables: Tables,
             weight: float = 1.0) -> HtmlDoc:
    """A page (or a window of one) as training rows: its lines' weights sum to 100 x
    ``weight``."""
    prep = Prepared(dom.texts, dom.blank_before)
    w = prep.counts.astype(np.float64) + 2.0
    full = np.fromiter(map(len, dom.texts), dtype=np.int64, count=len(dom))
    shape = shape_features(prep, stop_tables, None, full)
    keys = [line_keys(dom, i) for i in range(len(dom))]
    return HtmlDoc(pi, host, dom.texts, prep.tokens_per_line(), shape, dom, dom_features(dom),
                   keys, y, w / w.sum() * 100.0 * weight)


def key_vocab(docs: list[HtmlDoc]) -> list[str]:
    pages_of: dict[str, set] = {}
    hosts_of: dict[str, set] = {}
    for d in docs:
        for k in {k for ks in d.keys for k in ks}:
            pages_of.setdefault(k, set()).add(d.page)
            hosts_of.setdefault(k, set()).add(d.host)
    return sorted(k for k, p in pages_of.items()
                  if len(p) >= KEY_MIN_PAGES and len(hosts_of[k]) >= KEY_MIN_HOSTS)


def key_matrix(docs: list[HtmlDoc], index: dict[str, int]):
    """One row a line, a 1 for each of its keys in the vocabulary."""
    from scipy import sparse

    rows: list[int] = []
    cols: list[int] = []
    r = 0
    for d in docs:
        for ks in d.keys:
            js = sorted({index[k] for k in ks if k in index})
            rows += [r] * len(js)
            cols += js
            r += 1
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(r, len(index)))


def stage1_matrix(d: HtmlDoc, lex: np.ndarray, key: np.ndarray) -> np.ndarray:
    """What `HtmlLineModel.page_stage1` builds, from the training logits."""
    return np.concatenate([context_features(d.shape, lex), d.D,
                           key_context(key, d.D[:, LINK_FRAC_COL])], axis=1)


def fit_html(docs: list[HtmlDoc], stop: dict, *, seed=0, progress=True) -> dict:
    """Fit both logistic regressions, the stage-1 trees (and their out-of-fold
    probabilities) and the stage-2 trees on ``docs``."""
    t0 = time.time()
    vocab = build_vocab(docs)
    vindex = {k: i for i, k in enumerate(vocab)}
    dom_keys = key_vocab(docs)
    kindex = {k: i for i, k in enumerate(dom_keys)}
    _log(progress, f"  vocab {len(vocab)} words, {len(dom_keys)} name keys")
    words = vocab_words(vocab)
    for d in docs:
        set_oov_frac(d, words)
    XL = lex_matrix(docs, vindex)
    XK = key_matrix(docs, kindex)
    y = np.concatenate([d.y for d in docs])
    w = np.concatenate([d.w for d in docs])
    yb = (y >= 0.5).astype(np.int64)
    folds = _folds(docs, FOLDS)
    row_fold = np.concatenate([np.full(len(d.lines), f) for d, f in zip(docs, folds, strict=True)])
    oof_lex = np.zeros(len(y))
    oof_key = np.zeros(len(y))
    for f in range(FOLDS):
        tr = row_fold != f
        cw, cb = fit_lex(XL[tr], yb[tr], w[tr], seed)
        oof_lex[~tr] = XL[~tr] @ cw + cb
        cw, cb = fit_lex(XK[tr], yb[tr], w[tr], seed)
        oof_key[~tr] = XK[~tr] @ cw + cb
    lex_w, lex_b = fit_lex(XL, yb, w, seed)
    key_w, key_b = fit_lex(XK, yb, w, seed)
    _log(progress, f"  logistic regressions done ({time.time() - t0:.0f}s)")
    X1 = np.concatenate([stage1_matrix(d, lx, kx) for d, lx, kx in zip(
        docs, _split_rows(docs, oof_lex), _split_rows(docs, oof_key), strict=True)])
    f1 = fit_hgb(X1, yb, w, seed, HGB1)
    _log(progress, f"  stage-1 trees done ({time.time() - t0:.0f}s)")
    oof_p1 = oof_proba(X1, yb, w, row_fold, FOLDS, seed, HGB1)
    X2 = np.concatenate([stage2_input(d.dom, p, x) for d, p, x in zip(
        docs, _split_rows(docs, oof_p1), _split_rows(docs, X1), strict=True)])
    f2 = fit_hgb(X2, yb, w, seed, HGB2)
    _log(progress, f"  stage-2 trees done ({time.time() - t0:.0f}s)")
    return {"keys": vocab, "lex_w": lex_w, "lex_b": lex_b, "dom_keys": dom_keys,
            "key_w": key_w, "key_b": key_b, "f1": f1, "f2": f2,
            "trans": label_transitions(docs, yb, w), "stopwords": stop}


def make_html_model(m: dict, config: dict) -> HtmlLineModel:
    meta = {"keys": m["keys"], "dom_keys": m["dom_keys"], "stopwords": m["stopwords"],
            "config": {"kind": "html", **config}}
    tables = Tables(m["keys"], m["lex_w"], m["lex_b"], m["stopwords"])
    weights = dict(zip(m["dom_keys"], np.asarray(m["key_w"], dtype=np.float32).tolist(),
                       strict=True))
    return HtmlLineModel(meta, tables, m["f1"], m["f2"], "unsaved", weights, float(m["key_b"]))


def tune_html_model(model: HtmlLineModel, pages, progress=True) -> dict:
    items = []
    for page in pages:
        dom = render_dom(page.read_html())
        if dom is not None and len(dom):
            p1, X = model.page_stage1(dom)
            items.append((dom.texts, page.read_gold(),
                          functools.partial(_finish, model, dom, p1, X)))
        else:
            items.append(([], page.read_gold(), _nothing))
    return tune_sequence(items, model.f2 is not None, model.config["trans"], progress,
                         THRESHOLDS)


def _finish(model, dom, p1, X, use_f2, hmm):
    return model.page_finish(dom, p1, X, use_f2=use_f2, hmm=hmm or {})


def _nothing(use_f2, hmm):
    return np.zeros(0)


def train_html(data_dir, out, *, seed: int = 0, progress: bool = True,
               refit: bool = True) -> dict:
    """Train the HTML line model on the train split of ``data_dir`` and save it to ``out``."""
    from threadpoolctl import threadpool_limits

    t0 = time.time()
    np.random.seed(seed)
    with threadpool_limits(1):
        stop = stoplists()
        stop_tables = Tables([], np.zeros(0), 0.0, stop)
        fit_pages, val_pages = fit_and_val_pages(data_dir, progress, "train (html)")
        fit_docs = build_html_docs(fit_pages, stop_tables, progress)
        m = fit_html(fit_docs, stop, seed=seed, progress=progress)
        model = make_html_model(m, {"trans": m["trans"]})
        tuned = tune_html_model(model, val_pages, progress)
        if refit:
            docs = with_val_docs(fit_docs, build_html_docs(val_pages, stop_tables, progress),
                                 len(fit_pages))
            m = fit_html(docs, stop, seed=seed, progress=progress)
        config = {
            "kind": "html",
            "threshold": tuned["threshold"],
            "hmm": tuned["hmm"],
            "use_f2": tuned["use_f2"],
            "trans": m["trans"],
            "seed": seed,
            "val_f1": tuned["val_f1"],
        }
        meta = {"keys": m["keys"], "dom_keys": m["dom_keys"], "stopwords": m["stopwords"],
                "config": config}
        extra = {"key_w": np.asarray(m["key_w"], dtype=np.float32),
                 "key_b": np.array([m["key_b"]], dtype=np.float64)}
        version = HtmlLineModel.save(out, meta, m["lex_w"], m["lex_b"], m["f1"],
                                     m["f2"] if tuned["use_f2"] else None, extra)
    return train_summary(out, version, t0, config, tuned, n_keys=len(m["keys"]),
                         n_dom_keys=len(m["dom_keys"]))
