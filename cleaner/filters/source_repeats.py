"""Lines repeated across the documents of one source are boilerplate.

A first pass counts, for every source (the URL's host, or the folder when there is no URL),
in how many distinct documents each normalised line occurs. The filter then removes, in the
per-document stage, the lines that occur in at least `min_docs` documents of their source.

Memory is bounded: counts live in one dict of 64-bit keys, and when it grows past
`max_entries`, the lowest counts below the threshold are dropped (lossy counting, see
`SourceLineCounter`). A folder's files mostly come together in the sorted input order, so
a source's repeated lines are usually counted before they can be pruned. Exact-duplicate
documents count once (their hashes take 8 bytes a document, up to 16M documents; past that,
further copies count again). HTML inputs are not counted: their main text comes from the
extractor, which already drops site chrome.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from cleaner.dedup.hashset import HashSet
from cleaner.document import Document
from cleaner.text import key_lines

MIN_DOCS = 5  # a line in at least this many documents of one source is boilerplate
MAX_WORDS = 50  # longer lines are never counted: boilerplate lines are short
MAX_ENTRIES = 1_000_000  # counts kept before the lowest are pruned (about 100 MB at most)
_MAX_DOC_HASHES = 16_000_000  # documents remembered as exact duplicates: 8 bytes each


def source_key(doc: Document) -> str:
    """The URL's host when the document has a URL, else the folder it came from."""
    if doc.url:
        host = urlsplit(doc.url).hostname
        if host:
            return host.removeprefix("www.")
    return posixpath.dirname(doc.source_path) or "."


def _hash(*parts: str) -> int:
    data = "\0".join(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _hasher(source: str) -> Callable[[str], int]:
    """`lambda key: _hash(source, key)`, with the source's part hashed once."""
    base = hashlib.blake2b((source + "\0").encode("utf-8", "surrogatepass"), digest_size=8)

    def h(key: str) -> int:
        m = base.copy()
        m.update(key.encode("utf-8", "surrogatepass"))
        return int.from_bytes(m.digest(), "little")

    return h


def line_hashes(source: str, lines: Iterable[str], max_words: int = MAX_WORDS
                ) -> tuple[int, list[int]]:
    """A document's hash and the hashes of its distinct normalised short lines, in the
    form `SourceLineCounter.add_hashes` counts."""
    short = [t for t in lines if len(t.split()) <= max_words]
    keys = sorted({k for k in key_lines(short) if k})
    h = _hasher(source)
    return _hash(source, *keys), [h(k) for k in keys]


class SourceLineCounter:
    """The first pass: `add(doc)` for every document, then `repeated()`.

    Lines that reach `min_docs` are moved to `hits` when the counts are pruned, and are
    counted exactly from then on. Pruning drops the lowest counts below `min_docs` (those
    seen once first, then twice, ...) until at most half of `max_entries` remain, so it
    runs at most once per `max_entries / 2` new lines, however many lines repeat.
    """

    def __init__(self, min_docs: int = MIN_DOCS, max_words: int = MAX_WORDS,
                 max_entries: int = MAX_ENTRIES) -> None:
        self.min_docs = min_docs
        self.max_words = max_words
        self.max_entries = max_entries
        self.counts: dict[int, int] = {}
        self.hits: dict[int, int] = {}  # lines already at min_docs: exact counts
        self.prunes = 0
        self._docs_seen = HashSet()  # 8 bytes a document, not a set's ~70

    def add(self, source: str, lines: Iterable[str]) -> None:
        self.add_hashes(*line_hashes(source, lines, self.max_words))

    def add_hashes(self, doc_hash: int, hashes: list[int]) -> None:
        """Count one document from its `line_hashes` (computed where the document was read:
        on a worker; the counting itself runs in input order in one process)."""
        if doc_hash in self._docs_seen:
            return  # an exact duplicate counts once
        if len(self._docs_seen) < _MAX_DOC_HASHES:
            self._docs_seen.add(doc_hash)
        counts, hits = self.counts, self.hits
        for h in hashes:
            if h in hits:
                hits[h] += 1
            else:
                counts[h] = counts.get(h, 0) + 1
        if len(counts) > self.max_entries:
            self._prune()

    def _prune(self) -> None:
        self.prunes += 1
        counts = self.counts
        for h, c in counts.items():
            if c >= self.min_docs:
                self.hits[h] = c
        floor = 1
        while True:  # ends: with floor = min_docs - 1 nothing is left
            counts = {h: c for h, c in counts.items() if floor < c < self.min_docs}
            if len(counts) <= self.max_entries // 2:
                break
            floor += 1
        self.counts = counts

    def repeated(self) -> dict[int, int]:
        """Line keys at or over the threshold, with their document counts."""
        out = {h: c for h, c in self.counts.items() if c >= self.min_docs}
        out.update(self.hits)
        return out


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
        h, repeated, max_words = _hasher(source), self.repeated, self.max_words
        for ln in doc.lines:
            if ln.removed or not 0 < ln.words <= max_words:
                continue
            n = repeated.get(h(ln.key))
            if n:
                ln.remove("source_repeat", min(1.0, 0.5 + n / (4 * self.min_docs)),
                          f"in {n} documents of source '{source}' (threshold {self.min_docs})")
