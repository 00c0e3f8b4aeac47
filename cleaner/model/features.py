# ruff: noqa: E501
"""Per-line feature extraction (numpy only; no sklearn, no justext at inference).

Input: a document's non-blank lines (stripped) and ``blank_before`` flags.  Work per line is
capped (``MAX_CHARS`` characters are looked at).  For speed the whole document is processed at
once: the lines are joined with ``\n``, turned into one code-point array (character classes from
a table of ``\\w`` / uppercase code points), and per-line counts are ``numpy.bincount`` over the
line id of every character or token; regular-expression patterns run once over the document.

Three groups of features:

* **lexical** (``lexical_logit``): a logistic-regression logit over a fixed vocabulary of keys
  built at training time: every lowercased ``\\w+`` token of the line (value 1/sqrt(#tokens)),
  plus ``^first`` / ``$last`` token and, for lines of <= 5 tokens, the whole normalised line
  ``=tok tok ...`` (value 1).  Keys are exact strings looked up in a dict (stable across runs, no
  Python ``hash()``).
* **shape** (``shape_features``, ``SHAPE_NAMES``): length, token counts, mean token length,
  stopword ratio (jusText stoplists shipped in the model file; the document language is the
  stoplist with most hits in the document), capitalisation, digits, punctuation, end punctuation,
  bullets, pipes/breadcrumb separators, URL / e-mail / date / time / price / copyright patterns,
  blank line before, duplicate line inside the document, relative position.
* **context** (``context_features``): the key shape features and the lexical logit of the
  neighbouring lines (+-1, +-2), window means (+-3, +-10 lines), token mass before/after the line,
  distance to the nearest long / sentence-like line, and document size.
* **templates** (``grid_features``, ``GRID_NAMES``): how often the line's tokens and its
  template (numbers made one placeholder) repeat in the document, and whether the line sits in
  a run of one template at one gap (the records of a listing); the text model's columns after
  the context ones.
* **indentation** (``indent_features``, ``INDENT_NAMES``): the text model's last columns, from
  each line's leading whitespace (``split_indent``); the other groups see the stripped line.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from cleaner.accel import (
    context_columns,
    hash_lookup,
    hash_slots,
    indent_columns,
    lexical_sums,
    line_counts,
    number_tokens,
    sequence_hashes,
    stop_counts,
    string_hashes,
    template_hashes,
    template_runs,
    tokens,
)
from cleaner.text import TABLE_SIZE, alnum_table

MAX_CHARS = 2000

_TOK = re.compile(r"\w+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_NS = r"[^ \t\n\r\f\v]"  # explicit non-space: identical in re and re2
# Patterns run on the lowercased document with ASCII semantics (\b, \d, \w ASCII), so the
# optional google-re2 engine (much faster) and Python's re give identical matches.
_PATTERN_SRC = [
    ("has_url", r"https?://|www\.|\.(?:com|org|net|html?|php)\b"),
    ("has_email", _NS + r"@" + _NS + r"+\.\w"),
    (
        "has_date",
        r"\b(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
        + _MONTH
        + r" \d{1,2}(?:st|nd|rd|th)?,? \d{4}|"
        r"\d{1,2}(?:st|nd|rd|th)? "
        + _MONTH
        + r",? \d{4}|\d+ (?:minutes?|hours?|days?|weeks?|months?|years?) ago)\b",
    ),
    ("has_time", r"\b\d{1,2}:\d{2}\b"),
    ("has_price", r"(?:\$|€|£|¥|₹) ?\d|\d ?(?:€|\$|usd\b|eur\b|gbp\b)"),
    (
        "has_copy",
        r"©|\(c\)|copyright|all rights reserved|\bcookies?\b|privacy policy|terms of (?:use|service)",
    ),
    (
        "has_social",
        r"\b(?:share|tweet|facebook|twitter|linkedin|pinterest|whatsapp|instagram|youtube|subscribe|newsletter|log ?in|sign (?:in|up)|register)\b",
    ),
]
# compiled as UTF-8 *bytes* patterns (ASCII semantics in both engines; no character classes
# with non-ASCII members) and run once over the UTF-8 bytes of the lowercased document.
_PATTERNS_PY = [(k, re.compile(v.encode("utf-8"))) for k, v in _PATTERN_SRC]
try:  # optional accelerator (same matches, see test_model_features)
    import re2 as _re2

    # each pattern in RE2 on its own: not run by the pipeline, it is what the tests check
    # RE2's matches against Python's with (RE2 runs the set and the joined patterns below)
    _PATTERNS_FAST = [(k, _re2.compile(v.encode("utf-8"))) for k, v in _PATTERN_SRC]
    # With RE2, one scan finds the lines that any pattern may match (`_pattern_flags`):
    # the patterns joined, each match's span marks the lines it touches; then the set of
    # all patterns tells, for those lines only, which of them match there.
    _ANY_PATTERN = _re2.compile(b"|".join(b"(?:" + v.encode("utf-8") + b")"
                                          for _, v in _PATTERN_SRC))
    _PATTERN_SET = _re2.Set.SearchSet()
    for _, _v in _PATTERN_SRC:
        _PATTERN_SET.Add(_v.encode("utf-8"))
    _PATTERN_SET.Compile()
except Exception:  # pragma: no cover - re2 not installed
    _PATTERNS_FAST = _PATTERNS_PY
    _ANY_PATTERN = _PATTERN_SET = None

SHAPE_NAMES = [
    "log_chars",
    "log_tokens",
    "mean_tok_len",
    "alpha_frac",
    "stop_frac",
    "stop_count_log",
    "cap_word_frac",
    "upper_init_frac",
    "digit_frac",
    "comma_rate",
    "period_rate",
    "end_sent",
    "end_soft",
    "end_alnum",
    "starts_bullet",
    "starts_digit",
    "sep_count",
    "has_url",
    "has_email",
    "has_date",
    "has_time",
    "has_price",
    "has_copy",
    "has_social",
    "blank_before",
    "dup_in_doc",
    "rel_pos",
    "nonascii_frac",
    "oov_frac",
    "n_sentences",
]
N_SHAPE = len(SHAPE_NAMES)
_COL = {k: i for i, k in enumerate(SHAPE_NAMES)}


class Tables:
    """Lookup tables shared by feature extraction (built from the model file).

    One dict maps a token to a row of per-token arrays (lexical weight, stoplist bit mask,
    known-to-the-lexicon flag); the ``^first`` / ``$last`` / ``=whole line`` keys get their own
    dicts so no key strings are built at inference.
    """

    def __init__(
        self, keys: Sequence[str], lex_w: np.ndarray, lex_b: float, stop_words: dict[str, list[str]]
    ):
        lex_w = np.asarray(lex_w, dtype=np.float64)
        self.lex_b = float(lex_b)
        self.langs = sorted(stop_words)
        self.first_w: dict[str, float] = {}
        self.last_w: dict[str, float] = {}
        self.whole_w: dict[str, float] = {}
        self.empty_w = 0.0
        tok_index: dict[str, int] = {}
        w_rows: list[float] = [0.0]
        known_rows: list[bool] = [False]
        for k, w in zip(keys, lex_w.tolist(), strict=False):
            c = k[:1]
            if c == "^":
                self.first_w[k[1:]] = w
            elif c == "$":
                self.last_w[k[1:]] = w
            elif c == "=":
                self.whole_w[k[1:]] = w
            elif k == "<empty>":
                self.empty_w = w
            else:
                tok_index[k] = len(w_rows)
                w_rows.append(w)
                known_rows.append(True)
        # every ^first / $last key's token gets a row too (weight 0, not "known"), so the
        # first/last weights are per-row arrays read with the token rows
        for word in sorted(set(self.first_w) | set(self.last_w)):
            if word not in tok_index:
                tok_index[word] = len(w_rows)
                w_rows.append(0.0)
                known_rows.append(False)
        stop_rows = [0] * len(w_rows)
        for b, lang in enumerate(self.langs):
            for word in stop_words[lang]:
                j = tok_index.get(word)
                if j is None:
                    j = len(w_rows)
                    tok_index[word] = j
                    w_rows.append(0.0)
                    known_rows.append(False)
                    stop_rows.append(0)
                stop_rows[j] |= 1 << b
        self.tok_index = _RowDict(tok_index)
        self.tok_w = np.asarray(w_rows, dtype=np.float64)
        self.tok_known = np.asarray(known_rows, dtype=np.float64)
        self.tok_stop = np.asarray(stop_rows, dtype=np.int64)
        # the same lookups by hash (`_token_rows`, `lexical_logit`); None: by string
        words = list(tok_index)
        self.vocab_index = _HashIndex.build(
            token_hashes(words), np.asarray([tok_index[w] for w in words], dtype=np.int64))
        keys = list(self.whole_w)
        toks = [k.split(" ") for k in keys]
        counts = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        offsets = np.concatenate([[0], np.cumsum(counts[:-1])]).astype(np.int64)
        self.whole_index = _HashIndex.build(
            _line_hashes(token_hashes([t for ts in toks for t in ts]), offsets, counts),
            np.asarray([self.whole_w[k] for k in keys], dtype=np.float64))
        size = len(w_rows)
        self.tok_first = np.zeros(size)
        self.tok_last = np.zeros(size)
        for word, w in self.first_w.items():
            self.tok_first[tok_index[word]] = w
        for word, w in self.last_w.items():
            self.tok_last[tok_index[word]] = w




class _HashIndex:
    """Sorted 64-bit keys and their values: `get` looks many keys up at once (through an
    open-addressing table, `accel.hash_slots`, or by searching the sorted keys)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys, self.values = keys, values
        self.slots = hash_slots(keys)

    @classmethod
    def build(cls, keys: np.ndarray, values: np.ndarray) -> _HashIndex | None:
        """None when two keys are equal (then the caller looks up by string)."""
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        if len(keys) == 0 or bool((np.diff(keys) == 0).any()):
            return None
        return cls(keys, values)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of every key, 0 for a key not in the index."""
        return hash_lookup(self.slots, self.keys, self.values, keys)


_CHAR_TAB: np.ndarray | None = None
_TAB_SIZE = TABLE_SIZE


def _char_table() -> np.ndarray:
    """uint8 per code point < 0x30000: bit 1 = regex \\w character, 2 = uppercase letter,
    4 = separator (|»›/•·>), 8 = bullet, 16 = sentence end, 32 = soft end (:;,), 64 = closing quote."""
    global _CHAR_TAB
    if _CHAR_TAB is None:
        word = alnum_table().copy()  # shared with cleaner.text's line keys and word counts
        word[95] = True  # "_"
        upper = np.fromiter((chr(i).isupper() for i in range(_TAB_SIZE)), dtype=bool,
                            count=_TAB_SIZE)
        tab = word.astype(np.uint8) | ((word & upper).astype(np.uint8) << 1)
        for bit, chars in (
            (4, "|»›/•·>"),
            (8, "*+-•·–—>#▪►◦‣○●■□✓✔"),
            (16, ".!?。！？"),
            (32, ":;,"),
            (64, "\"'”’)»]"),
        ):
            for ch in chars:
                tab[ord(ch)] |= bit
        _CHAR_TAB = tab
    return _CHAR_TAB


class Prepared:
    """A document's lines as one code-point array plus its ``\\w+`` tokens."""

    __slots__ = (
        "_flat",
        "blank",
        "cls",
        "counts",
        "cp",
        "hashes",
        "joined",
        "lens",
        "line_h",
        "low",
        "n",
        "n_tokens",
        "offsets",
        "starts",
        "tmpl_h",
        "tok_end",
        "tok_start",
    )

    def __init__(self, lines: Sequence[str], blank_before: Sequence[bool] | None):
        n = len(lines)
        self.n = n
        capped = [s[:MAX_CHARS] for s in lines]
        joined = "\n".join(capped)
        if joined.count("\n") != n - 1 and n > 0:
            capped = [s.replace("\n", " ") for s in capped]
            joined = "\n".join(capped)
        self.joined = joined
        lens = np.fromiter(map(len, capped), dtype=np.int64, count=n)
        self.lens = lens
        starts = np.zeros(n, dtype=np.int64)
        if n > 1:
            starts[1:] = np.cumsum(lens[:-1] + 1)
        self.starts = starts
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
            np.int64
        )
        self.cp = cp
        tab = _char_table()
        cls = np.take(tab, cp, mode="clip")
        self.cls = cls
        low = joined.lower()
        self.low = low
        self.hashes = self.tok_start = self.tok_end = None
        self.line_h: np.ndarray | None = None  # `line_hashes`, once asked for
        self.tmpl_h: np.ndarray | None = None  # `templates`, once asked for
        self._flat: list[str] | None = None
        lcp = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if len(lcp) == len(cp) and (len(lcp) == 0 or int(lcp.max()) < _TAB_SIZE):
            # the usual case: the \w+ tokens of the lowercased text, found and hashed in
            # numpy (the same tokens as re.findall(r"\w+", low), which runs otherwise)
            self.tok_start, self.tok_end, self.hashes, counts = tokens(lcp, tab, starts, n)
        else:  # rare (case mapping changes lengths, code points beyond the table): per line
            per = [_TOK.findall(s.lower()) for s in capped]
            counts = np.fromiter(map(len, per), dtype=np.int64, count=n)
            self._flat = [t for p in per for t in p]
        self.n_tokens = int(counts.sum())
        self.counts = counts
        offsets = np.zeros(n, dtype=np.int64)
        if n > 1:
            offsets[1:] = np.cumsum(counts[:-1])
        self.offsets = offsets
        self.blank = blank_before

    @property
    def flat(self) -> list[str]:
        """Every token, in order (built on demand: inference needs only their hashes)."""
        if self._flat is None:
            low = self.low
            self._flat = [low[a:b] for a, b in zip(self.tok_start.tolist(),
                                                   self.tok_end.tolist(), strict=True)]
        return self._flat

    def token_hashes(self) -> np.ndarray:
        """Every token's hash (`span_hashes`), on either token path."""
        return self.hashes if self.hashes is not None else token_hashes(self.flat)

    def line_hashes(self) -> np.ndarray:
        """Per line, the hash of its token hashes (`_line_hashes`), once."""
        if self.line_h is None:
            self.line_h = _line_hashes(self.token_hashes(), self.offsets, self.counts)
        return self.line_h

    def templates(self) -> np.ndarray:
        """Per line, the hash of its template: its tokens with each run of numbers made one
        placeholder (`accel.template_hashes`), once."""
        if self.tmpl_h is None:
            if self.hashes is not None:
                num = number_tokens(self.cp, self.tok_start, self.tok_end)
            else:  # the rare per-line tokens
                num = np.fromiter((t.isascii() and t.isdigit() for t in self.flat),
                                  dtype=bool, count=len(self.flat))
            self.tmpl_h = template_hashes(self.token_hashes(), num, self.counts, _NUMBER_HASH,
                                          _LINE_M)
        return self.tmpl_h

    def line_tokens(self, i: int) -> list[str]:
        o, c = int(self.offsets[i]), int(self.counts[i])
        if self._flat is not None:
            return self._flat[o : o + c]
        low = self.low
        return [low[a:b] for a, b in zip(self.tok_start[o : o + c].tolist(),
                                         self.tok_end[o : o + c].tolist(), strict=True)]

    def tokens_per_line(self) -> list[list[str]]:
        f = self.flat
        return [
            f[o : o + c] for o, c in zip(self.offsets.tolist(), self.counts.tolist(), strict=False)
        ]


def tokenize(lines: Sequence[str]) -> list[list[str]]:
    return Prepared(lines, None).tokens_per_line()


def lexical_keys(toks: list[str]) -> tuple[list[str], list[float]]:
    """Keys and values of one line for the lexical model (training; inference uses Tables' dicts)."""
    n = len(toks)
    if n == 0:
        return ["<empty>"], [1.0]
    v = 1.0 / math.sqrt(n)
    keys = list(toks)
    vals = [v] * n
    keys.append("^" + toks[0])
    vals.append(1.0)
    keys.append("$" + toks[-1])
    vals.append(1.0)
    if n <= 5:
        keys.append("=" + " ".join(toks))
        vals.append(1.0)
    return keys, vals


class _RowDict(dict):
    """token -> row; unknown tokens -> 0 (so lookups can run through C-level ``map``)."""

    def __missing__(self, key):
        return 0


def _token_rows(prep: Prepared, tables: Tables) -> np.ndarray:
    if prep.hashes is not None and tables.vocab_index is not None:
        return tables.vocab_index.get(prep.hashes)
    return np.fromiter(
        map(tables.tok_index.__getitem__, prep.flat), dtype=np.int64, count=len(prep.flat)
    )


# Token hashes are `cleaner.accel.span_hashes`: a document token is looked up by its hash
# among the vocabulary's; the vocabulary's own hashes are checked distinct at load.
_LINE_M = np.uint64(0xD6E8FEB86659FD93)  # odd


def _line_hashes(hashes: np.ndarray, offsets: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per line, a hash of its sequence of token hashes (0 for a line without tokens)."""
    return sequence_hashes(hashes, offsets, counts, _LINE_M)


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """`span_hashes` of whole tokens (the vocabulary side)."""
    return string_hashes(list(tokens))


def lexical_logit(prep: Prepared, tables: Tables, rows: np.ndarray | None = None) -> np.ndarray:
    n = prep.n
    if n == 0:
        return np.zeros(0)
    if rows is None:
        rows = _token_rows(prep, tables)
    counts = prep.counts
    has = counts > 0
    sums = lexical_sums(rows, counts, tables.tok_w, tables.tok_first, tables.tok_last,
                        tables.empty_w)
    if sums is not None:
        s, extra = sums
    else:
        line_tok = np.repeat(np.arange(n), counts)
        s = np.bincount(line_tok, weights=tables.tok_w[rows], minlength=n) / np.sqrt(
            np.maximum(counts, 1)
        )
        first = np.where(has, prep.offsets, 0)
        last = np.where(has, prep.offsets + counts - 1, 0)
        if len(rows):
            extra = np.where(has, tables.tok_first[rows[first]] + tables.tok_last[rows[last]],
                             tables.empty_w)
        else:
            extra = np.full(n, tables.empty_w)
    ww = tables.whole_w
    short = has & (counts <= 5)
    if ww and prep.hashes is not None and tables.whole_index is not None:
        if short.any():  # whole short lines, looked up by the hash of their token hashes
            h = prep.line_hashes()
            extra[short] += tables.whole_index.get(h[short])
    elif ww:
        for i in np.flatnonzero(short).tolist():
            w = ww.get(" ".join(prep.line_tokens(i)))
            if w is not None:
                extra[i] += w
    return s + extra + tables.lex_b


def shape_features(
    prep: Prepared,
    tables: Tables | None,
    rows: np.ndarray | None = None,
    full_lens: np.ndarray | None = None,
) -> np.ndarray:
    n = prep.n
    F = np.zeros((n, N_SHAPE), dtype=np.float64)
    if n == 0:
        return F
    col = _COL
    cp, L, counts = prep.cp, prep.lens.astype(np.float64), prep.counts.astype(np.float64)

    # all per-line character counts in one pass
    sums = line_counts(cp, prep.cls, prep.starts, prep.lens)
    wordchars, upstarts, digits, commas, periods, seps, nonascii, sentp = sums
    Ls = np.maximum(L, 1.0)
    ct = np.maximum(counts, 1.0)
    # stopwords: document language = stoplist with most hits
    if tables is not None and prep.n_tokens:
        if rows is None:
            rows = _token_rows(prep, tables)
        stop_cnt, known = stop_counts(tables.tok_stop[rows], tables.tok_known[rows],
                                      prep.counts, len(tables.langs))
    else:
        stop_cnt = np.zeros(n)
        known = np.zeros(n)
    full = L if full_lens is None else full_lens.astype(np.float64)
    F[:, col["log_chars"]] = np.log1p(full)
    F[:, col["log_tokens"]] = np.log1p(counts)
    F[:, col["mean_tok_len"]] = np.where(counts > 0, wordchars / ct, 0.0)
    F[:, col["alpha_frac"]] = wordchars / Ls
    F[:, col["stop_frac"]] = np.where(counts > 0, stop_cnt / ct, 0.0)
    F[:, col["stop_count_log"]] = np.log1p(stop_cnt)
    F[:, col["cap_word_frac"]] = np.where(counts > 0, upstarts / ct, 0.0)
    nonempty = L > 0
    st = prep.starts
    first = (
        np.where(nonempty, cp[np.minimum(st, len(cp) - 1)], 0)
        if len(cp)
        else np.zeros(n, dtype=np.int64)
    )
    last_i = np.maximum(st + prep.lens - 1, 0)
    last = (
        np.where(nonempty, cp[np.minimum(last_i, max(len(cp) - 1, 0))], 0)
        if len(cp)
        else np.zeros(n, dtype=np.int64)
    )
    tab = _char_table()
    quote = ((tab[np.minimum(last, _TAB_SIZE - 1)] & 64) > 0) & (prep.lens > 1)
    if quote.any():
        last = np.where(quote, cp[np.maximum(last_i - 1, 0)], last)
    first_up = ((prep.cls[np.minimum(st, len(cp) - 1)] & 2) > 0 if len(cp)
                else np.zeros(n, dtype=bool))
    F[:, col["upper_init_frac"]] = np.where(nonempty & first_up, 1.0, 0.0)
    F[:, col["digit_frac"]] = digits / Ls
    F[:, col["comma_rate"]] = commas / (counts + 1)
    F[:, col["period_rate"]] = periods / (counts + 1)
    cls_last = tab[np.minimum(last, _TAB_SIZE - 1)]
    cls_first = tab[np.minimum(first, _TAB_SIZE - 1)]
    end_sent = ((cls_last & 16) > 0) & nonempty
    F[:, col["end_sent"]] = end_sent
    F[:, col["end_soft"]] = ((cls_last & 32) > 0) & nonempty
    tab_last = _char_table()[np.minimum(last, _TAB_SIZE - 1)]
    F[:, col["end_alnum"]] = ((tab_last & 1) > 0) & (last != 95) & nonempty
    F[:, col["starts_bullet"]] = ((cls_first & 8) > 0) & nonempty
    F[:, col["starts_digit"]] = (first >= 48) & (first <= 57) & nonempty
    F[:, col["sep_count"]] = seps
    low = prep.low
    _pattern_flags(F, low.encode("utf-8", "surrogatepass"))
    if prep.blank is not None:
        bb = np.zeros(n)
        m = min(n, len(prep.blank))
        bb[:m] = np.asarray(prep.blank[:m], dtype=bool)
        F[:, col["blank_before"]] = bb
    low_lines = low.split("\n")
    if len(low_lines) == n:
        cnt = Counter(low_lines)
        F[:, col["dup_in_doc"]] = [1.0 if cnt[s] > 1 else 0.0 for s in low_lines]
    F[:, col["rel_pos"]] = np.arange(n) / max(n - 1, 1)
    F[:, col["nonascii_frac"]] = nonascii / Ls
    F[:, col["oov_frac"]] = np.where(counts > 0, 1.0 - known / ct, 0.0)
    F[:, col["n_sentences"]] = sentp + end_sent
    return F


_PATTERN_COLS = [_COL[k] for k, _ in _PATTERN_SRC]


def _pattern_flags(F: np.ndarray, lowb: bytes) -> None:
    """Set the pattern columns (`_PATTERN_SRC`) of the lines (rows of `F`) of the
    lowercased document `lowb` (UTF-8, one line a row, joined by newlines) where the
    pattern matches. No pattern can match a newline, so a pattern matches a line of the
    document exactly where it matches that line alone, and every line that holds a match
    of some pattern holds a match of `_ANY_PATTERN` (the joined patterns' scan, resumed
    where its last match ended, finds a match in that line at or before that one)."""
    n = F.shape[0]
    bstarts = np.concatenate([[0], np.flatnonzero(np.frombuffer(lowb, dtype=np.uint8) == 10) + 1])
    if _ANY_PATTERN is None:  # Python's re: each pattern over the whole document
        for (_, pat), c in zip(_PATTERNS_PY, _PATTERN_COLS, strict=True):
            pos = [m.start() for m in pat.finditer(lowb)]
            if pos:
                li = np.searchsorted(bstarts, np.asarray(pos), side="right") - 1
                F[np.minimum(li, n - 1), c] = 1.0
        return
    at = [m.start() for m in _ANY_PATTERN.finditer(lowb)]
    if not at:
        return
    hit = np.unique(np.searchsorted(bstarts, np.asarray(at), side="right") - 1)
    ends = np.append(bstarts[1:] - 1, len(lowb))
    match = _PATTERN_SET.Match
    for li in hit.tolist():
        for k in match(lowb[bstarts[li] : ends[li]]) or ():
            F[min(li, n - 1), _PATTERN_COLS[k]] = 1.0


def _shift(a: np.ndarray, k: int, fill: float = 0.0) -> np.ndarray:
    """a shifted so that out[i] = a[i - k] (k>0: previous lines)."""
    out = np.full_like(a, fill)
    n = len(a)
    if k > 0 and k < n:
        out[k:] = a[:-k]
    elif k < 0 and -k < n:
        out[:k] = a[-k:]
    return out


def _window_means(A: np.ndarray, radii: tuple[int, ...]) -> list[np.ndarray]:
    """For each radius r, the mean of every column of A over rows i-r..i+r (clipped to the
    document): one cumulative sum for all columns and radii."""
    n = A.shape[0]
    c = np.zeros((n + 1, A.shape[1]))
    np.cumsum(A, axis=0, out=c[1:])
    idx = np.arange(n)
    out = []
    for r in radii:
        lo = np.maximum(idx - r, 0)
        hi = np.minimum(idx + r + 1, n)
        out.append((c[hi] - c[lo]) / (hi - lo)[:, None])
    return out


def _dist_to(mask: np.ndarray, cap: int = 50) -> np.ndarray:
    """Distance (in lines) to the nearest line where mask is True, capped."""
    n = len(mask)
    pos = np.flatnonzero(mask)
    if len(pos) == 0:
        return np.full(n, float(cap))
    idx = np.arange(n)
    j = np.searchsorted(pos, idx)
    left = np.where(j > 0, idx - pos[np.maximum(j - 1, 0)], cap)
    right = np.where(j < len(pos), pos[np.minimum(j, len(pos) - 1)] - idx, cap)
    return np.minimum(np.minimum(left, right), cap).astype(np.float64)


CTX_KEYS = [
    "log_tokens",
    "stop_frac",
    "end_sent",
    "starts_bullet",
    "blank_before",
    "digit_frac",
    "dup_in_doc",
]
_CTX_IDX = [SHAPE_NAMES.index(k) for k in CTX_KEYS]
_WIN_IDX = [SHAPE_NAMES.index(k) for k in ("log_tokens", "stop_frac", "end_sent")]


_CTX_ARR = np.asarray(_CTX_IDX, dtype=np.int64)
_WIN_ARR = np.asarray(_WIN_IDX, dtype=np.int64)


def context_features(shape: np.ndarray, lex: np.ndarray, width: int | None = None
                     ) -> np.ndarray:
    """The stage-1 rows (`feature_names`) from the `shape_features` and the lexical logit
    of a document's lines: the line's own columns, its neighbours', window means and
    document-wide ones. With `width` (more than `feature_count()`), the matrix has that many
    columns, the ones past `feature_count()` left for the caller to fill. Compiled
    (`accel.context_columns`), with this module's numpy code as the twin: the same numbers."""
    n = shape.shape[0]
    fc = feature_count()
    width = fc if width is None else width
    if n:  # compiled; without numba, context_columns writes nothing and the numpy code runs
        out = np.empty((n, width))
        ntok = np.expm1(shape[:, _COL["log_tokens"]])
        tot = ntok.sum()
        if context_columns(np.ascontiguousarray(shape), np.ascontiguousarray(lex), ntok,
                           _CTX_ARR, _WIN_ARR, tot, out):
            c = fc - 5  # the document-wide columns, computed as the numpy code does
            out[:, c] = math.log1p(n)
            out[:, c + 1] = math.log1p(tot)
            out[:, c + 3] = (lex > 0).mean()
            out[:, c + 4] = float(lex.mean())
            return out
    X = _context_np(shape, lex)
    if width == fc:
        return X
    out = np.empty((n, width))
    out[:, :fc] = X
    return out


def _context_np(shape: np.ndarray, lex: np.ndarray) -> np.ndarray:
    n = shape.shape[0]
    cols = [shape, lex[:, None]]
    if n == 0:
        return np.zeros((0, feature_count()))
    sub = np.concatenate([shape[:, _CTX_IDX], lex[:, None]], axis=1)
    # out-of-document neighbours: -1 for the shape columns, -5 for the lexical logit
    fill = np.full((2, sub.shape[1]), -1.0)
    fill[:, -1] = -5.0
    padded = np.concatenate([fill, sub, fill])
    for k in (-2, -1, 1, 2):  # row i of the block holds line i - k
        cols.append(padded[2 - k : 2 - k + n])
    ntok = np.expm1(shape[:, SHAPE_NAMES.index("log_tokens")])
    win = np.column_stack([lex, shape[:, _WIN_IDX]])  # lex, log_tokens, stop_frac, end_sent
    cols += _window_means(win, (3, 10))
    tot = ntok.sum()
    cum = np.cumsum(ntok)
    before = (cum - ntok) / tot if tot > 0 else np.zeros(n)
    after = (tot - cum) / tot if tot > 0 else np.zeros(n)
    longl = (ntok >= 15) & (shape[:, SHAPE_NAMES.index("stop_frac")] > 0.2)
    sent = shape[:, SHAPE_NAMES.index("end_sent")] > 0
    # lexical logit rank inside the document and its max over +-5 lines
    # (the line itself is not in its window: the model was trained that way)
    lex_pad = np.concatenate([np.full(5, -10.0), lex, np.full(5, -10.0)])
    lex_max5 = lex_pad[:n].copy()  # the window's offsets -5..-1 and 1..5, one at a time
    for k in (1, 2, 3, 4, 6, 7, 8, 9, 10):
        np.maximum(lex_max5, lex_pad[k : k + n], out=lex_max5)
    lex_pos_frac = (lex > 0).mean()
    cols += [
        before[:, None],
        after[:, None],
        _dist_to(longl)[:, None],
        _dist_to(sent & (ntok >= 8))[:, None],
        np.full((n, 1), math.log1p(n)),
        np.full((n, 1), math.log1p(tot)),
        lex_max5[:, None],
        np.full((n, 1), lex_pos_frac),
        np.full((n, 1), float(lex.mean())),
    ]
    return np.concatenate(cols, axis=1)


def feature_count() -> int:
    return N_SHAPE + 1 + 4 * (len(CTX_KEYS) + 1) + 8 + 9


def feature_names() -> list[str]:
    names = [*list(SHAPE_NAMES), "lex"]
    for k in (-2, -1, 1, 2):
        names += [f"{c}@{k:+d}" for c in [*CTX_KEYS, "lex"]]
    for r in (3, 10):
        names += [f"lex_w{r}", f"log_tokens_w{r}", f"stop_frac_w{r}", f"end_sent_w{r}"]
    names += [
        "tok_before",
        "tok_after",
        "dist_long",
        "dist_sent",
        "doc_log_lines",
        "doc_log_tokens",
        "lex_max5",
        "doc_lex_pos_frac",
        "doc_lex_mean",
    ]
    return names


# ---------------------------------------------------------------- indentation
# A renderer that keeps the page's nesting as indentation (inscriptis does) writes the
# article's paragraphs at one depth and menus, lists of links and footers deeper or
# shallower. The text model sees each line's leading whitespace through these columns,
# appended after the others (a text without indentation gives zeros and the same depth for
# every line); the other features are computed on the stripped line.
INDENT_CAP = 40  # characters of leading whitespace counted at most
INDENT_LONG_TOKENS = 10  # lines of this many tokens set the document's main depth
INDENT_NAMES = [
    "indent",  # leading whitespace (characters, capped)
    "indent_rel",  # minus the main depth: the token-weighted median depth of long lines
    "indent_rank",  # how many distinct depths of the document are shallower
    "indent_prev",  # minus the previous line's depth (0 for the first line)
    "indent_next",  # minus the next line's depth (0 for the last line)
    "indent_same3",  # share of the lines within +-3 at the same depth
    "indent_tok_share",  # share of the document's tokens on lines at this depth
    "doc_indented",  # 1 when any line of the document is indented
]


def split_indent(lines: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The lines without their leading whitespace, and how many characters it had."""
    stripped = [s.lstrip() for s in lines]
    ind = np.fromiter(map(len, lines), dtype=np.float64, count=len(lines))
    ind -= np.fromiter(map(len, stripped), dtype=np.float64, count=len(lines))
    return stripped, ind


def indent_features(indent: np.ndarray, ntok: np.ndarray) -> np.ndarray:
    """The `INDENT_NAMES` columns from each line's leading whitespace and token count
    (compiled, `accel.indent_columns`, with the numpy code below as the twin)."""
    n = len(indent)
    F = np.zeros((n, len(INDENT_NAMES)))
    if n == 0:
        return F
    ind = np.minimum(np.asarray(indent, dtype=np.float64), INDENT_CAP)
    ntok = np.asarray(ntok, dtype=np.float64)
    if indent_columns(np.ascontiguousarray(ind), np.ascontiguousarray(ntok), float(ntok.sum()),
                      INDENT_LONG_TOKENS, F):
        return F
    level_of = np.unique(ind, return_inverse=True)[1]
    long_ = ntok >= INDENT_LONG_TOKENS
    w = ntok[long_] if long_.any() else ntok + 1.0
    v = ind[long_] if long_.any() else ind
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    main = float(v[order][np.searchsorted(cum, cum[-1] / 2.0)])
    F[:, 0] = ind
    F[:, 1] = ind - main
    F[:, 2] = level_of
    F[1:, 3] = ind[1:] - ind[:-1]
    F[:-1, 4] = ind[1:] - ind[:-1]
    same = np.zeros(n)
    cnt = np.zeros(n)
    for k in (1, 2, 3):
        same[k:] += ind[k:] == ind[:-k]
        same[:-k] += ind[:-k] == ind[k:]
        cnt[k:] += 1
        cnt[:-k] += 1
    F[:, 5] = same / np.maximum(cnt, 1)
    tok_at = np.bincount(level_of, weights=ntok)
    F[:, 6] = tok_at[level_of] / max(float(ntok.sum()), 1.0)
    F[:, 7] = float(ind.max() > 0)
    return F


# ---------------------------------------------------------------- repeated templates
# A listing or a shop's collection page writes one record per item (a name, a price, a
# rating, "Add to cart"), so the same line template comes back at a regular gap; its gold
# main text is those records, which one by one look like menu lines. A line's template is
# its sequence of tokens with every number (a run of all-digit tokens: "$1,999.95") made
# one placeholder. These columns, after `extract`'s and before the indentation ones, tell
# the text model which lines repeat and which sit inside such runs.
GRID_MAX_GAP = 12  # records of at most this many lines
GRID_MIN_RUN = 3  # occurrences of a template at one gap that make a run
GRID_NAMES = [
    "tmpl_count_log",  # log(1 + lines of the document with the line's template)
    "exact_count_log",  # log(1 + lines of the document with the line's tokens)
    "tmpl_only",  # 1 when the template repeats but the tokens do not (a price, a count)
    "grid_cover",  # 1 inside a run: a template 3+ times at one gap of at most 12 lines
    "grid_gap",  # the shortest gap of the runs covering the line (0 outside them)
    "grid_share",  # share of the document's lines inside runs
    "tmpl_rep_ctx3",  # share of the lines within +-3 whose template repeats
]
_NUMBER_HASH = np.uint64(0x5EED5EED5EED5EED)  # the placeholder token's hash


def grid_features(prep: Prepared) -> np.ndarray:
    """The `GRID_NAMES` columns of a document's lines (its `Prepared` tokens)."""
    n = prep.n
    F = np.zeros((n, len(GRID_NAMES)))
    if n == 0:
        return F
    tcount, ecount, gap = template_runs(prep.templates(), prep.counts, prep.line_hashes(),
                                        GRID_MAX_GAP, GRID_MIN_RUN)
    cover = np.isfinite(gap)
    F[:, 0] = np.log1p(tcount)
    F[:, 1] = np.log1p(ecount)
    F[:, 2] = (tcount > 1) & (ecount <= 1)
    F[:, 3] = cover
    F[:, 4] = np.where(cover, gap, 0.0)
    F[:, 5] = cover.mean()
    rep = (tcount > 1).astype(np.float64)
    F[:, 6] = _window_means(rep[:, None], (3,))[0][:, 0]
    return F


def template_groups(prep: Prepared) -> np.ndarray:
    """Per line, the number of its template among the document's (`Prepared.templates`;
    -1 for a line without tokens): lines of one group are the same record's field."""
    _, group = np.unique(prep.templates(), return_inverse=True)
    group = group.reshape(-1).astype(np.int64)
    group[prep.counts == 0] = -1
    return group


def with_indent(X: np.ndarray, indent: np.ndarray) -> np.ndarray:
    """A stage-1 matrix (`extract`'s columns) with the `indent_features` columns appended:
    the text model's rows, at training and at inference."""
    ntok = np.expm1(X[:, _COL["log_tokens"]])
    return np.concatenate([X, indent_features(indent, ntok)], axis=1)


def extract(
    lines: Sequence[str], blank_before: Sequence[bool] | None, tables: Tables,
    *, grid: bool = False,
) -> np.ndarray:
    """Full feature matrix (n_lines, feature_count()); with ``grid``, the `grid_features`
    columns appended."""
    return extract_prepared(Prepared(lines, blank_before), lines, tables, grid=grid)


def extract_prepared(prep: Prepared, lines: Sequence[str], tables: Tables, *,
                     grid: bool = False, indent: np.ndarray | None = None) -> np.ndarray:
    """`extract` of lines already `Prepared` (whose other facts a caller may want too);
    with `indent` (the lines' leading whitespace, `split_indent`), the `indent_features`
    columns appended as `with_indent` appends them (written in place, not concatenated)."""
    rows = _token_rows(prep, tables)
    full = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    shape = shape_features(prep, tables, rows, full)
    lex = lexical_logit(prep, tables, rows)
    c = feature_count()
    width = c + (len(GRID_NAMES) if grid else 0) + (0 if indent is None else len(INDENT_NAMES))
    X = context_features(shape, lex, width)
    if grid:
        X[:, c : c + len(GRID_NAMES)] = grid_features(prep)
        c += len(GRID_NAMES)
    if indent is not None:
        X[:, c:] = indent_features(indent, np.expm1(X[:, _COL["log_tokens"]]))
    return X
