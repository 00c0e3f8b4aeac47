"""Run statistics, accumulated from the output rows themselves (never recomputed apart).

The end-of-run summary, `manifest.json`, `stats.json`, the dataset card and the report
all read these numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cleaner.text import word_count

LENGTH_BINS = (0, 10, 50, 100, 200, 500, 1000, 2000, 5000, 10000)  # words


def removed_word_count(row: dict[str, Any]) -> int:
    """The words in an output row's removed lines (one count over the lines joined: a
    newline is never part of a word)."""
    return word_count("\n".join([r["text"] for r in row["removed"]]))


def _bin(n: int) -> str:
    lower = LENGTH_BINS[0]
    for b in LENGTH_BINS[1:]:
        if n < b:
            return f"{lower}-{b - 1}"
        lower = b
    return f"{LENGTH_BINS[-1]}+"


@dataclass
class Stats:
    documents: int = 0
    kept: int = 0
    rejected: Counter = field(default_factory=Counter)
    unreadable: Counter = field(default_factory=Counter)
    lines_in: int = 0
    lines_kept: int = 0
    lines_removed: Counter = field(default_factory=Counter)
    lines_removed_by: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    words_before: Counter = field(default_factory=Counter)
    words_after: Counter = field(default_factory=Counter)
    input_bytes: int = 0
    seconds: float = 0.0
    _last_path: str | None = field(default=None, repr=False)

    def add_table(self, rows: pa.Table, removed_words: Sequence[int]) -> None:
        """Count a table of output rows (of `SCHEMA`), with their verdicts final, and the
        number of words in each row's removed lines."""
        self.documents += rows.num_rows
        col = {name: rows.column(name).to_pylist() for name in (
            "status", "language", "n_words", "reject_reason", "source_path", "source_bytes")}
        for status, language, n_words, reason in zip(
                col["status"], col["language"], col["n_words"], col["reject_reason"],
                strict=True):
            if status == "kept":
                self.kept += 1
                self.languages[language or "unknown"] += 1
                self.words_after[_bin(n_words)] += 1
            else:
                self.rejected[reason] += 1
        self.lines_in += pc.sum(rows.column("n_lines_in")).as_py() or 0
        self.lines_kept += pc.sum(rows.column("n_lines_kept")).as_py() or 0
        removed = pc.list_flatten(rows.column("removed"))
        for counter, name in ((self.lines_removed, "reason"), (self.lines_removed_by, "by")):
            counter.update({c["values"]: c["counts"]
                            for c in pc.value_counts(pc.struct_field(removed, name)).to_pylist()})
        for n_words, extra in zip(col["n_words"], removed_words, strict=True):
            self.words_before[_bin(n_words + extra)] += 1
        for path, nbytes in zip(col["source_path"], col["source_bytes"], strict=True):
            if path != self._last_path:  # a file's rows are contiguous
                self._last_path = path
                self.input_bytes += nbytes or 0

    def add_unreadable(self, reason: str) -> None:
        self.unreadable[reason] += 1

    def merge(self, other: Stats) -> None:
        """Add another part's counts (a finished chunk of a resumed run)."""
        for f in fields(self):
            if f.name.startswith("_") or f.name == "seconds":
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            else:
                setattr(self, f.name, mine + theirs)

    def to_state(self) -> dict[str, Any]:
        return {f.name: dict(v) if isinstance(v := getattr(self, f.name), Counter) else v
                for f in fields(self) if not f.name.startswith("_")}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Stats:
        s = cls()
        for f in fields(cls):
            if f.name in state:
                v = state[f.name]
                setattr(s, f.name, Counter(v) if isinstance(v, dict) else v)
        return s

    @property
    def inputs(self) -> int:
        return self.documents + sum(self.unreadable.values())

    def as_dict(self) -> dict[str, Any]:
        secs = round(self.seconds, 3)
        return {
            "documents_in": self.inputs,
            "documents": self.documents,
            "kept": self.kept,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "unreadable": sum(self.unreadable.values()),
            "unreadable_by_reason": dict(sorted(self.unreadable.items())),
            "lines_in": self.lines_in,
            "lines_kept": self.lines_kept,
            "lines_removed": sum(self.lines_removed.values()),
            "lines_removed_by_reason": dict(sorted(self.lines_removed.items())),
            "lines_removed_by": dict(sorted(self.lines_removed_by.items())),
            "languages": dict(sorted(self.languages.items(), key=lambda kv: (-kv[1], kv[0]))),
            "words_before_histogram": _ordered(self.words_before),
            "words_after_histogram": _ordered(self.words_after),
            "input_bytes": self.input_bytes,
            "seconds": secs,
            "docs_per_second": round(self.inputs / secs, 1) if secs else None,
            "mb_per_second": round(self.input_bytes / 1e6 / secs, 3) if secs else None,
        }


def _ordered(c: Counter) -> dict[str, int]:
    keys = [_bin(b) for b in LENGTH_BINS]
    return {k: c[k] for k in keys if c[k]}
