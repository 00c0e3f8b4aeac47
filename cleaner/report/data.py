"""The report's data: a deterministic sample of documents, each as its original line sequence.

Two passes over the shards. The first reads a few small columns of every row (to count,
group duplicates into clusters and choose the sample); the second reads the full rows of the
chosen documents only, one shard at a time.

A document's original lines are rebuilt from its row alone: the non-blank lines of `text`
(the kept lines, in order) fill the positions that `removed[*].line` leaves free.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.report.load import Part, find_parts

# Columns read for every row in the first pass.
INDEX_COLUMNS = ["id", "status", "reject_reason", "duplicate_of", "source_path", "record_index"]
# Columns read for the sampled rows.
DOC_COLUMNS = [
    "id", "text", "status", "reject_reason", "reject_detail", "duplicate_of", "source_path",
    "record_index", "format", "encoding", "notes", "title", "url", "date", "language",
    "language_prob", "n_words", "n_lines_in", "n_lines_kept", "removed",
]
DUPLICATE_REASONS = ("duplicate", "near_duplicate")
REJECTED_SHARE = 0.5  # of the sample, at most this share goes to rejected documents
MAX_CLUSTERS = 50  # clusters listed on the page (the count covers all of them)
MAX_CLUSTER_MEMBERS = 12  # members listed under each cluster
LINE_CHARS = 3000  # a longer line is cut (the dataset has it whole)


@dataclass
class RowRef:
    part: int
    row: int
    id: str
    source_path: str
    record_index: int
    rejected: bool
    reject_reason: str | None
    duplicate_of: str | None


@dataclass
class Interner:
    """Repeated strings (reason codes, details, languages) go into a table, once each."""

    values: list[str] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def __call__(self, value: str) -> int:
        i = self._index.get(value)
        if i is None:
            i = self._index[value] = len(self.values)
            self.values.append(value)
        return i


@dataclass
class ReportData:
    format: str
    total: int
    total_kept: int
    total_rejected: int
    sampling: str  # how the embedded documents were chosen, for the page
    docs: list[dict[str, Any]]
    tables: dict[str, list[str]]  # interned strings: reasons, details, by, langs, folders
    clusters: list[dict[str, Any]]
    n_clusters: int
    n_clustered: int


def folder_of(source_path: str) -> str:
    """The first path component of `source_path`; "." for a top-level file."""
    head, sep, _ = source_path.partition("/")
    return head if sep else "."


def collect(out_dir: Path, *, max_docs: int = 5000, seed: int = 0,
            max_doc_chars: int = 20_000) -> ReportData:
    """Read the output in `out_dir` and build the report's data (see the module doc)."""
    fmt, parts = find_parts(out_dir)
    refs = _index(parts)
    clusters, n_clustered, heads = _clusters(refs)
    chosen, sampling = _sample(refs, max_docs, seed, heads)
    tables = {k: Interner() for k in ("reasons", "details", "by", "langs", "folders")}
    docs = _load_docs(parts, refs, chosen, tables, max_doc_chars)
    embedded = {d["id"] for d in docs}
    for c in clusters:
        c["in"] = c["head"] in embedded
        for m in c["members"]:
            m["in"] = m["id"] in embedded
    n_rej = sum(r.rejected for r in refs)
    return ReportData(
        format=fmt, total=len(refs), total_kept=len(refs) - n_rej, total_rejected=n_rej,
        sampling=sampling, docs=docs, tables={k: v.values for k, v in tables.items()},
        clusters=clusters[:MAX_CLUSTERS], n_clusters=len(clusters), n_clustered=n_clustered,
    )


def _index(parts: list[Part]) -> list[RowRef]:
    refs: list[RowRef] = []
    for pi, part in enumerate(parts):
        t = part.read(INDEX_COLUMNS)
        c = {name: t.column(name).to_pylist() for name in INDEX_COLUMNS}
        for ri in range(t.num_rows):
            refs.append(RowRef(
                part=pi, row=ri, id=c["id"][ri] or "", source_path=c["source_path"][ri] or "",
                record_index=c["record_index"][ri] or 0, rejected=c["status"][ri] != "kept",
                reject_reason=c["reject_reason"][ri], duplicate_of=c["duplicate_of"][ri],
            ))
    return refs


def _clusters(refs: list[RowRef]) -> tuple[list[dict[str, Any]], int, list[str]]:
    """Duplicate clusters: the rows rejected as (near-)duplicates, grouped by `duplicate_of`.

    Returns the clusters (largest first), the number of rows in them, and the ids of the
    kept heads of the listed clusters (so that the sample can include them).
    """
    groups: dict[str, list[RowRef]] = defaultdict(list)
    for r in refs:
        if r.rejected and r.reject_reason in DUPLICATE_REASONS:
            groups[r.duplicate_of or ""].append(r)
    if not groups:
        return [], 0, []
    path_of = {r.id: r.source_path for r in refs}
    clusters = []
    for head, members in groups.items():
        members.sort(key=lambda r: (r.source_path, r.record_index))
        clusters.append({
            "head": head, "head_path": path_of.get(head, ""), "size": len(members),
            "reasons": sorted({m.reject_reason or "" for m in members}),
            "members": [{"id": m.id, "path": _where(m)} for m in members[:MAX_CLUSTER_MEMBERS]],
        })
    clusters.sort(key=lambda c: (-c["size"], c["head_path"], c["head"]))
    heads = [c["head"] for c in clusters[:MAX_CLUSTERS] if c["head"]]
    return clusters, sum(c["size"] for c in clusters), heads


def _where(r: RowRef) -> str:
    return f"{r.source_path}:{r.record_index}" if r.record_index else r.source_path


def _sample(refs: list[RowRef], max_docs: int, seed: int, heads: list[str]
            ) -> tuple[list[int], str]:
    """Indices into `refs` of the documents to embed, and a sentence saying how."""
    n = len(refs)
    if n <= max_docs:
        return list(range(n)), f"all {n:,} documents"
    rng = random.Random(seed)
    rejected = [i for i, r in enumerate(refs) if r.rejected]
    kept = [i for i, r in enumerate(refs) if not r.rejected]
    by_id = {refs[i].id: i for i in kept}
    chosen_heads = [by_id[h] for h in heads if h in by_id][: max_docs // 10]
    budget = max_docs - len(chosen_heads)
    head_set = set(chosen_heads)
    kept = [i for i in kept if i not in head_set]
    n_rej = min(len(rejected), int(budget * REJECTED_SHARE))
    n_kept = min(len(kept), budget - n_rej)
    n_rej = min(len(rejected), budget - n_kept)  # kept documents too few: more rejected ones
    pick_rej = rng.sample(rejected, n_rej) if n_rej < len(rejected) else rejected
    pick_kept = rng.sample(kept, n_kept) if n_kept < len(kept) else kept
    parts = []
    if chosen_heads:
        parts.append("the kept head of the largest duplicate cluster" if len(chosen_heads) == 1
                     else f"the kept heads of the {len(chosen_heads):,} largest duplicate "
                     "clusters")
    parts.append(
        f"all {len(rejected):,} rejected documents" if n_rej == len(rejected)
        else f"a random {n_rej:,} of the {len(rejected):,} rejected documents"
    )
    parts.append(
        f"all {len(kept) + len(chosen_heads):,} kept documents" if n_kept == len(kept)
        else f"a random {n_kept:,} of the {len(kept):,} other kept documents"
    )
    how = ", ".join(parts[:-1]) + " and " + parts[-1]
    text = (f"a sample: {how} (rejected documents take at most "
            f"{int(REJECTED_SHARE * 100)}% of the sample; random with seed {seed}, so the same "
            "output always gives the same sample)")
    return sorted([*chosen_heads, *pick_rej, *pick_kept]), text


def _load_docs(parts: list[Part], refs: list[RowRef], chosen: list[int],
               tables: dict[str, Interner], max_doc_chars: int) -> list[dict[str, Any]]:
    per_part: dict[int, list[int]] = defaultdict(list)
    for i in chosen:
        per_part[refs[i].part].append(refs[i].row)
    docs = []
    for pi in sorted(per_part):
        part = parts[pi]
        table = part.read(DOC_COLUMNS)
        rows = table.take(sorted(per_part[pi])).to_pylist()
        docs += [_encode_doc(row, tables, max_doc_chars) for row in rows]
        del table
    docs.sort(key=lambda d: (d["p"], d.get("k", 0), d["id"]))
    return docs


def _r(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(float(x), digits)


def _encode_doc(row: dict[str, Any], tables: dict[str, Interner], max_chars: int
                ) -> dict[str, Any]:
    """A compact object for the page (keys are short: there may be thousands of these)."""
    reasons, details, by = tables["reasons"], tables["details"], tables["by"]
    removed = row.get("removed") or []
    seq = original_lines(row.get("text") or "", removed, row.get("n_lines_in") or 0)
    lines: list[Any] = []
    gaps: list[int] = []
    skipped = 0
    for item in _elide(seq, max_chars):
        if item is None:
            skipped += 1
            continue
        if skipped:
            lines.append(skipped)
            skipped = 0
        kind, payload, blank = item
        if blank:
            gaps.append(len(lines))
        if kind == "k":
            lines.append(_cut(payload))
        else:
            lines.append([
                _cut(payload.get("text") or ""), reasons(payload.get("reason") or "?"),
                _r(payload.get("score")), details(payload.get("detail") or ""),
                by(payload.get("by") or ""), _r(payload.get("model_score")),
            ])
    if skipped:
        lines.append(skipped)
    doc: dict[str, Any] = {
        "id": row["id"],
        "p": row.get("source_path") or "",
        "s": 0 if row.get("status") == "kept" else 1,
        "lg": tables["langs"](row.get("language") or "unknown"),
        "w": row.get("n_words") or 0,
        "n": row.get("n_lines_in") or 0,
        "m": len(removed),
        "f": tables["folders"](folder_of(row.get("source_path") or "")),
        "R": sorted({reasons(r.get("reason") or "?") for r in removed}),
        "L": lines,
    }
    optional = {
        "k": row.get("record_index") or None,
        "rr": reasons(row["reject_reason"]) if row.get("reject_reason") else None,
        "rd": row.get("reject_detail"),
        "d": row.get("duplicate_of"),
        "lp": _r(row.get("language_prob"), 2),
        "t": row.get("title"), "u": row.get("url"), "dt": row.get("date"),
        "fm": row.get("format"), "en": row.get("encoding"),
        "nt": row.get("notes") or None,
        "g": gaps or None,
    }
    doc.update({k: v for k, v in optional.items() if v is not None})
    return doc


def _cut(text: str) -> str:
    if len(text) <= LINE_CHARS:
        return text
    return f"{text[:LINE_CHARS]} … [{len(text) - LINE_CHARS:,} more characters]"


Line = tuple[str, Any, bool]  # ("k", text, blank_before) or ("r", removed struct, False)


def original_lines(text: str, removed: list[dict[str, Any]], n_lines_in: int) -> list[Line]:
    """The document's original non-blank lines, in order, rebuilt from its row.

    Kept lines are the non-blank lines of `text`; removed lines sit at their `line` number
    (1-based among the non-blank lines). `blank_before` is True for a kept line that had a
    blank line before it (the row records that as "\\n\\n" in `text`).
    """
    kept: list[tuple[str, bool]] = []
    blank = False
    for seg in text.split("\n"):
        if not seg.strip():
            blank = bool(kept)
            continue
        kept.append((seg, blank))
        blank = False
    at: dict[int, dict[str, Any]] = {}
    extra: list[dict[str, Any]] = []
    for r in removed:
        no = r.get("line") or 0
        if no < 1 or no in at:
            extra.append(r)
        else:
            at[no] = r
    total = max(n_lines_in, len(kept) + len(at), max(at, default=0))
    out: list[Line] = []
    ki = 0
    for no in range(1, total + 1):
        if no in at:
            out.append(("r", at[no], False))
        elif ki < len(kept):
            out.append(("k", kept[ki][0], kept[ki][1]))
            ki += 1
    out += [("k", t, b) for t, b in kept[ki:]]
    out += [("r", r, False) for r in extra]
    return out


def _elide(seq: list[Line], max_chars: int) -> list[Line | None]:
    """`seq` with lines left out (None) when the document is longer than `max_chars`.

    Removed lines, their neighbours and the first lines go in first; the other kept lines
    fill what is left of the budget, in order.
    """
    sizes = [min(len(_text(x)), LINE_CHARS) + 1 for x in seq]
    if sum(sizes) <= max_chars:
        return list(seq)
    first = set(range(min(3, len(seq))))
    near = {j for i, x in enumerate(seq) if x[0] == "r" for j in (i - 1, i, i + 1)}
    order = sorted(range(len(seq)), key=lambda i: (i not in first and i not in near, i))
    keep: set[int] = set()
    used = 0
    for i in order:
        if used + sizes[i] > max_chars and keep:
            continue
        keep.add(i)
        used += sizes[i]
    return [x if i in keep else None for i, x in enumerate(seq)]


def _text(x: Line) -> str:
    return x[1] if x[0] == "k" else (x[1].get("text") or "")
