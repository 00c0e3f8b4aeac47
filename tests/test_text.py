"""The numpy fast paths of cleaner.text agree with their regular-expression definitions."""

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.accel import line_words, string_hashes
from cleaner.document import Line
from cleaner.text import (
    _WORD,
    _translate,
    fold_key_hashes,
    fold_lines,
    key_hashes,
    key_lines,
    line_texts,
    line_texts_words,
    paragraph_key,
    short_line_texts,
    split_lines,
    word_count,
)

_CHARS = st.sampled_from([*"ab_1 .,-\t\n\r中文ひらカタ・한ÉéΣß\u0301①²\u00a0\u2014", "\U00030000",
                          "\U0001f600", "word ", "Follow us"])
_TEXT = st.lists(_CHARS, max_size=200).map("".join)
_LINE = _TEXT.map(lambda s: s.replace("\n", " ").replace("\r", " "))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_word_count_is_the_regex_count(text: str) -> None:
    assert word_count(text) == len(_WORD.findall(text))
    assert word_count(text * 5) == len(_WORD.findall(text * 5))  # past the short-text path


@pytest.mark.parametrize("chunk", [1, 7, 50])
def test_chunked_passes_agree(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long texts are counted and keyed in pieces (bounded memory): same answers."""
    import cleaner.text

    lines = ["Ünïcode_words ①² and 中文 text", "x" * 120, "a-b  c", "", "日本語 kana カタ"]
    text = "\n".join(lines) * 3
    keys, count = key_lines(lines), word_count(text)
    monkeypatch.setattr(cleaner.text, "_CHUNK_CHARS", chunk)
    assert key_lines(lines) == keys
    assert word_count(text) == count == len(_WORD.findall(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=8))
def test_line_key_is_its_alphanumeric_runs(lines: list[str]) -> None:
    expected = [" ".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", s).casefold()))
                for s in lines]
    assert key_lines(lines) == expected
    assert [paragraph_key(s) for s in lines] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=8))
def test_fold_is_the_regex_fold(lines: list[str]) -> None:
    hspace = re.compile(r"[^\S\n]+")
    expected = [hspace.sub(" ", _translate(unicodedata.normalize("NFKC", s)).casefold()).strip()
                for s in lines]
    assert fold_lines(lines) == expected


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_line_texts_are_split_lines(text: str) -> None:
    assert line_texts(text) == [ln.text for ln in split_lines(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=8))
def test_key_hashes_are_the_keys_hashes(lines: list[str]) -> None:
    """The rules' one normalisation pass gives the folds and the hashes of the keys that
    the separate passes give; a line's `key_hash` is the same."""
    want = string_hashes(key_lines(lines))
    assert np.array_equal(key_hashes(lines), want)
    folded, hashes = fold_key_hashes(lines)
    assert folded == fold_lines(lines) and np.array_equal(hashes, want)
    assert [Line(1, 0, len(s), s).key_hash for s in lines] == want.tolist()
    assert all((h == 0) == (k == "") for h, k in zip(want.tolist(), key_lines(lines), strict=True))


@pytest.mark.parametrize("chunk", [1, 7, 50])
def test_key_hashes_in_pieces(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.text

    lines = ["Ünïcode_words ①² and 中文 text", "x" * 120, "a—b  “c”", "", "日本語 kana カタ"] * 3
    expected = fold_lines(lines), key_hashes(lines)
    monkeypatch.setattr(cleaner.text, "_CHUNK_CHARS", chunk)
    folded, hashes = fold_key_hashes(lines)
    assert folded == expected[0]
    assert np.array_equal(hashes, expected[1]) and np.array_equal(key_hashes(lines), hashes)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_line_words_are_split_counts(text: str) -> None:
    """The compiled word counts are `len(piece.split())`; the lines found with them are
    `split_lines`' lines, with their word counts."""
    from cleaner.filters.source_repeats import line_hashes, text_line_hashes

    assert line_words(text).tolist() == [len(x.split()) for x in text.split("\n")]
    assert line_texts_words(text) == [(ln.text, len(ln.text.split())) for ln in split_lines(text)]
    assert [ln.words for ln in split_lines(text)] == [len(ln.text.split())
                                                      for ln in split_lines(text)]
    assert text_line_hashes("src", text, 3) == line_hashes("src", line_texts(text), 3)
    assert short_line_texts(text, 3) == [ln.text for ln in split_lines(text) if ln.words <= 3]


def test_line_words_of_a_long_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner import accel

    text = "a b\n\n  c \t d e\nf"
    want = line_words(text).tolist()
    monkeypatch.setattr(accel, "LONG_TEXT", 4)  # the str.split path
    assert line_words(text).tolist() == want == [2, 0, 3, 1]


_MARKS = " •-*|:>»"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LINE | st.sampled_from(["• a  b ", " - x:", "»»", "a\u2003\u00a0b |"]),
                          st.booleans()), max_size=8))
def test_folds_stripped_of_marks(pairs: list[tuple[str, bool]]) -> None:
    """The rules' keys (folds stripped of leading and trailing marks, emptied where `keep`
    is False) from the compiled pass equal `fold_lines` stripped by `str.lstrip`/`rstrip`,
    and so does the pass without numba; the hashes are the keys' either way."""
    import cleaner.text

    lines, keep = [s for s, _ in pairs], [k for _, k in pairs]
    want = [f.lstrip(_MARKS).rstrip(_MARKS + ".!") if k else ""
            for f, k in zip(fold_lines(lines), keep, strict=True)]
    got = fold_key_hashes(lines, _MARKS, _MARKS + ".!", keep)
    assert got[0] == want and np.array_equal(got[1], key_hashes(lines))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cleaner.text, "collapse_lines", lambda *a: None)
        slow = fold_key_hashes(lines, _MARKS, _MARKS + ".!", keep)
    assert slow[0] == want and np.array_equal(slow[1], got[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*"aZ 9.-", "\u0301", "ᄀ", "ᅡ", "ﬁ", "Ⅻ", "ß", "İ",
                                          "\u00a0", "…", "—", "“", "Σ", "①", "\u00ad"]),
                         max_size=12).map("".join), max_size=6))
def test_line_by_line_folding_is_the_whole_texts(lines: list[str]) -> None:
    """Folding only the lines that are not ASCII, one at a time, gives the fold of the
    joined text: nothing composes across a line break (a combining accent or a jamo at
    a line's start stays there)."""
    import cleaner.text as T

    joined = "\n".join(lines)
    assert T._normal(lines) == unicodedata.normalize("NFKC", joined).casefold()
    assert T._folded(lines) == T._translate(unicodedata.normalize("NFKC", joined)).casefold()
