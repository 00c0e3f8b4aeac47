# ruff: noqa: E501
"""Trained boilerplate line classifier (see README section "Line model")."""

from __future__ import annotations

from .linemodel import LineModel

__all__ = ["LineModel", "evaluate", "format_report", "train"]


def train(data_dir, out, *, seed: int = 0, progress: bool = True) -> dict:
    """Reproduce the shipped model file deterministically (needs scikit-learn, justext)."""
    from .training import train as _train

    return _train(data_dir, out, seed=seed, progress=progress)


def evaluate(
    data_dir,
    *,
    mode: str = "text",
    split: str = "test",
    baselines: bool = True,
    clean_fn=None,
    limit: int | None = None,
    model: LineModel | None = None,
) -> dict:
    """Score cleaning on pairs in ``data_dir`` (see evaluation.py); ``model`` defaults to the shipped one."""
    from .evaluation import evaluate as _evaluate

    return _evaluate(
        data_dir,
        mode=mode,
        split=split,
        baselines=baselines,
        clean_fn=clean_fn,
        limit=limit,
        model=model,
    )


def format_report(result: dict) -> str:
    from .evaluation import format_report as _fmt

    return _fmt(result)
