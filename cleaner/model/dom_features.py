"""Per-line features from a line's place in the page (`cleaner.extractors.dom.DomPage`).

These join the text features of `features.py` in the HTML line model. Four groups:

* **where it sits**: one column per tag group and per class-name group of its ancestors
  (`TAG_GROUPS`, `CLASS_GROUPS`), a hidden ancestor, the share of link text, the depth, the
  tag it starts in;
* **lines like it**: the lines sharing its signature (the tags of its last ancestors): how
  many, how long on average, how much of them is link text, their share of the page;
* **its containers**: for its ancestors 1, 2, 3, 5 and 8 levels up, the lines under it,
  their share of the page's text, their link share and their share of the page's long
  prose lines; and whether it is inside the *main container* (the deepest element holding
  `MAIN_SHARE` of the long prose lines);
* **names** (`key_logit`): a logistic-regression logit over the class / id / role tokens of
  its ancestors and its signature, a weight per key learned at training time.

Stage 2 adds `group_means`: the token-weighted mean stage-1 probability of the lines under
the same ancestor (1, 2, 3, 5 levels up) and of the lines sharing its signature; a
container's lines are mostly all content or all boilerplate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain

import numpy as np

from cleaner.extractors.dom import CLASS_GROUPS, N_CLASS_BITS, N_TAG_BITS, TAG_GROUPS, DomPage

ANCESTOR_LEVELS = (1, 2, 3, 5, 8)
GROUP_LEVELS = (1, 2, 3, 5)  # stage 2's container means
LONG_LINE_CHARS = 60  # a long prose line: at least this long ...
LONG_LINE_MAX_LINK = 0.3  # ... and at most this share of it link text
MAIN_SHARE = 0.6  # the main container holds at least this share of the long prose lines
START_TAGS = (("p",), ("li",), ("div",), ("tr", "td", "th"), ("h1", "h2", "h3", "h4", "h5", "h6"),
              ("a",), ("span",))

DOM_NAMES = (
    [f"in_{g.split()[0]}" for g in TAG_GROUPS] + ["in_hidden"]
    + [f"name_{k}" for k, _ in CLASS_GROUPS]
    + ["link_frac", "log_depth", "sig_log_lines", "sig_log_mean_chars", "sig_link_frac",
       "sig_char_share"]
    + [f"starts_in_{t[0]}" for t in START_TAGS]
    + [f"anc{k}_{m}" for k in ANCESTOR_LEVELS for m in ("log_lines", "share", "link", "long")]
    + ["in_main", "main_share", "main_depth_below"]
)
N_DOM = len(DOM_NAMES)
LINK_FRAC_COL = DOM_NAMES.index("link_frac")


def dom_features(page: DomPage) -> np.ndarray:
    """The `DOM_NAMES` columns, one row a line (float64)."""
    n = len(page)
    X = np.zeros((n, N_DOM))
    if n == 0:
        return X
    tm = np.asarray(page.tag_mask, dtype=np.int64)
    cm = np.asarray(page.class_mask, dtype=np.int64)
    bits = np.arange(N_TAG_BITS, dtype=np.int64)
    X[:, :N_TAG_BITS] = (tm[:, None] >> bits) & 1
    o = N_TAG_BITS
    X[:, o:o + N_CLASS_BITS] = (cm[:, None] >> np.arange(N_CLASS_BITS, dtype=np.int64)) & 1
    o += N_CLASS_BITS
    chars = np.fromiter(map(len, page.texts), dtype=np.float64, count=n)
    link = np.asarray(page.link_chars, dtype=np.float64)
    X[:, o] = link / np.maximum(chars, 1)
    X[:, o + 1] = np.log1p(np.asarray(page.depth, dtype=np.float64))
    o += 2
    # lines sharing a signature
    _, sig_of = np.unique(np.asarray(page.signature, dtype=object), return_inverse=True)
    sig_n = np.bincount(sig_of)
    sig_chars = np.bincount(sig_of, weights=chars)
    sig_link = np.bincount(sig_of, weights=link)
    total = chars.sum()
    X[:, o] = np.log1p(sig_n[sig_of])
    X[:, o + 1] = np.log1p(sig_chars[sig_of] / sig_n[sig_of])
    X[:, o + 2] = sig_link[sig_of] / np.maximum(sig_chars[sig_of], 1)
    X[:, o + 3] = sig_chars[sig_of] / max(total, 1.0)
    o += 4
    start = [s.rpartition(">")[2] for s in page.signature]
    for k, names in enumerate(START_TAGS):
        X[:, o + k] = [t in names for t in start]
    o += len(START_TAGS)
    X[:, o:] = _container_features(page, chars, link)
    return X


def _ancestor_table(page: DomPage) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (line, ancestor) pair flattened: the ancestor's index among the page's distinct
    ancestors, the line it belongs to, and each line's offset and ancestor count."""
    lens = np.fromiter(map(len, page.ancestors), dtype=np.int64, count=len(page))
    flat = np.fromiter(chain.from_iterable(page.ancestors), dtype=np.int64,
                       count=int(lens.sum()))
    line_of = np.repeat(np.arange(len(page)), lens)
    offsets = np.concatenate([[0], np.cumsum(lens)[:-1]])
    return flat, line_of, offsets, lens


def _container_features(page: DomPage, chars: np.ndarray, link: np.ndarray) -> np.ndarray:
    n = len(page)
    cols = np.full((n, 4 * len(ANCESTOR_LEVELS) + 3), -1.0)
    flat, line_of, offsets, lens = _ancestor_table(page)
    if flat.size == 0:
        cols[:, -3:-1] = 0.0
        return cols
    elems, elem_of = np.unique(flat, return_inverse=True)
    is_long = ((chars >= LONG_LINE_CHARS) & (link < LONG_LINE_MAX_LINK * chars)).astype(float)
    e_lines = np.bincount(elem_of, minlength=len(elems)).astype(np.float64)
    e_chars = np.bincount(elem_of, weights=chars[line_of], minlength=len(elems))
    e_link = np.bincount(elem_of, weights=link[line_of], minlength=len(elems))
    e_long = np.bincount(elem_of, weights=is_long[line_of], minlength=len(elems))
    total, total_long = max(chars.sum(), 1.0), is_long.sum()
    for j, k in enumerate(ANCESTOR_LEVELS):
        has = lens >= k
        e = elem_of[(offsets + lens - k)[has]]
        c = cols[has]
        c[:, 4 * j] = np.log1p(e_lines[e])
        c[:, 4 * j + 1] = e_chars[e] / total
        c[:, 4 * j + 2] = e_link[e] / np.maximum(e_chars[e], 1)
        c[:, 4 * j + 3] = e_long[e] / max(total_long, 1.0)
        cols[has] = c
    o = 4 * len(ANCESTOR_LEVELS)
    cols[:, o:o + 2] = 0.0
    if total_long:
        # the main container: the deepest element holding MAIN_SHARE of the long lines
        # (an element's depth is its place in any of its lines' ancestor tuples)
        depth_in_line = np.arange(flat.size) - offsets[line_of]
        e_depth = np.zeros(len(elems), dtype=np.int64)
        e_depth[elem_of] = depth_in_line
        ok = np.flatnonzero(e_long >= MAIN_SHARE * total_long)
        main = ok[np.argmax(e_depth[ok])]  # ties: the first (smallest id) of the deepest
        inside = np.bincount(line_of, weights=(elem_of == main), minlength=n) > 0
        cols[:, o] = inside
        cols[:, o + 1] = e_chars[main] / total
        cols[:, o + 2] = np.where(inside, lens - e_depth[main], -1)
    return cols


def line_keys(page: DomPage, i: int) -> list[str]:
    """The keys of line `i` for the name logit: its ancestors' name tokens and its
    signature."""
    return ["k:" + k for k in sorted(set(page.keys[i]))] + ["s:" + page.signature[i]]


def key_logit(page: DomPage, weights: Mapping[str, float], bias: float) -> np.ndarray:
    """The name logit of every line: the bias plus the weight of each of its keys."""
    out = np.full(len(page), bias)
    memo: dict[tuple[str, ...], float] = {}  # lines of one container share their keys
    for i, (keys, sig) in enumerate(zip(page.keys, page.signature, strict=True)):
        w = memo.get(keys)
        if w is None:
            w = memo[keys] = sum(weights.get("k:" + k, 0.0) for k in set(keys))
        out[i] += w + weights.get("s:" + sig, 0.0)
    return out


def group_means(page: DomPage, p1: np.ndarray, ntok: np.ndarray) -> np.ndarray:
    """Stage 2's container columns: the (tokens + 1)-weighted mean of `p1` over the lines
    under the same ancestor at each of `GROUP_LEVELS`, and over the lines of its signature."""
    n = len(page)
    if n == 0:
        return np.zeros((0, len(GROUP_LEVELS) + 1))
    w = ntok + 1.0
    flat, _, offsets, lens = _ancestor_table(page)
    cols = []
    for k in GROUP_LEVELS:
        key = np.full(n, -1, dtype=np.int64)  # -1: no ancestor that high (one group)
        has = lens >= k
        key[has] = flat[(offsets + lens - k)[has]]
        cols.append(_weighted_group_mean(key, p1, w))
    _, sig_of = np.unique(np.asarray(page.signature, dtype=object), return_inverse=True)
    cols.append(_weighted_group_mean(sig_of, p1, w))
    return np.column_stack(cols)


def _weighted_group_mean(key: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    _, g = np.unique(key, return_inverse=True)
    return (np.bincount(g, weights=p * w) / np.bincount(g, weights=w))[g]


def key_context(key: np.ndarray, link_frac: np.ndarray) -> np.ndarray:
    """The name logit and link share of the lines +-1 and +-2 away (-1 past the page's
    ends), and their means over +-3 and +-10 lines."""
    from .features import _window_means

    sub = np.column_stack([key, link_frac])
    n = len(sub)
    pad = np.full((2, 2), -1.0)
    padded = np.concatenate([pad, sub, pad])
    cols = [key[:, None]]
    for k in (-2, -1, 1, 2):  # row i holds line i - k
        cols.append(padded[2 - k:2 - k + n])
    cols += _window_means(sub, (3, 10))
    return np.concatenate(cols, axis=1)


KEY_CONTEXT_COUNT = 1 + 4 * 2 + 2 * 2


def names(text_names: Sequence[str]) -> list[str]:
    """Column names of the HTML model's stage-1 matrix (text features first)."""
    ctx = ["key_logit"] + [f"{c}@{k:+d}" for k in (-2, -1, 1, 2) for c in ("key", "link")]
    ctx += [f"{c}_mean{r}" for r in (3, 10) for c in ("key", "link")]
    return [*text_names, *DOM_NAMES, *ctx]
