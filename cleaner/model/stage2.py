"""Stage-2 (sequence-aware) features computed from stage-1 line probabilities.

Used by a second tree model that re-scores every line from the stage-1 probabilities of its
neighbourhood ("stacking"), including a *main-body* signal: the maximum-sum contiguous block of
``(p - 0.5) * (tokens + 1)`` (Kadane), i.e. the run of lines that most plausibly is the article.
"""

from __future__ import annotations

import math

import numpy as np

from cleaner.accel import best_block, stage2_columns

from .features import INDENT_NAMES, SHAPE_NAMES, _shift, _window_means

_KEEP = [
    SHAPE_NAMES.index(k)
    for k in (
        "log_tokens",
        "end_sent",
        "stop_frac",
        "rel_pos",
        "blank_before",
        "starts_bullet",
        "dup_in_doc",
    )
]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def stage2_features(p1: np.ndarray, X1: np.ndarray) -> np.ndarray:
    """The stage-2 columns every line model reads (`stage2_count` of them), compiled when
    numba is there (`stage2_input`)."""
    return stage2_input(p1, X1, False)


def _stage2_np(p1: np.ndarray, X1: np.ndarray) -> np.ndarray:
    n = len(p1)
    if n == 0:
        return np.zeros((0, stage2_count()))
    lg = _logit(p1)
    ntok = np.expm1(X1[:, SHAPE_NAMES.index("log_tokens")])
    cols = [lg[:, None], X1[:, _KEEP]]
    for k in (-3, -2, -1, 1, 2, 3):
        cols.append(_shift(lg, k, -8.0)[:, None])
    cols += _window_means(p1[:, None], (2, 5, 15))
    w = ntok + 1
    tot = w.sum()
    mass = p1 * w
    cum = np.cumsum(mass)
    before = (cum - mass) / tot
    after = (mass.sum() - cum) / tot
    cmax_before = np.maximum.accumulate(np.concatenate([[0.0], p1[:-1]]))
    cmax_after = np.maximum.accumulate(np.concatenate([p1[1:], [0.0]])[::-1])[::-1]
    bs, be = best_block((p1 - 0.5) * w)
    idx = np.arange(n)
    inblock = ((idx >= bs) & (idx <= be)).astype(np.float64)
    dist_block = np.where(idx < bs, bs - idx, np.where(idx > be, idx - be, 0)).astype(np.float64)
    block_mass = float(w[bs : be + 1].sum() / tot) if be >= bs else 0.0
    cols += [
        before[:, None],
        after[:, None],
        cmax_before[:, None],
        cmax_after[:, None],
        inblock[:, None],
        np.minimum(dist_block, 100)[:, None],
        np.full((n, 1), block_mass),
        np.full((n, 1), float(p1.mean())),
        np.full((n, 1), float((mass.sum()) / tot)),
        np.full((n, 1), math.log1p(n)),
    ]
    return np.concatenate(cols, axis=1)


def stage2_count() -> int:
    return 1 + len(_KEEP) + 6 + 3 + 10


DEPTH_COLUMNS = 4


def depth_features(p1: np.ndarray, X1: np.ndarray) -> np.ndarray:
    """Stage-2 columns of a model with the indentation columns (the last
    ``len(INDENT_NAMES)`` of ``X1``): lines at one depth are siblings in the page, so the
    mean stage-1 probability of the lines at the line's depth (plain and token-weighted),
    of its run of consecutive lines at that depth, and the run's length (log)."""
    n = len(p1)
    if n == 0:
        return np.zeros((0, DEPTH_COLUMNS))
    level = X1[:, -len(INDENT_NAMES) + INDENT_NAMES.index("indent_rank")].astype(np.int64)
    w = np.expm1(X1[:, SHAPE_NAMES.index("log_tokens")]) + 1.0
    count = np.bincount(level)
    mean = np.bincount(level, weights=p1) / np.maximum(count, 1)
    wmean = np.bincount(level, weights=p1 * w) / np.maximum(np.bincount(level, weights=w), 1e-9)
    run = np.cumsum(np.concatenate([[0], level[1:] != level[:-1]]))
    run_n = np.bincount(run)
    run_mean = np.bincount(run, weights=p1) / run_n
    return np.column_stack([mean[level], wmean[level], run_mean[run], np.log(run_n[run])])


TEMPLATE_COLUMNS = 2


def template_features(p1: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Stage-2 columns of a model that reads the lines' templates: a listing's records
    repeat one template (`features.template_groups`), so the mean stage-1 probability of
    the lines of the line's template, with and without the line itself (the line's own
    probability for a template seen once, and for a line without tokens)."""
    n = len(p1)
    if n == 0:
        return np.zeros((0, TEMPLATE_COLUMNS))
    grouped = groups >= 0
    g = np.where(grouped, groups, 0)  # the lines outside groups count for no group
    count = np.bincount(g, weights=grouped, minlength=1)[g]
    total = np.bincount(g, weights=p1 * grouped, minlength=1)[g]
    mean = np.where(grouped, total / np.maximum(count, 1), p1)
    others = np.where(grouped & (count > 1), (total - p1) / np.maximum(count - 1, 1), p1)
    return np.column_stack([mean, others])


_KEEP_ARR = np.asarray(_KEEP, dtype=np.int64)
_RANK_COL = -len(INDENT_NAMES) + INDENT_NAMES.index("indent_rank")
_NO_INTS = np.zeros(0, dtype=np.int64)


def stage2_input(p1: np.ndarray, X1: np.ndarray, depth: bool,
                 groups: np.ndarray | None = None) -> np.ndarray:
    """The text model's stage-2 rows: `stage2_features`, then `depth_features` when the
    model was trained with them, then `template_features` when it reads the lines'
    template `groups`. Compiled (`accel.stage2_columns`), with the numpy functions of this
    module as the twin: the same numbers."""
    n = len(p1)
    if n and p1.dtype == np.float64:
        width = (stage2_count() + (DEPTH_COLUMNS if depth else 0)
                 + (0 if groups is None else TEMPLATE_COLUMNS))
        out = np.empty((n, width))
        w = np.expm1(X1[:, SHAPE_NAMES.index("log_tokens")]) + 1
        mass = p1 * w
        tot, msum = w.sum(), mass.sum()
        level = X1[:, _RANK_COL].astype(np.int64) if depth else _NO_INTS
        run_n = np.empty(n if depth else 0)
        block = stage2_columns(
            np.ascontiguousarray(p1), _logit(p1), np.ascontiguousarray(X1, dtype=np.float64),
            _KEEP_ARR, w, mass, tot, msum, level,
            _NO_INTS if groups is None else np.ascontiguousarray(groups, dtype=np.int64),
            out, run_n)
        if block is not None:  # the document-wide columns, computed as the numpy code does
            bs, be = block
            c = stage2_count() - 4
            out[:, c] = float(w[bs : be + 1].sum() / tot) if be >= bs else 0.0
            out[:, c + 1] = float(p1.mean())
            out[:, c + 2] = float(msum / tot)
            out[:, c + 3] = math.log1p(n)
            if depth:
                out[:, stage2_count() + 3] = np.log(run_n)
            return out
    S = _stage2_np(p1, X1)
    cols = [S]
    if depth:
        cols.append(depth_features(p1, X1))
    if groups is not None:
        cols.append(template_features(p1, groups))
    return np.concatenate(cols, axis=1) if len(cols) > 1 else S
