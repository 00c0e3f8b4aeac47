"""The pipeline: readers -> extractor -> line filters -> document filters -> dedup -> writer.

`Pipeline` holds the steps. Its per-document stage (`process`) is pure and runs on any
number of workers; dedup and writing run in input order in one process (see `job.py`), so
the output is deterministic.

A custom step is any object with a `name` and an `apply(doc)` method:
line filters call `line.remove(reason, score, detail)` on lines of `doc.lines`; document
filters call `doc.reject(reason, detail)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from cleaner import __version__
from cleaner.config import Config
from cleaner.dedup.exact import ExactDedup
from cleaner.dedup.minhash import MinHashDedup
from cleaner.document import KEPT, Document
from cleaner.errors import UserError
from cleaner.executors.local import LocalExecutor, iter_batches
from cleaner.extractors.html import HtmlExtractor
from cleaner.filters.language import LanguageFilter, make_backend
from cleaner.filters.length import LengthFilter, LongLineFilter
from cleaner.filters.rules import BoilerplateRules
from cleaner.filters.source_repeats import (
    SourceLineCounter,
    SourceRepeatFilter,
    source_key,
    text_line_hashes,
)
from cleaner.job import Job, RunResult
from cleaner.limits import DocumentTimeout, time_limit
from cleaner.readers.discover import Source
from cleaner.readers.files import FileReader, Task, Unreadable, iter_tasks
from cleaner.text import split_lines
from cleaner.writers.schema import RowBatch, to_row


class Step(Protocol):
    """A line filter or document filter: `apply(doc)` marks lines removed or rejects."""

    name: str

    def apply(self, doc: Document) -> None: ...


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
        self.reader = FileReader(self.config.max_doc_bytes)
        self.extractor = HtmlExtractor(
            "dom" if self.config.model and self.config.html_extractor == "model"
            else "trafilatura")
        self.line_filters: list[Step] = [LongLineFilter(self.config.max_line_chars)]
        if self.config.rules:
            self.line_filters.append(BoilerplateRules(self.config.rule_thresholds()))
        self.source_repeats = SourceRepeatFilter({}, self.config.source_repeat_min_docs,
                                                 self.config.source_repeat_max_words)
        self.line_filters.append(self.source_repeats)  # filled by `prepare`
        self.model_filter = None
        if self.config.model:
            from cleaner.filters.model import ModelFilter

            self.model_filter = ModelFilter(threshold=self.config.model_threshold)
            self.line_filters.append(self.model_filter)
        self.language = LanguageFilter(self.config.lang,
                                       backend=make_backend(self.config.lang_backend))
        self.near_dedup = (MinHashDedup(threshold=self.config.near_dedup_threshold)
                           if self.config.dedup and self.config.near_dedup else None)
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
            doc.freeze_text()  # document filters and dedup read it; lines no longer change
            for f in self.doc_filters:
                f.apply(doc)
            if self.config.dedup and doc.status == KEPT:  # for the sequential stage
                doc.exact_key = ExactDedup.key_of(doc)
                if self.near_dedup is not None:
                    doc.signature = self.near_dedup.signature(doc.text)
        return doc

    def clean_text(self, text: str) -> Document:
        """Clean one text; the result's `.text` is the kept text, `.lines` the decisions."""
        doc = Document(id="text", source_path="<text>", source_sha256="", source_bytes=0,
                       format="text", raw_text=text)
        return self.process(doc)

    def clean_html(self, html: str) -> Document:
        """Clean one HTML page, as a `.html` file would be; `.text` is the kept text."""
        doc = Document(id="html", source_path="<html>", source_sha256="", source_bytes=0,
                       format="html", html=html)
        return self.process(doc)

    def process_task(self, task: Task | Unreadable) -> list[Document | Unreadable]:
        """Read one task's documents and process each; never raises for a bad document."""
        if isinstance(task, Unreadable):
            return [task]
        out: list[Document | Unreadable] = []
        for item in self.reader.read(task):
            if isinstance(item, Document):
                item = self._guarded(item)
                item.raw_text = ""  # the rows need only the lines: keep IPC small
            out.append(item)
        return out

    def process_group(self, tasks: Sequence[Task | Unreadable], config_hash: str | None = None
                      ) -> RowBatch:
        """`process_task` on a group of tasks, their documents turned into one table of
        output rows on the worker (what a `Job` runs: a table crosses between processes
        far faster than documents or rows). A job passes its `config_hash`, computed once."""
        config_hash = config_hash or self.config_hash
        rows: list[dict[str, Any]] = []
        keys: list[tuple[bytes | None, Any]] = []
        unreadable: list[Unreadable] = []
        for task in tasks:
            for item in self.process_task(task):
                if isinstance(item, Unreadable):
                    unreadable.append(item)
                else:  # the row at once: a group's documents kept alive made workers slower
                    rows.append(to_row(item, __version__, config_hash))
                    keys.append((item.exact_key, item.signature))
        return RowBatch(rows, keys, unreadable)

    def _guarded(self, doc: Document) -> Document:
        """`process` within the per-document time limit. A document that breaks a parser
        is rejected with the reason instead of stopping the run."""
        try:
            with time_limit(self.config.doc_timeout):
                return self.process(doc)
        except DocumentTimeout:
            doc.reject("timeout", f"processing took longer than {self.config.doc_timeout} s")
        except Exception as e:  # a parser broken by hostile input must not stop the run
            doc.reject("error", f"{type(e).__name__}: {str(e)[:200]}".replace("\n", " "))
        return doc

    def count_task(self, task: Task) -> list[tuple[int, list[int]]]:
        """The first pass's work on one task (runs on any worker): the line hashes of each
        of its plain-text documents."""
        out = []
        for doc in self.reader.read(task):
            if isinstance(doc, Document) and doc.status == KEPT and doc.html is None:
                out.append(text_line_hashes(source_key(doc), doc.raw_text,
                                            self.config.source_repeat_max_words))
        return out

    def prepare(self, sources: Sequence[Source],
                executor: Callable[[Callable[[Any], Any]], Any] | None = None) -> None:
        """The corpus-level first pass, run once before the per-document stage: count the
        lines that repeat across the documents of each source. `executor(fn)` makes the
        engine that maps `fn` over tasks (default: in this process); the counting runs
        in input order, so the result does not depend on the engine."""
        cfg = self.config
        if not cfg.source_repeat_min_docs:
            return
        counter = SourceLineCounter(cfg.source_repeat_min_docs, cfg.source_repeat_max_words)
        tasks = (t for t in iter_tasks(sources, cfg.max_doc_bytes)
                 if not isinstance(t, Unreadable) and t.source.format != "html")
        engine = executor(self.count_task) if executor else LocalExecutor(self.count_task, 1)
        with engine:
            for batch in iter_batches(tasks, cfg.chunk_size):
                for docs in engine.map(batch):
                    for doc_hash, hashes in docs:
                        counter.add_hashes(doc_hash, hashes)
        self.source_repeats.repeated = counter.repeated()

    def run(self, inputs: list[str | Path], progress: Callable[[int, int], None] | None = None,
            overwrite: bool = False) -> RunResult:
        """Clean every input into `out/NAME`; return the output path and the stats."""
        return Job(self, inputs, overwrite=overwrite, progress=progress).run()
