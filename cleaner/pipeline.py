"""The pipeline: readers -> extractor -> line filters -> document filters -> dedup -> writer.

`Pipeline` holds the steps. Its per-document stage (`process`) is pure and runs on any
number of workers; dedup and writing run in input order in one process, so the output is
deterministic.

A custom step is any object with a `name` and an `apply(doc)` method:
line filters call `line.remove(reason, score, detail)` on lines of `doc.lines`; document
filters call `doc.reject(reason, detail)`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cleaner import __version__
from cleaner.config import Config
from cleaner.dedup.exact import ExactDedup
from cleaner.document import KEPT, REJECTED, Document
from cleaner.errors import UserError
from cleaner.executors.local import LocalExecutor
from cleaner.extractors.html import HtmlExtractor
from cleaner.filters.language import LanguageFilter
from cleaner.filters.length import LengthFilter
from cleaner.filters.rules import BoilerplateRules
from cleaner.readers.discover import Source, discover
from cleaner.readers.files import FileReader, Unreadable
from cleaner.stats import Stats
from cleaner.text import split_lines
from cleaner.writers.schema import to_row
from cleaner.writers.shards import JsonlWriter, ParquetWriter, ShardWriter, atomic_write


class Step(Protocol):
    """A line filter or document filter: `apply(doc)` marks lines removed or rejects."""

    name: str

    def apply(self, doc: Document) -> None: ...


@dataclass
class RunResult:
    """What `Pipeline.run` (and `cleaner.clean`) returns."""

    path: Path
    stats: dict[str, Any]
    manifest: dict[str, Any]


class Pipeline:
    """The cleaning steps for one configuration.

    >>> p = Pipeline(min_words=0, model=False)
    >>> p.clean_text("Body text.\\n© 2025 Example. All rights reserved.").text
    'Body text.'
    """

    def __init__(self, config: Config | None = None, **options: Any) -> None:
        self.config = (config or Config())
        for k, v in options.items():
            if not hasattr(self.config, k):
                raise UserError(f"unknown option {k!r}")
            setattr(self.config, k, v)
        self.config.validate()
        self.extractor = HtmlExtractor()
        self.line_filters: list[Step] = []
        if self.config.rules:
            self.line_filters.append(BoilerplateRules())
        self.model_filter = None
        if self.config.model:
            from cleaner.filters.model import ModelFilter

            self.model_filter = ModelFilter()
            self.line_filters.append(self.model_filter)
        self.language = LanguageFilter(self.config.lang)
        self.doc_filters: list[Step] = [self.language, LengthFilter(self.config.min_words)]

    # extension points ----------------------------------------------------------------
    def add_line_filter(self, step: Step) -> Pipeline:
        """Add a line filter; it runs after the built-in ones."""
        self.line_filters.append(step)
        return self

    def add_doc_filter(self, step: Step) -> Pipeline:
        """Add a document filter; it runs after the built-in ones, before dedup."""
        self.doc_filters.append(step)
        return self

    @property
    def model_version(self) -> str | None:
        return self.model_filter.version if self.model_filter else None

    @property
    def config_hash(self) -> str:
        return self.config.hash({"model_version": self.model_version})

    # the per-document stage --------------------------------------------------------------
    def process(self, doc: Document) -> Document:
        """Extract, split, run the line filters and the document filters on one document."""
        if doc.status == KEPT:
            self.extractor.apply(doc)
            doc.lines = split_lines(doc.raw_text)
            for f in self.line_filters:
                f.apply(doc)
            for f in self.doc_filters:
                f.apply(doc)
        return doc

    def clean_text(self, text: str) -> Document:
        """Clean one text; the result's `.text` is the kept text, `.lines` the decisions."""
        doc = Document(id="text", source_path="<text>", source_sha256="", source_bytes=0,
                       format="text", raw_text=text)
        return self.process(doc)

    def _process_source(self, src: Source) -> list[Document | Unreadable]:
        out: list[Document | Unreadable] = []
        for item in FileReader(self.config.max_doc_bytes).read(src):
            if isinstance(item, Document):
                item = self.process(item)
                item.raw_text = ""  # the rows need only the lines: keep IPC small
            out.append(item)
        return out

    # a whole run ----------------------------------------------------------------------
    def run(self, inputs: list[str | Path], progress: Callable[[int, int], None] | None = None
            ) -> RunResult:
        """Clean every input into `out/NAME`; return the output path and the stats."""
        cfg = self.config
        started = time.time()
        sources = discover(inputs, follow_symlinks=cfg.follow_symlinks)
        name = _safe_name(cfg.name or _default_name(inputs))
        out_root = Path(cfg.out)
        final = out_root / name
        staging = out_root / f".{name}.partial"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)

        writer: ShardWriter = (JsonlWriter if cfg.to == "jsonl" else ParquetWriter)(
            staging, cfg.shard_rows
        )
        dedup = [ExactDedup()] if cfg.dedup else []
        stats = Stats()
        unreadable: list[dict[str, str]] = []
        config_hash = self.config_hash
        executor = LocalExecutor(cfg.workers)
        for i, items in enumerate(executor.map(self._process_source, sources, len(sources))):
            for item in items:
                if isinstance(item, Unreadable):
                    unreadable.append({"path": item.path, "reason": item.reason,
                                       "error": item.error})
                    stats.add_unreadable(item.reason)
                    continue
                for d in dedup:
                    d.apply(item)
                row = to_row(item, __version__, config_hash)
                stats.add_row(row)
                writer.write(row, "train" if item.status == KEPT else REJECTED)
            if progress:
                progress(i + 1, len(sources))
        shards = writer.close()
        if cfg.to == "hf":
            from cleaner.writers.hf import export_hf

            export_hf(staging, shards, staging / ".cache")
            shutil.rmtree(staging / ".cache", ignore_errors=True)
            shutil.rmtree(staging / "data", ignore_errors=True)
        stats.seconds = time.time() - started
        stats_dict = stats.as_dict()
        manifest = {
            "cleaner_version": __version__,
            "config_hash": config_hash,
            "config": cfg.as_dict(),
            "inputs": [str(i) for i in inputs],
            "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
            "finished": dt.datetime.now(dt.UTC).isoformat(),
            "format": cfg.to,
            "language_backend": self.language.backend.name,
            "model_version": self.model_version,
            "versions": _versions(),
            "shards": [_shard_dict(s) for s in shards] if cfg.to != "hf" else [],
            "unreadable": unreadable,
            "stats": stats_dict,
        }
        _write_json(staging / "stats.json", stats_dict)
        _write_json(staging / "manifest.json", manifest)  # last: its presence means complete
        _swap_into_place(staging, final)
        return RunResult(final, stats_dict, manifest)


def _shard_dict(s: Any) -> dict[str, Any]:
    return {"path": s.path, "split": s.split, "rows": s.rows, "sha256": s.sha256}


def _write_json(path: Path, data: Any) -> None:
    blob = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(blob, encoding="utf-8"))


def _swap_into_place(staging: Path, final: Path) -> None:
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)


def _default_name(inputs: list[str | Path]) -> str:
    first = Path(os.path.abspath(inputs[0]))
    return first.name if first.is_dir() else first.name.split(".")[0] or "dataset"


def _safe_name(name: str) -> str:
    """An output name is one path component: it can never point outside `--out`."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise UserError(f"--name must be a plain folder name, not {name!r}")
    return name


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for pkg in ("pyarrow", "datasets", "trafilatura", "justext", "langdetect", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out
