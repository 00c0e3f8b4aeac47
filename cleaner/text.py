"""Line splitting and text normalisation shared by the filters."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from cleaner.accel import (
    CJK_RANGES,
    char_table,
    collapse_lines,
    count_words,
    key_hashes_by_table,
    key_hashes_of_normal,
    line_words,
    space_table,
    string_hashes,
    word_kinds,
)
from cleaner.document import Line

# A non-blank line, tried only where a line starts (else blank runs cost quadratic time).
_CONTENT = re.compile(r"(?<![^\r\n])[^\S\r\n]*+\S[^\r\n]*")
# A word: a run of word characters, except that each CJK ideograph, kana or hangul syllable
# counts as one (those scripts do not put spaces between words).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
# Dashes, quotes and look-alike punctuation, folded so that near-identical copies compare equal.
_FOLD = str.maketrans(
    {
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'",
        "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u2026": "...", "\u00a0": " ",
    }
)


def split_lines(text: str) -> list[Line]:
    """Split decoded text into its non-blank lines, each with its span in `text`.

    Any of CRLF, CR and LF ends a line; blank (whitespace-only) lines are separators and
    set `blank_before` on the next line. Line numbers count non-blank lines from 1.
    """
    if "\r" not in text:
        return _split_lf(text)
    lines: list[Line] = []
    prev = 0
    for number, m in enumerate(_CONTENT.finditer(text), start=1):
        start = m.start()
        gap = text[prev:start]
        breaks = gap.count("\n") + gap.count("\r") - gap.count("\r\n")
        lines.append(Line(number, start, m.end(), m.group(),
                          breaks >= (1 if number == 1 else 2)))
        prev = m.end()
    return lines


def line_texts(text: str) -> list[str]:
    """The texts of `split_lines(text)`, without building the lines."""
    return [t for t, _ in line_texts_words(text)]


def short_line_texts(text: str, max_words: int) -> list[str]:
    """The texts of the lines of `split_lines(text)` of at most `max_words` words
    (`Line.words`), picked in numpy from the same compiled word counts."""
    if "\r" in text:
        return [ln.text for ln in split_lines(text) if ln.words <= max_words]
    words = line_words(text)
    pieces = text.split("\n")
    return [pieces[i] for i in np.flatnonzero((words > 0) & (words <= max_words)).tolist()]


def line_texts_words(text: str) -> list[tuple[str, int]]:
    """The texts of `split_lines(text)` with their word counts (`Line.words`)."""
    if "\r" in text:
        return [(ln.text, ln.words) for ln in split_lines(text)]
    return [(p, w) for p, w in zip(text.split("\n"), line_words(text).tolist(), strict=True)
            if w]


def _split_lf(text: str) -> list[Line]:
    r"""`split_lines` for text with LF breaks only (the common case), without a regex:
    a piece is blank when it has no word (`str.isspace` is exactly the regex's `\s`), so
    the same lines come out; each line's word count comes from the same compiled pass."""
    lines: list[Line] = []
    start = 0
    prev = -2  # index of the previous non-blank piece; -2: none yet
    for i, (piece, words) in enumerate(zip(text.split("\n"), line_words(text).tolist(),
                                           strict=True)):
        end = start + len(piece)
        if words:
            blank = i > 0 if prev == -2 else i - prev >= 2
            lines.append(Line(len(lines) + 1, start, end, piece, blank, _words=words))
            prev = i
        start = end + 1
    return lines


def word_count(text: str) -> int:
    """Words in `text`: runs of word characters (`\\w`), each CJK ideograph, kana or hangul
    syllable one word. Counted in numpy over the code points, `_CHUNK_CHARS` at a time (the
    same count as `len(_WORD.findall(text))`, several times faster on long texts)."""
    if len(text) < 64:
        return len(_WORD.findall(text))
    total, prev = 0, False
    for i in range(0, len(text), _CHUNK_CHARS):
        n, prev = _count_words(text[i : i + _CHUNK_CHARS], prev)
        total += n
    return total


def _count_words(chunk: str, prev_word: bool) -> tuple[int, bool]:
    """Words starting in `chunk` (a word that `prev_word` says began before it does not
    count again), and whether its last character is inside a word."""
    cp = np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if cp.size and int(cp.max()) < TABLE_SIZE:  # compiled, looking letters up itself
        counted = count_words(cp, _word_kinds(), prev_word)
        if counted is not None:
            return counted
    word = _alnum(cp)
    word |= cp == 95  # "_" is a word character too
    cjk = np.zeros(len(cp), dtype=bool)
    for lo, hi in CJK_RANGES:
        cjk |= (cp >= lo) & (cp <= hi)
    word &= ~cjk
    starts = int(np.count_nonzero(word[1:] & ~word[:-1])) + int(bool(word[0]) and not prev_word)
    return starts + int(np.count_nonzero(cjk)), bool(word[-1])


_FOLD_CHARS = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")


def paragraph_key(text: str) -> str:
    """A key under which two copies of a paragraph compare equal even when a dash, a
    quote, case or spacing differs: its letters and digits, case-folded (NFKC), one run of
    them a word, the words joined by single spaces (punctuation and spacing are dropped)."""
    return _NON_ALNUM.sub(" ", _nfkc(text).casefold()).strip()


def _nfkc(text: str) -> str:
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _translate(text: str) -> str:
    """`text.translate(_FOLD)`, but scanning in C and calling Python only on a match."""
    return _FOLD_CHARS.sub(lambda m: _FOLD[ord(m.group())], text)


def fold_lines(texts: list[str]) -> list[str]:
    """Every line Unicode-normalised (NFKC), case-folded, with dashes and quotes unified and
    each run of white space one space, stripped (no line may hold a newline)."""
    return [x for i, j in _pieces(texts) for x in _split_folded(_folded(texts[i:j]))]


def _folded(texts: list[str]) -> str:
    """The lines folded (NFKC, dashes and quotes unified, case-folded), joined by "\n"."""
    return each_line(texts, _fold_line)


def _fold_line(text: str) -> str:
    return _translate(_nfkc(text)).casefold()


def each_line(texts: list[str], fold: Callable[[str], str],
              ascii_fold: Callable[[str], str] = str.lower) -> str:
    """`fold("\n".join(texts))` for a `fold` that maps each line on its own (NFKC never
    joins characters across a line break, nor makes one; case folding and `_FOLD` map
    one character at a time) and maps ASCII as `ascii_fold` does: only the lines that
    are not ASCII go through it (in a page of text, a few lines hold all its non-ASCII
    characters; folding the whole page took about 3 times as long)."""
    return "\n".join([ascii_fold(t) if t.isascii() else fold(t) for t in texts])


def _split_folded(joined: str) -> list[str]:
    return [" ".join(x.split()) for x in joined.split("\n")]


TABLE_SIZE = 0x30000


def alnum_table() -> np.ndarray:
    """bool per code point below 0x30000: `str.isalnum` (a letter or digit of any script)."""
    return char_table("isalnum", TABLE_SIZE)


@functools.cache
def _word_kinds() -> np.ndarray:
    """`accel.word_kinds` of `alnum_table`: what `word_count` counts, by code point."""
    return word_kinds(alnum_table())


def _alnum(cp: np.ndarray) -> np.ndarray:
    """`str.isalnum` of every code point."""
    ok = alnum_table()[np.minimum(cp, TABLE_SIZE - 1)]
    high = np.flatnonzero(cp >= TABLE_SIZE)
    if high.size:  # beyond the table (rare): ask Python
        ok[high] = [chr(c).isalnum() for c in cp[high].tolist()]
    return ok


_CHUNK_CHARS = 1 << 20  # the numpy passes look at this many characters at a time
_NON_ALNUM = re.compile(r"[\W_]+")  # not a letter or digit (`str.isalnum`), as a regex


def key_lines(texts: list[str]) -> list[str]:
    """`paragraph_key` of every line (no line may hold a newline), in few passes over the
    document: every character that is not a letter or digit becomes a space (in numpy,
    over the code points of about `_CHUNK_CHARS` characters of lines at a time), then each
    line's words are joined by single spaces."""
    return [k for i, j in _pieces(texts) for k in _keys_of_normal(_normal(texts[i:j]))]


def _normal(texts: list[str]) -> str:
    """The lines normalised for their keys (NFKC, case-folded), joined by "\n"."""
    return each_line(texts, _normal_line)


def _normal_line(text: str) -> str:
    return _nfkc(text).casefold()


def _keys_of_normal(joined: str) -> list[str]:
    """The keys of normalised lines joined by "\n"."""
    cp = _code_points(joined)
    keep = _alnum(cp)
    keep |= cp == 10
    spaced = np.where(keep, cp, np.uint32(32)).astype("<u4").tobytes()
    return [" ".join(x.split()) for x in spaced.decode("utf-32-le", "surrogatepass").split("\n")]


def _hashes_of_normal(joined: str) -> np.ndarray:
    """`string_hashes` of the keys of normalised lines joined by "\n": compiled without
    building the keys (`cleaner.accel`), else from `_keys_of_normal`."""
    return _hashes_of_code_points(joined, _code_points(joined))


def _hashes_of_code_points(joined: str, cp: np.ndarray) -> np.ndarray:
    """`_hashes_of_normal(joined)`, given its code points `cp`."""
    if cp.size and int(cp.max()) < TABLE_SIZE:
        hashes = key_hashes_by_table(cp, alnum_table())
    else:  # code points beyond the table (rare): Python says which are letters or digits
        hashes = key_hashes_of_normal(cp, _alnum(cp))
    return string_hashes(_keys_of_normal(joined)) if hashes is None else hashes


def _pieces(texts: list[str]) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of `texts` of about `_CHUNK_CHARS` characters (at least one
    text each), so that the numpy passes over them stay bounded."""
    if texts and sum(map(len, texts)) + len(texts) <= _CHUNK_CHARS:  # usually one piece
        yield 0, len(texts)
        return
    i = 0
    while i < len(texts):
        j, size = i, 0
        while j < len(texts) and (j == i or size + len(texts[j]) <= _CHUNK_CHARS):
            size += len(texts[j]) + 1
            j += 1
        yield i, j
        i = j


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def key_hashes(texts: list[str]) -> np.ndarray:
    """`string_hashes(key_lines(texts))` (0 for an empty key), without building the keys:
    one normalisation and one compiled pass (`cleaner.accel`) over the document."""
    return np.concatenate([np.zeros(0, dtype=np.uint64)]
                          + [_hashes_of_normal(_normal(texts[i:j])) for i, j in _pieces(texts)])


def fold_key_hashes(texts: list[str], lead: str = "", trail: str = "",
                    keep: Sequence[bool] | None = None) -> tuple[list[str], np.ndarray]:
    """`fold_lines(texts)` and `key_hashes(texts)` from one normalisation of the document:
    a line's key is the letters and digits of its folded form (folding unifies only dashes,
    quotes and spaces, none of them letters or digits). Each folded line is also stripped
    of the leading characters in `lead` and then of the trailing ones in `trail`, and a
    line that `keep` says False folds to "" (its hash is still its key's): what the rules
    match their patterns against."""
    folded: list[str] = []
    hashes = [np.zeros(0, dtype=np.uint64)]
    flags = np.ones(len(texts), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    if len(flags) != len(texts):
        raise ValueError(f"{len(flags)} keep flags for {len(texts)} lines")
    tables = _strip_tables(lead, trail)
    for i, j in _pieces(texts):
        joined = _folded(texts[i:j])
        cp = _code_points(joined)
        hashes.append(_hashes_of_code_points(joined, cp))
        out = collapse_lines(cp, space_table(), *tables, flags[i:j])
        if out is not None:
            folded += out.astype("<u4", copy=False).tobytes().decode(
                "utf-32-le", "surrogatepass").split("\n")
        else:
            folded += [x.lstrip(lead).rstrip(trail) if k else ""
                       for x, k in zip(_split_folded(joined), flags[i:j].tolist(), strict=True)]
    return folded, np.concatenate(hashes)


@functools.cache
def _strip_tables(lead: str, trail: str) -> tuple[np.ndarray, np.ndarray]:
    """bool by code point: the characters of `lead`, of `trail` (for `accel.collapse_lines`)."""
    def table(chars: str) -> np.ndarray:
        t = np.zeros(max(map(ord, chars), default=0) + 1, dtype=bool)
        t[[ord(c) for c in chars]] = True
        return t
    return table(lead), table(trail)


def fill_key_hashes(lines: list[Line]) -> None:
    """Give every line of `lines` that has none its `Line.key_hash`, in one pass (the rules
    do this for the lines they look at; without them, each line would pay a pass)."""
    missing = [ln for ln in lines if ln._key_hash < 0]
    for ln, h in zip(missing, key_hashes([ln.text for ln in missing]).tolist(), strict=True):
        ln._key_hash = h
