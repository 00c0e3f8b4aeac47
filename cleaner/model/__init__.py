"""Trained boilerplate line classifier (see README section "Line model")."""

from __future__ import annotations

from .evaluation import evaluate, format_report  # cheap: heavy imports are lazy
from .linemodel import LineModel

__all__ = ["LineModel", "evaluate", "format_report", "train"]


def train(data_dir, out, *, seed: int = 0, progress: bool = True) -> dict:
    """Reproduce the shipped model file deterministically (needs scikit-learn, justext)."""
    from .training import train as _train

    return _train(data_dir, out, seed=seed, progress=progress)
