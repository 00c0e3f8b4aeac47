"""Reject documents left too short by cleaning."""

from __future__ import annotations

from cleaner.document import Document
from cleaner.text import word_count


class LengthFilter:
    """Rejects a document with fewer than `min_words` words after cleaning."""

    name = "length"

    def __init__(self, min_words: int) -> None:
        self.min_words = min_words

    def apply(self, doc: Document) -> None:
        if not doc.lines:
            doc.reject("empty", "no text in the input")
            return
        n = word_count(doc.text)
        if n < self.min_words:
            doc.reject("too_short", f"{n} words after cleaning; the minimum is {self.min_words}")
