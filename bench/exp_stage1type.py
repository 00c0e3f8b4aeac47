# ruff: noqa: E501
"""Experiment (validation only): does the page type help the text model's STAGE 1?

Reuses `bench/exp_pagetype.py prepare`'s cache ($CLEANER_MODEL_WORK/pt_stage1.pkl).

    run oracle   append the TRUE page type one-hot (7 columns, broadcast to every line of
                 the document; a fit doc gets the type of the page it comes from, windows
                 included) to the END of X1; refit stage 1 (HGB1, seed 0, same weights) and
                 its out-of-fold probabilities on the same page-grouped folds; refit stage 2
                 on the new out-of-fold p1 with the ORIGINAL X1 (so every column
                 `stage2_input` reads, including the indentation rank read from the end of
                 X1, is unchanged); tune on validation with the validation pages' true types
                 appended the same way
    run A        the same with exp_pagetype.py variant A's out-of-fold type probabilities
                 (7 columns; the validation pages get the full classifier's probabilities)

Run (from the repo root):
    OMP_NUM_THREADS=1 CLEANER_MODEL_WORK=/tmp/wpt-work PYTHONPATH=. nice -n 10 \
        python bench/exp_stage1type.py run oracle|A

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

from exp_pagetype import (
    SEED,
    WORK,
    K,
    evaluate_val,
    fit_stage2,
    load_cache,
    log,
    oracle,
    type_probs,
)

from cleaner.model import training as T


def logloss(p, y, w):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-(w * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum() / w.sum())


def run(name: str) -> None:
    from threadpoolctl import threadpool_limits

    t0 = time.time()
    secs: dict = {}
    with threadpool_limits(1):
        c = load_cache()
        log(f"loaded cache ({time.time() - t0:.0f}s)")
        docs, yb, w = c["docs"], c["yb"], c["w"]
        # sanity: the cached stage 1 reproduces the cached validation p1
        f1_old = c["m"]["f1"]
        dev = max(float(np.abs(f1_old.fast_proba(v["X"]) - v["p1"]).max()) for v in c["val"] if v["X"] is not None)
        log(f"cached f1 vs cached val p1: max |diff| {dev:.2e}")
        info: dict = {}
        if name == "oracle":
            extra, vextra = oracle(c)
        else:
            t1 = time.time()
            extra, vextra, info = type_probs(c, 4096, 1.0, 1.0)  # uses the ORIGINAL oof p1
            secs["type_classifier"] = time.time() - t1
            log("classifier:", json.dumps(info))
        n_per = np.array([d["n"] for d in docs])
        assert n_per.sum() == len(yb) == c["X1"].shape[0]
        E = np.repeat(extra, n_per, axis=0)
        X1t = np.concatenate([c["X1"], E], axis=1)
        log(f"X1 {c['X1'].shape} -> {X1t.shape}")
        row_fold = np.concatenate([np.full(d["n"], f) for d, f in zip(docs, c["folds"], strict=True)])
        t1 = time.time()
        f1 = T.fit_hgb(X1t, yb, w, SEED, T.HGB1)
        secs["stage1_full"] = time.time() - t1
        log(f"stage-1 full fit ({secs['stage1_full']:.0f}s)")
        t1 = time.time()
        oof = T.oof_proba(X1t, yb, w, row_fold, K, SEED, T.HGB1)
        secs["stage1_oof"] = time.time() - t1
        del X1t
        oofdiag = {"oof_logloss_old": logloss(c["oof_p1"], yb, w), "oof_logloss_new": logloss(oof, yb, w),
                   "oof_acc_old": float((w * ((c["oof_p1"] >= 0.5) == yb)).sum() / w.sum()),
                   "oof_acc_new": float((w * ((oof >= 0.5) == yb)).sum() / w.sum())}
        log("stage-1 OOF:", json.dumps(oofdiag))
        c["oof_p1"] = oof
        for i, v in enumerate(c["val"]):
            if v["X"] is not None:
                Xv = np.concatenate([v["X"], np.broadcast_to(vextra[i], (len(v["X"]), vextra.shape[1]))], axis=1)
                v["p1"] = f1.fast_proba(Xv)  # v["X"] (original columns) stays for stage 2
        t1 = time.time()
        f2 = fit_stage2(c, None)
        secs["stage2_fit"] = time.time() - t1
        log(f"stage 2 fitted ({secs['stage2_fit']:.0f}s)")
        t1 = time.time()
        res = evaluate_val(c, f2, None)
        secs["tune"] = time.time() - t1
    secs["total"] = time.time() - t0
    res.update({"variant": f"stage1_{name}", "stage1_oof": oofdiag, "classifier": info, "seconds": secs})
    (WORK / f"pt_result_stage1_{name}.json").write_text(json.dumps(res, indent=1))
    log("RESULT", json.dumps(res))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["run"])
    ap.add_argument("name", choices=["oracle", "A"])
    a = ap.parse_args(argv)
    run(a.name)


if __name__ == "__main__":
    main()
