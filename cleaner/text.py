"""Line splitting and text normalisation shared by the filters."""

from __future__ import annotations

import re
import unicodedata

from cleaner.document import Line

_NEWLINE = re.compile(r"\r\n|\r|\n")
# A word: a run of word characters, except that each CJK ideograph, kana or hangul syllable
# counts as one (those scripts do not put spaces between words).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_SPACE = re.compile(r"\s+")
_NONWORD = re.compile(r"[\W_]+")
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
    lines: list[Line] = []
    pos = 0
    blank = False
    number = 0
    for m in _NEWLINE.finditer(text):
        number, blank = _add(lines, text, pos, m.start(), number, blank)
        pos = m.end()
    _add(lines, text, pos, len(text), number, blank)
    return lines


def _add(lines: list[Line], text: str, start: int, end: int, number: int, blank: bool):
    chunk = text[start:end]
    if not chunk.strip():
        return number, True
    number += 1
    lines.append(Line(number=number, start=start, end=end, text=chunk, blank_before=blank))
    return number, False


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def fold(text: str) -> str:
    """Unicode-normalised, case-folded text with dashes, quotes and spaces unified."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return _SPACE.sub(" ", text).strip()


def paragraph_key(text: str) -> str:
    """A key under which two copies of a paragraph compare equal even when a dash, a
    quote, case or spacing differs."""
    return _NONWORD.sub(" ", fold(text)).strip()
