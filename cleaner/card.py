"""The dataset card: `README.md` in the output folder, in the Hugging Face Hub's format.

YAML front matter (`configs`, `dataset_info`, `language`, `size_categories`, ...) that the Hub
and `datasets.load_dataset(FOLDER)` read, then a page for people: what was run, what was
removed and why, the schema, and how to load the data. Everything comes from the run's
manifest and stats (the same numbers as `stats.json`) and from the Arrow schema of the rows.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from cleaner.writers.schema import SCHEMA

SPLITS = ("train", "rejected")

# Files of each split, relative to the output folder, per output format.
DATA_FILES = {
    "parquet": "data/{split}-*.parquet",
    "jsonl": "data/{split}-*.jsonl",
    "hf": "{split}/data-*.arrow",
}

# What each column means (the README's schema table, shortened).
COLUMNS = {
    "id": "stable id: a hash of `source_path` and `record_index`",
    "text": "the kept lines; a blank line separates lines that had one between them",
    "status": "`kept` or `rejected`",
    "reject_reason": "why the document was rejected (null when kept)",
    "reject_detail": "the reason, for a person",
    "duplicate_of": "the id of the kept document this one duplicates",
    "source_path": "path relative to the input folder",
    "record_index": "the JSONL line number (1-based); 0 for other files",
    "source_sha256": "SHA-256 of the input file as stored",
    "source_bytes": "size of the input file as stored",
    "format": "`text`, `html`, `jsonl` or `jsonl-html`",
    "encoding": "the encoding the text was decoded from",
    "notes": "what was done to get text (encoding detected, mojibake repaired, ...)",
    "title": "page title, null when unknown",
    "url": "page URL, null when unknown",
    "date": "page date, null when unknown",
    "language": "ISO 639-1 code",
    "language_prob": "probability of the language",
    "n_words": "`\\w+` tokens in `text`",
    "n_lines_in": "non-blank lines before cleaning",
    "n_lines_kept": "non-blank lines after cleaning",
    "removed": "one struct a removed line (below)",
    "metadata": "JSON object of a JSONL record's other fields",
    "cleaner_version": "the code that produced the row",
    "config_hash": "the settings that produced the row",
}
REMOVED_FIELDS = {
    "line": "1-based index among the document's non-blank lines",
    "start": "start of the line in the decoded original (characters)",
    "end": "end of the line in the decoded original (characters)",
    "text": "the removed line",
    "reason": "reason code (`nav`, `copyright`, `social`, ...)",
    "score": "confidence of the removal",
    "by": "`rule` or `model`",
    "detail": "why, for a person",
    "model_score": "the line model's P(content); null when it did not run",
}

SIZE_CATEGORIES = (
    (1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"), (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"),
)


# -- front matter ---------------------------------------------------------------------------

def size_category(n: int) -> str:
    """The Hub's size category of a dataset of `n` examples."""
    for limit, name in SIZE_CATEGORIES:
        if n < limit:
            return name
    return "n>1T"


def _dtype(t: pa.DataType) -> str:
    """The `datasets` dtype name of an Arrow type ("float" is "float32" there, ...)."""
    return {"float": "float32", "double": "float64", "halffloat": "float16"}.get(str(t), str(t))


def _inner(t: pa.DataType) -> Any:
    """A type as it appears under `list:`: a dtype name, a list of fields, or a nested list."""
    if pa.types.is_struct(t):
        return [_field(t.field(i)) for i in range(t.num_fields)]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return {"list": _inner(t.value_type)}
    return _dtype(t)


def _field(f: pa.Field) -> dict[str, Any]:
    t = f.type
    if pa.types.is_struct(t):
        return {"name": f.name, "struct": _inner(t)}
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return {"name": f.name, "list": _inner(t.value_type)}
    return {"name": f.name, "dtype": _dtype(t)}


def features(schema: pa.Schema = SCHEMA) -> list[dict[str, Any]]:
    """`dataset_info.features` of the Hub's card format, derived from an Arrow schema."""
    return [_field(f) for f in schema]


def _languages(stats: dict[str, Any]) -> list[str]:
    """Codes of kept documents, most frequent first; "zh-cn" counts as "zh"."""
    out: list[str] = []
    for code in stats.get("languages") or {}:
        base = str(code).split("-")[0].lower()
        if code != "unknown" and base and base not in out:
            out.append(base)
    return out


def _format(manifest: dict[str, Any]) -> str:
    return str(manifest.get("format") or (manifest.get("config") or {}).get("to") or "parquet")


def _splits(stats: dict[str, Any]) -> dict[str, int]:
    """Rows per split, leaving out an empty split: `datasets` cannot load a split with no
    rows ("Instruction ... corresponds to no data"), so the card does not declare one."""
    counts = {"train": int(stats.get("kept") or 0), "rejected": int(stats.get("rejected") or 0)}
    present = {s: n for s, n in counts.items() if n}
    return present or {"train": 0}


def front_matter(manifest: dict[str, Any], stats: dict[str, Any],
                 sizes: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """The card's YAML metadata. `sizes` maps a split to (bytes on disk, bytes as Arrow),
    as `split_sizes` measures them; without it the sizes are 0 (unknown)."""
    fmt = _format(manifest)
    pattern = DATA_FILES.get(fmt, DATA_FILES["parquet"])
    counts = _splits(stats)
    sizes = sizes or {}
    data: dict[str, Any] = {"pretty_name": dataset_name(manifest)}
    langs = _languages(stats)
    if langs:
        data["language"] = langs
    info: dict[str, Any] = {
        "config_name": "default",
        "features": features(SCHEMA),
        "splits": [{"name": s, "num_bytes": sizes.get(s, (0, 0))[1], "num_examples": n}
                   for s, n in counts.items()],
    }
    if sizes:
        info["download_size"] = sum(sizes.get(s, (0, 0))[0] for s in counts)
        info["dataset_size"] = sum(sizes.get(s, (0, 0))[1] for s in counts)
    data.update({
        "license": "unknown",
        "task_categories": ["text-generation"],
        "size_categories": [size_category(int(stats.get("documents") or 0))],
        "tags": ["cleaner", "boilerplate-removal", "provenance"],
        "configs": [{
            "config_name": "default",
            "data_files": [{"split": s, "path": pattern.format(split=s)} for s in counts],
        }],
        "dataset_info": info,
    })
    return data


def split_sizes(out_dir: Path, fmt: str) -> dict[str, tuple[int, int]]:
    """(bytes on disk, bytes as Arrow) of each split's files in `out_dir`.

    Arrow size: the uncompressed size of the Parquet row groups, the Arrow files' size, or
    (JSONL) the files' size, as an estimate.
    """
    import glob

    out: dict[str, tuple[int, int]] = {}
    for split in SPLITS:
        files = sorted(glob.glob(str(Path(out_dir) / DATA_FILES[fmt].format(split=split))))
        disk = sum(os.path.getsize(f) for f in files)
        arrow = disk
        if fmt == "parquet":
            import pyarrow.parquet as pq

            arrow = 0
            for f in files:
                md = pq.ParquetFile(f).metadata
                arrow += sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
        out[split] = (disk, arrow)
    return out


# -- the page -------------------------------------------------------------------------------

def dataset_name(manifest: dict[str, Any]) -> str:
    """The dataset's folder name: `--name`, else the first input's name (as the run does)."""
    name = (manifest.get("config") or {}).get("name")
    if name:
        return str(name)
    inputs = manifest.get("inputs") or []
    if not inputs:
        return "dataset"
    first = os.path.basename(os.path.normpath(str(inputs[0])))
    return first.split(".")[0] if "." in first.lstrip(".") else first or "dataset"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_struct(t):
        return "struct"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{_type_name(t.value_type)}>"
    return _dtype(t)


def _command(manifest: dict[str, Any]) -> tuple[str, list[str]]:
    """The `clean` command equivalent to the run, and the settings no flag can express."""
    from cleaner.config import Config

    cfg = manifest.get("config") or {}
    default = Config().as_dict()
    parts = ["clean", *(str(i) for i in manifest.get("inputs") or []), "--to", _format(manifest)]
    if cfg.get("name"):
        parts += ["--name", str(cfg["name"])]
    if cfg.get("lang"):
        parts += ["--lang", ",".join(cfg["lang"])]
    if cfg.get("min_words", default["min_words"]) != default["min_words"]:
        parts += ["--min-words", str(cfg["min_words"])]
    for key, flag in (("model", "--no-model"), ("dedup", "--no-dedup")):
        if cfg.get(key, True) is False:
            parts.append(flag)
    if cfg.get("follow_symlinks"):
        parts.append("--follow-symlinks")
    extra = [f"{k} = {cfg[k]!r}" for k in ("rules", "max_doc_bytes", "shard_rows")
             if k in cfg and cfg[k] != default[k]]
    return shlex.join(parts), extra


def _load_section(fmt: str, where: str, splits: list[str]) -> str:
    if fmt == "hf":
        code = (
            "import datasets\n\n"
            f'ds = datasets.load_from_disk("{where}")   # a DatasetDict: train, rejected\n'
            'print(ds["train"][0]["text"])'
        )
    else:
        files = ",\n    ".join(f'"{s}": "{where}/{DATA_FILES[fmt].format(split=s)}"'
                               for s in splits)
        if fmt == "parquet":
            code = (
                "from datasets import load_dataset\n\n"
                f'ds = load_dataset("parquet", data_files={{\n    {files},\n}})\n'
            )
        else:  # JSON has no types: take them from this card, or nulls make splits disagree
            code = (
                "from datasets import load_dataset, load_dataset_builder\n\n"
                f'features = load_dataset_builder("{where}").info.features  # from this card\n'
                f'ds = load_dataset("json", data_files={{\n    {files},\n}}, '
                "features=features)\n"
            )
        code += 'print(ds["train"][0]["text"])'
    out = f"```python\n{code}\n```\n\n"
    out += (f'`load_dataset("{where}")` also works: it reads the `configs` and the features of '
            "this card. Once the folder is uploaded to the Hub, `load_dataset(\"USER/NAME\")`.")
    return out


def render_card(manifest: dict[str, Any], stats: dict[str, Any],
                sizes: dict[str, tuple[int, int]] | None = None) -> str:
    """The dataset card (`README.md`) of a run, from its manifest and its stats (and the
    splits' sizes in bytes, when known: `write_card` measures them)."""
    fmt = _format(manifest)
    name = dataset_name(manifest)
    cfg = manifest.get("config") or {}
    where = f"{cfg.get('out') or 'out'}/{name}"
    meta = yaml.safe_dump(front_matter(manifest, stats, sizes), sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=100)
    command, extra = _command(manifest)
    kept, rejected = stats.get("kept", 0), stats.get("rejected", 0)

    parts = [f"---\n{meta}---\n", f"# {name}\n"]
    parts.append(
        f"Text cleaned by `cleaner` {manifest.get('cleaner_version', '')}"
        ": boilerplate lines (navigation, cookie banners, share prompts, related-article "
        "teasers, ...) removed, documents filtered by language and length, exact duplicates "
        f"dropped. **{kept:,}** documents are in the `train` split; the **{rejected:,}** "
        "rejected ones are in the `rejected` split, with the same columns and the reason. "
        "Every row records where it came from and every line removed from it, with the "
        "reason, a score and the rule or model that removed it.\n"
    )
    parts.append("## How it was made\n")
    parts.append(f"```bash\n{command}\n```\n")
    if extra:
        parts.append("with these settings in a `--config` file: "
                     + ", ".join(f"`{e}`" for e in extra) + ".\n")
    facts = [
        ("started", manifest.get("started")), ("finished", manifest.get("finished")),
        ("output format", fmt), ("config hash", manifest.get("config_hash")),
        ("language backend", manifest.get("language_backend")),
        ("line model", manifest.get("model_version") or ("off" if cfg.get("model") is False
                                                          else None)),
    ]
    facts += [(f"version of {k}", v) for k, v in (manifest.get("versions") or {}).items()]
    parts.append(_table(("run", ""), [(k, v) for k, v in facts if v is not None]) + "\n")
    settings = [(k, f"`{json.dumps(v)}`") for k, v in cfg.items() if k not in ("out", "quiet")]
    if settings:
        parts.append("Settings:\n\n" + _table(("setting", "value"), settings) + "\n")
    if manifest.get("unreadable"):
        n = len(manifest["unreadable"])
        parts.append(f"{n:,} input(s) could not be read; `manifest.json` lists them.\n")

    parts.append("## What was removed\n")
    parts.append(_table(("documents", "count"), [
        ("in (files and records)", stats.get("documents_in", 0)),
        ("kept (`train`)", kept), ("rejected (`rejected`)", rejected),
        ("unreadable", stats.get("unreadable", 0)),
    ]) + "\n")
    for key, title in (("rejected_by_reason", "rejected documents, by reason"),
                       ("unreadable_by_reason", "unreadable inputs, by reason"),
                       ("lines_removed_by_reason", "removed lines, by reason"),
                       ("languages", "kept documents, by language")):
        if stats.get(key):
            parts.append(_table((title, "count"), list(stats[key].items())) + "\n")
    parts.append(
        f"{stats.get('lines_removed', 0):,} of {stats.get('lines_in', 0):,} non-blank lines "
        "were removed. `stats.json` has these counts and the length histograms; "
        "`manifest.json` has the run's facts and the SHA-256 of every data file.\n"
    )

    parts.append("## Schema\n")
    parts.append("One row a document, the same in both splits.\n")
    parts.append(_table(("column", "type", "meaning"), [
        (f"`{f.name}`", _type_name(f.type), COLUMNS.get(f.name, "")) for f in SCHEMA
    ]) + "\n")
    removed = SCHEMA.field("removed").type.value_type
    parts.append("Fields of each `removed` struct:\n\n" + _table(("field", "type", "meaning"), [
        (f"`{f.name}`", _type_name(f.type), REMOVED_FIELDS.get(f.name, "")) for f in removed
    ]) + "\n")
    parts.append(
        "The original line sequence of a document is rebuilt by merging the non-blank lines "
        "of `text` with the `removed` lines placed at their `line` numbers.\n"
    )

    parts.append("## How to load it\n")
    splits = list(_splits(stats))
    parts.append(_load_section(fmt, where, splits) + "\n")
    empty = [s for s in SPLITS if s not in splits]
    if empty:
        parts.append(f"The `{empty[0]}` split has no rows, so the card does not declare it: "
                     "`datasets` cannot load an empty split from data files.\n")

    parts.append("## License\n")
    parts.append(
        "Unknown (`license: unknown`). The text comes from the inputs listed above and keeps "
        "their terms; cleaning does not change them. Set `license:` in the front matter to "
        "the inputs' licence before publishing.\n"
    )
    return "\n".join(parts)


def write_card(out_dir: Path, manifest: dict[str, Any], stats: dict[str, Any]) -> Path:
    """Write `out_dir/README.md` (atomically) and return its path."""
    from cleaner.writers.shards import atomic_write

    path = Path(out_dir) / "README.md"
    text = render_card(manifest, stats, split_sizes(Path(out_dir), _format(manifest)))
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))
    return path
