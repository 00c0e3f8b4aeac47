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

    def apply(self, doc: Document) -> None:
        if doc.status != KEPT:
            return
        key = hashlib.blake2b(paragraph_key(doc.text).encode(), digest_size=8).digest()
        first = self._seen.setdefault(key, doc.id)
        if first != doc.id:
            doc.reject("duplicate", f"same text as document {first}", duplicate_of=first)
