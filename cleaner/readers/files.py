"""Read one input file into documents: text and HTML files give one, JSONL one a record.

A file that cannot be read at all becomes an `Unreadable` (listed in the manifest); a file
that can be read but holds no usable text becomes a rejected document with a reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cleaner.document import Document
from cleaner.readers.decode import DecodeProblem, decode, gunzip, is_gzip
from cleaner.readers.discover import Source

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:p|div|body|head|title|br|a|span|table|h[1-6]|script|meta)\b", re.I)
JSONL_TEXT_FIELDS = ("text", "html")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input that could not be read at all."""

    path: str
    reason: str
    error: str


def make_id(rel: str, record_index: int = 0) -> str:
    """A stable id: the same input path (and record) always gives the same id."""
    return hashlib.sha256(f"{rel}\0{record_index}".encode()).hexdigest()[:20]


class FileReader:
    """Turns a `Source` into documents. Call `read(source)`."""

    def __init__(self, max_doc_bytes: int) -> None:
        self.max_doc_bytes = max_doc_bytes

    def read(self, src: Source) -> Iterator[Document | Unreadable]:
        if src.problem:
            yield Unreadable(src.rel, "bad_path", src.problem)
            return
        if src.format is None:
            yield Unreadable(src.rel, "unsupported_format", "not a supported file type")
            return
        try:
            size = src.path.stat().st_size
            if size > self.max_doc_bytes:
                yield self._rejected(src, "", size, "too_large",
                                     f"file is {size} bytes; the limit is {self.max_doc_bytes}")
                return
            with open(src.path, "rb") as f:
                data = f.read(self.max_doc_bytes + 1)
        except FileNotFoundError:
            yield Unreadable(src.rel, "vanished", "file disappeared before it could be read")
            return
        except PermissionError:
            yield Unreadable(src.rel, "permission", "permission denied")
            return
        except OSError as e:
            yield Unreadable(src.rel, "io_error", f"cannot read: {e.strerror or e}")
            return
        sha = hashlib.sha256(data).hexdigest()
        nbytes = len(data)
        try:
            if is_gzip(data):
                data = gunzip(data, self.max_doc_bytes)
            elif src.path.name.lower().endswith(".gz"):
                raise DecodeProblem("bad_gzip", "named .gz but not gzip data")
        except DecodeProblem as p:
            yield self._rejected(src, sha, nbytes, p.reason, p.detail)
            return
        if src.format == "jsonl":
            yield from self._jsonl(src, sha, nbytes, data)
        else:
            yield self._single(src, sha, nbytes, data)

    def _single(self, src: Source, sha: str, nbytes: int, data: bytes) -> Document:
        fmt = src.format or "text"
        notes: list[str] = []
        looks_html = bool(_HTML_START.match(data[:4096])) or (
            fmt == "html" and bool(_HTML_TAG.search(data[:65536]))
        )
        if fmt == "text" and looks_html:
            fmt = "html"
            notes.append("content is HTML despite the file name")
        elif fmt == "html" and not looks_html and data.strip():
            fmt = "text"
            notes.append("content is plain text despite the file name")
        try:
            text, enc, dnotes = decode(data)
        except DecodeProblem as p:
            return self._rejected(src, sha, nbytes, p.reason, p.detail)
        doc = Document(
            id=make_id(src.rel), source_path=src.rel, source_sha256=sha, source_bytes=nbytes,
            format=fmt, encoding=enc, notes=notes + dnotes,
        )
        if fmt == "html":
            doc.html = text
        else:
            doc.raw_text = text
        return doc

    def _jsonl(self, src: Source, sha: str, nbytes: int, data: bytes) -> Iterator[Document]:
        try:
            text, enc, notes = decode(data)
        except DecodeProblem as p:
            yield self._rejected(src, sha, nbytes, p.reason, p.detail)
            return
        yielded = 0
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            yielded += 1
            doc = Document(
                id=make_id(src.rel, n), source_path=src.rel, source_sha256=sha,
                source_bytes=nbytes, format="jsonl", encoding=enc, record_index=n,
                notes=list(notes),
            )
            problem = _fill_from_record(doc, line)
            if problem:
                doc.reject("bad_record", f"line {n}: {problem}")
            yield doc
        if not yielded:
            yield self._rejected(src, sha, nbytes, "empty", "empty JSONL file")

    @staticmethod
    def _rejected(src: Source, sha: str, nbytes: int, reason: str, detail: str) -> Document:
        doc = Document(id=make_id(src.rel), source_path=src.rel, source_sha256=sha,
                       source_bytes=nbytes, format=src.format or "unknown")
        doc.reject(reason, detail)
        return doc


def _fill_from_record(doc: Document, line: str) -> str | None:
    """Fill `doc` from one JSONL record; return a problem description, or None."""
    try:
        rec: Any = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as e:
        return f"not valid JSON ({e.__class__.__name__}: {str(e)[:80]})"
    if not isinstance(rec, dict):
        return f"a JSON {type(rec).__name__}, not an object"
    field_name = next((f for f in JSONL_TEXT_FIELDS if f in rec), None)
    if field_name is None:
        return "no 'text' or 'html' field"
    value = rec.pop(field_name)
    if not isinstance(value, str):
        return f"field {field_name!r} is a {type(value).__name__}, not a string"
    if field_name == "html":
        doc.format = "jsonl-html"
        doc.html = value
    else:
        doc.raw_text = value
    for key in ("title", "url", "date"):
        if isinstance(rec.get(key), str):
            setattr(doc, key, rec.pop(key))
    doc.metadata = rec
    return None
