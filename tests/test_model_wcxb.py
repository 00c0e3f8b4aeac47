"""Shipped model on real WCXB dev pages (CC-BY-4.0). Skips when the data folder is absent."""

import numpy as np
import pytest

from cleaner.model import LineModel
from cleaner.model.data import default_data_dir, load_pages, split_of

DATA = default_data_dir()
pytestmark = pytest.mark.skipif(
    DATA is None, reason="WCXB dev data not found (set CLEANER_WCXB_DIR)"
)


def test_split_is_stable_and_page_level_by_host():
    pages = load_pages(DATA, "all")
    test = load_pages(DATA, "test")
    train = load_pages(DATA, "train")
    assert len(test) + len(train) == len(pages)
    assert {p.host for p in test}.isdisjoint({p.host for p in train})
    assert 0.12 < len(test) / len(pages) < 0.28
    assert all(split_of(p) == "test" for p in test)


@pytest.mark.slow
def test_shipped_model_beats_no_cleaning_on_heldout_subset():
    from cleaner.model import evaluate

    model = LineModel.load()
    res = evaluate(
        DATA,
        mode="text",
        split="test",
        limit=60,
        model=model,
        clean_fn=model.clean_text,
        baselines=False,
    )
    f1 = res["systems"]["line model"]["F1"]
    assert res["n"] == 60
    assert f1 >= 0.80, f1


def test_shipped_model_scores_a_real_page():
    from cleaner.model.data import render_inscriptis, text_to_lines

    model = LineModel.load()
    page = load_pages(DATA, "test")[0]
    lines, bb = text_to_lines(render_inscriptis(page.read_html()))
    p = model.score(lines, bb)
    assert p.shape == (len(lines),) and p.dtype == np.float32
    assert ((p >= 0) & (p <= 1)).all()
