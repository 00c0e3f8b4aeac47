# ruff: noqa: E501
"""Experiment (validation only): a third stacking round, and blank-line segment columns in
stage 2, for the text line model. Reuses `bench/exp_pagetype.py prepare`'s cache
($CLEANER_MODEL_WORK/pt_stage1.pkl: fit docs, X1, out-of-fold stage-1 probabilities, the
full stage 1 and the validation pages' `model.stage1` outputs).

    run [--seg] [--stage3] [--p1logit]
        --seg      stage 2 (and stage 3) rows get `segment_features` of their input
                   probabilities appended (blocks = runs of lines between blank lines)
        --stage3   out-of-fold stage-2 probabilities on the fit docs (stage 2 refitted on 3
                   of the 4 page-grouped folds, predicting the 4th), stage-3 trees (HGB2) on
                   `stage2_input(p2_oof, X1, depth, groups)`; at validation p3 replaces p2
        --p1logit  stage 3 also reads the stage-1 logit
        --only-last  tune on the last stage only (its own F1/P/R/per-type at its best settings)

    oof    diagnostic: out-of-fold stage-2 log loss / accuracy on the fit docs, with and
           without the segment columns

Tuning: `training.tune_sequence` with ``use_f2=False`` = the previous stage's
probabilities (p1 without --stage3, p2 with it) and ``use_f2=True`` = the last stage's.

Run (from the repo root):
    OMP_NUM_THREADS=1 CLEANER_MODEL_WORK=/tmp/wpt-work PYTHONPATH=. nice -n 10 \
        python bench/exp_stage3.py run [--seg] [--stage3] [--p1logit]

Never loads the test split.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exp_pagetype import SEED, WORK, K, docs_as_rows, load_cache, log, scores_by_type

from cleaner.model import training as T
from cleaner.model.features import SHAPE_NAMES
from cleaner.model.sequence import hmm_posterior
from cleaner.model.stage2 import _logit, stage2_input

_BB = SHAPE_NAMES.index("blank_before")
_TOK = SHAPE_NAMES.index("log_tokens")
SEG_COLUMNS = 8


def segment_features(p: np.ndarray, X1: np.ndarray) -> np.ndarray:
    """Per line: mean p of its block (lines between blank lines), log of the block's line
    count, first/last in block, relative position in block, mean p of the previous and next
    blocks (-1 when none), share of the block's tokens on lines with p >= 0.5."""
    n = len(p)
    if n == 0:
        return np.zeros((0, SEG_COLUMNS))
    starts = X1[:, _BB] > 0.5
    starts[0] = True
    blk = np.cumsum(starts) - 1
    nb = int(blk[-1]) + 1
    cnt = np.bincount(blk, minlength=nb).astype(np.float64)
    mean = np.bincount(blk, weights=p, minlength=nb) / cnt
    ntok = np.expm1(X1[:, _TOK])
    tok = np.bincount(blk, weights=ntok, minlength=nb)
    hi = np.bincount(blk, weights=ntok * (p >= 0.5), minlength=nb) / np.maximum(tok, 1e-9)
    first = np.flatnonzero(starts)
    pos = np.arange(n) - first[blk]
    c = cnt[blk]
    rel = np.where(c > 1, pos / np.maximum(c - 1, 1), 0.0)
    prev = np.concatenate([[-1.0], mean[:-1]])[blk]
    nxt = np.concatenate([mean[1:], [-1.0]])[blk]
    return np.column_stack([mean[blk], np.log(c), (pos == 0).astype(np.float64),
                            (pos == c - 1).astype(np.float64), rel, prev, nxt, hi[blk]])


def rows_for(p: np.ndarray, X: np.ndarray, m: dict, groups, seg: bool, p1=None) -> np.ndarray:
    S = stage2_input(p, X, m["depth2"], groups if m["tmpl2"] else None)
    cols = [S]
    if seg:
        cols.append(segment_features(p, X))
    if p1 is not None:
        cols.append(_logit(p1)[:, None])
    return np.concatenate(cols, axis=1) if len(cols) > 1 else S


def run(seg: bool, stage3: bool, p1logit: bool, only_last: bool = False) -> None:
    from threadpoolctl import threadpool_limits

    t0 = time.time()
    secs: dict = {}
    with threadpool_limits(1):
        c = load_cache()
        m = c["m"]
        docs = c["docs"]
        rows = docs_as_rows(docs)
        X1s = T._split_rows(rows, c["X1"])
        p1s = T._split_rows(rows, c["oof_p1"])
        yb, w = c["yb"], c["w"]
        log(f"loaded cache ({time.time() - t0:.0f}s)")
        t1 = time.time()
        X2 = np.concatenate([rows_for(p, x, m, d["groups"], seg) for p, x, d in zip(p1s, X1s, docs, strict=True)])
        secs["X2_build"] = time.time() - t1
        t1 = time.time()
        f2 = T.fit_hgb(X2, yb, w, SEED, T.HGB2)
        secs["stage2_fit"] = time.time() - t1
        log(f"stage 2 fitted, {X2.shape[1]} cols ({secs['stage2_fit']:.0f}s)")
        f3 = None
        if stage3:
            t1 = time.time()
            row_fold = np.concatenate([np.full(d["n"], f) for d, f in zip(docs, c["folds"], strict=True)])
            oof_p2 = T.oof_proba(X2, yb, w, row_fold, K, SEED, T.HGB2)
            secs["stage2_oof"] = time.time() - t1
            log(f"stage 2 OOF done ({secs['stage2_oof']:.0f}s)")
            del X2
            p2s = T._split_rows(rows, oof_p2)
            X3 = np.concatenate([rows_for(p2, x, m, d["groups"], seg, p1 if p1logit else None)
                                 for p2, p1, x, d in zip(p2s, p1s, X1s, docs, strict=True)])
            t1 = time.time()
            f3 = T.fit_hgb(X3, yb, w, SEED, T.HGB2)
            secs["stage3_fit"] = time.time() - t1
            log(f"stage 3 fitted, {X3.shape[1]} cols ({secs['stage3_fit']:.0f}s)")
            del X3
        # validation scores: prev = the stage before the last, last = the last stage
        t1 = time.time()
        prev, last = [], []
        t_feat = 0.0
        for v in c["val"]:
            if not v["lines"]:
                prev.append(np.zeros(0))
                last.append(np.zeros(0))
                continue
            ta = time.perf_counter()
            S = rows_for(v["p1"], v["X"], m, v["groups"], seg)
            t_feat += time.perf_counter() - ta
            p2 = f2.fast_proba(S)
            if f3 is None:
                prev.append(v["p1"])
                last.append(p2)
            else:
                ta = time.perf_counter()
                S3 = rows_for(p2, v["X"], m, v["groups"], seg, v["p1"] if p1logit else None)
                t_feat += time.perf_counter() - ta
                prev.append(p2)
                last.append(f3.fast_proba(S3))
        secs["val_scores"] = time.time() - t1
        # inference cost of the added work, per validation page (3 repetitions)
        cost = time_cost(c, m, f2, f3, seg, p1logit)
        trans = m["trans"]

        def finisher(i):
            def finish(use_last, hmm):
                p = last[i] if (use_last or only_last) else prev[i]
                if len(p) and hmm:
                    p = hmm_posterior(p, hmm["prior"], hmm["stay_c"], hmm["stay_b"], hmm.get("power", 1.0))
                return p
            return finish

        t1 = time.time()
        items = [(v["lines"], v["gold"], finisher(i)) for i, v in enumerate(c["val"])]
        tuned = T.tune_sequence(items, not only_last, trans, True, T.TEXT_THRESHOLDS)
        if only_last:
            tuned["use_f2"] = True
        per, agg = scores_by_type(items, [v["type"] for v in c["val"]], tuned)
        secs["tune"] = time.time() - t1
    secs["total"] = time.time() - t0
    tag = "s" + ("_seg" if seg else "") + ("_st3" if stage3 else "") + ("_p1" if p1logit else "") + ("_last" if only_last else "")
    res = {"variant": tag, "val_f1": tuned["val_f1"], "P": agg["P"], "R": agg["R"],
           "use_last_stage": tuned["use_f2"], "hmm": tuned["hmm"], "threshold": tuned["threshold"],
           "per_type": per, "ms_per_page": cost, "seconds": secs}
    (WORK / f"pt_result_{tag}.json").write_text(json.dumps(res, indent=1))
    log("RESULT", json.dumps(res))


def time_cost(c, m, f2, f3, seg, p1logit, reps=3) -> dict:
    """ms per validation page: the segment columns alone; the stage-3 work (rows + trees)."""
    val = [v for v in c["val"] if v["lines"]]
    out = {"pages": len(c["val"])}
    if seg:
        t = time.perf_counter()
        for _ in range(reps):
            for v in val:
                segment_features(v["p1"], v["X"])
        out["segment_features"] = (time.perf_counter() - t) / reps / len(c["val"]) * 1e3
    t = time.perf_counter()
    for _ in range(reps):
        for v in val:
            f2.fast_proba(rows_for(v["p1"], v["X"], m, v["groups"], seg))
    out["stage2_rows+trees"] = (time.perf_counter() - t) / reps / len(c["val"]) * 1e3
    if f3 is not None:
        p2s = [f2.fast_proba(rows_for(v["p1"], v["X"], m, v["groups"], seg)) for v in val]
        t = time.perf_counter()
        for _ in range(reps):
            for v, p2 in zip(val, p2s, strict=True):
                f3.fast_proba(rows_for(p2, v["X"], m, v["groups"], seg, v["p1"] if p1logit else None))
        out["stage3_rows+trees"] = (time.perf_counter() - t) / reps / len(c["val"]) * 1e3
    return out


def oof_check() -> None:
    """Diagnostic on the fit docs (thousands of pages, not 179): out-of-fold stage-2
    probabilities (same page-grouped folds) with and without the segment columns, and the
    weighted log loss / line accuracy of p1, p2 and p2+seg."""
    from threadpoolctl import threadpool_limits

    t0 = time.time()
    with threadpool_limits(1):
        c = load_cache()
        m, docs = c["m"], c["docs"]
        rows = docs_as_rows(docs)
        X1s = T._split_rows(rows, c["X1"])
        p1s = T._split_rows(rows, c["oof_p1"])
        yb, w = c["yb"], c["w"]
        row_fold = np.concatenate([np.full(d["n"], f) for d, f in zip(docs, c["folds"], strict=True)])

        def stats(p):
            q = np.clip(p, 1e-6, 1 - 1e-6)
            ll = float(-(w * (yb * np.log(q) + (1 - yb) * np.log(1 - q))).sum() / w.sum())
            acc = float((w * ((p >= 0.5) == yb)).sum() / w.sum())
            return {"logloss": round(ll, 5), "acc": round(acc, 5)}

        res = {"p1_oof": stats(c["oof_p1"])}
        for seg in (False, True):
            X2 = np.concatenate([rows_for(p, x, m, d["groups"], seg) for p, x, d in zip(p1s, X1s, docs, strict=True)])
            oof = T.oof_proba(X2, yb, w, row_fold, K, SEED, T.HGB2)
            res["p2_oof" + ("_seg" if seg else "")] = stats(oof)
            log(json.dumps(res))
            del X2
    res["seconds"] = time.time() - t0
    (WORK / "pt_result_oofcheck.json").write_text(json.dumps(res, indent=1))
    log("RESULT", json.dumps(res))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["run", "oof"])
    ap.add_argument("--seg", action="store_true")
    ap.add_argument("--stage3", action="store_true")
    ap.add_argument("--p1logit", action="store_true")
    ap.add_argument("--only-last", action="store_true", help="tune on the last stage's probabilities only")
    a = ap.parse_args(argv)
    if a.cmd == "oof":
        return oof_check()
    run(a.seg, a.stage3, a.p1logit, a.only_last)


if __name__ == "__main__":
    main()
