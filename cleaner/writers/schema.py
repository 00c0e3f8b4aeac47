"""The output schema: one row a document, the same for kept and rejected rows."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from cleaner.document import KEPT, REJECTED, Document
from cleaner.stats import removed_word_count

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


VERDICT_COLUMNS = ("status", "reject_reason", "reject_detail", "duplicate_of")  # status_fields


class RowVerdict:
    """What the sequential stage (dedup) needs of one output row, and its verdict.

    Dedup treats it like a `Document`: `id`, `status`, `text`, `exact_key`, `signature`
    and `reject(...)`; a rejection is kept in `rejection` and written into the row by
    `RowBatch.final_table`. The row's text is read from the table only when asked for (dedup
    asks only when the worker had no key or signature for it).
    """

    __slots__ = ("_index", "_table", "exact_key", "id", "rejection", "signature", "status")

    def __init__(self, table: pa.Table, index: int, row: dict[str, Any],
                 exact_key: bytes | None = None, signature: Any = None) -> None:
        self._table = table
        self._index = index
        self.id: str = row["id"]
        self.status: str = row["status"]
        self.exact_key = exact_key
        self.signature = signature
        self.rejection: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return self._table.column("text")[self._index].as_py()

    def reject(self, reason: str, detail: str = "", duplicate_of: str | None = None) -> None:
        """Reject the document, unless it is already rejected (as `Document.reject`)."""
        if self.status == KEPT:
            self.status = REJECTED
            self.rejection = status_fields(REJECTED, reason, detail, duplicate_of)


class RowBatch:
    """The output of a group of tasks as it leaves a worker: its rows as one Arrow table,
    which crosses between processes as a few buffers (a row as Python objects costs far
    more to pickle and unpickle, and then to convert), and for each row its `RowVerdict`
    and its removed lines' word count (for the stats); plus the group's unreadable
    inputs, in order."""

    __slots__ = ("removed_words", "rows", "table", "unreadable")

    def __init__(self, rows: list[dict[str, Any]],
                 keys: list[tuple[bytes | None, Any]] | None = None,
                 unreadable: list[Any] | None = None) -> None:
        """`rows` from `to_row`, with each one's (exact dedup key, MinHash signature) when
        the worker computed them."""
        self.table = pa.Table.from_pylist(rows, schema=SCHEMA)
        keys = keys or [(None, None)] * len(rows)
        self.rows = [RowVerdict(self.table, i, r, key, sig)
                     for i, (r, (key, sig)) in enumerate(zip(rows, keys, strict=True))]
        self.removed_words = [removed_word_count(r) for r in rows]
        self.unreadable = unreadable or []

    def final_table(self) -> pa.Table:
        """The rows with the verdicts the sequential stage gave them."""
        changed = [(i, r.rejection) for i, r in enumerate(self.rows) if r.rejection is not None]
        if not changed:
            return self.table
        table = self.table
        for name in VERDICT_COLUMNS:
            values = table.column(name).to_pylist()
            for i, rejection in changed:
                values[i] = rejection[name]
            field = SCHEMA.field(name)
            table = table.set_column(SCHEMA.get_field_index(name), field,
                                     pa.array(values, field.type))
        return table
