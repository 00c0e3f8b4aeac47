# ruff: noqa: B008  (typer declares CLI parameters as call defaults)
"""Typer-ready command functions for the line models (registered by cleaner/cli.py).

clean train DATA_DIR --out MODEL [--html]
clean eval DATA_DIR [--as-text|--as-html] [--split test|train|all] [--limit N] [--model PATH]
           [--html-model PATH]
"""

from __future__ import annotations

import json
from pathlib import Path

import typer


def train_command(
    data_dir: Path = typer.Argument(
        ..., help="Folder of <id>.html[.gz] + <id>.txt pairs (+ meta.jsonl)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Where to write the model (.npz). [default: line_model.npz, "
        "or html_model.npz with --html]"
    ),
    html: bool = typer.Option(
        False, "--html", help="Train the HTML line model (text and DOM features, on the lines "
        "of each page's layout) instead of the text one."
    ),
    seed: int = typer.Option(
        0, "--seed", help="Random seed (training is deterministic for a seed)."
    ),
) -> None:
    """Train a boilerplate line model (needs scikit-learn and justext)."""
    from . import train, train_html

    out = out or Path("html_model.npz" if html else "line_model.npz")
    summary = (train_html if html else train)(data_dir, out, seed=seed, progress=True)
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
    model: Path | None = typer.Option(
        None, "--model", help="Text line model file (default: shipped)."),
    html_model: Path | None = typer.Option(
        None, "--html-model", help="HTML line model file (default: shipped)."),
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
    from .htmlmodel import HtmlLineModel
    from .linemodel import LineModel

    m = LineModel.load(model) if model else None
    hm = HtmlLineModel.load(html_model) if html_model else None
    res = evaluate(
        data_dir,
        mode="html" if as_html else "text",
        split=split,
        baselines=baselines,
        limit=limit,
        model=m,
        html_model=hm,
    )
    typer.echo(format_report(res))
    if json_out:
        json_out.write_text(json.dumps(res, indent=1), encoding="utf-8")
