"""Find the input files: folders recursively, in a deterministic order.

Symlinks are never followed out of their input root unless asked to, and a symlink loop
cannot trap the walk (directories are only entered once, by their real path).
"""

from __future__ import annotations

import bisect
import os
import posixpath
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from cleaner.errors import UserError

TEXT_EXT = (".txt", ".md", ".text", ".markdown")
HTML_EXT = (".html", ".htm", ".xhtml", ".shtml")
JSONL_EXT = (".jsonl", ".ndjson")
_FS_ENCODING = sys.getfilesystemencoding()


def format_of(name: str) -> str | None:
    """The format a file name announces ('text', 'html' or 'jsonl'), or None."""
    low = name.lower()
    if low.endswith(".gz"):
        low = low[:-3]
    if low.endswith(TEXT_EXT):
        return "text"
    if low.endswith(HTML_EXT):
        return "html"
    if low.endswith(JSONL_EXT):
        return "jsonl"
    return None


@dataclass(frozen=True, slots=True)
class Source:
    """One input file. `rel` is its path relative to its input root, with '/' separators.
    `fs` is the fsspec file system of a remote input (s3://, gs://, ...); None when local."""

    path: Path | str
    rel: str
    format: str | None  # None: not a supported format (listed as skipped)
    problem: str | None = None  # set when the file cannot even be considered (bad symlink)
    fs: Any = None

    @property
    def name(self) -> str:
        return self.path.name if isinstance(self.path, Path) else posixpath.basename(self.path)

    def open(self) -> IO[bytes]:
        return self.fs.open(self.path, "rb") if self.fs else open(self.path, "rb")

    def size(self) -> int:
        return int(self.fs.size(self.path)) if self.fs else os.stat(self.path).st_size

    def identity(self) -> str:
        """Size and modification time, for the resume fingerprint."""
        if self.fs:
            info = self.fs.info(self.path)
            stamp = next((str(info[k]) for k in ("mtime", "LastModified", "updated", "created")
                          if k in info), "")
            return f"{info.get('size')}\0{stamp}"
        st = Path(self.path).lstat()
        return f"{st.st_size}\0{st.st_mtime_ns}"


def is_url(path: str | Path) -> bool:
    """A remote fsspec URL (file:// URLs are read as local paths)."""
    return "://" in str(path) and not str(path).startswith("file://")


def local_path(path: str | Path) -> Path:
    return Path(str(path).removeprefix("file://"))


def _remote(url: str) -> list[Source]:
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
        if not fs.exists(root):
            raise UserError(f"input not found: {url}")
        if not fs.isdir(root):
            name = posixpath.basename(root)
            if format_of(name) is None:
                raise UserError(f"unknown input format: {url}")
            return [Source(root, name, format_of(name), fs=fs)]
        files = sorted(fs.find(root))
    except UserError:
        raise
    except (ImportError, ValueError) as e:
        raise UserError(f"cannot open {url}: {e}") from None
    except OSError as e:
        raise UserError(f"cannot list {url}: {e}") from None
    return [Source(f, printable(posixpath.relpath(f, root)), format_of(f), fs=fs)
            for f in files]


def printable(name: str) -> str:
    """A file name as valid UTF-8: bytes that are not UTF-8 become \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _inside(path: Path, root_real: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(root_real)
    except ValueError:
        return False
    return True


class SourceList(Sequence[Source]):
    """The input files, in order, packed: a local folder's regular files are kept as their
    relative paths' bytes in one buffer plus an 8-byte offset each, and a `Source` is built
    only when an entry is read. A million 16-byte paths take 25.6 MB (tracemalloc), where a
    list of `Source` objects took 245 bytes a file. Anything else (a remote file, a file
    named on the command line, an entry with a problem) is kept whole. Not being Python
    objects, the packed entries are also never touched by a forked worker's collector."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("Q")
        self._group_starts: list[int] = []  # index of each folder's first entry
        self._groups: list[tuple[str, str]] = []  # (folder as given, prefix of `rel`)
        self._whole: dict[int, Source] = {}

    def __len__(self) -> int:
        return len(self._ends)

    def add(self, source: Source) -> None:
        self._whole[len(self._ends)] = source
        self._ends.append(len(self._blob))

    def add_folder(self, folder: str, prefix: str, entries: Iterator[str | Source]) -> None:
        """Add a walked folder: a str is a regular file's path relative to `folder`."""
        self._group_starts.append(len(self._ends))
        self._groups.append((folder, prefix))
        for entry in entries:
            if isinstance(entry, str):
                self._blob += os.fsencode(entry)
                self._ends.append(len(self._blob))
            else:
                self.add(replace(entry, rel=prefix + entry.rel))

    def __getitem__(self, i: int) -> Source:  # type: ignore[override]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        if i in self._whole:
            return self._whole[i]
        folder, prefix = self._groups[bisect.bisect_right(self._group_starts, i) - 1]
        return _packed(_with_sep(folder), prefix,
                       self._blob[self._ends[i - 1] if i else 0:self._ends[i]])

    def __iter__(self) -> Iterator[Source]:  # in order, without a search per entry
        blob, ends, whole, starts = self._blob, self._ends, self._whole, self._group_starts
        group, folder, prefix, start = -1, "", "", 0
        for i in range(len(ends)):
            while group + 1 < len(starts) and starts[group + 1] <= i:
                group += 1
                folder, prefix = _with_sep(self._groups[group][0]), self._groups[group][1]
            end = ends[i]
            yield whole[i] if i in whole else _packed(folder, prefix, blob[start:end])
            start = end


def _with_sep(folder: str) -> str:
    return folder if folder.endswith("/") else folder + "/"


def _packed(folder: str, prefix: str, raw: bytearray) -> Source:
    rel = raw.decode(_FS_ENCODING, "surrogateescape")  # what os.fsdecode does
    return Source(folder + rel, prefix + (rel if rel.isascii() else printable(rel)),
                  format_of(rel))


def discover(inputs: list[str | Path], *, follow_symlinks: bool = False) -> SourceList:
    """Every input file, folders walked recursively, sorted by relative path per input.

    Raises UserError for a missing path, an explicitly named file of an unknown format, or
    inputs that hold no files at all.
    """
    if not inputs:
        raise UserError("no input given: name at least one file or folder")
    sources = SourceList()
    several = len(inputs) > 1
    for raw in inputs:
        if is_url(raw):
            prefix = posixpath.basename(str(raw).rstrip("/")) + "/" if several else ""
            for s in _remote(str(raw)):
                sources.add(replace(s, rel=prefix + s.rel))
            continue
        p = local_path(raw)
        if not p.exists() and not p.is_symlink():
            raise UserError(f"input not found: {raw}")
        if p.is_dir():
            # keep paths (and so ids) apart when two inputs hold the same names
            prefix = Path(os.path.abspath(p)).name + "/" if several else ""
            sources.add_folder(str(p), prefix, _walk(p, follow_symlinks))
        else:
            fmt = format_of(p.name)
            if fmt is None:
                raise UserError(
                    f"unknown input format: {raw} (expected .txt, .md, .html, .htm or .jsonl,"
                    " optionally .gz)"
                )
            problem = None if p.is_file() else "not a regular file (a pipe, socket or device)"
            sources.add(Source(p, printable(p.name), fmt, problem))
    if not len(sources):
        raise UserError(f"no files found in {', '.join(str(i) for i in inputs)}")
    return sources


def _walk(root: Path, follow_symlinks: bool) -> Iterator[str | Source]:
    """The entries under `root` in the order of their relative paths, without holding more
    than one folder's listing a level: a regular file as its path relative to `root` (a
    str), anything that cannot be read as a Source that says why.

    Sorting each folder's entries by name, with '/' after a folder's name, gives exactly
    the order of the full relative paths, so the walk never needs the whole list to sort.
    """
    root_real = Path(os.path.realpath(root))
    seen_dirs: set[str] = set()
    stack: list[tuple[str, Iterator[tuple[str, os.DirEntry[str]]]]] = []

    def enter(path: str, rel: str) -> Source | None:
        real = os.path.realpath(path)
        if real in seen_dirs:
            return Source(path, printable(rel), None, "symlink loop: folder already visited")
        seen_dirs.add(real)
        try:
            with os.scandir(path) as it:
                entries = sorted(((printable(e.name) + ("/" if _is_dir(e) else ""), e) for e in it),
                                 key=lambda pair: pair[0])
        except OSError as e:
            return Source(path, printable(rel) or ".", None, f"cannot list folder: {e.strerror}")
        stack.append((rel + "/" if rel else "", iter(entries)))
        return None

    problem = enter(str(root), "")
    if problem:
        yield problem
    while stack:
        prefix, entries = stack[-1]
        step = next(entries, None)
        if step is None:
            stack.pop()
            continue
        e = step[1]
        rel = prefix + e.name
        if e.is_symlink():
            if not os.path.exists(e.path):
                yield Source(e.path, printable(rel), format_of(e.name), "broken symlink")
                continue
            if not follow_symlinks and not _inside(Path(e.path), root_real):
                yield Source(e.path, printable(rel), format_of(e.name),
                             "symlink out of the input root (use --follow-symlinks to follow it)")
                continue
        try:
            if e.is_dir(follow_symlinks=True):
                problem = enter(e.path, rel)
                if problem:
                    yield problem
            elif e.is_file(follow_symlinks=True):
                yield rel
            else:
                yield Source(e.path, printable(rel), format_of(e.name),
                             "not a regular file (a pipe, socket or device)")
        except OSError as err:
            yield Source(e.path, printable(rel), format_of(e.name),
                         f"cannot stat: {err.strerror}")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False
