# ruff: noqa: E501
"""Experiment (validation only): does telling the text model's stage 2 the page type help?

    prepare   build the fit documents, fit the lexical LR and stage 1 once (as
              `training.fit_pipeline` does), with the out-of-fold stage-1 probabilities, and
              the validation pages' stage-1 outputs (`model.stage1`, as `tune_on` does);
              saved to $CLEANER_MODEL_WORK/pt_stage1.pkl
    variant   refit stage 2 only, with extra per-document columns, and tune on validation:
              base  no extra columns (the shipped recipe: `fit_pipeline` + `tune_on`)
              A     7 out-of-fold page-type probabilities of a logistic-regression classifier
                    on the document's hashed tokens/bigrams + stage-1 aggregates
              B     the true page type one-hot (an oracle; diagnostic only)

Run (from the repo root):
    OMP_NUM_THREADS=1 CLEANER_MODEL_WORK=/tmp/wpt-work PYTHONPATH=. nice -n 10 \
        python bench/exp_pagetype.py prepare
    ... python bench/exp_pagetype.py variant base|A|B [--buckets 4096] [--C 1.0]

Never loads the test split.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import sys
import time
from pathlib import Path

import numpy as np

from cleaner.model import training as T
from cleaner.model.data import RenderCache, cached, default_data_dir, text_to_lines
from cleaner.model.features import Tables
from cleaner.model.metrics import aggregate, shingle_pr
from cleaner.model.sequence import hmm_posterior
from cleaner.model.stage2 import stage2_input

WORK = Path(os.environ.get("CLEANER_MODEL_WORK", "/tmp/wpt-work"))
CACHE = WORK / "pt_stage1.pkl"
TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
SEED = 0
K = 4


def log(*a):
    print(*a, flush=True)


def scores_by_type(items: list, types: list[str], tuned: dict) -> tuple[dict, dict]:
    """Shingle P/R/F1 per page type and over all pages at the settings `tune_sequence`
    chose (`items`: (lines, gold, finish) per validation page, as it takes them)."""
    rows_by: dict[str, list] = {}
    allrows = []
    for (lines, gold, finish), kind in zip(items, types, strict=True):
        pr = finish(tuned["use_f2"], tuned["hmm"])
        out = "\n".join(s for s, q in zip(lines, pr, strict=False) if q >= tuned["threshold"])
        p_, r_ = shingle_pr(gold, out)
        rows_by.setdefault(kind, []).append((p_, r_, 0.0))
        allrows.append((p_, r_, 0.0))
    per = {k: {kk: round(vv, 4) for kk, vv in aggregate(r).items() if kk in ("P", "R", "F1")}
           | {"n": len(r)} for k, r in sorted(rows_by.items())}
    return per, aggregate(allrows)


# ----------------------------------------------------------------- prepare (stage 1 once)


def prepare(data_dir: Path) -> None:
    from threadpoolctl import threadpool_limits

    times = {}
    t0 = time.time()
    np.random.seed(SEED)
    with threadpool_limits(1):
        stop = T.stoplists()
        stop_tables = Tables([], np.zeros(0), 0.0, stop)
        fit_pages, val_pages = T.fit_and_val_pages(data_dir, True, "exp")
        docs = T.build_docs(fit_pages, T.RENDER_KINDS, stop_tables, True)
        times["build_docs"] = time.time() - t0
        log(f"docs: {len(docs)} ({times['build_docs']:.0f}s)")
        # --- `fit_pipeline` up to stage 2, copied (default flags: indent, depth2, grid, tmpl2)
        t1 = time.time()
        indent, grid = T.INDENT, T.INDENT and T.GRID
        keys = T.build_vocab(docs)
        index = {kk: i for i, kk in enumerate(keys)}
        words = T.vocab_words(keys)
        for d in docs:
            T.set_oov_frac(d, words)
        XL = T.lex_matrix(docs, index)
        y = np.concatenate([d.y for d in docs])
        w = np.concatenate([d.w for d in docs])
        yb = (y >= 0.5).astype(np.int64)
        folds = T._folds(docs, K)
        row_fold = np.concatenate([np.full(len(d.lines), f) for d, f in zip(docs, folds, strict=False)])
        oof_lex = np.zeros(len(y))
        for f in range(K):
            tr = row_fold != f
            cw, cb = T.fit_lex(XL[tr], yb[tr], w[tr], SEED)
            oof_lex[~tr] = XL[~tr] @ cw + cb
        lex_w, lex_b = T.fit_lex(XL, yb, w, SEED)
        log(f"  lexical LR done ({time.time() - t1:.0f}s)")
        lex_per_doc = T._split_rows(docs, oof_lex)
        X1 = np.concatenate([T.stage1_matrix(d, lx, indent, grid)
                             for d, lx in zip(docs, lex_per_doc, strict=False)])
        f1 = T.fit_hgb(X1, yb, w, SEED, T.HGB1)
        log(f"  stage-1 trees done ({time.time() - t1:.0f}s)")
        oof_p1 = T.oof_proba(X1, yb, w, row_fold, K, SEED, T.HGB1)
        times["stage1"] = time.time() - t1
        log(f"  stage-1 OOF done ({times['stage1']:.0f}s)")
        trans = T.label_transitions(docs, yb, w)
        m = {"keys": keys, "lex_w": lex_w, "lex_b": lex_b, "f1": f1, "f2": None, "trans": trans,
             "stopwords": stop, "indent": indent, "depth2": indent and T.DEPTH2, "grid": grid,
             "tmpl2": grid and T.TMPL2}
        # --- the validation pages' stage-1 outputs, as `tune_on` computes them
        t2 = time.time()
        model = T.make_model(m, {"trans": trans})
        cache = RenderCache()
        val = []
        for p in val_pages:
            lines, bb = text_to_lines(cached(p, "render_inscriptis", cache), indent=model.indent)
            if lines:
                p1, X, groups = model.stage1(lines, bb)
            else:
                p1, X, groups = np.zeros(0), None, None
            val.append({"id": p.id, "type": p.page_type, "lines": lines, "bb": bb,
                        "gold": p.read_gold(), "p1": p1, "X": X, "groups": groups})
        times["val_stage1"] = time.time() - t2
    meta = [{"page": d.page, "host": d.host, "kind": d.kind, "weight": float(d.w.sum() / 100.0),
             "type": fit_pages[d.page].page_type, "lines": d.lines, "groups": d.groups,
             "n": len(d.lines)} for d in docs]
    f1a = f1.to_arrays("f1_")
    out = {"m": {**{k: v for k, v in m.items() if k != "f1"}, "f1": f1a}, "X1": X1, "yb": yb,
           "w": w, "oof_p1": oof_p1, "folds": folds, "docs": meta, "val": val, "times": times}
    WORK.mkdir(parents=True, exist_ok=True)
    with CACHE.open("wb") as fh:
        pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    log(f"saved {CACHE} rows={len(yb)} cols={X1.shape[1]} times={json.dumps({k: round(v, 1) for k, v in times.items()})}"
        f" total {time.time() - t0:.0f}s")


def load_cache() -> dict:
    from cleaner.model.gbdt import Forest

    with CACHE.open("rb") as fh:
        c = pickle.load(fh)
    c["m"]["f1"] = Forest.from_arrays(c["m"]["f1"], "f1_")
    return c


# ----------------------------------------------------------------- page-type classifier

_TOK = re.compile(r"\w+")


def doc_text(lines) -> str:
    return "\n".join(s.strip().lower() for s in lines)


def aggregates(p1: np.ndarray, X: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """Document-level numbers available at inference: column means of the stage-1 rows,
    stage-1 probability summaries, the share of lines in template runs, the size."""
    from cleaner.model.features import SHAPE_NAMES

    n = len(p1)
    ncol = X.shape[1]
    if n == 0:
        return np.zeros(ncol + 9)
    ntok = np.expm1(X[:, SHAPE_NAMES.index("log_tokens")])
    wt = ntok + 1
    in_tmpl = float((groups >= 0).mean()) if groups is not None else 0.0
    extra = [float(p1.mean()), float((p1 >= 0.5).mean()), float((p1 >= 0.8).mean()),
             float((p1 * wt).sum() / wt.sum()), float((p1 >= 0.5) @ wt / wt.sum()),
             np.log1p(n), np.log1p(ntok.sum()), in_tmpl, float(np.median(ntok))]
    return np.concatenate([X.mean(axis=0), np.asarray(extra)])


class TypeClassifier:
    def __init__(self, buckets: int = 4096, C: float = 1.0, dense_scale: float = 1.0):
        self.buckets, self.C, self.dense_scale = buckets, C, dense_scale

    def _hv(self):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(n_features=self.buckets, ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b",
                                 lowercase=False, alternate_sign=False, norm=None)

    def _matrix(self, texts, dense, fit: bool):
        from scipy import sparse
        from sklearn.preprocessing import normalize

        H = self._hv().transform(texts)
        H.data = np.log1p(H.data)
        H = normalize(H, norm="l2")
        if fit:
            self.mu = dense.mean(axis=0)
            self.sd = dense.std(axis=0) + 1e-6
        D = np.clip((dense - self.mu) / self.sd, -5, 5) * self.dense_scale
        return sparse.hstack([H, sparse.csr_matrix(D)]).tocsr()

    def fit(self, texts, dense, y, w):
        from sklearn.linear_model import LogisticRegression

        A = self._matrix(texts, dense, True)
        self.clf = LogisticRegression(C=self.C, max_iter=2000, random_state=SEED)
        self.clf.fit(A, y, sample_weight=w)
        assert list(self.clf.classes_) == list(range(len(TYPES)))
        return self

    def proba(self, texts, dense):
        return self.clf.predict_proba(self._matrix(texts, dense, False))


def classifier_features(c: dict):
    docs = c["docs"]
    X1s = T._split_rows(docs_as_rows(docs), c["X1"])
    p1s = T._split_rows(docs_as_rows(docs), c["oof_p1"])
    texts = [doc_text(d["lines"]) for d in docs]
    dense = np.stack([aggregates(p, x, d["groups"]) for p, x, d in zip(p1s, X1s, docs, strict=True)])
    vtexts = [doc_text(v["lines"]) for v in c["val"]]
    ncol = dense.shape[1]
    vdense = np.stack([aggregates(v["p1"], v["X"], v["groups"]) if v["X"] is not None else np.zeros(ncol)
                       for v in c["val"]])
    return texts, dense, vtexts, vdense


class _Rows:
    def __init__(self, n):
        self.lines = range(n)


def docs_as_rows(docs):
    return [_Rows(d["n"]) for d in docs]


def type_probs(c: dict, buckets: int, C: float, dense_scale: float = 1.0):
    """Out-of-fold type probabilities of the fit documents (the stage-2 folds), those of a
    classifier fitted on all fit documents for the validation pages, and accuracies."""
    t0 = time.time()
    docs = c["docs"]
    texts, dense, vtexts, vdense = classifier_features(c)
    y = np.array([TYPES.index(d["type"]) for d in docs])
    w = np.array([d["weight"] for d in docs])
    folds = c["folds"]
    oof = np.zeros((len(docs), len(TYPES)))
    for f in range(K):
        tr = folds != f
        clf = TypeClassifier(buckets, C, dense_scale).fit([t for t, k in zip(texts, tr, strict=True) if k],
                                                          dense[tr], y[tr], w[tr])
        oof[~tr] = clf.proba([t for t, k in zip(texts, tr, strict=True) if not k], dense[~tr])
    full = TypeClassifier(buckets, C, dense_scale).fit(texts, dense, y, w)
    vp = full.proba(vtexts, vdense)
    vy = np.array([TYPES.index(v["type"]) for v in c["val"]])
    whole = w >= 0.5  # whole renders (windows weigh 0.05)
    acc = {
        "oof_fit_renders": float((oof[whole].argmax(1) == y[whole]).mean()),
        "oof_fit_windows": float((oof[~whole].argmax(1) == y[~whole]).mean()),
        "val_pages": float((vp.argmax(1) == vy).mean()),
        "val_majority_baseline": float((vy == np.bincount(y[whole]).argmax()).mean()),
    }
    per = {}
    for i, tname in enumerate(TYPES):
        sel = vy == i
        per[tname] = {"n": int(sel.sum()), "recall": float((vp[sel].argmax(1) == i).mean()) if sel.any() else None}
    acc["val_per_type_recall"] = per
    # inference cost: one document at a time (hashing + scaling + LR), validation pages
    t1 = time.perf_counter()
    reps = 3
    for _ in range(reps):
        for t, dd in zip(vtexts, vdense, strict=True):
            full.proba([t], dd[None, :])
    ms_clf = (time.perf_counter() - t1) / reps / len(vtexts) * 1e3
    t1 = time.perf_counter()
    for _ in range(reps):
        for v in c["val"]:
            if v["X"] is not None:
                aggregates(v["p1"], v["X"], v["groups"])
    ms_agg = (time.perf_counter() - t1) / reps / len(vtexts) * 1e3
    t1 = time.perf_counter()
    for _ in range(reps):
        for v in c["val"]:
            doc_text(v["lines"])
    ms_text = (time.perf_counter() - t1) / reps / len(vtexts) * 1e3
    acc["ms_per_doc"] = {"hash+LR": ms_clf, "aggregates": ms_agg, "text_join": ms_text,
                         "total": ms_clf + ms_agg + ms_text}
    acc["seconds"] = time.time() - t0
    return oof, vp, acc


def oracle(c: dict):
    eye = np.eye(len(TYPES))
    return (np.stack([eye[TYPES.index(d["type"])] for d in c["docs"]]),
            np.stack([eye[TYPES.index(v["type"])] for v in c["val"]]))


# ----------------------------------------------------------------- stage 2 + tuning


def fit_stage2(c: dict, extra: np.ndarray | None):
    m = c["m"]
    docs = c["docs"]
    rows = docs_as_rows(docs)
    X1s = T._split_rows(rows, c["X1"])
    p1s = T._split_rows(rows, c["oof_p1"])
    parts = []
    for i, (p, x, d) in enumerate(zip(p1s, X1s, docs, strict=True)):
        S = stage2_input(p, x, m["depth2"], d["groups"] if m["tmpl2"] else None)
        if extra is not None:
            S = np.concatenate([S, np.broadcast_to(extra[i], (len(p), extra.shape[1]))], axis=1)
        parts.append(S)
    X2 = np.concatenate(parts)
    return T.fit_hgb(X2, c["yb"], c["w"], SEED, T.HGB2)


def evaluate_val(c: dict, f2, vextra: np.ndarray | None) -> dict:
    m = c["m"]
    trans = m["trans"]

    def finisher(v, i):
        def finish(use_f2, hmm):
            if not v["lines"]:
                return np.zeros(0)
            p = v["p1"]
            if use_f2:
                S = stage2_input(v["p1"], v["X"], m["depth2"], v["groups"])
                if vextra is not None:
                    S = np.concatenate([S, np.broadcast_to(vextra[i], (len(p), vextra.shape[1]))], axis=1)
                p = f2.fast_proba(S)
            if hmm:
                p = hmm_posterior(p, hmm["prior"], hmm["stay_c"], hmm["stay_b"], hmm.get("power", 1.0))
            return p
        return finish

    items = [(v["lines"], v["gold"], finisher(v, i)) for i, v in enumerate(c["val"])]
    tuned = T.tune_sequence(items, True, trans, True, T.TEXT_THRESHOLDS)
    per, agg = scores_by_type(items, [v["type"] for v in c["val"]], tuned)
    return {"val_f1": tuned["val_f1"], "P": agg["P"], "R": agg["R"], "use_f2": tuned["use_f2"],
            "hmm": tuned["hmm"], "threshold": tuned["threshold"], "per_type": per}


def variant(name: str, buckets: int, C: float, dense_scale: float) -> None:
    from threadpoolctl import threadpool_limits

    t0 = time.time()
    with threadpool_limits(1):
        c = load_cache()
        log(f"loaded cache ({time.time() - t0:.0f}s)")
        extra = vextra = None
        info: dict = {}
        if name == "A":
            extra, vextra, info = type_probs(c, buckets, C, dense_scale)
            log("classifier:", json.dumps(info))
        elif name == "B":
            extra, vextra = oracle(c)
        t1 = time.time()
        f2 = fit_stage2(c, extra)
        t_fit = time.time() - t1
        log(f"stage 2 fitted ({t_fit:.0f}s)")
        t2 = time.time()
        res = evaluate_val(c, f2, vextra)
        t_tune = time.time() - t2
    res.update({"variant": name, "buckets": buckets if name == "A" else None, "C": C if name == "A" else None,
                "dense_scale": dense_scale if name == "A" else None, "classifier": info,
                "seconds": {"stage2_fit": t_fit, "tune": t_tune, "total": time.time() - t0}})
    tag = name if name != "A" else f"A_b{buckets}_C{C}_d{dense_scale}"
    (WORK / f"pt_result_{tag}.json").write_text(json.dumps(res, indent=1))
    log("RESULT", json.dumps(res))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["prepare", "variant"])
    ap.add_argument("name", nargs="?", default="base", choices=["base", "A", "B"])
    ap.add_argument("--data", default=None)
    ap.add_argument("--buckets", type=int, default=4096)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--dense-scale", type=float, default=1.0)
    a = ap.parse_args(argv)
    if a.cmd == "prepare":
        data = Path(a.data) if a.data else default_data_dir()
        if data is None:
            sys.exit("no data dir")
        prepare(data)
    else:
        variant(a.name, a.buckets, a.C, a.dense_scale)


if __name__ == "__main__":
    main()
