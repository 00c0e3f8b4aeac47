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


@pytest.mark.slow
def test_training_is_deterministic(trained, corpus, tmp_path):
    out2 = tmp_path / "again.npz"
    s2 = train(corpus, out2, seed=0, progress=False)
    assert s2["version"] == trained[1]["version"]
    assert out2.read_bytes() == trained[0].read_bytes()
