"""cleaner: a boilerplate-stripping corpus cleaner and dataset exporter.

    >>> import cleaner
    >>> result = cleaner.clean(["seeds/"], to="parquet", out="out")   # doctest: +SKIP
    >>> cleaner.clean_text("Body.\\nScroll to Top", min_words=0).text   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__version__ = "0.1.0"


def clean(paths: str | Path | list[str | Path], to: str = "parquet", out: str | Path = "out",
          *, overwrite: bool = False, progress: Callable[[int, int], None] | None = None,
          **options: Any):
    """Clean files or folders into a dataset under `out`; returns a `RunResult`
    (`.path`, `.stats`, `.manifest`). Options are those of `Config` (and of the CLI).
    An interrupted run with the same options resumes unless `overwrite`; `progress(done,
    total)` is called as input files are finished."""
    from cleaner.pipeline import Pipeline

    if isinstance(paths, (str, Path)):
        paths = [paths]
    return Pipeline(to=to, out=str(out), **options).run(list(paths), progress=progress,
                                                         overwrite=overwrite)


def clean_text(text: str, **options: Any):
    """Clean one text. Returns the `Document`: `.text` is the kept text, `.lines` holds
    each line's decision (`reason`, `score`, `detail`, `model_score`)."""
    from cleaner.pipeline import Pipeline

    return Pipeline(**options).clean_text(text)


def clean_html(html: str, **options: Any):
    """Clean one HTML page. Returns the `Document`, as `clean_text` does; with the model on,
    its lines are every line of the page, the boilerplate ones removed with their reasons."""
    from cleaner.pipeline import Pipeline

    return Pipeline(**options).clean_html(html)


def __getattr__(name: str) -> Any:  # lazy: `import cleaner` stays cheap
    if name == "Pipeline":
        from cleaner.pipeline import Pipeline

        return Pipeline
    if name == "RunResult":
        from cleaner.job import RunResult

        return RunResult
    if name == "UserError":
        from cleaner.errors import UserError

        return UserError
    if name == "Config":
        from cleaner.config import Config

        return Config
    if name in ("Document", "Line"):
        from cleaner import document

        return getattr(document, name)
    raise AttributeError(name)


__all__ = ["Config", "Document", "Line", "Pipeline", "RunResult", "UserError", "clean",
           "clean_html", "clean_text"]
