"""Trained boilerplate line classifier (see README section "Line model")."""

from __future__ import annotations

from .evaluation import evaluate, format_report  # cheap: heavy imports are lazy
from .htmlmodel import HtmlLineModel
from .linemodel import LineModel

__all__ = ["HtmlLineModel", "LineModel", "evaluate", "format_report", "train", "train_html"]


def train(data_dir, out, *, seed: int = 0, progress: bool = True) -> dict:
    """Reproduce the shipped model file deterministically (needs scikit-learn, justext)."""
    from .training import train as _train

    return _train(data_dir, out, seed=seed, progress=progress)


def train_html(data_dir, out, *, seed: int = 0, progress: bool = True) -> dict:
    """Reproduce the shipped HTML line model file deterministically."""
    from .html_training import train_html as _train_html

    return _train_html(data_dir, out, seed=seed, progress=progress)
