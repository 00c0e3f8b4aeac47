# ruff: noqa: E501
"""Gradient-boosted trees as flat numpy arrays (exported from sklearn's
HistGradientBoostingClassifier at training time; inference walks them with a compiled
kernel, `cleaner.accel.heap_forest_sums`, or with numpy: no sklearn, no pickle).

Layout: all trees' nodes concatenated; per node ``feature`` (int32), ``threshold`` (float64,
go left when ``x <= threshold``), ``left``/``right`` (int32, global node index; a leaf points to
itself), ``value`` (float64, leaf value, 0 for inner nodes); ``roots`` (int32) index of each
tree's root; ``base`` the baseline raw score; ``depth`` the maximum tree depth.
"""

from __future__ import annotations

import numpy as np

from cleaner.accel import heap_forest_sums, heap_layout

MAX_HEAP_DEPTH = 12  # deeper trees are walked by numpy (`raw`): 2**depth leaves a tree


class Forest:
    def __init__(self, feature, threshold, left, right, value, roots, base: float, depth: int):
        self.feature = np.asarray(feature, dtype=np.int32)
        self.threshold = np.asarray(threshold, dtype=np.float64)
        self.left = np.asarray(left, dtype=np.int32)
        self.right = np.asarray(right, dtype=np.int32)
        self.value = np.asarray(value, dtype=np.float64)
        self.roots = np.asarray(roots, dtype=np.int32)
        self.base = float(base)
        self.depth = int(depth)
        # inference layout: child[2*i] = left, child[2*i+1] = right; float32 thresholds
        self._feat = self.feature.astype(np.int64)
        self._thr32 = np.where(np.isinf(self.threshold), np.float32(3.4e38), self.threshold).astype(
            np.float32
        )
        self._child = np.stack([self.left, self.right], axis=1).ravel().astype(np.int64)
        # the compiled walk's layout: complete binary trees (`accel.heap_layout`), for trees
        # shallow enough that 2**depth leaves each stay small (training makes depth 6 and 4)
        self._heap = (heap_layout(self.feature, self._thr32, self._child, self.roots,
                                  self.value, self.depth)
                      if self.depth <= MAX_HEAP_DEPTH else None)
        self._last_column = int(self.feature.max()) if len(self.feature) else -1

    def raw(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        if n == 0 or len(self.roots) == 0:
            return np.full(n, self.base)
        X = np.nan_to_num(np.asarray(X, dtype=np.float32), nan=0.0, posinf=3e38, neginf=-3e38)
        nf = X.shape[1]
        xf = X.ravel()
        feat, thr, child = self._feat, self._thr32, self._child
        row_base = (np.arange(n, dtype=np.int64) * nf)[:, None]
        node = np.broadcast_to(self.roots.astype(np.int64), (n, len(self.roots)))
        for _ in range(self.depth):
            go_right = xf[row_base + feat[node]] > thr[node]
            node = child[2 * node + go_right]
        return self.base + self.value[node].sum(axis=1)

    def proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def fast_proba(self, X: np.ndarray) -> np.ndarray:
        """`proba` with the trees walked by compiled code (`cleaner.accel.heap_forest_sums`),
        or by numpy when numba is not installed. Scores agree with `proba` within 1e-12
        (the sums' order differs; tested); training uses `proba`, so retraining stays
        byte-identical."""
        n = X.shape[0]
        if n == 0 or len(self.roots) == 0:
            return self.proba(X)
        if X.shape[1] <= self._last_column:  # the compiled walk does not check
            raise ValueError(f"rows of {X.shape[1]} columns for trees that read column "
                             f"{self._last_column}")
        sums = (None if self._heap is None else
                heap_forest_sums(np.ascontiguousarray(X, dtype=np.float64), *self._heap,
                                 self.depth))
        if sums is None:
            return self.proba(X)
        return 1.0 / (1.0 + np.exp(-(self.base + sums)))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}feature": self.feature,
            f"{prefix}threshold": self.threshold,
            f"{prefix}left": self.left,
            f"{prefix}right": self.right,
            f"{prefix}value": self.value,
            f"{prefix}roots": self.roots,
            f"{prefix}meta": np.array([self.base, self.depth], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrs, prefix: str) -> Forest:
        meta = arrs[f"{prefix}meta"]
        return cls(
            arrs[f"{prefix}feature"],
            arrs[f"{prefix}threshold"],
            arrs[f"{prefix}left"],
            arrs[f"{prefix}right"],
            arrs[f"{prefix}value"],
            arrs[f"{prefix}roots"],
            float(meta[0]),
            int(meta[1]),
        )


def export_hgb(clf) -> Forest:
    """Convert a fitted binary HistGradientBoostingClassifier (numerical features, no NaN) to a Forest."""
    feats, thrs, lefts, rights, vals, roots = [], [], [], [], [], []
    offset = 0
    max_depth = 0
    for it in clf._predictors:
        nodes = it[0].nodes
        m = len(nodes)
        leaf = nodes["is_leaf"].astype(bool)
        idx = np.arange(m)
        f = np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32)
        t = np.where(leaf, np.inf, nodes["num_threshold"]).astype(np.float64)
        le = np.where(leaf, idx, nodes["left"]).astype(np.int64) + offset
        ri = np.where(leaf, idx, nodes["right"]).astype(np.int64) + offset
        v = np.where(leaf, nodes["value"], 0.0).astype(np.float64)
        feats.append(f)
        thrs.append(t)
        lefts.append(le)
        rights.append(ri)
        vals.append(v)
        roots.append(offset)
        max_depth = max(max_depth, int(nodes["depth"].max()))
        offset += m
    base = float(np.ravel(clf._baseline_prediction)[0])
    return Forest(
        np.concatenate(feats),
        np.concatenate(thrs),
        np.concatenate(lefts),
        np.concatenate(rights),
        np.concatenate(vals),
        np.asarray(roots),
        base,
        max_depth,
    )
