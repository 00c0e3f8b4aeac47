"""Exact-duplicate documents: the hash of the normalised kept text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from cleaner.dedup.store import DiskKeys, MemoryKeys
from cleaner.document import KEPT, Document
from cleaner.text import fill_key_hashes, key_hashes


def _hash(key_hashes: np.ndarray) -> bytes:
    """The normalised text (the hashes of its non-empty line keys, in order), hashed."""
    return hashlib.blake2b(key_hashes[key_hashes != 0].tobytes(), digest_size=8).digest()


class ExactDedup:
    """Rejects a kept document whose normalised text equals an earlier kept one's.

    The normalised text is the kept lines' keys (`cleaner.text.paragraph_key`: case, dashes,
    quotes, punctuation and spacing do not count), by the hashes of the lines' keys, which
    the rules have already computed.
    Runs in input order in one process, so which copy is kept (the first) is deterministic.
    State: an 8-byte key and the id of each kept document, in memory or, with `index_path`,
    in an SQLite file there (`cleaner.dedup.store`; a run keeps it on disk).
    """

    name = "exact_dedup"

    def __init__(self, index_path: Path | None = None) -> None:
        self._seen: MemoryKeys | DiskKeys = (MemoryKeys() if index_path is None
                                             else DiskKeys(index_path))

    def close(self) -> None:
        """Release the state (and delete its file, if on disk)."""
        self._seen.close()

    @staticmethod
    def key(text: str) -> bytes:
        """The dedup key of a kept text (as written to the output)."""
        return _hash(key_hashes(text.split("\n")))

    @staticmethod
    def key_of(doc: Document) -> bytes:
        """The dedup key of a document, from its kept lines (equal to `key(doc.text)`;
        computed on the workers, see `Pipeline.process`)."""
        kept = doc.kept_lines
        fill_key_hashes(kept)
        return _hash(np.fromiter((ln.key_hash for ln in kept), dtype=np.uint64, count=len(kept)))

    def replay(self, doc_id: str, text: str) -> None:
        """Register a document kept by an earlier (interrupted) part of the run."""
        self._seen.first(self.key(text), doc_id)

    def apply(self, doc: Document) -> None:
        if doc.status != KEPT:
            return
        key = doc.exact_key if doc.exact_key is not None else self.key(doc.text)
        first = self._seen.first(key, doc.id)
        if first != doc.id:
            doc.reject("duplicate", f"same text as document {first}", duplicate_of=first)
