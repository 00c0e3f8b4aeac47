"""The HTML report: one self-contained file whose numbers are stats.json's, every document
openable with its removed lines struck through, usable at any size (sampled, paginated).

The browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright; they skip
when either is missing. Screenshots go to the test's tmp dir, and to $CLEANER_ARTIFACTS
when it is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaner
from cleaner.report import render_report, write_report
from cleaner.report.data import original_lines
from cleaner.stats import Stats
from cleaner.writers.schema import SCHEMA, RowBatch, to_row
from tests.conftest import SEEDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SEED_002 = "002_4159d1db6277fff6.txt"


# -- helpers ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    result = cleaner.clean(SEEDS, to="parquet", out=tmp_path_factory.mktemp("report"),
                           model=False, workers=1, quiet=True)
    write_report(result.path)
    return result.path


def payload(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert m, "no embedded data"
    return json.loads(m.group(1))


class StatSpans(HTMLParser):
    """Collects (data-stat, data-key, text) of every element marked with data-stat."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None, str]] = []
        self._open: list[list[Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-stat" in a:
            self._open.append([tag, a["data-stat"], a.get("data-key"), ""])

    def handle_data(self, data: str) -> None:
        for item in self._open:
            item[3] += data

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, stat, key, text = self._open.pop()
            self.found.append((stat, key, text))


def expected(stats: dict[str, Any], stat: str, key: str | None) -> Any:
    return stats[stat] if key is None else stats[stat][key]


def same_number(text: str, value: Any) -> bool:
    if value is None:
        return text.strip() == "—"
    return float(text.replace(",", "").strip()) == float(value)


def summary_keys(stats: dict[str, Any]) -> set[tuple[str, str | None]]:
    """Every number the summary must show."""
    keys: set[tuple[str, str | None]] = {
        (k, None) for k in ("documents_in", "documents", "kept", "rejected", "unreadable",
                            "lines_in", "lines_kept", "lines_removed", "seconds",
                            "docs_per_second", "mb_per_second", "input_bytes")
    }
    for k in ("rejected_by_reason", "unreadable_by_reason", "lines_removed_by_reason",
              "lines_removed_by", "languages", "words_before_histogram",
              "words_after_histogram"):
        keys |= {(k, sub) for sub in stats[k]}
    return keys


def make_row(i: int, *, status: str = "kept", reason: str | None = None,
             dup: str | None = None, folder: str = "", lang: str = "en",
             n_lines: int = 6, removed_at: dict[int, str] | None = None,
             lines: list[str] | None = None) -> dict[str, Any]:
    """A row as the pipeline writes it; `removed_at` maps 0-based line index -> reason."""
    lines = lines or [f"Paragraph {j} of document {i}: some words here." for j in range(n_lines)]
    removed_at = removed_at or {}
    kept = [ln for j, ln in enumerate(lines) if j not in removed_at]
    text = "\n\n".join(kept)
    return {
        "id": f"doc{i:06d}", "text": text, "status": status, "reject_reason": reason,
        "reject_detail": f"because {reason}" if reason else None, "duplicate_of": dup,
        "source_path": f"{folder}/f{i:06d}.txt" if folder else f"f{i:06d}.txt",
        "record_index": 0, "source_sha256": "0" * 64, "source_bytes": 100, "format": "text",
        "encoding": "utf-8", "notes": [], "title": None, "url": None, "date": None,
        "language": lang, "language_prob": 0.99, "n_words": len(text.split()),
        "n_lines_in": len(lines), "n_lines_kept": len(kept),
        "removed": [
            {"line": j + 1, "start": 0, "end": 0, "text": lines[j], "reason": r, "score": 0.9,
             "by": "rule", "detail": f"{r} rule", "model_score": None}
            for j, r in sorted(removed_at.items())
        ],
        "metadata": None, "cleaner_version": "0.1.0", "config_hash": "h",
    }


def write_output(folder: Path, rows: list[dict[str, Any]], fmt: str = "parquet") -> Path:
    """An output folder as a run writes it: shards (parquet, jsonl or hf), stats, manifest."""
    stats, batch = Stats(), RowBatch(rows)
    stats.add_table(batch.table, batch.removed_words)
    stats.seconds = 1.5
    folder.mkdir(parents=True)
    for split in ("train", "rejected"):
        mine = [r for r in rows if (r["status"] == "kept") == (split == "train")]
        table = pa.Table.from_pylist(mine, schema=SCHEMA)
        if fmt == "parquet":
            (folder / "data").mkdir(exist_ok=True)
            pq.write_table(table, folder / "data" / f"{split}-00000.parquet")
        elif fmt == "jsonl":
            (folder / "data").mkdir(exist_ok=True)
            (folder / "data" / f"{split}-00000.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in mine), "utf-8")
        else:
            (folder / split).mkdir()
            name = "data-00000-of-00001.arrow"
            with pa.ipc.new_stream(str(folder / split / name), SCHEMA) as w:
                w.write_table(table)
            (folder / split / "state.json").write_text(
                json.dumps({"_data_files": [{"filename": name}]}), "utf-8")
    if fmt == "hf":
        (folder / "dataset_dict.json").write_text('{"splits": ["train", "rejected"]}', "utf-8")
    (folder / "stats.json").write_text(json.dumps(stats.as_dict()), "utf-8")
    (folder / "manifest.json").write_text(json.dumps(
        {"cleaner_version": "0.1.0", "config_hash": "h", "format": fmt, "inputs": ["synthetic"],
         "config": {"model": False, "min_words": 50, "workers": 1}}), "utf-8")
    return folder


def synthetic_rows(n: int) -> list[dict[str, Any]]:
    """n documents: every 4th rejected (too_short, or a duplicate of document 0), in two
    folders and two languages, with a few boilerplate lines removed."""
    rows = []
    for i in range(n):
        removed = {0: "nav", 5: "copyright"} if i % 3 == 0 else {4: "social"}
        if i % 4 == 3:
            dup = i % 8 == 3
            rows.append(make_row(i, status="rejected",
                                 reason="duplicate" if dup else "too_short",
                                 dup="doc000000" if dup else None, folder="b",
                                 lang="de", removed_at=removed))
        else:
            rows.append(make_row(i, folder="a" if i % 2 else "", removed_at=removed))
    return rows


# -- the file --------------------------------------------------------------------------------

EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_report_is_self_contained(seeds_out: Path) -> None:
    html = (seeds_out / "report.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert "@import" not in html and "<link" not in html.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # The data stays inside its <script>: the JSON holds no "<" at all.
    blob = re.search(r'id="report-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in blob


def test_summary_numbers_are_those_of_stats_json(seeds_out: Path) -> None:
    stats = json.loads((seeds_out / "stats.json").read_text())
    parser = StatSpans()
    parser.feed((seeds_out / "report.html").read_text(encoding="utf-8"))
    assert parser.found
    for stat, key, text in parser.found:
        assert same_number(text, expected(stats, stat, key)), (stat, key, text)
    assert summary_keys(stats) <= {(s, k) for s, k, _ in parser.found}


def test_every_seed_document_is_embedded_with_its_lines(seeds_out: Path) -> None:
    data = payload((seeds_out / "report.html").read_text(encoding="utf-8"))
    assert data["shown"] == data["total"] == 5
    doc = next(d for d in data["docs"] if d["p"] == SEED_002)
    reasons = data["tables"]["reasons"]
    assert len(doc["L"]) == doc["n"] == 32
    removed = {ln[0]: reasons[ln[1]] for ln in doc["L"] if isinstance(ln, list)}
    assert removed["Trending News on PVDN"] == "related"
    assert len(removed) == doc["m"] == 14


@pytest.mark.parametrize("fmt", ["jsonl", "hf"])
def test_formats_give_the_same_report(tmp_path: Path, fmt: str) -> None:
    rows = synthetic_rows(40)
    base = render_report(write_output(tmp_path / "p", rows, "parquet"))
    other = render_report(write_output(tmp_path / fmt, rows, fmt))
    assert payload(other) == payload(base)


def test_sampling_is_bounded_and_deterministic(tmp_path: Path) -> None:
    rows = synthetic_rows(300)
    out = write_output(tmp_path / "o", rows)
    html = render_report(out, max_docs=60)
    data = payload(html)
    assert (data["shown"], data["total"]) == (60, 300)
    assert "Showing 60 of 300 documents, sampled by" in html
    ids = [d["id"] for d in data["docs"]]
    assert len(set(ids)) == 60
    assert "doc000000" in ids  # the kept head of the duplicate cluster
    n_rejected = sum(d["s"] for d in data["docs"])
    assert n_rejected == 29  # half the budget left after the one cluster head
    assert payload(render_report(out, max_docs=60)) == data
    assert [d["id"] for d in payload(render_report(out, max_docs=60, seed=1))["docs"]] != ids


def test_duplicate_clusters_are_listed(tmp_path: Path) -> None:
    rows = synthetic_rows(40)
    html = render_report(write_output(tmp_path / "o", rows))
    n_dups = sum(r["reject_reason"] == "duplicate" for r in rows)
    assert f"{n_dups}×</span> copies of" in html
    assert 'href="#doc=doc000000"' in html
    assert f'data-stat="rejected_by_reason" data-key="duplicate">{n_dups}<' in html


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    evil = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> \u2028 &amp;'
    rows = [make_row(0, lines=["Intro line.", evil, "Footer"], removed_at={2: "<b>nav</b>"})]
    html = render_report(write_output(tmp_path / "o", rows))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;b&gt;nav&lt;/b&gt;" in html  # a custom reason code, escaped in the summary
    data = payload(html)
    assert data["docs"][0]["L"][1] == evil


def test_long_documents_keep_their_removed_lines(tmp_path: Path) -> None:
    lines = [f"Body line {j} " + "word " * 30 for j in range(2000)] + ["© 2025 Example"]
    rows = [make_row(0, lines=lines, removed_at={2000: "copyright"})]
    html = render_report(write_output(tmp_path / "o", rows), max_doc_chars=10_000)
    (doc,) = payload(html)["docs"]
    assert isinstance(doc["L"][-1], list) and doc["L"][-1][0] == "© 2025 Example"
    elided = [x for x in doc["L"] if isinstance(x, int)]
    shown = [x for x in doc["L"] if not isinstance(x, int)]
    assert len(shown) + sum(elided) == 2001
    assert sum(len(x if isinstance(x, str) else x[0]) for x in shown) <= 10_000
    assert len(html) < 60_000


def test_missing_output_is_a_clear_error(tmp_path: Path) -> None:
    from cleaner.errors import UserError

    with pytest.raises(UserError, match=r"no stats\.json"):
        render_report(tmp_path)
    (tmp_path / "stats.json").write_text("{}", "utf-8")
    with pytest.raises(UserError, match="no dataset rows"):
        render_report(tmp_path)
    with pytest.raises(UserError, match="not an output folder"):
        render_report(tmp_path / "absent")


LINES = st.sampled_from([
    "Body text of the article, with enough words to be content.",
    "Another paragraph of the article that says something useful.",
    "Scroll to Top", "© 2025 Example News. All rights reserved.", "Home > News > World",
    "Follow us on Facebook", "Trending Now", "  • A teaser headline for another story",
    "", "   ",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(LINES, max_size=25), st.booleans())
def test_original_lines_are_rebuilt_from_the_row(lines: list[str], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    doc = cleaner.clean_text(text, min_words=0, model=False)
    row = to_row(doc, "0", "h")
    rebuilt = original_lines(row["text"], row["removed"], row["n_lines_in"])
    assert [(k, t if k == "k" else t["text"]) for k, t, _ in rebuilt] == [
        ("r", ln.text) if ln.removed else ("k", ln.text.rstrip()) for ln in doc.lines
    ]


# -- in the browser --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install "
                    "chromium) to run the report's browser tests")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A report opened in Chromium, recording console errors and any request made."""

    def __init__(self, browser, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("html[data-ready]", timeout=15_000)

    def shot(self, tmp_path: Path, name: str) -> Path:
        path = tmp_path / name
        self.page.screenshot(path=str(path))
        if os.environ.get("CLEANER_ARTIFACTS"):
            dest = Path(os.environ["CLEANER_ARTIFACTS"])
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest / name)
        return path

    def check_clean(self, path: Path) -> None:
        assert self.errors == []
        assert self.requests == [path.resolve().as_uri()]

    def close(self) -> None:
        self.page.close()


def test_seeds_report_in_chromium(browser, seeds_out: Path, tmp_path: Path) -> None:
    report = seeds_out / "report.html"
    stats = json.loads((seeds_out / "stats.json").read_text())
    p = Page(browser, report)
    page = p.page
    try:
        # The summary shows stats.json's numbers.
        shown = page.eval_on_selector_all(
            "[data-stat]", "els => els.map(e => [e.dataset.stat, e.dataset.key ?? null, "
            "e.textContent])")
        assert summary_keys(stats) <= {(s, k) for s, k, _ in shown}
        for stat, key, text in shown:
            assert same_number(text, expected(stats, stat, key)), (stat, key, text)
        assert page.locator("#list tbody tr").count() == 5
        assert page.locator("#v-lines li").count() == 0  # lines render only when opened

        # Open seed 002: its "Trending" heading is struck through, coloured, with its reason.
        page.locator("#list tbody tr", has_text=SEED_002).click()
        page.wait_for_selector("#viewer:not([hidden])")
        assert page.locator("#v-lines > li").count() == 32
        trending = page.locator("#v-lines del", has_text="Trending News on PVDN")
        assert trending.count() == 1
        assert trending.get_attribute("data-reason") == "related"
        assert "related" in trending.get_attribute("title")
        assert "score 1.00" in trending.get_attribute("title")
        style = trending.evaluate(
            "e => [getComputedStyle(e).textDecorationLine, getComputedStyle(e).color]")
        assert "line-through" in style[0] and style[1] != "rgb(29, 35, 39)"
        kept = page.locator("#v-lines li", has_text="U.S. Drone Surveillance of Cartels")
        assert kept.first.locator("del").count() == 0
        trending.scroll_into_view_if_needed()
        p.shot(tmp_path, "report-seed-002.png")

        # Filters: by reason, by text search, by status.
        page.keyboard.press("Escape")
        assert page.locator("#viewer").is_hidden()
        page.select_option("#f-reason", label="related (1)")
        assert page.locator("#list tbody tr").count() == 1
        page.click("#f-reset")
        page.fill("#f-q", "scroll to top")
        page.wait_for_function(
            "() => document.querySelector('#count').textContent.includes('match')")
        assert 1 <= page.locator("#list tbody tr").count() < 5
        page.fill("#f-q", "")
        page.select_option("#f-status", "1")
        assert page.locator("#list tbody tr").count() == 0
        page.select_option("#f-status", "")
        page.evaluate("window.scrollTo(0, 0)")
        p.shot(tmp_path, "report-seeds.png")
        p.check_clean(report)
    finally:
        p.close()


def test_large_report_in_chromium(browser, tmp_path: Path) -> None:
    """Pagination, sampling, clusters and filters on 500 documents (120 embedded)."""
    out = write_output(tmp_path / "big", synthetic_rows(500))
    report = write_report(out, max_docs=120)
    p = Page(browser, report)
    page = p.page
    try:
        assert page.locator("#list tbody tr").count() == 50
        assert "Showing 120 of 500 documents" in page.inner_text("#sampling")
        assert page.inner_text("#pageinfo") == "page 1 of 3"
        page.click("#next")
        page.click("#next")
        assert page.locator("#list tbody tr").count() == 20
        assert page.is_disabled("#next")
        # A cluster link opens the kept document; its duplicates link back.
        page.click('a.doclink[href="#doc=doc000000"]')
        page.wait_for_selector("#viewer:not([hidden])")
        assert page.inner_text("#v-title") == "f000000.txt"
        page.keyboard.press("Escape")
        folder_b = page.eval_on_selector(
            "#f-folder", "s => [...s.options].find(o => o.text.startsWith('b (')).value")
        page.select_option("#f-folder", folder_b)
        rows = page.locator("#list tbody tr")
        assert 0 < rows.count() <= 50
        rows.first.click()
        assert "rejected" in page.inner_text("#v-facts")
        assert page.locator("#v-lines li.banner").count() == 1
        p.shot(tmp_path, "report-large.png")
        p.check_clean(report)
    finally:
        p.close()
