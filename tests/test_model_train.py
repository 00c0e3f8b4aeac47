"""Tiny end-to-end training run on synthetic fixture pages, then load + score."""

import json
import random

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("justext")

from cleaner.model import LineModel, evaluate, format_report, train

NAV = [
    "Home",
    "About us",
    "Products",
    "Blog",
    "Contact",
    "Login",
    "Sign up",
    "Search",
    "Menu",
    "Cart",
]
FOOT = [
    "Privacy Policy",
    "Terms of Service",
    "Follow us on Facebook",
    "Share on Twitter",
    "© 2024 Example Corp. All rights reserved.",
    "Subscribe to our newsletter",
    "Cookie settings",
]
WORDS = (
    "the river valley farmers water season harvest village people winter market road bridge "
    "history town school children mountain forest rain summer family house field work year "
    "of and to in a is that for it as was with be by on not this are from at which have"
).split()


def _sentence(rng):
    n = rng.randint(10, 22)
    w = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def _page(rng, i):
    title = f"Story number {i} about the {rng.choice(WORDS)} {rng.choice(WORDS)}"
    paras = [
        " ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 8))
    ]
    nav = rng.sample(NAV, 7)
    foot = rng.sample(FOOT, 5)
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body><nav><ul>"
        + "".join(f"<li><a href='/'>{x}</a></li>" for x in nav)
        + "</ul></nav><main><h1>"
        + title
        + "</h1>"
        + "".join(f"<p>{p}</p>" for p in paras)
        + "</main><footer><ul>"
        + "".join(f"<li>{x}</li>" for x in foot)
        + "</ul></footer></body></html>"
    )
    gold = title + "\n\n" + "\n\n".join(paras)
    return html, gold, paras, nav + foot


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("pages")
    rng = random.Random(1)
    meta = []
    for i in range(24):
        html, gold, _, _ = _page(rng, i)
        pid = f"{i:03d}"
        (d / f"{pid}.html").write_text(html, encoding="utf-8")
        (d / f"{pid}.txt").write_text(gold, encoding="utf-8")
        meta.append(
            {
                "id": pid,
                "url": f"https://site{i}.example.org/a/{i}",
                "page_type": "article" if i % 3 else "forum",
            }
        )
    (d / "meta.jsonl").write_text("\n".join(json.dumps(m) for m in meta), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    import os

    work = tmp_path_factory.mktemp("work")
    old = os.environ.get("CLEANER_MODEL_WORK")
    os.environ["CLEANER_MODEL_WORK"] = str(work)
    try:
        out = tmp_path_factory.mktemp("model") / "m.npz"
        summary = train(corpus, out, seed=0, progress=False)
    finally:
        if old is None:
            os.environ.pop("CLEANER_MODEL_WORK", None)
        else:
            os.environ["CLEANER_MODEL_WORK"] = old
    return out, summary


def test_train_writes_loadable_model(trained):
    out, summary = trained
    assert out.exists() and summary["size_bytes"] == out.stat().st_size
    m = LineModel.load(out)
    assert 0.0 < m.threshold < 1.0
    assert m.version == summary["version"] and len(m.version) == 12
    # no pickles: the file loads with allow_pickle=False
    with np.load(out, allow_pickle=False) as z:
        assert "meta_json" in z.files and "f1_roots" in z.files


def test_model_separates_content_from_boilerplate(trained):
    out, _ = trained
    m = LineModel.load(out)
    rng = random.Random(99)
    _, _, paras, boiler = _page(rng, 999)
    lines = [*boiler[:7], "A new story about the river", *paras, *boiler[7:]]
    p = m.score(lines)
    assert p.dtype == np.float32 and p.shape == (len(lines),)
    content = p[8 : 8 + len(paras)]
    noise = np.concatenate([p[:7], p[8 + len(paras) :]])
    assert content.min() > noise.max()
    assert content.mean() > 0.8 and noise.mean() < 0.2
    kept = m.clean_text("\n".join(lines))
    assert paras[0] in kept and "Privacy Policy" not in kept


def test_score_never_raises(trained):
    m = LineModel.load(trained[0])
    assert m.score([]).shape == (0,)
    p = m.score(["x" * 300000, "", "🙂", "a b c " * 50000], blank_before=[True])
    assert p.shape == (4,) and np.isfinite(p).all()


def test_evaluate_on_folder(trained, corpus):
    m = LineModel.load(trained[0])
    res = evaluate(corpus, mode="text", split="all", model=m, clean_fn=lambda t: m.clean_text(t))
    assert res["n"] == 24
    ours = res["systems"]["line model"]
    assert ours["F1"] > res["systems"]["no cleaning"]["F1"] and ours["F1"] > 0.97
    assert ours["P"] > res["systems"]["no cleaning"]["P"] + 0.05
    assert set(ours["by_type"]) == {"article", "forum"}
    rep = format_report(res)
    assert "line model" in rep and "CC-BY-4.0" in rep


def test_training_features_are_the_inference_features(trained, corpus):
    """What the stage-1 trees were trained on (`stage1_matrix`: shape, context, lexical
    logit, the repeated templates and the render's indentation) is what `LineModel.stage1`
    computes at inference from the model file and the render's lines as they are,
    indentation included."""
    from cleaner.model.data import load_pages, render_inscriptis, text_to_lines
    from cleaner.model.training import (
        build_docs,
        lex_matrix,
        set_oov_frac,
        stage1_matrix,
        vocab_words,
    )

    m = LineModel.load(trained[0])
    assert m.indent and m.grid and m.tmpl2
    with np.load(trained[0], allow_pickle=False) as z:
        lex_w = z["lex_w"].astype(np.float64)
    index = {k: i for i, k in enumerate(m.meta["keys"])}
    pages = load_pages(corpus, "all")[:3]
    docs = build_docs(pages, ("render_inscriptis",), m.tables, windows=0)
    assert len(docs) == 3 and any((d.indent > 0).any() for d in docs)
    for d, page in zip(docs, pages, strict=True):
        set_oov_frac(d, vocab_words(m.meta["keys"]))
        want = stage1_matrix(d, lex_matrix([d], index) @ lex_w + m.tables.lex_b, True, True)
        lines, bb = text_to_lines(render_inscriptis(page.read_html()), indent=True)
        _, got, groups = m.stage1(lines, bb)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(groups, d.groups)  # stage 2's template groups too


@pytest.mark.slow
def test_training_is_deterministic(trained, corpus, tmp_path):
    out2 = tmp_path / "again.npz"
    s2 = train(corpus, out2, seed=0, progress=False)
    assert s2["version"] == trained[1]["version"]
    assert out2.read_bytes() == trained[0].read_bytes()


# ---------------------------------------------------------------- the HTML line model


@pytest.fixture(scope="module")
def trained_html(corpus, tmp_path_factory):
    from cleaner.model import train_html

    out = tmp_path_factory.mktemp("html_model") / "h.npz"
    return out, train_html(corpus, out, seed=0, progress=False)


def test_html_model_trains_loads_and_separates(trained_html):
    from cleaner.extractors.dom import render_dom
    from cleaner.model import HtmlLineModel

    out, summary = trained_html
    m = HtmlLineModel.load(out)
    assert m.version == summary["version"] and m.config["kind"] == "html"
    assert summary["n_dom_keys"] > 0 and 0.0 < m.threshold < 1.0
    with np.load(out, allow_pickle=False) as z:
        assert {"key_w", "key_b", "f1_roots"} <= set(z.files)
    with pytest.raises(ValueError, match="not an HTML line model"):
        HtmlLineModel.load(_text_model_path(trained_html, out))
    html, _, paras, boiler = _page(random.Random(7), 1000)
    page = render_dom(html)
    p = m.score_page(page)
    assert p.dtype == np.float32 and p.shape == (len(page),)
    content = [p[i] for i, t in enumerate(page.texts) if t in paras]
    noise = [p[i] for i, t in enumerate(page.texts) if t in boiler]
    assert len(content) == len(paras) and len(noise) == len(boiler)
    assert min(content) > max(noise)
    kept = m.clean_page(page)
    assert paras[0] in kept and "Privacy Policy" not in kept


def _text_model_path(trained_html, out):
    """A file that is a line model but not an HTML one: the shipped text model."""
    from cleaner.model.linemodel import DEFAULT_MODEL

    return DEFAULT_MODEL


def test_html_training_features_are_the_inference_features(trained_html, corpus):
    """What the trees were trained on (`stage1_matrix`, from the logistic regressions'
    sparse matrices) is what `page_stage1` computes at inference from the model file."""
    from cleaner.model import HtmlLineModel
    from cleaner.model.data import load_pages
    from cleaner.model.html_training import (
        build_html_docs,
        key_matrix,
        set_oov_frac,
        stage1_matrix,
    )
    from cleaner.model.training import lex_matrix

    m = HtmlLineModel.load(trained_html[0])
    with np.load(trained_html[0], allow_pickle=False) as z:
        lex_w, key_w = z["lex_w"].astype(np.float64), z["key_w"].astype(np.float64)
    words = {k for k in m.meta["keys"] if k[:1] not in "^$=<"}
    docs = build_html_docs(load_pages(corpus, "all")[:3], m.tables)
    for d in docs:
        set_oov_frac(d, words)
        lex = lex_matrix([d], {k: i for i, k in enumerate(m.meta["keys"])}) @ lex_w
        key = key_matrix([d], {k: i for i, k in enumerate(m.meta["dom_keys"])}) @ key_w
        want = stage1_matrix(d, lex + m.tables.lex_b, key + m.key_bias)
        _, got = m.page_stage1(d.dom)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_html_training_is_deterministic(trained_html, corpus, tmp_path):
    from cleaner.model import train_html

    out2 = tmp_path / "again.npz"
    assert train_html(corpus, out2, seed=0, progress=False)["version"] == trained_html[1]["version"]
    assert out2.read_bytes() == trained_html[0].read_bytes()


def test_evaluate_html_mode_on_folder(trained, trained_html, corpus):
    from cleaner.model import HtmlLineModel

    m, hm = LineModel.load(trained[0]), HtmlLineModel.load(trained_html[0])
    res = evaluate(corpus, mode="html", split="all", model=m, html_model=hm)
    assert res["html_model_version"] == hm.version
    systems = res["systems"]
    assert set(systems) == {"cleaner (product)", "HTML line model", "trafilatura on HTML",
                            "trafilatura favor_recall", "line model on inscriptis text"}
    assert systems["HTML line model"]["F1"] > 0.97
    assert systems["cleaner (product)"]["F1"] > 0.97
    assert "html_model=" in format_report(res)


def test_short_windows_are_deterministic_bounded_and_of_each_kind():
    """The short documents cut from a training page: the same for the same seed, inside the
    page, shorter than it; the first kind holds a content line, the third keeps the page's
    own first and last lines around a run of content."""
    from cleaner.model.training import CHROME_MAX_LINES, WINDOW_MAX_LINES, short_windows

    y = np.array([0.0] * 12 + [1.0] * 20 + [0.0] * 15)
    for seed in ("a", "b", "c", "page-7|inscriptis"):
        wins = short_windows(y, 3, seed)
        assert wins == short_windows(y, 3, seed)
        assert len(wins) == 3
        for spans in wins:
            assert all(0 <= a < b <= len(y) for a, b in spans)
            assert sum(b - a for a, b in spans) < len(y)
        (a, b), = wins[0]
        assert b - a <= WINDOW_MAX_LINES and y[a:b].max() == 1.0
        (h0, h1), (c0, c1), (t0, t1) = wins[2]
        assert h0 == 0 and h1 <= CHROME_MAX_LINES and t1 == len(y)
        assert len(y) - t0 <= CHROME_MAX_LINES and 1 <= c1 - c0 <= 4 and h1 <= c0 < c1 <= t0
    # a page with no content line gets no content-centred window; a one-line page none
    assert all(len(s) == 1 for s in short_windows(np.zeros(30), 2, "x"))
    assert short_windows(np.ones(1), 3, "x") == []
