"""Run configuration: one dataclass, loadable from TOML, with a stable hash.

The hash covers only the settings that change the output rows, so `--workers`, `--quiet`
or `--out` never change it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cleaner.errors import UserError

FORMATS = ("parquet", "hf", "jsonl")

DEFAULT_MIN_WORDS = 50  # Gopher / datatrove's minimum document length
DEFAULT_MAX_DOC_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_LINE_CHARS = 100_000  # longer lines are removed as long_line
DEFAULT_DOC_TIMEOUT = 60.0  # seconds one document may take; 0 = no limit
DEFAULT_CHUNK_SIZE = 1000
DEFAULT_SHARD_ROWS = 10_000  # row groups of ~10k rows read back cheaply


@dataclass
class Config:
    """Every option of a run. CLI flags and `--config FILE` both fill this."""

    to: str = "parquet"
    out: str = "out"
    name: str | None = None
    lang: list[str] = field(default_factory=list)  # empty: keep every language
    min_words: int = DEFAULT_MIN_WORDS
    model: bool = True
    rules: bool = True
    dedup: bool = True
    source_repeat_min_docs: int = 5  # 0 turns off the cross-document repeated-line filter
    source_repeat_max_words: int = 50
    workers: int = 0  # 0: all cores
    quiet: bool = False
    follow_symlinks: bool = False
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
    doc_timeout: float = DEFAULT_DOC_TIMEOUT
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS
    shard_rows: int = DEFAULT_SHARD_ROWS
    chunk_size: int = DEFAULT_CHUNK_SIZE  # tasks (files, or JSONL batches) a resumable chunk

    # Fields that do not change the output rows, and so stay out of the hash.
    RUNTIME_ONLY = frozenset({"to", "out", "name", "workers", "quiet"})

    def validate(self) -> Config:
        if self.to not in FORMATS:
            raise UserError(f"--to must be one of {', '.join(FORMATS)}, not {self.to!r}")
        if self.min_words < 0:
            raise UserError(f"--min-words must be 0 or more, not {self.min_words}")
        if self.workers < 0:
            raise UserError(f"--workers must be 0 (all cores) or more, not {self.workers}")
        if self.source_repeat_min_docs < 0 or self.source_repeat_min_docs == 1:
            raise UserError("source_repeat_min_docs must be 0 (off) or at least 2")
        if self.shard_rows < 1:
            raise UserError(f"shard_rows must be at least 1, not {self.shard_rows}")
        if self.chunk_size < 1:
            raise UserError(f"chunk_size must be at least 1, not {self.chunk_size}")
        if self.max_doc_bytes < 1:
            raise UserError(f"max_doc_bytes must be at least 1, not {self.max_doc_bytes}")
        self.lang = sorted({c.strip().lower() for c in self.lang if c.strip()})
        return self

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def output_settings(self) -> dict[str, Any]:
        return {k: v for k, v in self.as_dict().items() if k not in self.RUNTIME_ONLY}

    def hash(self, extra: dict[str, Any] | None = None) -> str:
        payload = {**self.output_settings(), **(extra or {})}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML config file into option values; unknown keys are a clear error."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"config file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read config file {p}: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"config file {p} is not valid TOML: {e}") from None
    known = {f.name: f for f in fields(Config)}
    for key in data:
        if key.replace("-", "_") not in known:
            raise UserError(f"unknown key {key!r} in config file {p}")
    return {k.replace("-", "_"): v for k, v in data.items()}
