"""`clean explain FILE`: every line with its verdict, reason and score."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from cleaner.document import Document
from cleaner.errors import UserError
from cleaner.readers.discover import format_of
from cleaner.readers.files import Unreadable, iter_tasks

REASON_STYLE = {
    "copyright": "magenta", "social": "cyan", "cookie": "yellow", "nav": "blue",
    "related": "bright_magenta", "related_teaser": "bright_magenta", "repeated": "bright_black",
    "model": "red",
}


def explain_documents(path: str | Path, model: bool = True) -> list[Document]:
    """Run the cleaning steps on a file; return its documents with their line decisions."""
    from cleaner.pipeline import Pipeline
    from cleaner.readers.discover import Source

    p = Path(path)
    if not p.is_file():
        raise UserError(f"not a file: {path}")
    fmt = format_of(p.name)
    if fmt is None:
        raise UserError(f"unknown input format: {path}")
    pipeline = Pipeline(model=model, min_words=0)
    docs = []
    for task in iter_tasks([Source(p, p.name, fmt)], pipeline.config.max_doc_bytes):
        for item in pipeline.process_task(task):
            if isinstance(item, Unreadable):
                raise UserError(f"cannot read {path}: {item.error}")
            docs.append(item)
    return docs


def explain(path: str | Path, model: bool = True, color: bool | None = None) -> None:
    console = Console(
        force_terminal=color if color is not None else None,
        no_color=color is False, highlight=False, soft_wrap=True,
    )
    for doc in explain_documents(path, model=model):
        head = f"# {doc.source_path}" + (f" record {doc.record_index}" if doc.record_index else "")
        verdict = "kept" if doc.status == "kept" else f"REJECTED {doc.reject_reason}"
        console.print(f"[bold]{escape(head)}[/]  {verdict}  language={doc.language}")
        if doc.reject_detail:
            console.print(f"  {escape(doc.reject_detail)}")
        for ln in doc.lines:
            ms = "" if ln.model_score is None else f" p={ln.model_score:.2f}"
            if ln.removed:
                style = REASON_STYLE.get(ln.reason or "", "red")
                tag = f"DROP {ln.reason:<14} {ln.score:.2f}{ms}"
                console.print(f"{ln.number:4d} [{style}]{tag}[/] [strike]{escape(ln.text)}[/]"
                              f"  [dim]({escape(ln.detail)})[/]")
            else:
                note = f"  [dim]({escape(ln.detail)})[/]" if ln.detail else ""
                console.print(f"{ln.number:4d} [green]KEEP{'':<20}{ms}[/] {escape(ln.text)}{note}")
    sys.stdout.flush()
