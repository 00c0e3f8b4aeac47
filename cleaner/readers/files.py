"""Read one input file into documents: text and HTML files give one, JSONL one a record.

A file that cannot be read at all becomes an `Unreadable` (listed in the manifest); a file
that can be read but holds no usable text becomes a rejected document with a reason.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from cleaner.document import Document
from cleaner.readers.decode import DecodeProblem, decode, gunzip, is_gzip
from cleaner.readers.discover import Source

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:p|div|body|head|title|br|a|span|table|h[1-6]|script|meta)\b", re.I)
JSONL_TEXT_FIELDS = ("text", "html")
JSONL_BATCH = 256  # records a task
GZIP_MAX_RATIO = 200  # a .gz expanding more than this (beyond the size limit) is a bomb


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input that could not be read at all."""

    path: str
    reason: str
    error: str


def make_id(rel: str, record_index: int = 0) -> str:
    """A stable id: the same input path (and record) always gives the same id."""
    return hashlib.sha256(f"{rel}\0{record_index}".encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Task:
    """A unit of work for the per-document stage: a whole file, or a batch of JSONL records
    (read in order by the main process, so a huge dump never sits in memory at once)."""

    source: Source
    records: tuple[tuple[int, str], ...] | None = None  # (line number, the line's text)
    sha256: str = ""
    nbytes: int = 0
    problem: tuple[str, str] | None = None  # (reason, detail) for the rest of a broken file
    ordinal: int = 0  # the source's position in the input order (for progress)


def iter_tasks(sources: Sequence[Source], max_doc_bytes: int, batch: int = JSONL_BATCH
               ) -> Iterator[Task | Unreadable]:
    """Tasks in input order. Text and HTML files are one task each; a JSONL file is split
    into batches of records, streamed with bounded memory."""
    for i, src in enumerate(sources):
        if src.problem or src.format != "jsonl":
            yield Task(src, ordinal=i)
        else:
            for t in _jsonl_tasks(src, max_doc_bytes, batch):
                yield dataclasses.replace(t, ordinal=i) if isinstance(t, Task) else t


def _jsonl_tasks(src: Source, limit: int, batch: int) -> Iterator[Task | Unreadable]:
    try:
        sha, nbytes, gz = _hash_file(src)
        records: list[tuple[int, str]] = []
        n_records = 0
        with _open_stream(src, gz, nbytes, limit) as stream:
            for n, line, problem in _lines(stream, limit):
                if problem:
                    yield Task(src, tuple(records), sha, nbytes, problem=(problem, f"line {n}"))
                    records, n_records = [], n_records + 1
                    continue
                if not line.strip():
                    continue
                records.append((n, line))
                n_records += 1
                if len(records) >= batch:
                    yield Task(src, tuple(records), sha, nbytes)
                    records = []
        if records or not n_records:
            yield Task(src, tuple(records), sha, nbytes,
                       problem=None if n_records else ("empty", "empty JSONL file"))
    except FileNotFoundError:
        yield Unreadable(src.rel, "vanished", "file disappeared before it could be read")
    except PermissionError:
        yield Unreadable(src.rel, "permission", "permission denied")
    except IsADirectoryError:
        yield Unreadable(src.rel, "io_error", "is a directory")
    except OSError as e:
        yield Unreadable(src.rel, "io_error", f"cannot read: {e.strerror or e}")


def _hash_file(src: Source) -> tuple[str, int, bool]:
    h = hashlib.sha256()
    n = 0
    with src.open() as f:
        head = f.read(2)
        h.update(head)
        n += len(head)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n, head == b"\x1f\x8b"


def _open_stream(src: Source, gz: bool, nbytes: int, limit: int) -> IO[bytes]:
    if gz:
        return _BoundedGzip(src.open(), max_out=limit + GZIP_MAX_RATIO * nbytes)
    return src.open()


class _BoundedGzip(gzip.GzipFile):
    """A gzip stream that stops a gzip bomb: at most `max_out` bytes come out."""

    def __init__(self, raw: IO[bytes], max_out: int) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw
        self._max_out = max_out
        self._out = 0

    def close(self) -> None:
        super().close()
        self._raw.close()

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self._out += len(data)
        if self._out > self._max_out:
            raise DecodeProblem("too_large", f"expands past {self._max_out} bytes (gzip bomb?)")
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self._out += len(data)
        if self._out > self._max_out:
            raise DecodeProblem("too_large", f"expands past {self._max_out} bytes (gzip bomb?)")
        return data


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, str, str | None]]:
    """(line number, text, problem) for each line; a line over `limit` bytes is skipped
    with problem "too_large"; a corrupt or truncated stream ends with "bad_gzip"."""
    n = 0
    while True:
        n += 1
        try:
            raw = stream.readline(limit + 1)
        except DecodeProblem as p:
            yield n, "", p.reason
            return
        except (EOFError, OSError, zlib.error):
            yield n, "", "bad_gzip"
            return
        if not raw:
            return
        if len(raw) > limit and not raw.endswith(b"\n"):
            while True:  # skip the rest of the over-long line
                try:
                    rest = stream.readline(1 << 20)
                except (EOFError, OSError, zlib.error, DecodeProblem):
                    yield n, "", "bad_gzip"
                    return
                if not rest or rest.endswith(b"\n"):
                    break
            yield n, "", "too_large"
            continue
        yield n, raw.decode("utf-8", errors="replace").rstrip("\r\n"), None


class FileReader:
    """Turns a `Task` into documents. Call `read(task)`."""

    def __init__(self, max_doc_bytes: int) -> None:
        self.max_doc_bytes = max_doc_bytes

    def read(self, task: Task) -> Iterator[Document | Unreadable]:
        src = task.source
        if src.problem:
            yield Unreadable(src.rel, "bad_path", src.problem)
            return
        if src.format is None:
            yield Unreadable(src.rel, "unsupported_format", "not a supported file type")
            return
        if task.records is not None:
            yield from self._records(task)
            return
        try:
            size = src.size()
            if size > self.max_doc_bytes:
                yield self._rejected(src, "", size, "too_large",
                                     f"file is {size} bytes; the limit is {self.max_doc_bytes}")
                return
            with src.open() as f:
                # as much as the file holds, not the limit: a read of the limit (64 MB)
                # allocates it first, which tripled a small file's read time
                data = f.read(size + 1)
                if len(data) > size:  # it grew since: up to the limit, as before
                    data += f.read(self.max_doc_bytes + 1 - len(data))
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
            elif src.name.lower().endswith(".gz"):
                raise DecodeProblem("bad_gzip", "named .gz but not gzip data")
        except DecodeProblem as p:
            yield self._rejected(src, sha, nbytes, p.reason, p.detail)
            return
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

    def _records(self, task: Task) -> Iterator[Document]:
        src = task.source
        for n, line in task.records or ():
            doc = Document(
                id=make_id(src.rel, n), source_path=src.rel, source_sha256=task.sha256,
                source_bytes=task.nbytes, format="jsonl", encoding="utf-8", record_index=n,
            )
            if "\ufffd" in line:
                doc.notes.append("invalid UTF-8 replaced")
            problem = _fill_from_record(doc, line)
            if problem:
                doc.reject("bad_record", f"line {n}: {problem}")
            yield doc
        if task.problem:
            reason, where = task.problem
            n = int(where.split()[-1]) if where.startswith("line ") else 0
            doc = Document(id=make_id(src.rel, n), source_path=src.rel,
                           source_sha256=task.sha256, source_bytes=task.nbytes, format="jsonl",
                           record_index=n)
            detail = {"too_large": f"{where}: record longer than {self.max_doc_bytes} bytes",
                      "bad_gzip": f"{where}: corrupt or truncated gzip data; the rest of the "
                                  "file is lost",
                      "empty": "empty JSONL file"}.get(reason, where)
            doc.reject(reason, detail)
            yield doc

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
