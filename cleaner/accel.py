"""Inner loops compiled by numba, with numpy twins that give the same results.

Per-line work in numpy is a dozen passes over a document's code points, each allocating
arrays the size of the document; compiled, it is one pass. Every kernel here has a numpy
twin, which runs when numba is not installed and which the tests compare it with
(tests/test_accel.py): the numbers are the same either way, only the time differs. Kernels
are compiled on first use and cached beside this file (numba's `cache=True`), so a process
pays the compilation once per installation, not per run.
"""

from __future__ import annotations

import functools
import math
import os
import warnings

import numpy as np

try:  # CLEANER_NO_NUMBA=1 forces the numpy twins (to compare them, or to rule numba out)
    if os.environ.get("CLEANER_NO_NUMBA"):
        raise ImportError
    import numba
except ImportError:  # pragma: no cover - numba is a dependency; the twins stay exact
    numba = None

HAVE_NUMBA = numba is not None
_checked = False  # whether the kernels have been loaded (and work) in this process

# Span hashes: sum of code point * M**(position in the span), mod 2**64 (uint64 arithmetic
# wraps), mixed with the length. Used for tokens (the line model's vocabulary lookups) and
# for line keys (the lines repeated across a source).
HASH_M = np.uint64(0x100000001B3)
HASH_LEN = np.uint64(0x9E3779B97F4A7C15)


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if HAVE_NUMBA else None


def _compiled() -> bool:
    """Whether to run the compiled kernels: numba is there and, the first time this is
    asked in a process, every kernel loads and runs (`_load_kernels`); if one does not,
    the numpy twins run from then on, with a warning, instead of every document failing."""
    global HAVE_NUMBA, _checked
    if not _checked:
        _checked = True  # the kernels' own first calls, below, do not ask again
        if HAVE_NUMBA:
            try:
                _load_kernels()
            except Exception as e:  # pragma: no cover - a broken numba install
                HAVE_NUMBA = False
                warnings.warn(f"compiled kernels unavailable ({type(e).__name__}: {e}); "
                              "running the slower numpy code", RuntimeWarning, stacklevel=2)
    return HAVE_NUMBA


def powers(base: np.uint64, n: int) -> np.ndarray:
    """base**k mod 2**64 for k < n."""
    return np.concatenate([np.ones(1, dtype=np.uint64),
                           np.cumprod(np.full(max(n - 1, 0), base, dtype=np.uint64))])


# --- span hashes --------------------------------------------------------------------------
def _span_hashes_np(cp: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    first = np.zeros(len(cp), dtype=np.intp)  # each character's span start
    first[start] = start
    np.maximum.accumulate(first, out=first)
    edge = np.zeros(len(cp) + 1, dtype=np.int8)  # spans never touch: starts and ends differ
    edge[start] = 1
    edge[end] = -1
    inside = np.cumsum(edge[:-1]) > 0
    rel = np.where(inside, np.arange(len(cp)) - first, 0)
    v = np.where(inside, cp.astype(np.uint64) * powers(HASH_M, int(rel.max()) + 1)[rel], 0)
    h = np.add.reduceat(v, start)
    return h ^ ((end - start).astype(np.uint64) * HASH_LEN)


@_jit
def _span_hashes_nb(cp, start, end):  # pragma: no cover - compiled
    out = np.empty(len(start), np.uint64)
    m, hl = np.uint64(0x100000001B3), np.uint64(0x9E3779B97F4A7C15)
    for k in range(len(start)):
        h = np.uint64(0)
        p = np.uint64(1)
        for j in range(start[k], end[k]):
            h += np.uint64(cp[j]) * p
            p *= m
        out[k] = h ^ (np.uint64(end[k] - start[k]) * hl)
    return out


def span_hashes(cp: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The hash of every span cp[start:end] (uint64): spans in order, not overlapping, not
    empty."""
    if len(start) == 0:
        return np.zeros(0, dtype=np.uint64)
    if _compiled():
        return _span_hashes_nb(cp, np.asarray(start, dtype=np.int64),
                               np.asarray(end, dtype=np.int64))
    return _span_hashes_np(cp, start, end)


def string_hashes(texts: list[str]) -> np.ndarray:
    """`span_hashes` of whole strings (none may hold a newline); 0 for an empty one."""
    if not texts:
        return np.zeros(0, dtype=np.uint64)
    joined = "\n".join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    start = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=start[1:])
    out = np.zeros(len(texts), dtype=np.uint64)
    some = lens > 0
    out[some] = span_hashes(cp, start[some], start[some] + lens[some])
    return out


# --- tokens of the line model ----------------------------------------------------------------
def _tokens_np(lcp: np.ndarray, tab: np.ndarray, starts: np.ndarray, n: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lword = (tab[lcp] & 1).astype(bool)
    edge = np.diff(lword.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    tok_start = np.flatnonzero(edge == 1)
    tok_end = np.flatnonzero(edge == -1)
    hashes = span_hashes(lcp, tok_start, tok_end)
    line_of = np.searchsorted(starts, tok_start, side="right") - 1
    counts = np.bincount(line_of, minlength=n).astype(np.int64)[:n]
    return tok_start, tok_end, hashes, counts


@_jit
def _tokens_nb(lcp, tab, n):  # pragma: no cover - compiled
    total = 0  # a first pass counts the tokens, so the arrays are their size
    inside = False
    for c in lcp:
        word = (tab[c] & 1) != 0
        if word and not inside:
            total += 1
        inside = word
    start = np.empty(total, np.int64)
    end = np.empty(total, np.int64)
    hashes = np.empty(total, np.uint64)
    counts = np.zeros(n, np.int64)
    m, hl = np.uint64(0x100000001B3), np.uint64(0x9E3779B97F4A7C15)
    k = 0
    line = 0
    inside = False
    h = np.uint64(0)
    p = np.uint64(1)
    for j in range(len(lcp)):
        c = lcp[j]
        if tab[c] & 1:
            if not inside:
                inside = True
                start[k] = j
                h = np.uint64(0)
                p = np.uint64(1)
            h += np.uint64(c) * p
            p *= m
        else:
            if inside:
                inside = False
                end[k] = j
                hashes[k] = h ^ (np.uint64(j - start[k]) * hl)
                counts[line] += 1
                k += 1
            if c == 10:
                line += 1
    if inside:
        end[k] = len(lcp)
        hashes[k] = h ^ (np.uint64(len(lcp) - start[k]) * hl)
        counts[line] += 1
    return start, end, hashes, counts


def tokens(lcp: np.ndarray, tab: np.ndarray, starts: np.ndarray, n: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The word tokens (runs of code points whose class in `tab` has bit 1) of `n` lines
    joined by newlines as code points `lcp` (all below len(tab)), the lines starting at
    `starts`: each token's start, end and `span_hashes` value, and the tokens per line."""
    if _compiled():
        return _tokens_nb(lcp, tab, n)
    return _tokens_np(lcp, tab, starts, n)


# --- stopwords of the line model -------------------------------------------------------------
def _stop_counts_np(masks: np.ndarray, known: np.ndarray, counts: np.ndarray, n_lists: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    n = len(counts)
    bits = np.unpackbits(masks.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1,
                         bitorder="little")
    best = int(np.argmax(bits[:, :n_lists].sum(axis=0))) if n_lists else 0
    line_tok = np.repeat(np.arange(n), counts)
    stop = np.bincount(line_tok, weights=((masks >> best) & 1).astype(np.float64), minlength=n)
    return stop, np.bincount(line_tok, weights=known, minlength=n)


@_jit
def _stop_counts_nb(masks, known, counts, n_lists):  # pragma: no cover - compiled
    hits = np.zeros(max(n_lists, 1), np.int64)
    for t in range(len(masks)):
        m = masks[t]
        for b in range(n_lists):
            hits[b] += (m >> b) & 1
    best = 0
    for b in range(n_lists):  # the most hits; the first list on a tie
        if hits[b] > hits[best]:
            best = b
    n = len(counts)
    stop = np.zeros(n)
    kn = np.zeros(n)
    t = 0
    for i in range(n):
        for _ in range(counts[i]):
            stop[i] += (masks[t] >> best) & 1
            kn[i] += known[t]
            t += 1
    return stop, kn


def stop_counts(masks: np.ndarray, known: np.ndarray, counts: np.ndarray, n_lists: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per line, its tokens in the document's stoplist (the list, of `n_lists`, that most
    of the document's tokens are in: `masks` has a bit per list for each token) and the sum
    of its tokens' `known` values; `counts` are the tokens per line."""
    if _compiled():
        return _stop_counts_nb(masks, np.ascontiguousarray(known, dtype=np.float64), counts,
                               n_lists)
    return _stop_counts_np(masks, known, counts, n_lists)


# --- words per line -------------------------------------------------------------------------
LONG_TEXT = 1 << 22  # characters
SPACE_TABLE_SIZE = 0x3001  # every white-space code point (str.isspace) is below this


@functools.cache
def char_table(predicate: str, size: int) -> np.ndarray:
    """bool per code point below `size`: the `str` method `predicate` (e.g. "isalnum")."""
    test = getattr(str, predicate)
    return np.fromiter((test(chr(i)) for i in range(size)), dtype=bool, count=size)


def space_table() -> np.ndarray:
    """bool per code point below `SPACE_TABLE_SIZE`: `str.isspace`."""
    return char_table("isspace", SPACE_TABLE_SIZE)


@_jit
def _line_words_nb(cp, space):  # pragma: no cover - compiled
    n = 1
    for c in cp:
        if c == 10:
            n += 1
    out = np.zeros(n, np.int64)
    line = 0
    inside = False
    size = len(space)
    for c in cp:
        if c == 10:
            line += 1
            inside = False
        elif c < size and space[c]:
            inside = False
        elif not inside:
            inside = True
            out[line] += 1
    return out


def line_words(text: str) -> np.ndarray:
    """`len(piece.split())` for every piece of `text.split("\n")` (int64): its white-space
    separated words, 0 for a blank piece. A text over `LONG_TEXT` characters is counted
    by `str.split` (the compiled pass would first copy it as 4 bytes a character)."""
    if len(text) <= LONG_TEXT and _compiled():
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return _line_words_nb(cp, space_table())
    return np.array([len(x.split()) for x in text.split("\n")], dtype=np.int64)


# --- line keys -------------------------------------------------------------------------------
@_jit
def _key_hashes_nb(cp, keep, n_lines, by_code=False):  # pragma: no cover - compiled
    # keep[j] says whether cp[j] is kept; with by_code, keep is a table and keep[cp[j]] does
    out = np.zeros(n_lines, np.uint64)
    m, hl = np.uint64(0x100000001B3), np.uint64(0x9E3779B97F4A7C15)
    line = 0
    h = np.uint64(0)
    p = np.uint64(1)
    length = 0
    gap = False
    for j in range(len(cp)):
        c = cp[j]
        if c == 10:
            out[line] = h ^ (np.uint64(length) * hl)
            line += 1
            h = np.uint64(0)
            p = np.uint64(1)
            length = 0
            gap = False
        elif keep[c] if by_code else keep[j]:
            if gap and length > 0:  # one space between two runs of letters and digits
                h += np.uint64(32) * p
                p *= m
                length += 1
            h += np.uint64(c) * p
            p *= m
            length += 1
            gap = False
        else:
            gap = True
    out[line] = h ^ (np.uint64(length) * hl)
    return out


def key_hashes_of_normal(cp: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
    """The `string_hashes` of the line keys of normalised lines joined by newlines, given
    as code points `cp` and `keep` (letter or digit): a key is its line's runs of letters
    and digits joined by single spaces, so this is `string_hashes` of those keys without
    building them. None without numba: the caller builds the keys (`cleaner.text`)."""
    if not _compiled():
        return None
    return _key_hashes_nb(cp, keep, int(np.count_nonzero(cp == 10)) + 1)


def key_hashes_by_table(cp: np.ndarray, table: np.ndarray) -> np.ndarray | None:
    """`key_hashes_of_normal(cp, table[cp])` without building `table[cp]`: every code
    point of `cp` is below `len(table)`. None without numba."""
    if not _compiled():
        return None
    return _key_hashes_nb(cp, table, int(np.count_nonzero(cp == 10)) + 1, True)


# --- folded lines --------------------------------------------------------------------------
@_jit
def _collapse_lines_nb(cp, space, lead, trail, keep):  # pragma: no cover - compiled
    out = np.empty(len(cp), dtype=np.uint32)
    o = 0
    i = 0
    n = len(cp)
    line = 0
    while True:
        j = i
        while j < n and cp[j] != 10:
            j += 1
        if keep[line]:
            begin = o
            k = i
            first = True
            while k < j:  # the line's runs of non-space, one space between two
                while k < j and cp[k] < len(space) and space[cp[k]]:
                    k += 1
                if k >= j:
                    break
                if not first:
                    out[o] = 32
                    o += 1
                while k < j and not (cp[k] < len(space) and space[cp[k]]):
                    out[o] = cp[k]
                    o += 1
                    k += 1
                first = False
            a = begin  # then the marks stripped: leading ones, then trailing ones
            while a < o and out[a] < len(lead) and lead[out[a]]:
                a += 1
            b = o
            while b > a and out[b - 1] < len(trail) and trail[out[b - 1]]:
                b -= 1
            for q in range(a, b):
                out[begin + q - a] = out[q]
            o = begin + b - a
        if j >= n:
            break
        out[o] = 10
        o += 1
        line += 1
        i = j + 1
    return out[:o]


def collapse_lines(cp: np.ndarray, space: np.ndarray, lead: np.ndarray, trail: np.ndarray,
                   keep: np.ndarray) -> np.ndarray | None:
    """Lines given as code points joined by newlines, each made `" ".join(line.split())`
    (`space`: `str.isspace` by code point), then stripped of the leading code points that
    `lead` marks and of the trailing ones that `trail` marks (`str.lstrip` then `rstrip`);
    a line that `keep` says False becomes empty. The code points of the result, joined
    by newlines; None without numba."""
    if not _compiled() or int(np.count_nonzero(cp == 10)) + 1 != len(keep):
        return None  # (a line count that does not match: the caller's Python path decides)
    return _collapse_lines_nb(cp, space, lead, trail, keep)


# --- word counts -------------------------------------------------------------------------------
# Scripts written without spaces between words: each character of these ranges is a word.
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
              (0xAC00, 0xD7AF))


@_jit
def _count_words_nb(cp, kind, prev_word):  # pragma: no cover - compiled
    n = 0
    prev = prev_word
    for j in range(len(cp)):
        k = kind[cp[j]]
        if k == 2:  # a character of a script without spaces: a word alone
            n += 1
            prev = False
        else:
            w = k == 1
            if w and not prev:
                n += 1
            prev = w
    return n, prev


def word_kinds(alnum: np.ndarray) -> np.ndarray:
    """uint8 by code point, from `alnum` (`str.isalnum` by code point): 1 for a word
    character (a letter, a digit, "_"), 2 for a character of `CJK_RANGES`, 0 otherwise."""
    kind = alnum.astype(np.uint8)
    kind[95] = 1
    for lo, hi in CJK_RANGES:
        kind[lo : hi + 1] = 2
    return kind


def count_words(cp: np.ndarray, kind: np.ndarray, prev_word: bool) -> tuple[int, bool] | None:
    """Words starting in the code points `cp` (runs of word characters; each character of
    `CJK_RANGES` one word; a run that `prev_word` says began before `cp` does not count
    again) and whether the last one is inside a run; `kind` is `word_kinds` by code point,
    and every code point of `cp` is below its length. None without numba."""
    if not _compiled():
        return None
    n, last = _count_words_nb(cp, kind, prev_word)
    return int(n), bool(last)


def mix64(h: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64's finaliser of `h ^ salt`: well spread 64-bit keys from span hashes."""
    with np.errstate(over="ignore"):
        z = h ^ np.uint64(salt)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


# --- per-line character counts of the line model ------------------------------------------
N_COUNTS = 8  # rows of `line_counts`, in this order:
# word characters, words starting with an ASCII capital, digits, commas, ". " periods,
# separators (class bit 4), non-ASCII characters, sentence ends (".", "?", "!" before a space)


def _line_counts_np(cp: np.ndarray, cls: np.ndarray, starts: np.ndarray,
                    lens: np.ndarray) -> np.ndarray:
    n = len(starts)
    if len(cp) == 0:
        return np.zeros((N_COUNTS, n))
    word = (cls & 1) > 0
    wstart = word.copy()
    wstart[1:] &= ~word[:-1]
    nxt_space = np.zeros(len(cp), dtype=bool)
    nxt_space[:-1] = cp[1:] == 32
    m = np.stack(
        [
            word,
            wstart & (cp >= 65) & (cp <= 90),
            (cp >= 48) & (cp <= 57),
            cp == 44,
            (cp == 46) & nxt_space,
            (cls & 4) > 0,
            cp > 127,
            ((cp == 46) | (cp == 63) | (cp == 33)) & nxt_space,
        ]
    ).astype(np.int32)
    sums = np.add.reduceat(m, np.minimum(starts, len(cp) - 1), axis=1).astype(np.float64)
    sums[:, lens == 0] = 0.0
    return sums


@_jit
def _line_counts_nb(cp, cls, starts, lens):  # pragma: no cover - compiled
    n = len(starts)
    out = np.zeros((8, n), np.float64)
    total = len(cp)
    for i in range(n):
        wc = us = dg = cm = pe = se = na = sp = 0
        prev_word = False
        for j in range(starts[i], starts[i] + lens[i]):
            c = cp[j]
            k = cls[j]
            w = (k & 1) != 0
            if w:
                wc += 1
                if not prev_word and 65 <= c <= 90:
                    us += 1
            prev_word = w
            if 48 <= c <= 57:
                dg += 1
            elif c == 44:
                cm += 1
            elif c > 127:
                na += 1
            if (k & 4) != 0:
                se += 1
            if (c == 46 or c == 63 or c == 33) and j + 1 < total and cp[j + 1] == 32:
                sp += 1
                if c == 46:
                    pe += 1
        out[0, i] = wc
        out[1, i] = us
        out[2, i] = dg
        out[3, i] = cm
        out[4, i] = pe
        out[5, i] = se
        out[6, i] = na
        out[7, i] = sp
    return out


def line_counts(cp: np.ndarray, cls: np.ndarray, starts: np.ndarray,
                lens: np.ndarray) -> np.ndarray:
    """Per-line character counts (`N_COUNTS` rows, float64) of a document's lines, joined
    by newlines into the code points `cp` (their classes `cls`: see
    `cleaner.model.features._char_table`) at `starts`, `lens`."""
    if _compiled():
        return _line_counts_nb(cp, cls, starts, lens)
    return _line_counts_np(cp, cls, starts, lens)


# --- line templates of the line model ------------------------------------------------------
def _number_tokens_np(cp: np.ndarray, tok_start: np.ndarray, tok_end: np.ndarray) -> np.ndarray:
    digit = ((cp >= 48) & (cp <= 57)).astype(np.int64)
    cs = np.concatenate([[0], np.cumsum(digit)])
    return cs[tok_end] - cs[tok_start] == tok_end - tok_start


@_jit
def _number_tokens_nb(cp, tok_start, tok_end):  # pragma: no cover - compiled
    out = np.empty(len(tok_start), np.bool_)
    for k in range(len(tok_start)):
        ok = True
        for j in range(tok_start[k], tok_end[k]):
            if cp[j] < 48 or cp[j] > 57:
                ok = False
                break
        out[k] = ok
    return out


def number_tokens(cp: np.ndarray, tok_start: np.ndarray, tok_end: np.ndarray) -> np.ndarray:
    """Per token span cp[tok_start:tok_end], whether it is all ASCII digits."""
    if _compiled():
        return _number_tokens_nb(cp, tok_start, tok_end)
    return _number_tokens_np(cp, tok_start, tok_end)


@functools.lru_cache(maxsize=32)
def _powers_cached(base: int, bucket: int) -> np.ndarray:
    """base**k mod 2**64 for k < 2**bucket, computed once per size (read-only)."""
    out = powers(np.uint64(base), 1 << bucket)
    out.setflags(write=False)
    return out


def sequence_hashes(hashes: np.ndarray, offsets: np.ndarray, counts: np.ndarray,
                    base: np.uint64) -> np.ndarray:
    """Per line (its hashes[offsets:offsets+counts]), the sum of its hashes times
    base**position, mixed with its count (0 for an empty line)."""
    n = len(counts)
    out = np.zeros(n, dtype=np.uint64)
    if len(hashes) == 0:
        return out
    pos = np.arange(len(hashes)) - np.repeat(offsets, counts)
    v = hashes * _powers_cached(int(base), max(int(counts.max()) - 1, 0).bit_length())[pos]
    has = counts > 0
    out[has] = np.add.reduceat(v, offsets[has])
    return out ^ (counts.astype(np.uint64) * HASH_LEN)


def _equal_counts_np(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per line, how many valid lines share its key (0 for a line that is not valid)."""
    _, group, count = np.unique(keys[valid], return_inverse=True, return_counts=True)
    out = np.zeros(len(keys))
    out[valid] = count[group.reshape(-1)]
    return out


def _template_hashes_np(hashes, is_num, counts, number_hash, line_m):
    n = len(counts)
    line_of = np.repeat(np.arange(n), counts)
    keep = np.ones(len(hashes), dtype=bool)  # a number's later tokens are dropped
    if len(hashes) > 1:
        keep[1:] = ~(is_num[1:] & is_num[:-1] & (line_of[1:] == line_of[:-1]))
    counts2 = np.bincount(line_of[keep], minlength=n).astype(np.int64)
    offsets2 = np.concatenate([[0], np.cumsum(counts2[:-1])]).astype(np.int64)
    return sequence_hashes(np.where(is_num, number_hash, hashes)[keep], offsets2, counts2,
                           line_m)


def _template_runs_np(tmpl, counts, exact, max_gap, min_run):
    n = len(counts)
    valid = counts > 0
    tcount, ecount = _equal_counts_np(tmpl, valid), _equal_counts_np(exact, valid)
    # runs: a template's consecutive occurrences at one gap
    lines = np.flatnonzero(valid)
    order = lines[np.argsort(tmpl[lines], kind="stable")]
    key = tmpl[order]
    d = np.diff(order)
    link = (key[1:] == key[:-1]) & (d <= max_gap)
    cont = np.zeros(len(link), dtype=bool)
    cont[1:] = link[1:] & link[:-1] & (d[1:] == d[:-1])
    start = np.flatnonzero(link & ~cont)
    gap = np.full(n, np.inf)
    if len(start):
        run = np.cumsum(link & ~cont) - 1
        length = np.bincount(run[link], minlength=len(start))  # links in each run
        long_ = length + 1 >= min_run
        for k0, m in zip(start[long_].tolist(), length[long_].tolist(), strict=True):
            a, b = int(order[k0]), int(order[k0 + m])
            gap[a : b + 1] = np.minimum(gap[a : b + 1], d[k0])
    return tcount, ecount, gap


@_jit
def _equal_counts_nb(keys, lines):  # pragma: no cover - compiled
    """`_equal_counts_np` over the valid `lines`; also the lines sorted by key (stable)."""
    order = lines[np.argsort(keys[lines], kind="mergesort")]
    out = np.zeros(len(keys))
    m = len(order)
    a = 0
    while a < m:
        b = a + 1
        while b < m and keys[order[b]] == keys[order[a]]:
            b += 1
        for j in range(a, b):
            out[order[j]] = b - a
        a = b
    return out, order


@_jit
def _template_hashes_nb(hashes, is_num, counts, number_hash, line_m):  # pragma: no cover
    n = len(counts)
    hl = np.uint64(0x9E3779B97F4A7C15)
    tmpl = np.zeros(n, np.uint64)
    k = 0
    for i in range(n):
        acc = np.uint64(0)
        p = np.uint64(1)
        kept = 0
        for j in range(k, k + counts[i]):
            if is_num[j] and j > k and is_num[j - 1]:
                continue
            acc += (number_hash if is_num[j] else hashes[j]) * p
            p *= line_m
            kept += 1
        tmpl[i] = acc ^ (np.uint64(kept) * hl)
        k += counts[i]
    return tmpl


@_jit
def _template_runs_nb(tmpl, counts, exact, max_gap, min_run):  # pragma: no cover - compiled
    n = len(counts)
    lines = np.flatnonzero(counts > 0)
    tcount, order = _equal_counts_nb(tmpl, lines)
    ecount, _ = _equal_counts_nb(exact, lines)
    gap = np.full(n, np.inf)
    m = len(order)
    k = 0
    while k < m - 1:  # a run starts with a link: the next occurrence, at most max_gap on
        d = order[k + 1] - order[k]
        if tmpl[order[k + 1]] != tmpl[order[k]] or d > max_gap:
            k += 1
            continue
        e = k + 1  # the run's last occurrence: the same template again at the same gap
        while (e + 1 < m and tmpl[order[e + 1]] == tmpl[order[k]]
               and order[e + 1] - order[e] == d):
            e += 1
        if e - k + 1 >= min_run:
            for t in range(order[k], order[e] + 1):
                if d < gap[t]:
                    gap[t] = d
        k = e
    return tcount, ecount, gap


def template_hashes(hashes: np.ndarray, is_num: np.ndarray, counts: np.ndarray,
                    number_hash: np.uint64, line_m: np.uint64) -> np.ndarray:
    """Per line (its `counts` tokens' `hashes`, in order), the hash of its template: the
    tokens with each run of number tokens (`is_num`) made one `number_hash`, hashed as a
    sequence with `line_m` (`sequence_hashes`). 0 for a line without tokens."""
    if _compiled():
        return _template_hashes_nb(hashes, is_num, counts.astype(np.int64), number_hash, line_m)
    return _template_hashes_np(hashes, is_num, counts, number_hash, line_m)


def template_runs(tmpl: np.ndarray, counts: np.ndarray, exact: np.ndarray, max_gap: int,
                  min_run: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line: how many lines share its template hash (`tmpl`), how many share its
    `exact` line hash, and the shortest gap of the runs covering it: a template's
    occurrences, at least `min_run` of them one after another at one gap of at most
    `max_gap` lines (inf outside runs). Lines without tokens count 0 and are in no run."""
    if _compiled():
        return _template_runs_nb(tmpl, counts.astype(np.int64), exact, max_gap, min_run)
    return _template_runs_np(tmpl, counts, exact, max_gap, min_run)


# --- the text model's context columns -----------------------------------------------------
@_jit
def _window_mean(cum, col, i, r, n):  # pragma: no cover - compiled
    # the mean of column `col` over lines i-r..i+r (clipped to the document's n lines), from
    # its cumulative sums `cum` (row k: the sum of the first k lines, added in order, as
    # numpy's cumsum adds): what `features._window_means` computes
    lo = max(i - r, 0)
    hi = min(i + r + 1, n)
    return (cum[hi, col] - cum[lo, col]) / float(hi - lo)


@_jit
def _context_mark(shape, ntok, i, col, stop, sent):  # pragma: no cover - compiled
    if col == 0:  # a long line
        return ntok[i] >= 15 and shape[i, stop] > 0.2
    return ntok[i] >= 8 and shape[i, sent] > 0  # a sentence-like line


@_jit
def _context_columns_nb(shape, lex, ntok, ctx, win, tot, out):  # pragma: no cover - compiled
    n, n_shape = shape.shape
    for i in range(n):
        for j in range(n_shape):
            out[i, j] = shape[i, j]
        out[i, n_shape] = lex[i]
    c = n_shape + 1
    n_ctx = len(ctx)
    for k in (-2, -1, 1, 2):  # the neighbours' columns: line i - k
        for i in range(n):
            src = i - k
            if src >= 0 and src < n:
                for j in range(n_ctx):
                    out[i, c + j] = shape[src, ctx[j]]
                out[i, c + n_ctx] = lex[src]
            else:  # out of the document
                for j in range(n_ctx):
                    out[i, c + j] = -1.0
                out[i, c + n_ctx] = -5.0
        c += n_ctx + 1
    # means over +-3 and +-10 lines of the lexical logit and the `win` columns, from
    # cumulative sums (added in order, as numpy's cumsum adds)
    m = len(win) + 1
    cum = np.zeros((n + 1, m))
    for i in range(n):
        cum[i + 1, 0] = cum[i, 0] + lex[i]
        for j in range(1, m):
            cum[i + 1, j] = cum[i, j] + shape[i, win[j - 1]]
    for r in (3, 10):
        for i in range(n):
            for j in range(m):
                out[i, c + j] = _window_mean(cum, j, i, r, n)
        c += m
    # the tokens before and after the line, as shares of the document's `tot`
    run = 0.0
    for i in range(n):
        run += ntok[i]
        if tot > 0:
            out[i, c] = (run - ntok[i]) / tot
            out[i, c + 1] = (tot - run) / tot
        else:
            out[i, c] = 0.0
            out[i, c + 1] = 0.0
    # distance (lines, at most 50) to the nearest long line (15+ tokens, stopword share over
    # 0.2: `win` holds the stopword and sentence-end columns) and sentence-like one (8+)
    stop, sent = win[1], win[2]
    for col in range(2):
        last = -1
        for i in range(n):
            if _context_mark(shape, ntok, i, col, stop, sent):
                last = i
            out[i, c + 2 + col] = float(min(i - last, 50)) if last >= 0 else 50.0
        nxt = -1
        for i in range(n - 1, -1, -1):
            if _context_mark(shape, ntok, i, col, stop, sent):
                nxt = i
            if nxt >= 0 and nxt - i < out[i, c + 2 + col]:
                out[i, c + 2 + col] = float(nxt - i)
    # the largest lexical logit within +-5 lines, the line itself left out (-10 off the edge)
    for i in range(n):
        best = -10.0 if i < 5 else lex[i - 5]
        for d in (-4, -3, -2, -1, 1, 2, 3, 4, 5):
            x = lex[i + d] if 0 <= i + d < n else -10.0
            if x > best:
                best = x
        out[i, c + 6] = best


def context_columns(shape: np.ndarray, lex: np.ndarray, ntok: np.ndarray, ctx: np.ndarray,
                    win: np.ndarray, tot: float, out: np.ndarray) -> bool:
    """Write the text model's per-line context columns (`features.context_features`, whose
    numpy code is the twin) into `out`: the `shape` columns and `lex`; for lines -2, -1, +1
    and +2, their `ctx` columns and `lex`; the means over +-3 and +-10 lines of `lex` and
    the `win` columns (token count, stopword share, sentence end); the share of the
    document's `tot` tokens (`ntok` per line) before and after; the distances to the
    nearest long and sentence-like lines; the largest `lex` within +-5. The document-wide
    columns after those are the caller's. False, writing nothing, without numba."""
    if not _compiled():
        return False
    _context_columns_nb(shape, lex, ntok, ctx, win, float(tot), out)
    return True


# --- the text model's lexical logit and indentation columns ---------------------------------
@_jit
def _lexical_sums_nb(rows, counts, tok_w, tok_first, tok_last, empty_w):  # pragma: no cover
    n = len(counts)
    s = np.empty(n)
    extra = np.empty(n)
    o = 0
    for i in range(n):
        c = counts[i]
        acc = 0.0  # added in order, as numpy's bincount adds
        for t in range(o, o + c):
            acc += tok_w[rows[t]]
        s[i] = acc / math.sqrt(float(max(c, 1)))
        extra[i] = tok_first[rows[o]] + tok_last[rows[o + c - 1]] if c > 0 else empty_w
        o += c
    return s, extra


def lexical_sums(rows: np.ndarray, counts: np.ndarray, tok_w: np.ndarray,
                 tok_first: np.ndarray, tok_last: np.ndarray, empty_w: float
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """Per line, the sum of its tokens' weights (`tok_w` of their vocabulary `rows`) over
    the square root of its token count, and the weights of its first and last tokens
    (`empty_w` for a line without tokens): the parts of `features.lexical_logit`, whose
    numpy code is the twin. None without numba."""
    if not _compiled() or int(counts.sum()) != len(rows):
        return None
    return _lexical_sums_nb(rows, counts.astype(np.int64), tok_w, tok_first, tok_last,
                            float(empty_w))


@_jit
def _indent_columns_nb(ind, ntok, tok_total, long_tokens, out):  # pragma: no cover
    n = len(ind)
    uniq = np.unique(ind)
    level = np.searchsorted(uniq, ind)  # the rank of the line's depth
    long_ = ntok >= long_tokens
    if long_.any():
        v, w = ind[long_], ntok[long_]
    else:
        v, w = ind, ntok + 1.0
    order = np.argsort(v, kind="mergesort")  # stable, as numpy's
    cum = np.cumsum(w[order])
    main = v[order][np.searchsorted(cum, cum[-1] / 2.0)]
    tok_at = np.zeros(len(uniq))
    for i in range(n):
        tok_at[level[i]] += ntok[i]  # added in order, as numpy's bincount adds
    indented = 1.0 if ind.max() > 0 else 0.0
    for i in range(n):
        out[i, 0] = ind[i]
        out[i, 1] = ind[i] - main
        out[i, 2] = float(level[i])
        out[i, 3] = ind[i] - ind[i - 1] if i > 0 else 0.0
        out[i, 4] = ind[i + 1] - ind[i] if i + 1 < n else 0.0
        same = 0.0
        cnt = 0.0
        for k in (1, 2, 3):
            if i - k >= 0:
                cnt += 1.0
                same += 1.0 if ind[i - k] == ind[i] else 0.0
            if i + k < n:
                cnt += 1.0
                same += 1.0 if ind[i + k] == ind[i] else 0.0
        out[i, 5] = same / max(cnt, 1.0)
        out[i, 6] = tok_at[level[i]] / max(tok_total, 1.0)
        out[i, 7] = indented


def indent_columns(ind: np.ndarray, ntok: np.ndarray, tok_total: float, long_tokens: int,
                   out: np.ndarray) -> bool:
    """Write the text model's indentation columns (`features.indent_features`, whose numpy
    code is the twin) into `out`, from each line's capped leading whitespace `ind` and
    token count `ntok` (`tok_total` their sum): depth, depth against the main one (the
    token-weighted median depth of lines of `long_tokens`+ tokens), rank, change from the
    previous and to the next line, share of the lines within +-3 at the same depth, share
    of the tokens at that depth, whether any line is indented. False without numba."""
    if not _compiled() or len(ind) == 0:
        return False
    _indent_columns_nb(ind, ntok, float(tok_total), float(long_tokens), out)
    return True


# --- the text model's stage-2 columns ------------------------------------------------------
@_jit
def _stage2_columns_nb(p1, lg, X1, keep, w, mass, tot, msum, level, groups,
                       out, run_n):  # pragma: no cover - compiled
    n = len(p1)
    for i in range(n):
        out[i, 0] = lg[i]
        for j in range(len(keep)):
            out[i, 1 + j] = X1[i, keep[j]]
    c = 1 + len(keep)
    for k in (-3, -2, -1, 1, 2, 3):  # the neighbours' logits: line i - k (-8 off the edge)
        for i in range(n):
            out[i, c] = lg[i - k] if 0 <= i - k < n else -8.0
        c += 1
    cum = np.zeros((n + 1, 1))
    for i in range(n):
        cum[i + 1, 0] = cum[i, 0] + p1[i]
    for r in (2, 5, 15):
        for i in range(n):
            out[i, c] = _window_mean(cum, 0, i, r, n)
        c += 1
    run = 0.0
    for i in range(n):
        run += mass[i]
        out[i, c] = (run - mass[i]) / tot
        out[i, c + 1] = (msum - run) / tot
    best = 0.0
    for i in range(n):
        out[i, c + 2] = best
        best = max(best, p1[i])
    best = 0.0
    for i in range(n - 1, -1, -1):
        out[i, c + 3] = best
        best = max(best, p1[i])
    bs, be = _best_block_nb((p1 - 0.5) * w)
    for i in range(n):
        out[i, c + 4] = 1.0 if bs <= i <= be else 0.0
        out[i, c + 5] = float(min(bs - i if i < bs else (i - be if i > be else 0), 100))
    c += 10  # the document-wide columns are the caller's
    if len(level):  # by depth: plain and token-weighted means, the run's mean and length
        n_levels = level.max() + 1
        count = np.zeros(n_levels, np.int64)
        p_at = np.zeros(n_levels)
        mass_at = np.zeros(n_levels)
        w_at = np.zeros(n_levels)
        for i in range(n):
            count[level[i]] += 1
            p_at[level[i]] += p1[i]
            mass_at[level[i]] += mass[i]
            w_at[level[i]] += w[i]
        start = 0
        for i in range(n + 1):
            if i == n or (i > start and level[i] != level[start]):
                total = 0.0
                for j in range(start, i):
                    total += p1[j]
                for j in range(start, i):
                    out[j, c + 2] = total / float(i - start)
                    run_n[j] = float(i - start)
                start = i
        for i in range(n):
            v = level[i]
            out[i, c] = p_at[v] / float(max(count[v], 1))
            out[i, c + 1] = mass_at[v] / max(w_at[v], 1e-9)
        c += 4  # the run length's log is the caller's
    if len(groups):  # by template: the mean with and without the line
        n_groups = max(groups.max() + 1, 1)
        count = np.zeros(n_groups)
        total = np.zeros(n_groups)
        for i in range(n):
            if groups[i] >= 0:
                count[groups[i]] += 1.0
                total[groups[i]] += p1[i]
        for i in range(n):
            g = groups[i]
            if g >= 0:
                out[i, c] = total[g] / max(count[g], 1.0)
                out[i, c + 1] = ((total[g] - p1[i]) / max(count[g] - 1.0, 1.0)
                                 if count[g] > 1 else p1[i])
            else:
                out[i, c] = p1[i]
                out[i, c + 1] = p1[i]
    return bs, be


def stage2_columns(p1: np.ndarray, lg: np.ndarray, X1: np.ndarray, keep: np.ndarray,
                   w: np.ndarray, mass: np.ndarray, tot: float, msum: float,
                   level: np.ndarray, groups: np.ndarray, out: np.ndarray,
                   run_n: np.ndarray) -> tuple[int, int] | None:
    """Write the text model's stage-2 columns (`stage2.stage2_input`, whose numpy code is
    the twin) into `out`, but for those the caller fills: the stage-1 logit `lg` of the
    line and of lines -3..+3, the `keep` columns of `X1`, means of `p1` over +-2, +-5 and
    +-15 lines, the share of the document's probability `mass` (`p1` times the weights
    `w`; `tot` and `msum` their sums) before and after, the largest `p1` before and after,
    the main body (Kadane, `best_block`) and the distance to it; with a `level` per line
    (else empty), the means by depth and the length of the line's run at that depth into
    `run_n`; with template `groups` (else empty), the means by template. The main body's
    first and last line, or None without numba (nothing written)."""
    if not _compiled():
        return None
    bs, be = _stage2_columns_nb(p1, lg, X1, keep, w, mass, float(tot), float(msum), level,
                                groups, out, run_n)
    return int(bs), int(be)


# --- the sequence step's forward-backward ---------------------------------------------------
def _forward_backward(ec, eb, prior, stay_c, stay_b):
    # run as it is (the numpy twin, over lists) or compiled (over arrays): one source
    n = len(ec)
    a_cc, a_cb = stay_c, 1.0 - stay_c
    a_bb, a_bc = stay_b, 1.0 - stay_b
    fc = np.empty(n)
    fb = np.empty(n)
    c = prior * ec[0]
    b = (1 - prior) * eb[0]
    z = c + b
    fc[0] = c / z
    fb[0] = b / z
    for i in range(1, n):
        pc = fc[i - 1]
        pb = fb[i - 1]
        c = (pc * a_cc + pb * a_bc) * ec[i]
        b = (pc * a_cb + pb * a_bb) * eb[i]
        z = c + b
        fc[i] = c / z
        fb[i] = b / z
    post = np.empty(n)
    bc = 1.0
    bb = 1.0
    post[n - 1] = fc[n - 1]
    for i in range(n - 2, -1, -1):
        # beta_i(s) = sum_t a(s,t) e_{i+1}(t) beta_{i+1}(t)
        nc = ec[i + 1] * bc
        nb = eb[i + 1] * bb
        bc2 = a_cc * nc + a_cb * nb
        bb2 = a_bc * nc + a_bb * nb
        z = bc2 + bb2
        bc = bc2 / z
        bb = bb2 / z
        pc = fc[i] * bc
        pb = fb[i] * bb
        post[i] = pc / (pc + pb)
    return post


_forward_backward_nb = _jit(_forward_backward)


def forward_backward(ec: np.ndarray, eb: np.ndarray, prior: float, stay_c: float,
                     stay_b: float) -> np.ndarray:
    """Posterior P(content) of every line of a 2-state HMM, from normalised emission
    likelihoods `ec` (content) and `eb` (boilerplate); see `cleaner.model.sequence`."""
    if _compiled():
        return _forward_backward_nb(np.ascontiguousarray(ec, dtype=np.float64),
                                    np.ascontiguousarray(eb, dtype=np.float64),
                                    float(prior), float(stay_c), float(stay_b))
    return _forward_backward(ec.tolist(), eb.tolist(), prior, stay_c, stay_b)


def _best_block(gain):
    # run as it is (the numpy twin, over a list) or compiled (over an array): one source
    best = -np.inf
    cur = 0.0
    start = 0
    bs, be = 0, -1
    for i in range(len(gain)):
        g = gain[i]
        if cur <= 0:
            cur = g
            start = i
        else:
            cur += g
        if cur > best:
            best = cur
            bs, be = start, i
    return bs, be


_best_block_nb = _jit(_best_block)


def best_block(gain: np.ndarray) -> tuple[int, int]:
    """The first and last index of the contiguous block of largest sum of `gain` (Kadane;
    the first such block; (0, -1) for no element)."""
    if _compiled():
        bs, be = _best_block_nb(np.ascontiguousarray(gain, dtype=np.float64))
        return int(bs), int(be)
    return _best_block(np.asarray(gain, dtype=np.float64).tolist())


# --- lookups of 64-bit keys -------------------------------------------------------------------
def hash_slots(keys: np.ndarray) -> np.ndarray | None:
    """An open-addressing table of distinct uint64 `keys` (already well-mixed hashes): for
    each of a power of two of slots (at least twice as many as keys), the index of the key
    there, or -1; a key sits at its low bits or the next free slot after. None without
    numba (lookups then search the sorted keys)."""
    if not _compiled():
        return None
    size = 1 << max(int(2 * len(keys) - 1).bit_length(), 4)
    return _hash_slots_nb(np.ascontiguousarray(keys, dtype=np.uint64), size)


@_jit
def _hash_slots_nb(keys, size):  # pragma: no cover - compiled
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    for i in range(len(keys)):
        s = keys[i] & mask
        while slots[s] >= 0:
            s = (s + np.uint64(1)) & mask
        slots[s] = i
    return slots


@_jit
def _hash_lookup_nb(slots, keys, values, wanted):  # pragma: no cover - compiled
    mask = np.uint64(len(slots) - 1)
    out = np.zeros(len(wanted), dtype=values.dtype)
    for j in range(len(wanted)):
        w = wanted[j]
        s = w & mask
        while slots[s] >= 0:
            k = slots[s]
            if keys[k] == w:
                out[j] = values[k]
                break
            s = (s + np.uint64(1)) & mask
    return out


def _sorted_lookup_np(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The twin of `hash_lookup`: `keys` sorted; looked up in sorted order (each search
    starts where the last one ended)."""
    order = np.argsort(wanted)
    w = wanted[order]
    i = np.minimum(np.searchsorted(keys, w), len(keys) - 1)
    out = np.empty(len(wanted), dtype=values.dtype)
    out[order] = np.where(keys[i] == w, values[i], 0)
    return out


def hash_lookup(slots: np.ndarray | None, keys: np.ndarray, values: np.ndarray,
                wanted: np.ndarray) -> np.ndarray:
    """The value of every key of `wanted` among the sorted, distinct `keys` (0 for a key
    not there), through the table `hash_slots(keys)` made for them, or searching the sorted
    keys when there is none."""
    if slots is not None and len(keys) and _compiled():
        return _hash_lookup_nb(slots, keys, values, np.ascontiguousarray(wanted, dtype=np.uint64))
    if not len(keys):
        return np.zeros(len(wanted), dtype=values.dtype)
    return _sorted_lookup_np(keys, values, wanted)


# --- tree ensembles ---------------------------------------------------------------------------
@_jit
def _heap_forest_sums_nb(x, feature, threshold, leaf, depth):  # pragma: no cover - compiled
    # Trees laid out as complete binary trees (`heap_layout`): a node's children are at
    # 2i+1 and 2i+2, so a step of the walk loads no child index (0.52 -> 0.43 ms a
    # document for the text model's stage 1 against a layout with child arrays). Tree by
    # tree (a tree's nodes stay in cache), eight rows at a time (their walks overlap:
    # 0.43 ms a document against 0.56 with four and 0.91 with one, 400 pages, measured on
    # the child-array layout). `x` is first made float32 with NaN as 0 and infinities as
    # +-3e38, the values the trees were trained to compare.
    n = x.shape[0]
    xs = np.empty(x.shape, dtype=np.float32)
    big = np.float32(3e38)
    for i in range(n):
        for j in range(x.shape[1]):
            v = np.float32(x[i, j])
            if v != v:
                v = np.float32(0.0)
            elif v > big:
                v = big
            elif v < -big:
                v = -big
            xs[i, j] = v
    out = np.zeros(n)
    n8 = n - n % 8
    first_leaf = (1 << depth) - 1
    for t in range(feature.shape[0]):
        f = feature[t]
        th = threshold[t]
        lv = leaf[t]
        for i in range(0, n8, 8):
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0
            for _ in range(depth):
                a0 = 2 * a0 + (2 if xs[i, f[a0]] > th[a0] else 1)
                a1 = 2 * a1 + (2 if xs[i + 1, f[a1]] > th[a1] else 1)
                a2 = 2 * a2 + (2 if xs[i + 2, f[a2]] > th[a2] else 1)
                a3 = 2 * a3 + (2 if xs[i + 3, f[a3]] > th[a3] else 1)
                a4 = 2 * a4 + (2 if xs[i + 4, f[a4]] > th[a4] else 1)
                a5 = 2 * a5 + (2 if xs[i + 5, f[a5]] > th[a5] else 1)
                a6 = 2 * a6 + (2 if xs[i + 6, f[a6]] > th[a6] else 1)
                a7 = 2 * a7 + (2 if xs[i + 7, f[a7]] > th[a7] else 1)
            out[i] += lv[a0 - first_leaf]
            out[i + 1] += lv[a1 - first_leaf]
            out[i + 2] += lv[a2 - first_leaf]
            out[i + 3] += lv[a3 - first_leaf]
            out[i + 4] += lv[a4 - first_leaf]
            out[i + 5] += lv[a5 - first_leaf]
            out[i + 6] += lv[a6 - first_leaf]
            out[i + 7] += lv[a7 - first_leaf]
        for i in range(n8, n):
            a = 0
            for _ in range(depth):
                a = 2 * a + (2 if xs[i, f[a]] > th[a] else 1)
            out[i] += lv[a - first_leaf]
    return out


def heap_layout(feature: np.ndarray, threshold: np.ndarray, child: np.ndarray,
                roots: np.ndarray, value: np.ndarray, depth: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trees given as node arrays (node i goes right when `x[feature[i]] > threshold[i]`,
    to `child[2 * i + 1]`, else to `child[2 * i]`; a leaf is its own child; `roots` are
    the trees' first nodes; `value` the leaves' values) as complete binary trees of
    `depth` levels, level by level (node i's children at 2i+1 and 2i+2): per tree, each
    inner node's feature (int32) and float32 threshold, and the value of each of the
    2**depth leaves. A leaf above the last level is its own child, so walking down from
    it keeps it: its feature and threshold (0 and +inf: always left) fill the levels
    below it, and its value all the leaves under it. The walk reaches the same leaf
    either way."""
    nodes = np.asarray(roots, dtype=np.int64)[:, None]  # (trees, nodes at this level)
    feats, thrs = [], []
    for _ in range(depth):
        feats.append(feature[nodes])
        thrs.append(threshold[nodes])
        nodes = np.stack([child[2 * nodes], child[2 * nodes + 1]], axis=-1).reshape(
            len(roots), -1)
    empty = np.zeros((len(roots), 0))
    return (np.ascontiguousarray(np.concatenate(feats, axis=1) if feats else empty,
                                 dtype=np.int32),
            np.ascontiguousarray(np.concatenate(thrs, axis=1) if thrs else empty,
                                 dtype=np.float32),
            np.ascontiguousarray(value[nodes], dtype=np.float64))


def heap_forest_sums(x: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
                     leaf: np.ndarray, depth: int) -> np.ndarray | None:
    """The sum over trees of every row's leaf value (float64), for trees in `heap_layout`;
    `x` float64 (rows, features), compared as float32 with NaN as 0 and infinities as
    +-3e38. Sums run tree by tree, so they may differ from numpy's
    walk (`Forest.raw`) in the last bits (within 1e-12 on the shipped models). None
    without numba (the caller walks the trees in numpy)."""
    if not _compiled():
        return None
    return _heap_forest_sums_nb(x, feature, threshold, leaf, depth)


# --- MinHash -------------------------------------------------------------------------------
_MINHASH_CHUNK = 4096  # shingles per numpy step (bounds the (perms, chunk) temporary)


def _minhash_np(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    best = np.full(len(a), np.iinfo(np.uint64).max, dtype=np.uint64)
    for i in range(0, x.size, _MINHASH_CHUNK):
        v = a[:, None] * x[None, i : i + _MINHASH_CHUNK]
        v += b[:, None]
        np.minimum(best, v.min(axis=1), out=best)
    return best


@_jit
def _minhash_nb(x, a, b):  # pragma: no cover - compiled
    best = np.full(len(a), np.iinfo(np.uint64).max, dtype=np.uint64)
    for j in range(len(x)):
        xj = x[j]
        for p in range(len(a)):
            v = a[p] * xj + b[p]
            if v < best[p]:
                best[p] = v
    return best


@_jit
def _token_hashes_nb(raw, n, byte_value, lead_class, tab):  # pragma: no cover - compiled
    b = np.empty(n, dtype=np.uint8)
    for i in range(n):
        b[i] = byte_value[raw[i]]
    brk = np.zeros(n + 4, dtype=np.bool_)
    for i in range(n):  # multi-byte characters that separate tokens, or are one alone
        c = raw[i]
        if c >= 0xC2:
            kind = lead_class[(np.int64(c) << 8) | raw[i + 1]]
            if 2 <= kind <= 4:
                for k in range(kind):
                    b[min(i + k, n - 1)] = 0
            elif kind == 5:
                brk[i] = True
                brk[i + 3] = True
    out = np.empty(n, dtype=np.uint64)
    t = -1
    start = 0
    prev = False
    for i in range(n):
        w = b[i] != 0
        if w and (not prev or brk[i]):
            t += 1
            out[t] = 0
            start = i
        if w:
            out[t] ^= tab[(((i - start) & 63) << 8) | b[i]]
        prev = w
    return out[: t + 1]


def token_hashes_utf8(raw: np.ndarray, n: int, byte_value: np.ndarray, lead_class: np.ndarray,
                      tab: np.ndarray) -> np.ndarray | None:
    """MinHash's token hashes (`cleaner.dedup.minhash`) of the `n` UTF-8 bytes of `raw`
    (followed by 3 zero bytes), in one compiled pass: bytes mapped by `byte_value` (0: a
    separator), multi-byte characters classed by `lead_class` of their first two bytes,
    each token the XOR of `tab[(position in token mod 64) << 8 | byte]`. None without
    numba (the caller runs its numpy passes)."""
    if not _compiled():
        return None
    return _token_hashes_nb(raw, n, byte_value, lead_class, tab)


def minhash(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per permutation p, the least `a[p] * x + b[p]` (mod 2**64) over the shingle hashes
    `x` (all uint64)."""
    if _compiled():
        return _minhash_nb(x, a, b)
    return _minhash_np(x, a, b)


def warm_up() -> bool:
    """Load every kernel now (from numba's cache; compiled on the first run after an
    install); True when they run. A process that forks workers calls it first, so that
    they share the loaded code instead of each loading it again (about 0.3 s a process)."""
    return _compiled()


def _load_kernels() -> None:
    """Run every kernel once, with inputs of the types the pipeline passes."""
    from cleaner.model.features import (
        Prepared,
        Tables,
        extract_prepared,
        grid_features,
        split_indent,
    )
    from cleaner.model.stage2 import stage2_input
    from cleaner.text import fold_key_hashes, key_hashes

    key_hashes(["Warm up."])
    cp = np.frombuffer("Warm up.".encode("utf-32-le"), dtype=np.uint32)
    key_hashes_of_normal(cp, np.ones(len(cp), dtype=bool))  # (key_hashes looks letters up
    count_words(cp, np.ones(128, dtype=np.uint8), False)  # in its table instead)
    line_words("Warm up.")
    fold_key_hashes(["Warm up."])  # collapse_lines too
    p = Prepared(["Warm up.", "Two"], None)
    line_counts(p.cp, p.cls, p.starts, p.lens)
    grid_features(p)  # number_tokens, template_hashes and template_runs
    lines, indent = split_indent(["Warm up.", "  Two"])
    X = extract_prepared(Prepared(lines, None), lines, Tables([], np.zeros(0), 0.0, {}),
                         grid=True, indent=indent)  # context_columns
    stage2_input(np.full(2, 0.5), X, True, np.zeros(2, dtype=np.int64))  # stage2_columns
    heap_forest_sums(np.zeros((5, 2)), np.zeros((1, 1), dtype=np.int32),
                     np.zeros((1, 1), dtype=np.float32), np.zeros((1, 2)), 1)
    forward_backward(np.full(3, 0.5), np.full(3, 0.5), 0.5, 0.9, 0.9)
    u = np.ones(3, dtype=np.uint64)
    minhash(u, u, u)
    best_block(np.zeros(3))
    raw = np.frombuffer(b"a b\0\0\0", dtype=np.uint8)
    token_hashes_utf8(raw, 3, np.ones(256, dtype=np.uint8), np.zeros(65536, dtype=np.uint8),
                      np.ones(64 * 256, dtype=np.uint64))
    for values in (np.ones(3, dtype=np.int64), np.ones(3)):  # vocabulary rows, weights
        hash_lookup(hash_slots(u.cumsum()), u.cumsum(), values, u)
