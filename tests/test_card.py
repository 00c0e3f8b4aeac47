"""The dataset card (README.md): the Hub parses it, and its load instructions work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import cleaner
from cleaner.card import features, render_card, size_category, write_card
from cleaner.writers.schema import SCHEMA
from tests.conftest import SEEDS

datasets = pytest.importorskip("datasets")
hub = pytest.importorskip("huggingface_hub")

BODY = (
    "The regional water authority said on Tuesday that reservoir levels had recovered to "
    "their long-term average after the wettest spring in a decade, easing fears of summer "
    "restrictions. Engineers will still inspect the older dams before the autumn storms, and "
    "the authority asked households to keep saving water where they can."
)


def card_path(result) -> Path:
    """The run's README.md; written here until the pipeline writes it itself."""
    path = result.path / "README.md"
    if not path.exists():
        write_card(result.path, result.manifest, result.stats)
    return path


def run(src: Path | list[Path], to: str, out: Path):
    return cleaner.clean(src, to=to, out=out, model=False, workers=1, quiet=True)


@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory):
    return run(SEEDS, "parquet", tmp_path_factory.mktemp("card-parquet"))


@pytest.fixture(scope="module")
def hf_run(tmp_path_factory):
    return run(SEEDS, "hf", tmp_path_factory.mktemp("card-hf"))


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """A JSONL run with both splits: a duplicate and a too-short document are rejected."""
    root = tmp_path_factory.mktemp("card-mixed")
    src = root / "mixed"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(f"{BODY}\n\nScroll to Top\n", encoding="utf-8")
    (src / "sub" / "b.txt").write_text(BODY, encoding="utf-8")  # a duplicate of a.txt
    (src / "c.txt").write_text("Too short.\n", encoding="utf-8")
    return run(src, "jsonl", root / "out")


def hub_card(result):
    card = hub.DatasetCard.load(card_path(result))
    assert card.data is not None
    return card


def data_files(card, folder: Path) -> dict[str, str]:
    """The card's `configs` data files, as absolute globs."""
    (config,) = card.data.configs
    return {f["split"]: str(folder / f["path"]) for f in config["data_files"]}


def check_front_matter(card, stats: dict) -> None:
    d = card.data
    assert d.license == "unknown"
    assert d.task_categories == ["text-generation"]
    assert d.size_categories == [size_category(stats["documents"])]
    assert d.language == [c for c in stats["languages"] if c != "unknown"]
    info = d.dataset_info
    assert datasets.Features._from_yaml_list(info["features"]) == (
        datasets.Features.from_arrow_schema(SCHEMA))
    splits = {s["name"]: s["num_examples"] for s in info["splits"]}
    assert splits.get("train", 0) == stats["kept"]
    assert splits.get("rejected", 0) == stats["rejected"]
    assert all(s["num_bytes"] > 0 for s in info["splits"] if s["num_examples"])
    assert [f["split"] for f in d.configs[0]["data_files"]] == list(splits)


def test_parquet_card_parses_and_loads(parquet_run, tmp_path):
    card = hub_card(parquet_run)
    stats = json.loads((parquet_run.path / "stats.json").read_text())
    check_front_matter(card, stats)
    assert card.data.language == ["en"]
    files = data_files(card, parquet_run.path)
    assert files["train"].endswith("data/train-*.parquet")
    assert "load_dataset(\"parquet\"" in card.text
    ds = datasets.load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "c1"))
    assert ds["train"].num_rows == stats["kept"]
    # The folder alone loads too: `datasets` reads the card's configs and features.
    ds = datasets.load_dataset(str(parquet_run.path), cache_dir=str(tmp_path / "c2"))
    assert ds["train"].num_rows == stats["kept"]
    assert ds["train"].features == datasets.Features.from_arrow_schema(SCHEMA)


def test_hf_card_parses_and_loads(hf_run, tmp_path):
    card = hub_card(hf_run)
    stats = json.loads((hf_run.path / "stats.json").read_text())
    check_front_matter(card, stats)
    files = data_files(card, hf_run.path)
    assert files["train"].endswith("train/data-*.arrow")
    assert "load_from_disk" in card.text
    ds = datasets.load_from_disk(str(hf_run.path))
    assert ds["train"].num_rows == stats["kept"]
    ds = datasets.load_dataset("arrow", data_files=files, cache_dir=str(tmp_path / "c"))
    assert ds["train"].num_rows == stats["kept"]


def test_jsonl_card_with_both_splits(mixed_run, tmp_path):
    card = hub_card(mixed_run)
    stats = json.loads((mixed_run.path / "stats.json").read_text())
    assert stats["kept"] >= 1 and stats["rejected"] >= 2
    check_front_matter(card, stats)
    files = data_files(card, mixed_run.path)
    assert set(files) == {"train", "rejected"}
    assert "features=features" in card.text  # JSON has no types: the card gives them
    features = datasets.load_dataset_builder(
        str(mixed_run.path), cache_dir=str(tmp_path / "c0")).info.features
    ds = datasets.load_dataset("json", data_files=files, features=features,
                               cache_dir=str(tmp_path / "c1"))
    assert (ds["train"].num_rows, ds["rejected"].num_rows) == (stats["kept"], stats["rejected"])
    ds = datasets.load_dataset(str(mixed_run.path), cache_dir=str(tmp_path / "c2"))
    assert ds["rejected"].features == datasets.Features.from_arrow_schema(SCHEMA)
    for reason, n in stats["rejected_by_reason"].items():
        assert f"| {reason} | {n} |" in card.text


def test_card_text_describes_the_run(parquet_run):
    text = card_path(parquet_run).read_text(encoding="utf-8")
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["pretty_name"] == "seeds"
    for heading in ("## How it was made", "## What was removed", "## Schema",
                    "## How to load it", "## License"):
        assert heading in text
    assert f"clean {SEEDS} --to parquet --no-model" in text
    for name in SCHEMA.names:
        assert f"| `{name}` |" in text
    for reason, n in parquet_run.stats["lines_removed_by_reason"].items():
        assert f"| {reason} | {n} |" in text
    assert parquet_run.manifest["config_hash"] in text


def test_features_follow_the_schema() -> None:
    import pyarrow as pa

    schema = pa.schema([
        ("a", pa.list_(pa.list_(pa.int32()))),
        ("b", pa.struct([("x", pa.float64()), ("y", pa.list_(pa.string()))])),
        ("c", pa.bool_()),
    ])
    feats = features(schema)
    assert feats == [
        {"name": "a", "list": {"list": "int32"}},
        {"name": "b", "struct": [{"name": "x", "dtype": "float64"},
                                 {"name": "y", "list": "string"}]},
        {"name": "c", "dtype": "bool"},
    ]
    assert datasets.Features._from_yaml_list(feats) == datasets.Features.from_arrow_schema(schema)


@pytest.mark.parametrize(("n", "category"), [
    (0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (99_999, "10K<n<100K"),
    (100_000, "100K<n<1M"), (10**13, "n>1T"),
])
def test_size_category(n: int, category: str) -> None:
    assert size_category(n) == category


def test_card_from_sparse_manifest() -> None:
    """A hand-made or older manifest still gives a card the Hub parses."""
    stats = {"documents": 3, "kept": 0, "rejected": 3, "languages": {"unknown": 2, "zh-cn": 1},
             "rejected_by_reason": {"too_short": 3}}
    text = render_card({}, stats)
    card = hub.DatasetCard(text)
    assert card.data.language == ["zh"]
    assert [s["name"] for s in card.data.dataset_info["splits"]] == ["rejected"]
    assert card.data.configs[0]["data_files"] == [
        {"split": "rejected", "path": "data/rejected-*.parquet"}]
