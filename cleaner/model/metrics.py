# ruff: noqa: E501
"""Evaluation metrics: shingle P/R/F1 (macro-averaged P and R, F1 of the averages) and bag-of-words F1.

Shingle metric, per document:
  tokens = re.findall(r"\\w+", text.lower()); 4-token shingles as a multiset (documents with
  fewer than 4 tokens use their tokens as 1-gram shingles); tp = |gold & out|, fp = |out - gold|,
  fn = |gold - out| (multiset); normalised so tp+fp+fn = 1 (does not change P/R);
  P = tp/(tp+fp), R = tp/(tp+fn); both empty -> P=R=1; exactly one empty -> P=R=0.
Corpus: average P and R over documents; F1 = harmonic mean of the two averages.

Bag-of-words F1: multiset of lowercased \\w+ tokens, F1 per page, averaged; empty gold scores 1
only if the output is empty too (and empty output with non-empty gold scores 0).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_TOK = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOK.findall(text.lower())


def shingles(text: str, n: int = 4) -> Counter:
    toks = tokens(text)
    if len(toks) < n:
        return Counter((t,) for t in toks)
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def shingle_pr(gold: str, out: str) -> tuple[float, float]:
    g = shingles(gold)
    o = shingles(out)
    if not g and not o:
        return 1.0, 1.0
    if not g or not o:
        return 0.0, 0.0
    tp = sum((g & o).values())
    fp = sum(o.values()) - tp
    fn = sum(g.values()) - tp
    tot = tp + fp + fn
    tp, fp, fn = tp / tot, fp / tot, fn / tot
    p = tp / (tp + fp) if tp + fp > 0 else 0.0
    r = tp / (tp + fn) if tp + fn > 0 else 0.0
    return p, r


def bow_f1(gold: str, out: str) -> float:
    g = Counter(tokens(gold))
    o = Counter(tokens(out))
    if not g:
        return 1.0 if not o else 0.0
    if not o:
        return 0.0
    tp = sum((g & o).values())
    if tp == 0:
        return 0.0
    p = tp / sum(o.values())
    r = tp / sum(g.values())
    return 2 * p * r / (p + r)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def aggregate(rows: Iterable[tuple[float, float, float]]) -> dict:
    """rows of (P, R, BoW-F1) per document -> {'P','R','F1','BoW_F1','n'}."""
    rows = list(rows)
    n = len(rows)
    if n == 0:
        return {"P": 0.0, "R": 0.0, "F1": 0.0, "BoW_F1": 0.0, "n": 0}
    p = sum(r[0] for r in rows) / n
    r_ = sum(r[1] for r in rows) / n
    b = sum(r[2] for r in rows) / n
    return {"P": p, "R": r_, "F1": f1(p, r_), "BoW_F1": b, "n": n}
