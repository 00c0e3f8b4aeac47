"""Lines repeated across the documents of one source are boilerplate.

A first pass counts, for every source (the URL's host, or the folder when there is no URL),
in how many distinct documents each normalised line occurs. The filter then removes, in the
per-document stage, the lines that occur in at least `min_docs` documents of their source.

Memory is bounded: counts live in sorted NumPy arrays of 64-bit keys, and when more than
`max_entries` lines are below the threshold, the lowest of those counts are dropped (lossy
counting, see `SourceLineCounter`). A folder's files mostly come together in the sorted
input order, so a source's repeated lines are usually counted before they can be pruned.
Exact-duplicate documents count once (their hashes take 8 bytes a document, up to 16M
documents; past that, further copies count again). HTML inputs are not counted: their main
text comes from the extractor, which already drops site chrome.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import numpy as np

from cleaner.dedup.hashset import HashSet
from cleaner.document import Document
from cleaner.text import key_lines

MIN_DOCS = 5  # a line in at least this many documents of one source is boilerplate
MAX_WORDS = 50  # longer lines are never counted: boilerplate lines are short
MAX_ENTRIES = 1_000_000  # counts held before the lowest are pruned (12 MB; 2x while merging)
BATCH = 65_536  # line hashes gathered before they are merged into the counts
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

    The counts live in two NumPy arrays, sorted line hashes and their document counts (12
    bytes a line, where a dict of ints takes 78 by tracemalloc), and new hashes are merged
    in every `batch` (the smaller of BATCH and half of `max_entries`). When more than `max_entries`
    lines are under `min_docs` after a merge, the lowest of those counts (lines seen once
    first, then twice, ...) are dropped until at most half of `max_entries` remain, so
    pruning runs at most once per `max_entries / 2` new lines, however many lines repeat.
    A line at `min_docs` or over is never dropped, so its count is exact from then on.
    """

    def __init__(self, min_docs: int = MIN_DOCS, max_words: int = MAX_WORDS,
                 max_entries: int = MAX_ENTRIES) -> None:
        self.min_docs = min_docs
        self.max_words = max_words
        self.max_entries = max_entries
        self.batch = max(1, min(BATCH, max_entries // 2))
        self.prunes = 0
        self._keys = np.empty(0, dtype=np.uint64)  # sorted
        self._counts = np.empty(0, dtype=np.uint32)
        self._pending: list[int] = []
        self._docs_seen = HashSet()  # 8 bytes a document, not a set's ~70

    def __len__(self) -> int:
        """Lines held: counted, or waiting to be merged."""
        return len(self._keys) + len(self._pending)

    def add(self, source: str, lines: Iterable[str]) -> None:
        self.add_hashes(*line_hashes(source, lines, self.max_words))

    def add_hashes(self, doc_hash: int, hashes: list[int]) -> None:
        """Count one document from its `line_hashes` (computed where the document was read:
        on a worker; the counting itself runs in input order in one process)."""
        if doc_hash in self._docs_seen:
            return  # an exact duplicate counts once
        if len(self._docs_seen) < _MAX_DOC_HASHES:
            self._docs_seen.add(doc_hash)
        self._pending += hashes  # distinct within a document
        if len(self._pending) >= self.batch:
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        new, n = np.unique(np.array(self._pending, dtype=np.uint64), return_counts=True)
        self._pending = []
        keys, counts = self._keys, self._counts
        at = keys.searchsorted(new)
        found = at < len(keys)
        found[found] = keys[at[found]] == new[found]
        np.add.at(counts, at[found], n[found].astype(np.uint32))
        fresh = ~found
        self._keys = np.insert(keys, at[fresh], new[fresh])
        self._counts = np.insert(counts, at[fresh], n[fresh].astype(np.uint32))
        below = self._counts < self.min_docs
        if int(below.sum()) > self.max_entries:
            self._prune(below)

    def _prune(self, below: np.ndarray) -> None:
        self.prunes += 1
        counts, keep = self._counts, ~below
        for floor in range(1, self.min_docs):  # at min_docs - 1 nothing under it is left
            survivors = below & (counts > floor)
            if int(survivors.sum()) <= self.max_entries // 2:
                keep |= survivors
                break
        self._keys, self._counts = self._keys[keep], counts[keep]

    def repeated(self) -> dict[int, int]:
        """Line keys at or over the threshold, with their document counts."""
        self._merge()
        hit = self._counts >= self.min_docs
        return dict(zip(self._keys[hit].tolist(), self._counts[hit].tolist(), strict=True))


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
