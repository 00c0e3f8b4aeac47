"""The output schema: one row a document, the same for kept and rejected rows."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from cleaner.document import KEPT, REJECTED, Document

REMOVED_LINE = pa.struct(
    [
        ("line", pa.int32()),  # 1-based among the document's non-blank lines
        ("start", pa.int64()),  # character span in the decoded original
        ("end", pa.int64()),
        ("text", pa.string()),
        ("reason", pa.string()),  # reason code
        ("score", pa.float32()),  # confidence of the removal
        ("by", pa.string()),  # "rule" or "model"
        ("detail", pa.string()),  # why, for a person
        ("model_score", pa.float32()),  # the line model's P(content); null when it did not run
    ]
)

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("status", pa.string()),  # "kept" or "rejected"
        ("reject_reason", pa.string()),
        ("reject_detail", pa.string()),
        ("duplicate_of", pa.string()),
        ("source_path", pa.string()),
        ("record_index", pa.int64()),
        ("source_sha256", pa.string()),
        ("source_bytes", pa.int64()),
        ("format", pa.string()),
        ("encoding", pa.string()),
        ("notes", pa.list_(pa.string())),
        ("title", pa.string()),
        ("url", pa.string()),
        ("date", pa.string()),
        ("language", pa.string()),
        ("language_prob", pa.float32()),
        ("n_words", pa.int64()),
        ("n_lines_in", pa.int32()),
        ("n_lines_kept", pa.int32()),
        ("removed", pa.list_(REMOVED_LINE)),
        ("metadata", pa.string()),  # JSON object: the input record's other fields
        ("cleaner_version", pa.string()),
        ("config_hash", pa.string()),
    ]
)


MAX_REMOVED_TEXT = 10_000  # a removed line's text is cut here; its span stays exact


def _clip(text: str) -> str:
    if len(text) <= MAX_REMOVED_TEXT:
        return text
    return f"{text[:MAX_REMOVED_TEXT]}… [{len(text) - MAX_REMOVED_TEXT} more characters]"


def status_fields(status: str, reason: str | None, detail: str, duplicate_of: str | None
                  ) -> dict[str, Any]:
    """The row's verdict columns."""
    return {"status": status, "reject_reason": reason, "reject_detail": detail or None,
            "duplicate_of": duplicate_of}


def to_row(doc: Document, cleaner_version: str, config_hash: str) -> dict[str, Any]:
    """The output row of a document, built only from its line decisions and facts."""
    text = doc.text
    return {
        "id": doc.id,
        "text": text,
        **status_fields(doc.status, doc.reject_reason, doc.reject_detail, doc.duplicate_of),
        "source_path": doc.source_path,
        "record_index": doc.record_index,
        "source_sha256": doc.source_sha256,
        "source_bytes": doc.source_bytes,
        "format": doc.format,
        "encoding": doc.encoding,
        "notes": list(doc.notes),
        "title": doc.title,
        "url": doc.url,
        "date": doc.date,
        "language": doc.language,
        "language_prob": doc.language_prob,
        "n_words": doc.n_words,
        "n_lines_in": len(doc.lines),
        "n_lines_kept": sum(1 for ln in doc.lines if ln.reason is None),
        "removed": [
            {
                "line": ln.number, "start": ln.start, "end": ln.end, "text": _clip(ln.text),
                "reason": ln.reason, "score": ln.score, "by": ln.by, "detail": ln.detail,
                "model_score": ln.model_score,
            }
            for ln in doc.lines
            if ln.reason is not None
        ],
        "metadata": json.dumps(doc.metadata, sort_keys=True, ensure_ascii=False)
        if doc.metadata
        else None,
        "cleaner_version": cleaner_version,
        "config_hash": config_hash,
    }


class Processed:
    """A document as it leaves a worker: its output row, and what the sequential stage
    (dedup) needs. A row pickles and unpickles about 4x faster than the document with its lines.

    Dedup treats it like a `Document`: `id`, `status`, `text`, `exact_key`, `signature`
    and `reject(...)`, which updates the row's verdict columns.
    """

    __slots__ = ("exact_key", "row", "signature")

    def __init__(self, row: dict[str, Any], exact_key: bytes | None = None,
                 signature: Any = None) -> None:
        self.row = row
        self.exact_key = exact_key
        self.signature = signature

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def status(self) -> str:
        return self.row["status"]

    @property
    def text(self) -> str:
        return self.row["text"]

    def reject(self, reason: str, detail: str = "", duplicate_of: str | None = None) -> None:
        """Reject the document, unless it is already rejected (as `Document.reject`)."""
        if self.row["status"] == KEPT:
            self.row.update(status_fields(REJECTED, reason, detail, duplicate_of))
