# ruff: noqa: B008  (typer declares CLI parameters as call defaults)
"""Typer-ready command functions for the line model (registered by cleaner/cli.py).

clean train DATA_DIR --out MODEL
clean eval DATA_DIR [--as-text|--as-html] [--split test|train|all] [--limit N] [--model PATH]
"""

from __future__ import annotations

import json
from pathlib import Path

import typer


def train_command(
    data_dir: Path = typer.Argument(
        ..., help="Folder of <id>.html[.gz] + <id>.txt pairs (+ meta.jsonl)."
    ),
    out: Path = typer.Option(
        Path("line_model.npz"), "--out", "-o", help="Where to write the model (.npz)."
    ),
    seed: int = typer.Option(
        0, "--seed", help="Random seed (training is deterministic for a seed)."
    ),
) -> None:
    """Train the boilerplate line model (needs scikit-learn and justext)."""
    from . import train

    summary = train(data_dir, out, seed=seed, progress=True)
    typer.echo(json.dumps({k: v for k, v in summary.items() if k != "val"}, indent=1, default=str))


def eval_command(
    data_dir: Path = typer.Argument(
        ..., help="Folder of <id>.html[.gz] + <id>.txt pairs (+ meta.jsonl)."
    ),
    as_html: bool = typer.Option(
        False, "--as-html/--as-text", help="Evaluate HTML mode instead of text mode (default)."
    ),
    split: str = typer.Option("test", "--split", help="test (held-out hosts), train, or all."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N pages."),
    model: Path | None = typer.Option(None, "--model", help="Model file (default: shipped)."),
    baselines: bool = typer.Option(
        True, "--baselines/--no-baselines", help="Also run no-clean / jusText / trafilatura."
    ),
    json_out: Path | None = typer.Option(
        None, "--json", help="Also write the result dict as JSON here."
    ),
) -> None:
    """Score cleaning against gold text: shingle P/R/F1, bag-of-words F1, per page type, ms/page."""
    from . import format_report
    from .evaluation import evaluate
    from .linemodel import LineModel

    m = LineModel.load(model) if model else None
    res = evaluate(
        data_dir,
        mode="html" if as_html else "text",
        split=split,
        baselines=baselines,
        limit=limit,
        model=m,
    )
    typer.echo(format_report(res))
    if json_out:
        json_out.write_text(json.dumps(res, indent=1), encoding="utf-8")
