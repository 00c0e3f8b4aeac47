"""An HTML report of a finished output: one self-contained file, `report.html`.

    >>> from cleaner.report import write_report
    >>> write_report(Path("out/seeds"))   # doctest: +SKIP
    PosixPath('out/seeds/report.html')

The summary's numbers all come from `stats.json`; the documents (a deterministic sample of
at most `max_docs`) come from the rows, in whichever format the output was written. The
page fetches nothing: its style and script are inline and a Content-Security-Policy forbids
any request.
"""

from __future__ import annotations

from pathlib import Path

from cleaner.errors import UserError
from cleaner.report.data import collect
from cleaner.report.load import read_json
from cleaner.report.render import page

__all__ = ["render_report", "write_report"]


def render_report(out_dir: Path, *, max_docs: int = 5000, seed: int = 0,
                  max_doc_chars: int = 20_000) -> str:
    """The report page of the output in `out_dir`, as a string."""
    out_dir = Path(out_dir)
    if max_docs < 0:
        raise UserError(f"max_docs must be 0 or more, not {max_docs}")
    if not out_dir.is_dir():
        raise UserError(f"not an output folder: {out_dir}")
    manifest = read_json(out_dir / "manifest.json")
    stats = read_json(out_dir / "stats.json")
    if stats is None:
        stats = (manifest or {}).get("stats")
    if stats is None:
        raise UserError(f"no stats.json in {out_dir}: is it the output folder of a `clean` run?")
    data = collect(out_dir, max_docs=max_docs, seed=seed, max_doc_chars=max_doc_chars)
    return page(data, stats, manifest, _name(out_dir, manifest))


def write_report(out_dir: Path, *, max_docs: int = 5000, seed: int = 0,
                 max_doc_chars: int = 20_000) -> Path:
    """Write `out_dir/report.html` and return its path.

    `max_docs` documents at most are embedded (all when there are fewer): the kept heads of
    the largest duplicate clusters, rejected documents up to half of the budget, then kept
    ones; the choice is random with `seed` where it must be, so it is reproducible. A
    document longer than `max_doc_chars` is embedded with its removed lines and their
    neighbours, and as many other lines as fit.
    """
    from cleaner.writers.shards import atomic_write

    out_dir = Path(out_dir)
    html = render_report(out_dir, max_docs=max_docs, seed=seed, max_doc_chars=max_doc_chars)
    path = out_dir / "report.html"
    # "replace": a lone surrogate (possible in JSONL input) must not stop the report.
    blob = html.encode("utf-8", errors="replace")
    atomic_write(path, lambda tmp: tmp.write_bytes(blob))
    return path


def _name(out_dir: Path, manifest: dict | None) -> str:
    name = out_dir.resolve().name
    if name.startswith(".") and name.endswith(".partial"):  # the staging folder of a run
        name = name[1:-len(".partial")]
    return name or str((manifest or {}).get("config", {}).get("name") or "dataset")
