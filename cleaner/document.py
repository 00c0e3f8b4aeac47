"""The record that flows one way through the pipeline: reader -> extractor -> filters -> writer.

A `Document` carries its source facts, its lines, and one `LineDecision` per removed line.
Everything downstream (the output rows, the stats, the report) is built from these
decisions; nothing is recomputed separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KEPT = "kept"
REJECTED = "rejected"


@dataclass(slots=True)
class Line:
    """One non-blank line of a document's decoded text.

    `number` is 1-based among the document's non-blank lines; `start`/`end` are character
    offsets into `Document.raw_text`, so `raw_text[start:end] == text` always holds.
    """

    number: int
    start: int
    end: int
    text: str
    blank_before: bool = False
    # Filled by the filters. `reason` is None while the line is kept.
    reason: str | None = None
    score: float = 0.0
    detail: str = ""
    by: str = ""  # "rule" or "model"
    model_score: float | None = None  # the model's P(content), when the model ran
    _words: int = -1  # cached word count
    _key: str | None = None  # cached paragraph key
    _key_hash: int = -1  # cached hash of the paragraph key

    @property
    def words(self) -> int:
        """Its whitespace-separated tokens (the length measure of the line rules), once."""
        if self._words < 0:
            self._words = len(self.text.split())
        return self._words

    @property
    def key(self) -> str:
        """Its normalised form (see `cleaner.text.paragraph_key`), computed once."""
        if self._key is None:
            from cleaner.text import paragraph_key

            self._key = paragraph_key(self.text)
        return self._key

    @property
    def key_hash(self) -> int:
        """The 64-bit hash of `key` (`cleaner.text.key_hashes`; 0 for an empty key), which
        the rules compute for the whole document at once."""
        if self._key_hash < 0:
            from cleaner.text import key_hashes

            self._key_hash = int(key_hashes([self.text])[0])
        return self._key_hash

    @property
    def removed(self) -> bool:
        return self.reason is not None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its fields without the caches: a worker sends every line back, and
        the generic path for slotted dataclasses was 4x slower."""
        return (Line, (self.number, self.start, self.end, self.text, self.blank_before,
                       self.reason, self.score, self.detail, self.by, self.model_score))

    def remove(self, reason: str, score: float, detail: str = "", by: str = "rule") -> None:
        """Mark the line removed, unless an earlier filter already removed it."""
        if self.reason is None:
            self.reason = reason
            self.score = float(score)
            self.detail = detail
            self.by = by


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline."""

    id: str
    source_path: str
    source_sha256: str
    source_bytes: int
    format: str
    raw_text: str = ""  # decoded text (HTML: the extracted main text); spans index this
    html: str | None = None  # the decoded page, for HTML input until extraction
    # HTML: "dom" (the page's lines, scored by the HTML line model), "trafilatura",
    # "justext" or "page" (whole visible text)
    extractor: str | None = None
    dom: Any = None  # HTML via "dom": the lines' DOM facts (`DomPage`) until they are scored
    encoding: str | None = None
    record_index: int = 0
    title: str | None = None
    url: str | None = None
    date: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. "mojibake repaired"
    lines: list[Line] = field(default_factory=list)
    language: str | None = None
    language_prob: float | None = None
    status: str = KEPT
    reject_reason: str | None = None
    reject_detail: str = ""
    duplicate_of: str | None = None
    # Work done in the parallel stage for the sequential one (e.g. a MinHash signature).
    signature: Any = None
    exact_key: bytes | None = None
    _text: str | None = None  # `text`, once frozen
    _n_words: int = -1  # word count of the frozen `text`

    def freeze_text(self) -> str:
        """Compute `text` once the line filters are done; later reads reuse it."""
        self._text = None
        self._n_words = -1
        self._text = self.text
        return self._text

    @property
    def n_words(self) -> int:
        """Words in `text` (`cleaner.text.word_count`), counted once the text is frozen."""
        from cleaner.text import word_count

        if self._text is None:
            return word_count(self.text)
        if self._n_words < 0:
            self._n_words = word_count(self._text)
        return self._n_words

    def reject(self, reason: str, detail: str = "", duplicate_of: str | None = None) -> None:
        """Reject the document, unless an earlier filter already did."""
        if self.status == KEPT:
            self.status = REJECTED
            self.reject_reason = reason
            self.reject_detail = detail
            self.duplicate_of = duplicate_of

    @property
    def kept_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.reason is None]

    @property
    def removed_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.reason is not None]

    @property
    def text(self) -> str:
        """The kept lines; a blank line separates two kept lines that had one between them."""
        if self._text is not None:
            return self._text
        out: list[str] = []
        gap = False
        for ln in self.lines:
            gap = gap or ln.blank_before
            if ln.reason is not None:  # removed
                continue
            if out:
                out.append("\n\n" if gap else "\n")
            out.append(ln.text.rstrip())
            gap = False
        return "".join(out)
