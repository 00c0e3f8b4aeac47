"""Reject documents left too short by cleaning."""

from __future__ import annotations

from cleaner.document import Document


class LengthFilter:
    """Rejects a document with fewer than `min_words` words after cleaning."""

    name = "length"

    def __init__(self, min_words: int) -> None:
        self.min_words = min_words

    def apply(self, doc: Document) -> None:
        if not doc.lines:
            where = "no main text found in the page" if doc.format.endswith("html") else (
                "no text in the input")
            doc.reject("empty", where)
            return
        n = doc.n_words
        if n < self.min_words:
            doc.reject("too_short", f"{n} words after cleaning; the minimum is {self.min_words}")


class LongLineFilter:
    """Removes lines longer than `max_chars`: no prose line is that long, and the other
    filters should not spend time on a 50 MB line of minified data."""

    name = "long_line"

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars

    def apply(self, doc: Document) -> None:
        for ln in doc.lines:
            if len(ln.text) > self.max_chars:
                ln.remove("long_line", 1.0, f"{len(ln.text)} characters; the limit is "
                          f"{self.max_chars}")
