"""The report page: a static summary (every number from stats.json) and the document browser.

The summary is plain HTML, so it shows before any script runs. Each number in it carries
`data-stat="KEY"` (and `data-key="SUBKEY"` for a value of a dict in stats.json), so a test
can compare the page with stats.json. The documents are JSON in a
`<script type="application/json">` tag; the browser script (assets.JS) renders one page of
the list at a time and a document's lines only when it is opened.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from typing import Any

from cleaner.report.assets import CSS, JS
from cleaner.report.data import DUPLICATE_REASONS, ReportData

# Colours of reason codes (line reasons, then document reasons); other codes get one of
# EXTRA by a hash of their name, so a custom step's reason always has the same colour.
COLORS = {
    "copyright": "#8e44ad", "social": "#2471a3", "cookie": "#b9770e", "nav": "#c0392b",
    "related": "#117a65", "related_teaser": "#9a7d0a", "repeated": "#5d6d7e",
    "model": "#d35400",
    "language": "#6c3483", "too_short": "#a04000", "empty": "#707b7c", "duplicate": "#1a5276",
    "near_duplicate": "#2e86c1", "binary": "#4d5656", "bad_record": "#943126",
    "bad_gzip": "#78281f", "too_large": "#7e5109",
}
EXTRA = ("#b03a2e", "#7d3c98", "#2e86c1", "#17a589", "#d4ac0d", "#ca6f1e", "#566573",
         "#a93226", "#1f618d", "#148f77")
KEPT_COLOR = "#2e7d32"
REJECTED_COLOR = "#b03a2e"
# Content-Security-Policy: nothing may be fetched; only the inline style and script run.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def color(reason: str) -> str:
    if reason in COLORS:
        return COLORS[reason]
    return EXTRA[int(hashlib.sha256(reason.encode()).hexdigest(), 16) % len(EXTRA)]


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no "<" at all, so never "</script"."""
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return blob.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(data: ReportData, stats: dict[str, Any], manifest: dict[str, Any] | None,
         name: str) -> str:
    manifest = manifest or {}
    payload = {
        "tables": data.tables,
        "colors": [color(r) for r in data.tables["reasons"]],
        "docs": data.docs,
        "shown": len(data.docs),
        "total": data.total,
    }
    title = f"cleaner report: {name}"
    body = "\n".join([
        _header(name, data, manifest),
        '<main>',
        _cards(stats),
        '<div class="grid">',
        _documents_panel(stats),
        _lines_panel(stats),
        _languages_panel(stats),
        _lengths_panel(stats),
        _clusters_panel(stats, data),
        _throughput_panel(stats, manifest),
        '</div>',
        _browser(data),
        '</main>',
        _viewer(),
    ])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        f'<script type="application/json" id="report-data">{script_json(payload)}</script>\n'
        f"<script>{JS}</script>\n</body>\n</html>\n"
    )


# -- pieces -------------------------------------------------------------------------------

def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,}"
    return escape(str(value))


def _stat(stats: dict[str, Any], key: str, sub: str | None = None, cls: str = "num") -> str:
    """A number from stats.json, marked with where it came from."""
    value = stats.get(key) if sub is None else (stats.get(key) or {}).get(sub)
    attrs = f'data-stat="{escape(key)}"'
    if sub is not None:
        attrs += f' data-key="{escape(sub)}"'
    return f'<span class="{cls}" {attrs}>{_num(value)}</span>'


def _pct(part: float, whole: float) -> str:
    if not whole:
        return ""
    p = 100 * part / whole
    return f'<span class="pct">{p:.1f}%</span>' if p >= 0.1 or not part else (
        '<span class="pct">&lt;0.1%</span>')


def _header(name: str, data: ReportData, manifest: dict[str, Any]) -> str:
    facts = [f"{escape(data.format)} output"]
    if manifest.get("cleaner_version"):
        facts.append(f"cleaner {escape(str(manifest['cleaner_version']))}")
    if manifest.get("config_hash"):
        facts.append(f"config <code>{escape(str(manifest['config_hash']))}</code>")
    cfg = manifest.get("config") or {}
    if cfg:
        facts.append("model " + (escape(str(manifest.get("model_version") or "on"))
                                 if cfg.get("model") else "off"))
        facts.append(f"min words {escape(str(cfg.get('min_words')))}")
        if cfg.get("lang"):
            facts.append("languages " + escape(", ".join(map(str, cfg["lang"]))))
    if manifest.get("started"):
        facts.append(f"run {escape(str(manifest['started'])[:19].replace('T', ' '))} UTC")
    inputs = manifest.get("inputs") or []
    inp = (f'<p class="inputs">inputs: {escape(", ".join(map(str, inputs[:10])))}'
           f'{" …" if len(inputs) > 10 else ""}</p>') if inputs else ""
    if not manifest:
        inp += '<p class="warn">manifest.json is missing: the run may not have finished.</p>'
    return (f'<header class="top"><h1>Cleaning report <span class="name">{escape(name)}</span>'
            f'</h1><p class="facts">{" · ".join(facts)}</p>{inp}</header>')


def _cards(stats: dict[str, Any]) -> str:
    cards = [
        ("Documents in", "documents_in", "files and records read"),
        ("Kept", "kept", "train split"),
        ("Rejected", "rejected", "rejected split"),
        ("Unreadable", "unreadable", "listed in manifest.json"),
        ("Lines removed", "lines_removed", None),
    ]
    out = ['<section id="summary" class="cards" aria-label="Summary">']
    for label, key, note in cards:
        if key == "lines_removed":
            note_html = f'of {_stat(stats, "lines_in", cls="inline")} lines'
        else:
            note_html = escape(note or "")
        out.append(f'<div class="card card-{key}"><div class="label">{label}</div>'
                   f'{_stat(stats, key, cls="big")}<div class="note">{note_html}</div></div>')
    out.append("</section>")
    return "".join(out)


def _bars(stats: dict[str, Any], key: str, *, colors: bool = True, empty: str = "none",
          total: float | None = None) -> str:
    values: dict[str, Any] = stats.get(key) or {}
    if not values:
        return f'<p class="empty">{escape(empty)}</p>'
    top = max(values.values()) or 1
    total = total if total is not None else sum(values.values())
    rows = []
    for k, v in values.items():
        c = color(k) if colors else "var(--accent)"
        rows.append(
            f'<div class="bar-row"><span class="bar-label" title="{escape(k)}">'
            f'{_swatch(k) if colors else ""}{escape(k)}</span>'
            f'<span class="bar-track"><span class="bar" style="width:{100 * v / top:.2f}%;'
            f'background:{c}"></span></span>{_stat(stats, key, k)}{_pct(v, total)}</div>'
        )
    return f'<div class="bars">{"".join(rows)}</div>'


def _swatch(reason: str) -> str:
    return f'<i class="sw" style="background:{color(reason)}"></i>'


def _panel(title: str, inner: str, cls: str = "") -> str:
    return f'<section class="panel {cls}"><h2>{title}</h2>{inner}</section>'


def _documents_panel(stats: dict[str, Any]) -> str:
    docs = stats.get("documents") or 0
    kept = stats.get("kept") or 0
    rej = stats.get("rejected") or 0
    split = ""
    if docs:
        split = (
            '<div class="split" aria-hidden="true">'
            f'<span style="width:{100 * kept / docs:.2f}%;background:{KEPT_COLOR}"></span>'
            f'<span style="width:{100 * rej / docs:.2f}%;background:{REJECTED_COLOR}"></span>'
            "</div>"
        )
    inner = (
        f'<p class="lead">{_stat(stats, "documents")} documents written: '
        f'<b class="kept">{_stat(stats, "kept", cls="inline")} kept</b>, '
        f'<b class="rejected">{_stat(stats, "rejected", cls="inline")} rejected</b>.</p>{split}'
        '<h3>Rejected, by reason</h3>'
        + _bars(stats, "rejected_by_reason", empty="no document was rejected", total=docs)
    )
    if stats.get("unreadable_by_reason"):
        inner += ("<h3>Unreadable inputs, by reason</h3>"
                  + _bars(stats, "unreadable_by_reason", total=stats.get("documents_in") or 0))
    return _panel("Documents", inner)


def _lines_panel(stats: dict[str, Any]) -> str:
    inner = (
        f'<p class="lead">{_stat(stats, "lines_removed", cls="inline")} of '
        f'{_stat(stats, "lines_in", cls="inline")} non-blank lines removed; '
        f'{_stat(stats, "lines_kept", cls="inline")} kept.</p>'
        + _bars(stats, "lines_removed_by_reason", empty="no line was removed",
                total=stats.get("lines_in") or 0)
    )
    if stats.get("lines_removed_by"):
        parts = [f'{escape(k)} {_stat(stats, "lines_removed_by", k, cls="inline")}'
                 for k in stats["lines_removed_by"]]
        inner += f'<p class="small">removed by: {", ".join(parts)}</p>'
    return _panel("Lines removed, by reason", inner)


def _languages_panel(stats: dict[str, Any]) -> str:
    inner = _bars(stats, "languages", colors=False, empty="no kept document",
                  total=stats.get("kept") or 0)
    return _panel("Languages of kept documents", inner)


def _bin_start(label: str) -> int:
    try:
        return int(label.split("-")[0].rstrip("+"))
    except ValueError:
        return 1 << 62


def _lengths_panel(stats: dict[str, Any]) -> str:
    before = stats.get("words_before_histogram") or {}
    after = stats.get("words_after_histogram") or {}
    bins = sorted(set(before) | set(after), key=lambda b: (_bin_start(b), b))
    if not bins:
        return _panel("Length in words", '<p class="empty">no documents</p>')
    top = max([*before.values(), *after.values(), 1])
    rows = []
    for b in bins:
        cells = []
        for key, vals, cls in (("words_before_histogram", before, "before"),
                               ("words_after_histogram", after, "after")):
            v = vals.get(b, 0)
            num = _stat(stats, key, b) if b in vals else '<span class="num zero">0</span>'
            cells.append(f'<span class="bar-track"><span class="bar {cls}" '
                         f'style="width:{100 * v / top:.2f}%"></span></span>{num}')
        rows.append(f'<div class="hist-row"><span class="bar-label">{escape(b)}</span>'
                    f'<div class="pair">{cells[0]}{cells[1]}</div></div>')
    legend = ('<p class="legend"><i class="sw before"></i>before cleaning (all documents) '
              '<i class="sw after"></i>after cleaning (kept documents)</p>')
    return _panel("Length in words, before and after", legend + "".join(rows))


def _clusters_panel(stats: dict[str, Any], data: ReportData) -> str:
    by_reason = stats.get("rejected_by_reason") or {}
    present = [r for r in DUPLICATE_REASONS if r in by_reason]
    if present:
        counts = ", ".join(
            f'{_stat(stats, "rejected_by_reason", r, cls="inline")} {escape(r.replace("_", " "))}'
            for r in present)
        lead = f'<p class="lead">Documents rejected as duplicates: {counts}.</p>'
    else:
        lead = '<p class="lead">No document was rejected as a duplicate.</p>'
    if not data.n_clusters:
        return _panel("Duplicate clusters", lead)
    lead += (f'<p class="small">{_plural(data.n_clusters, "cluster")} of '
             f'{_plural(data.n_clustered, "row")}, '
             'grouped by <code>duplicate_of</code> (counted from the rows). Largest first'
             + (f", the first {len(data.clusters)}" if len(data.clusters) < data.n_clusters
                else "") + ":</p>")
    items = []
    for c in data.clusters:
        head = _doc_link(c["head"], c["head_path"] or c["head"] or "(unknown)", c["in"])
        members = ", ".join(_doc_link(m["id"], m["path"], m["in"]) for m in c["members"])
        more = c["size"] - len(c["members"])
        if more > 0:
            members += f" and {more:,} more"
        items.append(f'<li><span class="csize">{c["size"]:,}×</span> copies of {head}: '
                     f'<span class="cmembers">{members}</span></li>')
    return _panel("Duplicate clusters", f'{lead}<ol class="clusters">{"".join(items)}</ol>')


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _doc_link(doc_id: str, label: str, embedded: bool) -> str:
    if embedded:
        return f'<a href="#doc={escape(doc_id)}" class="doclink">{escape(label)}</a>'
    return f'<span class="notshown" title="not in the embedded sample">{escape(label)}</span>'


def _throughput_panel(stats: dict[str, Any], manifest: dict[str, Any]) -> str:
    rows = [
        ("wall time, seconds", "seconds"),
        ("documents per second", "docs_per_second"),
        ("input MB per second", "mb_per_second"),
        ("input bytes", "input_bytes"),
    ]
    inner = '<dl class="kv">' + "".join(
        f"<dt>{label}</dt><dd>{_stat(stats, key, cls='inline')}</dd>" for label, key in rows)
    workers = (manifest.get("config") or {}).get("workers")
    if workers is not None:
        inner += f"<dt>workers</dt><dd>{escape(str(workers or 'all cores'))}</dd>"
    inner += "</dl>"
    return _panel("Throughput", inner)


def _browser(data: ReportData) -> str:
    shown = len(data.docs)
    if shown == data.total:
        sampling = f"Showing all {data.total:,} documents."
    else:
        sampling = (f"Showing {shown:,} of {data.total:,} documents, sampled by "
                    f"{escape(data.sampling.removeprefix('a sample: '))}.")
    return f"""<section id="documents" class="panel wide">
<h2>Documents</h2>
<p class="sampling" id="sampling" data-shown="{shown}" data-total="{data.total}">{sampling}
Open a document to see its original lines, with the removed ones struck through and coloured
by reason (hover for the reason and score).</p>
<form class="filters" id="filters" autocomplete="off">
<label>Status <select id="f-status"><option value="">all</option><option value="0">kept</option>
<option value="1">rejected</option></select></label>
<label>Reason <select id="f-reason"><option value="">any</option></select></label>
<label>Language <select id="f-lang"><option value="">any</option></select></label>
<label>Folder <select id="f-folder"><option value="">any</option></select></label>
<label class="search">Search <input type="search" id="f-q" placeholder="text, path or id"></label>
<button type="reset" id="f-reset">Clear</button>
</form>
<p class="count" id="count" aria-live="polite"></p>
<table class="list" id="list">
<thead><tr><th class="c-path">source</th><th class="c-status">status</th>
<th class="c-lang">lang</th><th class="c-num r">words</th><th class="c-num r">removed</th>
<th>removed lines, by reason</th></tr></thead>
<tbody></tbody>
</table>
<nav class="pager" id="pager"><button type="button" id="prev">‹ Previous</button>
<span id="pageinfo"></span><button type="button" id="next">Next ›</button></nav>
</section>"""


def _viewer() -> str:
    return """<aside id="viewer" hidden aria-label="Document">
<div class="vhead"><h2 id="v-title"></h2>
<label class="toggle"><input type="checkbox" id="v-hide"> hide removed lines</label>
<button type="button" id="v-close" title="Close (Esc)">×</button></div>
<div class="vbody"><dl class="kv facts" id="v-facts"></dl><p class="legend" id="v-legend"></p>
<ol class="lines" id="v-lines"></ol></div>
</aside>"""
