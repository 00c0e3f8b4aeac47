"""Read a finished output folder back, whichever format it was written in.

An output holds its rows in shards: `data/{split}-NNNNN.parquet` or `.jsonl`, or, for `--to
hf`, Arrow stream files `{split}/data-NNNNN-of-NNNNN.arrow` of a `DatasetDict` folder. A
`Part` is one such shard; `read(columns)` returns it as an Arrow table, one shard at a time,
so memory stays bounded by the shard size (at most `shard_rows` rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from cleaner.errors import UserError
from cleaner.writers.schema import SCHEMA

SPLIT_ORDER = ("train", "rejected")


@dataclass(frozen=True)
class Part:
    """One shard of rows: `kind` is "parquet", "jsonl" or "arrow"."""

    path: Path
    kind: str
    split: str

    def read(self, columns: list[str] | None = None) -> pa.Table:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(self.path, columns=columns)
        if self.kind == "arrow":
            with pa.memory_map(str(self.path)) as source:
                table = pa.ipc.open_stream(source).read_all()
        else:
            table = _read_jsonl(self.path)
        return table.select(columns) if columns is not None else table


def _read_jsonl(path: Path) -> pa.Table:
    """A JSONL shard as a table of SCHEMA (fast C++ parser; Python `json` as a fallback)."""
    if path.stat().st_size == 0:
        return SCHEMA.empty_table()
    try:
        import pyarrow.json as pj

        return pj.read_json(
            path,
            parse_options=pj.ParseOptions(explicit_schema=SCHEMA,
                                          unexpected_field_behavior="ignore"),
        ).select(SCHEMA.names)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rows.append(json.loads(line))
        return pa.Table.from_pylist(rows, schema=SCHEMA)


def find_parts(out_dir: Path) -> tuple[str, list[Part]]:
    """The output's format ("parquet", "jsonl" or "hf") and its shards, train first."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError(f"not an output folder: {out_dir}")
    if (out_dir / "dataset_dict.json").is_file():
        return "hf", _hf_parts(out_dir)
    data = out_dir / "data"
    for ext, kind in ((".parquet", "parquet"), (".jsonl", "jsonl")):
        parts = [
            Part(p, kind, split)
            for split in SPLIT_ORDER
            for p in sorted(data.glob(f"{split}-*{ext}"))
        ]
        if parts:
            return kind, parts
    raise UserError(
        f"no dataset rows in {out_dir}: expected data/*.parquet, data/*.jsonl or a "
        "dataset_dict.json (a folder written by `clean ... --to parquet|jsonl|hf`)"
    )


def _hf_parts(out_dir: Path) -> list[Part]:
    try:
        splits = json.loads((out_dir / "dataset_dict.json").read_text("utf-8"))["splits"]
    except (OSError, ValueError, KeyError, TypeError):
        splits = list(SPLIT_ORDER)
    splits = sorted(splits, key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 9, s))
    parts: list[Part] = []
    for split in splits:
        folder = out_dir / split
        files: list[Path] = []
        try:
            state = json.loads((folder / "state.json").read_text("utf-8"))
            files = [folder / f["filename"] for f in state["_data_files"]]
        except (OSError, ValueError, KeyError, TypeError):
            files = sorted(folder.glob("data-*.arrow"))
        parts += [Part(f, "arrow", split) for f in files if f.is_file()]
    return parts


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from `path`, or None when the file is absent."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read {path}: {e}") from None
    return data if isinstance(data, dict) else None
