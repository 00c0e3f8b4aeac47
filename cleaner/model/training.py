# ruff: noqa: E501
"""Deterministic training of the line model (scikit-learn is used here only, never at inference).

Pipeline (``train``):
 1. pages of the ``train`` split (80 % of hosts) are rendered with several renderers
    (inscriptis, lxml block text, lxml every-element text); lines are labelled by alignment
    with the gold text (see ``align``), weighted by (tokens+2) normalised per document; short
    documents cut from each render (``short_windows``) join them, so that a short text is not
    taken for boilerplate.
 2. lexical logistic regression over vocabulary keys (kept when seen on >= 2 hosts and >= 3 pages);
    out-of-fold logits (4 host folds) feed the tree model so it does not trust memorised words.
 3. stage-1 HistGradientBoosting over shape + context + lexical + indentation features; out-of-fold stage-1
    probabilities feed a stage-2 HistGradientBoosting over sequence features (stage2.py).
 4. the sequence step (HMM posterior) parameters and the content threshold are chosen on the
    validation hosts (carved out of train) by maximising text-mode shingle F1 (inscriptis render).
 5. the whole pipeline is refitted on all train pages with those settings and saved (.npz).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .align import align_lines
from .data import RenderCache, cached, host_bucket, load_pages, text_to_lines
from .features import (
    SHAPE_NAMES,
    Prepared,
    Tables,
    context_features,
    grid_features,
    lexical_keys,
    shape_features,
    split_indent,
    template_groups,
    with_indent,
)
from .gbdt import export_hgb
from .metrics import aggregate, shingle_pr
from .stage2 import stage2_input

RENDER_KINDS = ("render_inscriptis", "render_lxml", "render_lxml_all")
STOP_LANGS = (
    "English",
    "German",
    "French",
    "Spanish",
    "Italian",
    "Portuguese",
    "Dutch",
    "Russian",
    "Polish",
    "Swedish",
    "Czech",
    "Turkish",
    "Indonesian",
    "Danish",
    "Norwegian_Bokmal",
    "Finnish",
    "Romanian",
    "Ukrainian",
    "Hungarian",
    "Vietnamese",
)

HGB1 = dict(
    max_iter=150,
    learning_rate=0.12,
    max_leaf_nodes=31,
    max_depth=6,
    min_samples_leaf=40,
    l2_regularization=1.0,
)
HGB2 = dict(
    max_iter=80,
    learning_rate=0.15,
    max_leaf_nodes=15,
    max_depth=4,
    min_samples_leaf=40,
    l2_regularization=1.0,
)


# Short documents cut from each training render (see `short_windows`), and their weight
# against a render's (whose lines sum to 100). Chosen on validation pages: the shipped
# recipe with 2 windows at 0.05 gave F1 0.835 (0.834 without windows); of 341 texts of one
# or two paragraphs of validation gold, `clean_text` keeps 339 whole, where the model
# trained without windows kept 42. In trial runs (an earlier state of this code, validation
# F1 of models fitted on the fit pages): no windows 0.834, this recipe 0.832, weight 0.15
# 0.829, the third kind (a short page) added 0.821; so 0.05 and two kinds.
WINDOWS = 2
WINDOW_WEIGHT = 0.05
WINDOW_MAX_LINES = 8
CHROME_MAX_LINES = 5  # a short page: up to this many of the page's first and last lines


def short_windows(y: np.ndarray, n: int, seed: str) -> list[list[tuple[int, int]]]:
    """Up to ``n`` short documents cut from a labelled page, each a list of (start, stop)
    spans of its lines: a short text (a news brief, a product blurb, a JSONL record), which
    whole crawled pages never show the model. In turn: a run of 1 to `WINDOW_MAX_LINES`
    lines around a content line; such a run anywhere; a short page (the page's first and
    last lines, up to `CHROME_MAX_LINES` each, around a run of 1 to 4 content lines).
    Deterministic for ``seed``."""
    import random

    rng = random.Random(seed)
    content = np.flatnonzero(y >= 0.5)
    total = len(y)
    out: list[list[tuple[int, int]]] = []
    for k in range(n):
        kind = k % 3
        if kind == 2:
            head, tail, run = (rng.randint(1, CHROME_MAX_LINES), rng.randint(1, CHROME_MAX_LINES),
                               rng.randint(1, 4))
            if not content.size or total < head + run + tail + 2:
                continue
            start = int(content[rng.randrange(content.size)])
            start = max(head, min(start, total - tail - run))
            out.append([(0, head), (start, start + run), (total - tail, total)])
            continue
        length = rng.randint(1, WINDOW_MAX_LINES)
        if kind == 0 and content.size:
            start = int(content[rng.randrange(content.size)]) - rng.randint(0, length - 1)
        else:
            start = rng.randrange(total)
        start = max(0, min(start, total - length))
        if total > length:  # a window shorter than the page
            out.append([(start, start + length)])
    return out


def take_spans(seq, spans: list[tuple[int, int]]) -> list:
    """The items of ``seq`` in each span, in order, as one list."""
    return [x for a, b in spans for x in seq[a:b]]


def take_labels(y: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """The labels of the lines in each span, in order (a window's labels)."""
    return np.concatenate([y[a:b] for a, b in spans])


@dataclass
class Doc:
    page: int
    host: str
    kind: str
    lines: list
    blank: list
    toks: list
    shape: np.ndarray
    y: np.ndarray
    w: np.ndarray
    indent: np.ndarray  # each line's leading whitespace in the render (characters)
    grid: np.ndarray  # `features.grid_features` of the lines (used when training with GRID)
    groups: np.ndarray  # `features.template_groups` of the lines (used with TMPL2)


# The shipped recipe reads the render's indentation (`features.indent_features`) and the
# lines' repeated templates (`features.grid_features`; only with the indentation columns),
# and its stage 2 the scores of the lines at the same depth (`stage2.depth_features`) and
# of the lines sharing the line's template (`stage2.template_features`; only with GRID).
# Chosen on validation pages (README, the model section).
INDENT = True
DEPTH2 = True
GRID = True
TMPL2 = True


def stoplists() -> dict[str, list[str]]:
    import justext

    out = {}
    avail = set(justext.get_stoplists())
    for lang in STOP_LANGS:
        if lang in avail:
            out[lang] = sorted(justext.get_stoplist(lang))
    return out


def _log(progress, *a):
    if progress:
        print(*a, flush=True)


def build_docs(
    pages, kinds=RENDER_KINDS, stop_tables: Tables | None = None, progress=False,
    windows: int = WINDOWS,
) -> list[Doc]:
    """Every page rendered each way in ``kinds``, labelled and featured; each render
    followed by ``windows`` short windows of it (`short_windows`), documents of their own."""
    cache = RenderCache()
    docs = []
    t0 = time.time()
    for pi, page in enumerate(pages):
        gold = page.read_gold()
        for kind in kinds:
            text = cached(page, kind, cache)
            lines, blank = text_to_lines(text, indent=True)
            if not lines:
                continue
            lines, indent = split_indent(lines)
            y = np.asarray(align_lines(lines, gold), dtype=np.float64)
            docs.append(_doc(pi, page.host, kind, lines, blank, y, stop_tables, indent))
            for spans in short_windows(y, windows, f"{page.id}|{kind}"):
                docs.append(_doc(pi, page.host, kind, take_spans(lines, spans),
                                 [False, *take_spans(blank, spans)[1:]],
                                 take_labels(y, spans), stop_tables,
                                 np.concatenate([indent[a:b] for a, b in spans]),
                                 WINDOW_WEIGHT))
        if progress and pi % 200 == 0:
            _log(progress, f"  docs {pi}/{len(pages)} {time.time() - t0:.0f}s")
    return docs


def _doc(pi, host, kind, lines, blank, y, stop_tables, indent, weight=1.0) -> Doc:
    """One rendered page (or a window of one) as training rows: its lines' weights, (tokens
    + 2) each, sum to 100 x ``weight``."""
    prep = Prepared(lines, blank)
    toks = prep.tokens_per_line()
    w = prep.counts.astype(np.float64) + 2.0
    w = w / w.sum() * 100.0 * weight
    full = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    shape = shape_features(prep, stop_tables, None, full)
    return Doc(pi, host, kind, lines, blank, toks, shape, y, w, indent, grid_features(prep),
               template_groups(prep))


def build_vocab(docs: list[Doc], min_pages=3, min_hosts=2) -> list[str]:
    pages_of: dict[str, set] = {}
    hosts_of: dict[str, set] = {}
    for d in docs:
        seen = set()
        for t in d.toks:
            seen.update(lexical_keys(t)[0])
        for k in seen:
            pages_of.setdefault(k, set()).add(d.page)
            hosts_of.setdefault(k, set()).add(d.host)
    return sorted(
        k for k, p in pages_of.items() if len(p) >= min_pages and len(hosts_of[k]) >= min_hosts
    )


def set_oov_frac(d, words: set[str]) -> None:
    """The share of each line's tokens outside the lexical vocabulary (``d.toks`` into
    ``d.shape``), as inference computes it from the model's tables: the documents were
    featured before the vocabulary was known."""
    col = SHAPE_NAMES.index("oov_frac")
    for i, toks in enumerate(d.toks):
        d.shape[i, col] = 1.0 - sum(t in words for t in toks) / len(toks) if toks else 0.0


def vocab_words(keys: list[str]) -> set[str]:
    """The plain tokens among the lexical keys (not ^first, $last, =line or <empty>)."""
    return {k for k in keys if k[:1] not in "^$=<"}


def lex_matrix(docs: list[Doc], index: dict[str, int]):
    from scipy import sparse

    rows, cols, vals = [], [], []
    r = 0
    for d in docs:
        for t in d.toks:
            keys, vs = lexical_keys(t)
            acc: dict[int, float] = {}
            for k, v in zip(keys, vs, strict=False):
                j = index.get(k)
                if j is not None:
                    acc[j] = acc.get(j, 0.0) + v
            for j, v in acc.items():
                rows.append(r)
                cols.append(j)
                vals.append(v)
            r += 1
    return sparse.csr_matrix(
        (np.asarray(vals), (np.asarray(rows), np.asarray(cols))), shape=(r, len(index))
    )


def fit_lex(X, y, w, seed):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=0.5, solver="liblinear", random_state=seed, max_iter=200)
    clf.fit(X, y, sample_weight=w)
    return clf.coef_.ravel().astype(np.float64), float(clf.intercept_[0])


def fit_hgb(X, y, w, seed, params):
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(random_state=seed, early_stopping=False, **params)
    clf.fit(X, y, sample_weight=w)
    return export_hgb(clf)


def oof_proba(X: np.ndarray, yb: np.ndarray, w: np.ndarray, row_fold: np.ndarray, k: int,
              seed: int, params: dict) -> np.ndarray:
    """Out-of-fold P(content) of every row of `X`: for each of the `k` folds (`row_fold`,
    a fold per row), trees (`fit_hgb` with `params`) fitted on the other folds' rows."""
    out = np.zeros(len(yb))
    for f in range(k):
        tr = row_fold != f
        out[~tr] = fit_hgb(X[tr], yb[tr], w[tr], seed, params).proba(X[~tr])
    return out


def _folds(docs: list[Doc], k: int) -> np.ndarray:
    return np.array([host_bucket(d.host, salt="fold:") % k for d in docs])


def _split_rows(docs, arr):
    out = []
    o = 0
    for d in docs:
        n = len(d.lines)
        out.append(arr[o : o + n])
        o += n
    return out


def stage1_matrix(d: Doc, lex: np.ndarray, indent: bool, grid: bool = False) -> np.ndarray:
    """A document's stage-1 rows, as `LineModel.stage1` builds them at inference."""
    X = context_features(d.shape, lex)
    if grid:
        X = np.concatenate([X, d.grid], axis=1)
    return with_indent(X, d.indent) if indent else X


def fit_pipeline(docs: list[Doc], stop: dict, *, seed=0, k=4, progress=True, stage2=True,
                 indent: bool = INDENT, depth2: bool = DEPTH2, grid: bool = GRID,
                 tmpl2: bool = TMPL2):
    """Fit lexical LR, stage-1 trees (+ OOF) and stage-2 trees on docs. Returns a dict model."""
    t0 = time.time()
    depth2 = indent and depth2  # the depth columns read the indentation ones
    grid = indent and grid  # a model without indentation columns reads the lines as given
    tmpl2 = grid and tmpl2
    keys = build_vocab(docs)
    index = {kk: i for i, kk in enumerate(keys)}
    _log(progress, f"  vocab {len(keys)} keys ({time.time() - t0:.0f}s)")
    words = vocab_words(keys)
    for d in docs:
        set_oov_frac(d, words)
    XL = lex_matrix(docs, index)
    y = np.concatenate([d.y for d in docs])
    w = np.concatenate([d.w for d in docs])
    yb = (y >= 0.5).astype(np.int64)
    folds = _folds(docs, k)
    row_fold = np.concatenate([np.full(len(d.lines), f) for d, f in zip(docs, folds, strict=False)])
    oof_lex = np.zeros(len(y))
    for f in range(k):
        tr = row_fold != f
        cw, cb = fit_lex(XL[tr], yb[tr], w[tr], seed)
        oof_lex[~tr] = XL[~tr] @ cw + cb
    lex_w, lex_b = fit_lex(XL, yb, w, seed)
    _log(progress, f"  lexical LR done ({time.time() - t0:.0f}s)")
    lex_per_doc = _split_rows(docs, oof_lex)
    X1 = np.concatenate(
        [stage1_matrix(d, lx, indent, grid)
         for d, lx in zip(docs, lex_per_doc, strict=False)]
    )
    f1 = fit_hgb(X1, yb, w, seed, HGB1)
    _log(progress, f"  stage-1 trees done ({time.time() - t0:.0f}s)")
    f2 = None
    if stage2:
        oof_p1 = oof_proba(X1, yb, w, row_fold, k, seed, HGB1)
        _log(progress, f"  stage-1 OOF done ({time.time() - t0:.0f}s)")
        X1s = _split_rows(docs, X1)
        p1s = _split_rows(docs, oof_p1)
        X2 = np.concatenate([stage2_input(p, x, depth2, d.groups if tmpl2 else None)
                             for p, x, d in zip(p1s, X1s, docs, strict=True)])
        f2 = fit_hgb(X2, yb, w, seed, HGB2)
        _log(progress, f"  stage-2 trees done ({time.time() - t0:.0f}s)")
    trans = label_transitions(docs, yb, w)
    return {
        "keys": keys,
        "lex_w": lex_w,
        "lex_b": lex_b,
        "f1": f1,
        "f2": f2,
        "trans": trans,
        "stopwords": stop,
        "indent": indent,
        "depth2": depth2,
        "grid": grid,
        "tmpl2": tmpl2,
    }


def label_transitions(docs, yb: np.ndarray, w: np.ndarray) -> dict:
    """The HMM's starting point: P(content -> content) and P(boilerplate -> boilerplate)
    between consecutive lines of the labelled documents, and the weighted content prior."""
    cc = cb_ = bb = bc = 0
    for d in docs:
        lab = d.y >= 0.5
        a, b = lab[:-1], lab[1:]
        cc += int((a & b).sum())
        cb_ += int((a & ~b).sum())
        bb += int((~a & ~b).sum())
        bc += int((~a & b).sum())
    prior = float(np.average(yb, weights=w))
    return {"stay_c": cc / max(cc + cb_, 1), "stay_b": bb / max(bb + bc, 1), "prior": prior}


RECIPE_FLAGS = ("indent", "depth2", "grid", "tmpl2")  # which columns a fitted model reads


def recipe(m: dict) -> dict:
    """The column flags of a fitted model (`fit_pipeline`), as its config records them."""
    return {k: m[k] for k in RECIPE_FLAGS}


def make_model(m: dict, config: dict):
    from .linemodel import LineModel

    meta = {"keys": m["keys"], "stopwords": m["stopwords"], "config": {**config, **recipe(m)}}
    tables = Tables(m["keys"], m["lex_w"], m["lex_b"], m["stopwords"])
    return LineModel(meta, tables, m["f1"], m["f2"], "unsaved")


def tune_on(model, pages, progress=True) -> dict:
    """Choose stage-2 use, HMM parameters and threshold on validation pages (text mode, inscriptis)."""
    cache = RenderCache()
    items = []
    for p in pages:
        lines, bb = text_to_lines(cached(p, "render_inscriptis", cache), indent=model.indent)
        if lines:
            finish = functools.partial(_finish_text, model, *model.stage1(lines, bb))
        else:
            finish = _no_lines
        items.append((lines, p.read_gold(), finish))
    return tune_sequence(items, model.f2 is not None, model.meta["config"]["trans"], progress,
                         TEXT_THRESHOLDS)


def _finish_text(model, p1, X, groups, use_f2, hmm):
    return model.finish(p1, X, groups, use_f2=use_f2, hmm=hmm or {})


def _no_lines(use_f2, hmm):
    return np.zeros(0)


THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))
# the text model's grid reaches lower: with the indentation columns its best validation
# threshold was the old grid's edge (0.2)
TEXT_THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.1, 0.81, 0.05))


def tune_sequence(items, has_f2: bool, trans: dict, progress=True,
                  thresholds: tuple[float, ...] = THRESHOLDS) -> dict:
    """The stage-2 use, HMM parameters and threshold that maximise shingle F1 on ``items``:
    (lines, gold text, finish) per page, ``finish(use_f2, hmm)`` giving the lines' scores."""
    variants = []
    for use_f2 in [False, True] if has_f2 else [False]:
        variants.append((use_f2, None))
        for power in (0.5, 1.0):
            for scale in (0.0, 0.5, 0.8):
                # interpolate label transition probs toward 0.5 (scale=0 -> as estimated)
                sc = trans["stay_c"] * (1 - scale) + 0.5 * scale if scale else trans["stay_c"]
                sb = trans["stay_b"] * (1 - scale) + 0.5 * scale if scale else trans["stay_b"]
                variants.append(
                    (use_f2, {"prior": trans["prior"], "stay_c": sc, "stay_b": sb, "power": power})
                )
    best = None
    results = []
    for use_f2, hmm in variants:
        probs = [finish(use_f2, hmm) for _, _, finish in items]
        for thr in thresholds:
            rows = []
            for (lines, gold, _), pr in zip(items, probs, strict=False):
                out = "\n".join(s for s, q in zip(lines, pr, strict=False) if q >= thr)
                p_, r_ = shingle_pr(gold, out)
                rows.append((p_, r_, 0.0))
            agg = aggregate(rows)
            results.append((agg["F1"], use_f2, hmm, thr))
            if best is None or agg["F1"] > best[0]:
                best = (agg["F1"], use_f2, hmm, thr, agg)
    for uf in sorted({r[1] for r in results}):
        bf = max((r for r in results if r[1] == uf), key=lambda r: r[0])
        _log(progress, f"  tuning: use_f2={uf}: best val F1 {bf[0]:.4f} thr={bf[3]} hmm={bf[2]}")
    _log(
        progress,
        f"  tuning: best val F1 {best[0]:.4f} use_f2={best[1]} hmm={best[2]} thr={best[3]}",
    )
    return {
        "val_f1": best[0],
        "use_f2": best[1],
        "hmm": best[2],
        "threshold": best[3],
        "val": best[4],
    }


def train(
    data_dir,
    out,
    *,
    seed: int = 0,
    progress: bool = True,
    kinds=RENDER_KINDS,
    stage2: bool = True,
    refit: bool = True,
    indent: bool = INDENT,
    depth2: bool = DEPTH2,
    grid: bool = GRID,
    tmpl2: bool = TMPL2,
) -> dict:
    """Train the line model on the train split of ``data_dir`` and save it to ``out``."""
    from threadpoolctl import threadpool_limits

    t0 = time.time()
    np.random.seed(seed)
    with threadpool_limits(1):
        stop = stoplists()
        stop_tables = Tables([], np.zeros(0), 0.0, stop)
        fit_pages, val_pages = fit_and_val_pages(data_dir, progress, "train")
        fit_docs = build_docs(fit_pages, kinds, stop_tables, progress)
        m = fit_pipeline(fit_docs, stop, seed=seed, progress=progress, stage2=stage2,
                         indent=indent, depth2=depth2, grid=grid, tmpl2=tmpl2)
        model = make_model(m, {"trans": m["trans"]})
        tuned = tune_on(model, val_pages, progress)
        model.config.update({"hmm": tuned["hmm"], "threshold": tuned["threshold"]})
        if not tuned["use_f2"]:
            model.f2 = None
        model.threshold = tuned["threshold"]
        if refit:
            docs = with_val_docs(fit_docs, build_docs(val_pages, kinds, stop_tables, progress),
                                 len(fit_pages))
            m = fit_pipeline(docs, stop, seed=seed, progress=progress, stage2=stage2,
                             indent=indent, depth2=depth2, grid=grid, tmpl2=tmpl2)
        config = {
            "threshold": tuned["threshold"],
            "hmm": tuned["hmm"],
            "use_f2": tuned["use_f2"],
            "trans": m["trans"],
            "seed": seed,
            "renderers": list(kinds),
            "val_f1": tuned["val_f1"],
            **recipe(m),
        }
        if not tuned["use_f2"]:
            m["f2"] = None
        from .linemodel import LineModel

        meta = {"keys": m["keys"], "stopwords": m["stopwords"], "config": config}
        version = LineModel.save(out, meta, m["lex_w"], m["lex_b"], m["f1"], m["f2"])
    return train_summary(out, version, t0, config, tuned, n_keys=len(m["keys"]))


def fit_and_val_pages(data_dir, progress, what: str) -> tuple[list, list]:
    """The fit and validation pages of ``data_dir``; a folder with too few hosts for a
    validation split validates on the first fifth of its fit pages."""
    fit_pages = load_pages(data_dir, "fit")
    val_pages = load_pages(data_dir, "val") or fit_pages[: max(1, len(fit_pages) // 5)]
    _log(progress, f"{what}: {len(fit_pages)} fit pages, {len(val_pages)} val pages")
    return fit_pages, val_pages


def with_val_docs(fit_docs: list, val_docs: list, n_fit_pages: int) -> list:
    """The fit documents and the validation ones, numbered after them, for the final refit."""
    for d in val_docs:
        d.page += n_fit_pages
    return fit_docs + val_docs


def train_summary(out, version: str, t0: float, config: dict, tuned: dict, **extra) -> dict:
    """What a training run reports (`clean train` prints it)."""
    return {
        "out": str(out),
        **({"kind": config["kind"]} if "kind" in config else {}),
        "version": version,
        "seconds": round(time.time() - t0, 1),
        **extra,
        "threshold": config["threshold"],
        "hmm": config["hmm"],
        "use_f2": config["use_f2"],
        "val_f1": round(tuned["val_f1"], 4),
        "val": tuned["val"],
        "size_bytes": Path(out).stat().st_size,
    }
