# ruff: noqa: E501
"""Line labels by alignment of rendered lines against the gold main text.

Both the rendered page and the gold text are tokenised with ``\\w+`` (lowercased).  Each
non-blank rendered line gets a score in [0, 1] = the fraction of its tokens that can be matched
*in order* against a window of the gold token sequence; a line is content when that fraction is
>= ``threshold`` (default 0.5).

How it works (two passes; lines may be out of order w.r.t. the gold, e.g. a sidebar rendered
before the article or table cells re-ordered, because every long line is located independently):

1. *Long lines* (>= ``anchor_len`` tokens, default 4): candidate start positions in the gold are
   collected from the gold positions of the line's 3-grams (minus the 3-gram's offset in the line,
   at most ``max_cands`` distinct starts, most frequently voted first).  For each candidate we
   greedily match the line tokens in order against ``gold[start - slack : start + len + 2*slack]``
   (a monotone subsequence match: each line token is searched forward from the previous match,
   at most 8 gold tokens further; tokens not found are skipped; only matches that form runs of
   >= 2 tokens adjacent both in the line and in the gold count, so stray common words don't).  The best candidate gives the line's score.  Lines scoring >=
   threshold become *anchors*: their matched gold span is marked as consumed.
2. *Short lines* (< ``anchor_len`` tokens: headings, bylines, list items, "Home"): the match is
   only accepted inside the *gap* of the gold between the spans of the nearest preceding and
   following anchors (plus a little slack), on gold tokens not consumed by anchors, and the
   short line's tokens must occur contiguously-in-order there.  This stops "Home" / "Share" /
   "Login" in navigation from being labelled content just because the word occurs somewhere in
   the article, while still labelling headings that sit between two aligned paragraphs.  Matched
   short lines consume their gold tokens too, so a repeated heading matches only once.

Lines without any ``\\w`` token get score 0 (they carry no shingles anyway).
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

_TOK = re.compile(r"\w+")


def _toks(s: str) -> list[str]:
    return _TOK.findall(s.lower())


def _greedy_in_order(
    line: list[str], gold: list[str], lo: int, hi: int, used: np.ndarray | None, max_jump: int = 8
) -> tuple[int, list[int]]:
    """Match line tokens in order inside gold[lo:hi]; returns (matched, matched gold positions).

    The first token may match anywhere in the window; later tokens at most ``max_jump`` gold
    tokens after the previous match (so a stray common word cannot jump into the next paragraph).
    Tokens that are not found are skipped.
    """
    pos = lo
    hits: list[tuple[int, int]] = []  # (line index, gold index)
    for k, t in enumerate(line):
        end = hi if not hits else min(hi, pos + max_jump)
        j = pos
        while j < end:
            if gold[j] == t and (used is None or not used[j]):
                break
            j += 1
        if j < end:
            hits.append((k, j))
            pos = j + 1
    if len(line) == 1:
        out = [j for _, j in hits]
        return len(out), out
    # keep only matches that are part of a run of >= 2 tokens adjacent in both line and gold
    out = []
    for a, (k, j) in enumerate(hits):
        prev_ok = a > 0 and hits[a - 1][0] == k - 1 and hits[a - 1][1] == j - 1
        next_ok = a + 1 < len(hits) and hits[a + 1][0] == k + 1 and hits[a + 1][1] == j + 1
        if prev_ok or next_ok:
            out.append(j)
    return len(out), out


def align_lines(
    lines: list[str],
    gold: str,
    *,
    threshold: float = 0.5,
    anchor_len: int = 4,
    max_cands: int = 8,
    return_scores: bool = False,
):
    """Label rendered lines against gold text.

    Returns a list of bools (content or not), or, with ``return_scores=True``, a float array of
    matched fractions (short lines get 1.0/0.0).
    """
    gt = _toks(gold)
    n = len(lines)
    scores = np.zeros(n, dtype=np.float32)
    if n == 0 or not gt:
        return scores if return_scores else [False] * n
    G = len(gt)
    tri: dict[tuple, list[int]] = defaultdict(list)
    for i in range(G - 2):
        tri[(gt[i], gt[i + 1], gt[i + 2])].append(i)
    used = np.zeros(G, dtype=bool)
    ltoks = [_toks(s)[:400] for s in lines]
    spans: list[tuple[int, int] | None] = [None] * n

    # pass 1: long lines
    for i, lt in enumerate(ltoks):
        L = len(lt)
        if anchor_len > L:
            continue
        votes: dict[int, int] = defaultdict(int)
        for k in range(L - 2):
            for p in tri.get((lt[k], lt[k + 1], lt[k + 2]), ())[:50]:
                votes[max(0, p - k)] += 1
        if not votes:
            continue
        cands = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:max_cands]
        best: tuple[int, list[int]] = (0, [])
        slack = 3 + L // 4
        for start, _ in cands:
            lo = max(0, start - slack)
            hi = min(G, start + L + 2 * slack)
            m = _greedy_in_order(lt, gt, lo, hi, used)
            if m[0] > best[0]:
                best = m
        scores[i] = best[0] / L
        if scores[i] >= threshold and best[1]:
            spans[i] = (best[1][0], best[1][-1])
            used[best[1]] = True

    # pass 2: short lines, inside the gap between neighbouring anchors
    anchor_idx = [i for i in range(n) if spans[i] is not None]
    import bisect

    for i, lt in enumerate(ltoks):
        L = len(lt)
        if L == 0 or anchor_len <= L:
            continue
        k = bisect.bisect_left(anchor_idx, i)
        prev_end = spans[anchor_idx[k - 1]][1] if k > 0 else 0
        next_start = spans[anchor_idx[k]][0] if k < len(anchor_idx) else G
        lo = max(0, prev_end - 2)
        hi = min(G, next_start + 3)
        if hi <= lo:
            # out-of-order neighbours: fall back to a small window after the previous anchor
            lo, hi = max(0, prev_end - 2), min(G, prev_end + 40)
        # contiguous in-order occurrence on unconsumed gold tokens
        found = -1
        for j in range(lo, hi - L + 1):
            if (
                gt[j] == lt[0]
                and not used[j]
                and all(gt[j + q] == lt[q] and not used[j + q] for q in range(1, L))
            ):
                found = j
                break
        if found >= 0:
            scores[i] = 1.0
            used[found : found + L] = True
            spans[i] = (found, found + L - 1)
    if return_scores:
        return scores
    return [bool(s >= threshold) for s in scores]
