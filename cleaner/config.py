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
ENGINES = ("local", "ray")
LANG_BACKENDS = ("hybrid", "langdetect", "fasttext")
DEDUP_INDEXES = ("disk", "memory")
HTML_EXTRACTORS = ("model", "trafilatura")

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
    # HTML: "model" (the page's lines, each scored by the HTML line model) or "trafilatura"
    # (its main text, then the rules); with the model off, HTML always goes to trafilatura
    html_extractor: str = "model"
    dedup: bool = True
    near_dedup: bool = True  # MinHash near-duplicates (with dedup on)
    near_dedup_threshold: float = 0.75  # estimated Jaccard of word 5-gram sets
    lang_backend: str = "hybrid"  # fastText, langdetect when unsure; or langdetect, fasttext
    source_repeat_min_docs: int = 5  # 0 turns off the cross-document repeated-line filter
    source_repeat_max_words: int = 50
    workers: int = 0  # 0: all cores
    engine: str = "local"  # "local" (processes on this machine) or "ray"
    dedup_index: str = "disk"  # dedup state in SQLite files (flat memory) or "memory"
    ray_address: str | None = None  # None: RAY_ADDRESS, else a local Ray
    quiet: bool = False
    follow_symlinks: bool = False
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
    doc_timeout: float = DEFAULT_DOC_TIMEOUT
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS
    shard_rows: int = DEFAULT_SHARD_ROWS
    model_threshold: float | None = None  # None: the threshold shipped with the model
    thresholds: dict[str, float] = field(default_factory=dict)  # rule thresholds to override
    chunk_size: int = DEFAULT_CHUNK_SIZE  # tasks (files, or JSONL batches) a resumable chunk

    # Fields that do not change the output rows, and so stay out of the hash.
    RUNTIME_ONLY = frozenset({"to", "out", "name", "workers", "quiet", "engine", "ray_address",
                              "dedup_index"})

    def validate(self) -> Config:
        if self.to not in FORMATS:
            raise UserError(f"--to must be one of {', '.join(FORMATS)}, not {self.to!r}")
        if self.engine not in ENGINES:
            raise UserError(f"--engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if not 0 < self.near_dedup_threshold <= 1:
            raise UserError(f"near_dedup_threshold must be in (0, 1], not "
                            f"{self.near_dedup_threshold}")
        if self.dedup_index not in DEDUP_INDEXES:
            raise UserError(f"--dedup-index must be one of {', '.join(DEDUP_INDEXES)}, not "
                            f"{self.dedup_index!r}")
        if self.html_extractor not in HTML_EXTRACTORS:
            raise UserError(f"--html-extractor must be one of {', '.join(HTML_EXTRACTORS)}, "
                            f"not {self.html_extractor!r}")
        if self.lang_backend not in LANG_BACKENDS:
            raise UserError(f"--lang-backend must be one of {', '.join(LANG_BACKENDS)}, not "
                            f"{self.lang_backend!r}")
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
        if self.model_threshold is not None and not 0 <= self.model_threshold <= 1:
            raise UserError(f"model_threshold must be within 0..1, not {self.model_threshold}")
        self.rule_thresholds()  # checks the names and types
        self.lang = sorted({c.strip().lower() for c in self.lang if c.strip()})
        return self

    def rule_thresholds(self):
        """The rules' thresholds: the defaults with this config's overrides."""
        from cleaner.filters.rules import DEFAULT_THRESHOLDS, Thresholds

        known = {f.name: f for f in fields(Thresholds)}
        for k, v in self.thresholds.items():
            if k not in known:
                raise UserError(f"unknown key 'thresholds.{k}' (rule thresholds are: "
                                f"{', '.join(sorted(known))})")
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise UserError(f"thresholds.{k} must be a number, not {v!r}")
        return dataclasses.replace(DEFAULT_THRESHOLDS, **self.thresholds)

    def to_toml(self) -> str:
        """The effective configuration as TOML, every rule threshold included."""
        lines = []
        for k, v in self.as_dict().items():
            if k == "thresholds":
                continue
            if v is None:
                lines.append(f"# {k} = (unset)")
            else:
                lines.append(f"{k} = {_toml_value(v)}")
        lines.append("")
        lines.append("[thresholds]")
        for k, v in dataclasses.asdict(self.rule_thresholds()).items():
            lines.append(f"{k} = {_toml_value(v)}")
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def output_settings(self) -> dict[str, Any]:
        return {k: v for k, v in self.as_dict().items() if k not in self.RUNTIME_ONLY}

    def hash(self, extra: dict[str, Any] | None = None) -> str:
        payload = {**self.output_settings(), **(extra or {})}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


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
    values = {k.replace("-", "_"): v for k, v in data.items()}
    if "thresholds" in values and not isinstance(values["thresholds"], dict):
        raise UserError(f"'thresholds' in {p} must be a table: [thresholds]")
    for k, v in values.items():  # a wrong type is a user mistake, not a traceback
        want = known[k].default if known[k].default is not dataclasses.MISSING else None
        if isinstance(want, bool) and not isinstance(v, bool):
            raise UserError(f"{k} in {p} must be true or false, not {v!r}")
        if isinstance(want, int) and not isinstance(want, bool) and (
                not isinstance(v, (int, float)) or isinstance(v, bool)):
            raise UserError(f"{k} in {p} must be a number, not {v!r}")
        if isinstance(want, str) and not isinstance(v, str):
            raise UserError(f"{k} in {p} must be a string, not {v!r}")
    if isinstance(values.get("lang"), str):
        values["lang"] = values["lang"].split(",")
    return values
