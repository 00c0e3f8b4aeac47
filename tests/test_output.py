"""Outputs: the three formats agree, runs are reproducible, and every input is accounted for."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import cleaner
from tests.conftest import SEEDS

ARTICLE = (
    "The regional water authority said on Tuesday that reservoir levels had recovered to "
    "their long-term average after the wettest spring in a decade, easing fears of summer "
    "restrictions. Engineers will still inspect the older dams before the autumn storms, and "
    "the authority asked households to keep saving water where they can."
)

HTML = f"""<!DOCTYPE html><html lang="en"><head><title>Reservoirs recover after wet spring</title>
<link rel="canonical" href="https://news.example.org/water/reservoirs">
<meta property="article:published_time" content="2025-04-02"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Reservoirs recover after wet spring</h1><p>{ARTICLE}</p>
<p>Officials said the recovery was uneven across the region, with the northern lakes still
below their usual level for the season despite weeks of heavy rain and several floods.</p>
</article><footer>© 2025 Example News. All rights reserved.</footer></body></html>"""


def make_mixed(root: Path) -> Path:
    src = root / "mixed"
    (src / "sub dir").mkdir(parents=True)
    (src / "a.txt").write_text(f"{ARTICLE}\n\nScroll to Top\n", encoding="utf-8")
    (src / "b.html").write_text(HTML, encoding="utf-8")
    (src / "sub dir" / "c.txt.gz").write_bytes(gzip.compress(f"{ARTICLE} Again.".encode()))
    (src / "d.txt").write_text(ARTICLE, encoding="utf-8")  # exact duplicate of a.txt's text
    (src / "latin1.txt").write_bytes(
        ("Información: " + ARTICLE.replace("average", "média") + " Ñandú, año, acción.")
        .encode("latin-1"))
    (src / "e.jsonl").write_text(
        json.dumps({"text": ARTICLE + " Third copy, changed.", "source": "crawl-7", "n": 3}) + "\n"
        + "{broken json\n"
        + json.dumps({"body": "no text field"}) + "\n"
        + json.dumps({"html": HTML, "url": "https://x.example/page"}) + "\n",
        encoding="utf-8")
    (src / "blob.txt").write_bytes(bytes(range(256)) * 40)
    (src / "short.md").write_text("Too short to keep.\n", encoding="utf-8")
    (src / "notes.csv").write_text("a,b\n", encoding="utf-8")
    return src


def read_rows(path: Path) -> list[dict]:
    rows = []
    for split in ("train", "rejected"):
        for f in sorted((path / "data").glob(f"{split}-*.parquet")):
            rows += pq.read_table(f).to_pylist()
    return rows


def test_every_input_is_accounted_for(tmp_path: Path) -> None:
    src = make_mixed(tmp_path)
    res = cleaner.clean(src, out=tmp_path / "out", model=False, min_words=20)
    rows = read_rows(res.path)
    manifest = json.loads((res.path / "manifest.json").read_text())
    by = {(r["source_path"], r["record_index"]): r for r in rows}
    assert len(by) == len(rows)  # nothing twice
    status = {k: (r["status"], r["reject_reason"]) for k, r in by.items()}
    assert status == {
        ("a.txt", 0): ("kept", None),
        ("b.html", 0): ("kept", None),
        ("blob.txt", 0): ("rejected", "binary"),
        ("d.txt", 0): ("rejected", "duplicate"),
        ("e.jsonl", 1): ("rejected", "near_duplicate"),  # a.txt plus a few words
        ("e.jsonl", 2): ("rejected", "bad_record"),
        ("e.jsonl", 3): ("rejected", "bad_record"),
        ("e.jsonl", 4): ("rejected", "duplicate"),
        ("latin1.txt", 0): ("kept", None),
        ("short.md", 0): ("rejected", "too_short"),
        ("sub dir/c.txt.gz", 0): ("rejected", "near_duplicate"),
    }
    assert manifest["unreadable"] == [
        {"path": "notes.csv", "reason": "unsupported_format", "error": "not a supported file type"}
    ]
    assert by[("d.txt", 0)]["duplicate_of"] == by[("a.txt", 0)]["id"]
    assert by[("sub dir/c.txt.gz", 0)]["duplicate_of"] == by[("a.txt", 0)]["id"]
    assert "estimated Jaccard" in by[("e.jsonl", 1)]["reject_detail"]
    assert res.stats["documents_in"] == len(rows) + 1
    # provenance
    a = by[("a.txt", 0)]
    assert a["removed"][0]["text"] == "Scroll to Top" and a["removed"][0]["reason"] == "nav"
    assert a["source_sha256"] and a["source_bytes"] == (src / "a.txt").stat().st_size
    lat = by[("latin1.txt", 0)]
    assert lat["encoding"] != "utf-8" and "Ñandú, año, acción" in lat["text"]
    assert any("not valid UTF-8" in n for n in lat["notes"])
    rec = by[("e.jsonl", 1)]  # metadata is carried on rejected rows too
    assert json.loads(rec["metadata"]) == {"n": 3, "source": "crawl-7"}
    html = by[("b.html", 0)]
    assert html["format"] == "html" and html["title"] == "Reservoirs recover after wet spring"
    assert html["url"] == "https://news.example.org/water/reservoirs"
    assert html["date"] == "2025-04-02"
    assert "Home" not in html["text"] and ARTICLE in html["text"]
    assert by[("e.jsonl", 4)]["url"] == "https://x.example/page"
    assert "line 2: not valid JSON" in by[("e.jsonl", 2)]["reject_detail"]
    assert by[("e.jsonl", 3)]["reject_detail"] == "line 3: no 'text' or 'html' field"


def test_hf_and_parquet_give_the_same_rows(tmp_path: Path) -> None:
    import datasets

    p = cleaner.clean(SEEDS, to="parquet", out=tmp_path / "p", model=False, min_words=400)
    h = cleaner.clean(SEEDS, to="hf", out=tmp_path / "h", model=False, min_words=400)
    files = {s: sorted(str(f) for f in (p.path / "data").glob(f"{s}-*.parquet"))
             for s in ("train", "rejected")}
    from_parquet = datasets.load_dataset("parquet", data_files=files,
                                         cache_dir=str(tmp_path / "cache"))
    from_disk = datasets.load_from_disk(str(h.path))
    assert set(from_disk) == {"train", "rejected"}
    for split in ("train", "rejected"):
        assert from_disk[split].to_list() == from_parquet[split].to_list()
    assert len(from_disk["train"]) + len(from_disk["rejected"]) == 5
    assert len(from_disk["rejected"]) >= 1  # seed 001 is under 400 words


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "hf"])
def test_two_runs_give_byte_identical_data_files(tmp_path: Path, fmt: str) -> None:
    src = make_mixed(tmp_path)
    blobs = []
    for run in ("one", "two"):
        res = cleaner.clean(src, to=fmt, out=tmp_path / run, model=False)
        files = sorted(p for p in res.path.rglob("*")
                       if p.is_file() and p.suffix in (".parquet", ".jsonl", ".arrow"))
        assert files
        blobs.append({str(f.relative_to(res.path)): f.read_bytes() for f in files})
    assert blobs[0] == blobs[1]


def test_ids_are_stable_and_rows_carry_version_and_config_hash(tmp_path: Path) -> None:
    a = read_rows(cleaner.clean(SEEDS, out=tmp_path / "a", model=False).path)
    b = read_rows(cleaner.clean(SEEDS, out=tmp_path / "b", model=False, min_words=10).path)
    assert [r["id"] for r in a] == [r["id"] for r in b]
    assert {r["cleaner_version"] for r in a} == {cleaner.__version__}
    assert a[0]["config_hash"] != b[0]["config_hash"]  # a different config shows in the rows


def test_language_filter(tmp_path: Path) -> None:
    src = tmp_path / "langs"
    src.mkdir()
    (src / "en.txt").write_text(ARTICLE)
    (src / "es.txt").write_text(
        "El ayuntamiento aprobó el martes el nuevo plan de movilidad, que amplía los carriles "
        "para bicicletas y reduce el tráfico en el centro histórico durante los fines de semana. "
        "Los comerciantes pidieron más aparcamientos en los barrios cercanos al mercado.")
    res = cleaner.clean(src, out=tmp_path / "o", model=False, lang=["es"], min_words=5)
    rows = {r["source_path"]: r for r in read_rows(res.path)}
    assert rows["es.txt"]["status"] == "kept" and rows["es.txt"]["language"] == "es"
    assert rows["en.txt"]["reject_reason"] == "language" and rows["en.txt"]["language"] == "en"
    assert 0.5 < rows["en.txt"]["language_prob"] <= 1.0


def test_an_html_page_with_the_model_shows_every_line_it_removed(tmp_path: Path) -> None:
    """The default HTML path: the page is laid out as lines, the HTML line model (and the
    rules) remove the boilerplate ones, and each removed line is in the row with its
    reason, score and span in the laid-out text."""
    from cleaner.extractors.dom import render_dom

    src = tmp_path / "page"
    src.mkdir()
    (src / "b.html").write_text(HTML, encoding="utf-8")
    res = cleaner.clean(src, out=tmp_path / "out", min_words=20)
    (row,) = read_rows(res.path)
    assert row["status"] == "kept" and row["notes"] == []
    assert ARTICLE in row["text"] and "northern lakes" in row["text"]
    assert "Home" not in row["text"] and "©" not in row["text"]
    removed = {r["text"]: r for r in row["removed"]}
    assert removed["Home News"]["by"] in ("model", "rule")
    assert removed["© 2025 Example News. All rights reserved."]["reason"] == "copyright"
    laid_out = render_dom(HTML).text
    for r in row["removed"]:
        assert laid_out[r["start"]:r["end"]] == r["text"]
        assert r["model_score"] is not None and 0 <= r["model_score"] <= 1
    assert row["n_lines_in"] == len(render_dom(HTML))


def test_model_versions_are_read_without_loading_the_models(tmp_path: Path) -> None:
    """The manifest names both models' versions; a text-only run does not load the HTML
    model to say so, and a missing model file is a one-line error, not a traceback."""
    from cleaner.errors import UserError
    from cleaner.filters.model import ModelFilter
    from cleaner.model import HtmlLineModel, LineModel

    f = ModelFilter()
    expected = f"text {LineModel.load().version}, html {HtmlLineModel.load().version}"
    assert f.version == expected
    assert f._model is None and f._html_model is None
    with pytest.raises(UserError, match="line model not found"):
        _ = ModelFilter(html_model_path=str(tmp_path / "missing.npz")).version
    res = cleaner.clean(SEEDS, out=tmp_path / "out")
    manifest = json.loads((res.path / "manifest.json").read_text())
    assert expected in json.dumps(manifest)
