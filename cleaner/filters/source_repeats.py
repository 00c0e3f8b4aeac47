"""Lines repeated across the documents of one source are boilerplate.

A first pass counts, for every source (the URL's host, or the folder when there is no URL),
in how many distinct documents each normalised line occurs. The filter then removes, in the
per-document stage, the lines that occur in at least `min_docs` documents of their source.

Memory is bounded: counts live in sorted NumPy arrays of 64-bit keys, and when more than
`max_entries` lines are below the threshold, the lowest of those counts are dropped (lossy
counting, see `SourceLineCounter`). A folder's files mostly come together in the sorted
input order, so a source's repeated lines are usually counted before they can be pruned.
Exact-duplicate documents count once (their hashes take 12 bytes a document, up to 16M
documents; past that, further copies count again). HTML inputs are not counted: their main
text comes from the extractor, which already drops site chrome.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from urllib.parse import urlsplit

import numpy as np

from cleaner.accel import mix64
from cleaner.dedup.hashcounts import BATCH, HashCounts
from cleaner.document import Document
from cleaner.text import fill_key_hashes, key_hashes, short_line_texts

MIN_DOCS = 5  # a line in at least this many documents of one source is boilerplate
MAX_WORDS = 50  # longer lines are never counted: boilerplate lines are short
MAX_ENTRIES = 1_000_000  # counts held before the lowest are pruned (12 MB; 2x while merging)
_MAX_DOC_HASHES = 16_000_000  # documents remembered as exact duplicates: 12 bytes each


def source_key(doc: Document) -> str:
    """The URL's host when the document has a URL, else the folder it came from."""
    if doc.url:
        host = urlsplit(doc.url).hostname
        if host:
            return host.removeprefix("www.")
    return posixpath.dirname(doc.source_path) or "."


def _source_salt(source: str) -> int:
    data = source.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def line_hashes(source: str, lines: Iterable[str], max_words: int = MAX_WORDS
                ) -> tuple[int, list[int]]:
    """A document's hash and the counting keys of its distinct normalised short lines
    (`counting_keys`), in the form `SourceLineCounter.add_hashes` counts."""
    return _line_hashes(source, [t for t in lines if len(t.split()) <= max_words])


def text_line_hashes(source: str, text: str, max_words: int = MAX_WORDS
                     ) -> tuple[int, list[int]]:
    """`line_hashes(source, line_texts(text), max_words)`, with the words counted in the
    same compiled pass that finds the lines."""
    return _line_hashes(source, short_line_texts(text, max_words))


def _line_hashes(source: str, short: list[str]) -> tuple[int, list[int]]:
    hashes = key_hashes(short)
    salt = _source_salt(source)
    keys = np.unique(counting_keys(hashes[hashes != 0], salt))  # distinct, sorted
    doc = hashlib.blake2b(salt.to_bytes(8, "little") + keys.tobytes(), digest_size=8)
    return int.from_bytes(doc.digest(), "little"), keys.tolist()


def counting_keys(key_hashes: np.ndarray, salt: int) -> np.ndarray:
    """The 64-bit counting key of each line of a source: its key's hash (`Line.key_hash`)
    mixed with the source's."""
    return mix64(key_hashes, salt)


class SourceLineCounter:
    """The first pass: `add(doc)` for every document, then `repeated()`.

    The counts are a `HashCounts` (12 bytes a line, where a dict of ints takes 78 by
    tracemalloc): new hashes are merged into it every `batch` distinct lines (the smaller of
    BATCH and half of `max_entries`). When more than `max_entries` lines are under
    `min_docs` after a merge, the lowest of those counts (lines seen once first, then twice,
    ...) are dropped until at most half of `max_entries` remain, so pruning runs at most
    once per `max_entries / 2` new lines, however many lines repeat. A line at `min_docs`
    or over is never dropped, so its count is exact from then on.
    """

    def __init__(self, min_docs: int = MIN_DOCS, max_words: int = MAX_WORDS,
                 max_entries: int = MAX_ENTRIES, batch: int | None = None) -> None:
        self.min_docs = min_docs
        self.max_words = max_words
        self.max_entries = max_entries
        self.batch = batch or max(1, min(BATCH, max_entries // 2))
        self.prunes = 0
        self._lines = HashCounts(self.batch)
        self._docs_seen = HashCounts()  # a set: 12 bytes a document, not a set's ~70

    def __len__(self) -> int:
        """Lines held: counted, or waiting to be merged."""
        return len(self._lines)

    def add(self, source: str, lines: Iterable[str]) -> None:
        self.add_hashes(*line_hashes(source, lines, self.max_words))

    def add_hashes(self, doc_hash: int, hashes: list[int]) -> None:
        """Count one document from its `line_hashes` (computed where the document was read:
        on a worker; the counting itself runs in input order in one process)."""
        seen = self._docs_seen  # an exact duplicate counts once
        if not seen.add_new(doc_hash) if len(seen) < _MAX_DOC_HASHES else doc_hash in seen:
            return
        if self._lines.add(hashes):  # distinct within a document
            self._prune_if_full()

    def _prune_if_full(self) -> None:
        counts = self._lines.counts
        below = counts < self.min_docs
        if int(below.sum()) <= self.max_entries:
            return
        self.prunes += 1
        keep = ~below
        for floor in range(1, self.min_docs):  # at min_docs - 1 nothing under it is left
            survivors = below & (counts > floor)
            if int(survivors.sum()) <= self.max_entries // 2:
                keep |= survivors
                break
        self._lines.keep(keep)

    def repeated(self) -> dict[int, int]:
        """Line keys at or over the threshold, with their document counts."""
        self._lines.merge()
        keys, counts = self._lines.keys, self._lines.counts
        hit = counts >= self.min_docs
        return dict(zip(keys[hit].tolist(), counts[hit].tolist(), strict=True))


class SourceRepeatFilter:
    """Removes lines that repeat across `min_docs` or more documents of the same source."""

    name = "source_repeat"

    def __init__(self, repeated: dict[int, int], min_docs: int = MIN_DOCS,
                 max_words: int = MAX_WORDS) -> None:
        self.repeated = repeated
        self.min_docs = min_docs
        self.max_words = max_words

    def apply(self, doc: Document) -> None:
        if not self.repeated:
            return
        source = source_key(doc)
        repeated, max_words = self.repeated, self.max_words
        lines = [ln for ln in doc.lines if ln.reason is None and 0 < ln.words <= max_words]
        fill_key_hashes(lines)
        hashes = np.fromiter((ln.key_hash for ln in lines), dtype=np.uint64, count=len(lines))
        keyed = np.flatnonzero(hashes)  # a line without letters or digits has no key
        for i, h in zip(keyed.tolist(), counting_keys(hashes[keyed], _source_salt(source)).tolist(),
                        strict=True):
            n = repeated.get(h)
            if n:
                lines[i].remove("source_repeat", min(1.0, 0.5 + n / (4 * self.min_docs)),
                          f"in {n} documents of source '{source}' (threshold {self.min_docs})")
