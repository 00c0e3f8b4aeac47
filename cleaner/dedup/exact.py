"""Exact-duplicate documents: the hash of the normalised kept text."""

from __future__ import annotations

import hashlib

from cleaner.document import KEPT, Document
from cleaner.text import paragraph_key


class ExactDedup:
    """Rejects a kept document whose normalised text equals an earlier kept one's.

    Runs in input order in one process, so which copy is kept (the first) is deterministic.
    State: 8 bytes a kept document.
    """

    name = "exact_dedup"

    def __init__(self) -> None:
        self._seen: dict[bytes, str] = {}

    @staticmethod
    def key(text: str) -> bytes:
        """The dedup key of a text (computed on the workers: see `Pipeline.process`)."""
        return hashlib.blake2b(paragraph_key(text).encode(), digest_size=8).digest()

    _key = key

    def replay(self, doc_id: str, text: str) -> None:
        """Register a document kept by an earlier (interrupted) part of the run."""
        self._seen.setdefault(self._key(text), doc_id)

    def apply(self, doc: Document) -> None:
        if doc.status != KEPT:
            return
        key = doc.exact_key if doc.exact_key is not None else self.key(doc.text)
        first = self._seen.setdefault(key, doc.id)
        if first != doc.id:
            doc.reject("duplicate", f"same text as document {first}", duplicate_of=first)
