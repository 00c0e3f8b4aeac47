"""Find the input files: folders recursively, in a deterministic order.

Symlinks are never followed out of their input root unless asked to, and a symlink loop
cannot trap the walk (directories are only entered once, by their real path).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.errors import UserError

TEXT_EXT = (".txt", ".md", ".text", ".markdown")
HTML_EXT = (".html", ".htm", ".xhtml", ".shtml")
JSONL_EXT = (".jsonl", ".ndjson")


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


def _rel(path: Path, root: Path) -> str:
    return printable(path.relative_to(root).as_posix())


def printable(name: str) -> str:
    """A file name as valid UTF-8: bytes that are not UTF-8 become \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _inside(path: Path, root_real: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(root_real)
    except ValueError:
        return False
    return True


def discover(inputs: list[str | Path], *, follow_symlinks: bool = False) -> list[Source]:
    """Every input file, folders walked recursively, sorted by relative path per input.

    Raises UserError for a missing path, an explicitly named file of an unknown format, or
    inputs that hold no files at all.
    """
    if not inputs:
        raise UserError("no input given: name at least one file or folder")
    sources: list[Source] = []
    several = len(inputs) > 1
    for raw in inputs:
        if is_url(raw):
            found = _remote(str(raw))
            if several:
                prefix = posixpath.basename(str(raw).rstrip("/"))
                found = [Source(s.path, f"{prefix}/{s.rel}", s.format, s.problem, s.fs)
                         for s in found]
            sources.extend(found)
            continue
        p = local_path(raw)
        if not p.exists() and not p.is_symlink():
            raise UserError(f"input not found: {raw}")
        if p.is_dir():
            found = _walk(p, follow_symlinks)
            if several:  # keep paths (and so ids) apart when two inputs hold the same names
                prefix = Path(os.path.abspath(p)).name
                found = [Source(s.path, f"{prefix}/{s.rel}", s.format, s.problem) for s in found]
            sources.extend(found)
        else:
            fmt = format_of(p.name)
            if fmt is None:
                raise UserError(
                    f"unknown input format: {raw} (expected .txt, .md, .html, .htm or .jsonl,"
                    " optionally .gz)"
                )
            problem = None if p.is_file() else "not a regular file (a pipe, socket or device)"
            sources.append(Source(p, printable(p.name), fmt, problem))
    if not sources:
        raise UserError(f"no files found in {', '.join(str(i) for i in inputs)}")
    return sources


def _walk(root: Path, follow_symlinks: bool) -> list[Source]:
    root_real = Path(os.path.realpath(root))
    found: list[Source] = []
    seen_dirs: set[str] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        real = os.path.realpath(d)
        if real in seen_dirs:
            found.append(Source(d, _rel(d, root), None, "symlink loop: folder already visited"))
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            found.append(Source(d, _rel(d, root) or ".", None, f"cannot list folder: {e.strerror}"))
            continue
        for e in entries:
            p = Path(e.path)
            rel = _rel(p, root)
            if e.is_symlink():
                if not os.path.exists(p):
                    found.append(Source(p, rel, format_of(e.name), "broken symlink"))
                    continue
                if not follow_symlinks and not _inside(p, root_real):
                    found.append(
                        Source(p, rel, format_of(e.name), "symlink out of the input root"
                               " (use --follow-symlinks to follow it)")
                    )
                    continue
            try:
                if e.is_dir(follow_symlinks=True):
                    stack.append(p)
                elif e.is_file(follow_symlinks=True):  # the path as a str: a list of a
                    found.append(Source(e.path, rel, format_of(e.name)))  # million stays small
                else:
                    found.append(Source(p, rel, format_of(e.name),
                                        "not a regular file (a pipe, socket or device)"))
            except OSError as err:
                found.append(Source(p, rel, format_of(e.name), f"cannot stat: {err.strerror}"))
    found.sort(key=lambda s: s.rel)
    return found
