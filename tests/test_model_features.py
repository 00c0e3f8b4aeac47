"""Feature extraction: shapes, values, determinism, robustness."""

import numpy as np
import pytest

from cleaner.model.features import (
    SHAPE_NAMES,
    Prepared,
    Tables,
    extract,
    feature_count,
    feature_names,
    lexical_keys,
    shape_features,
    tokenize,
)
from cleaner.model.gbdt import Forest
from cleaner.model.sequence import hmm_posterior

STOP = {"English": ["the", "of", "and", "to", "in", "a", "is", "that", "it", "was"]}


def _tables(keys=("home", "=home", "river"), w=(-2.0, -3.0, 1.0)):
    return Tables(list(keys), np.asarray(w), 0.5, STOP)


LINES = [
    "Home",
    "* About us",
    "The river is the longest in the country and it was named after a king.",
    "Contact: info@example.com | Privacy Policy",
    "© 2024 Example. All rights reserved.",
]


def test_shapes_and_names():
    X = extract(LINES, [False, False, True, True, False], _tables())
    assert X.shape == (5, feature_count())
    assert len(feature_names()) == feature_count()
    assert np.isfinite(X).all()


def test_shape_values():
    prep = Prepared(LINES, [False, False, True, False, False])
    F = shape_features(prep, _tables())
    col = {n: i for i, n in enumerate(SHAPE_NAMES)}
    assert F[2, col["end_sent"]] == 1.0 and F[0, col["end_sent"]] == 0.0
    assert F[1, col["starts_bullet"]] == 1.0
    assert F[3, col["has_email"]] == 1.0 and F[3, col["sep_count"]] >= 1
    assert F[4, col["has_copy"]] == 1.0
    assert F[2, col["blank_before"]] == 1.0 and F[1, col["blank_before"]] == 0.0
    # the, is, the, in, the, and, it, was, a = 9 of 15 tokens are stopwords
    assert abs(F[2, col["stop_frac"]] - 9 / 15) < 1e-9
    assert F[0, col["rel_pos"]] == 0.0 and F[4, col["rel_pos"]] == 1.0


def test_lexical_keys_and_logit():
    keys, vals = lexical_keys(["home"])
    assert keys == ["home", "^home", "$home", "=home"]
    assert vals[0] == 1.0
    X = extract(["Home", "river river"], None, _tables())
    lex = X[:, feature_names().index("lex")]
    assert lex[0] == 0.5 - 2.0 - 3.0
    assert abs(lex[1] - (0.5 + 2 / np.sqrt(2))) < 1e-9


def test_deterministic_and_robust():
    t = _tables()
    a = extract(LINES, None, t)
    b = extract(LINES, None, _tables())
    assert np.array_equal(a, b)
    weird = ["", "   ", "x" * 200000, "\x00\ufffd", "🙂🙂", "a" * 50 + " " + "b " * 10000]
    X = extract(weird, [True] * 6, t)
    assert X.shape == (6, feature_count()) and np.isfinite(X).all()
    assert extract([], None, t).shape == (0, feature_count())


def test_hmm_smooths_isolated_flip():
    q = np.array([0.9, 0.9, 0.4, 0.9, 0.9, 0.1, 0.1, 0.1])
    post = hmm_posterior(q, 0.5, 0.9, 0.9)
    assert post[2] > 0.5 and post[6] < 0.2
    assert hmm_posterior(np.zeros(0), 0.5, 0.9, 0.9).shape == (0,)


def test_forest_arrays_evaluate():
    # one stump: x0 <= 1.0 -> -1, else +2 ; base 0.5
    f = Forest(
        feature=[0, 0, 0],
        threshold=[1.0, np.inf, np.inf],
        left=[1, 1, 2],
        right=[2, 1, 2],
        value=[0.0, -1.0, 2.0],
        roots=[0],
        base=0.5,
        depth=1,
    )
    raw = f.raw(np.array([[0.0], [1.0], [3.0], [np.nan]]))
    assert raw.tolist() == [-0.5, -0.5, 2.5, -0.5]


def test_a_forest_too_deep_for_the_compiled_layout_is_walked_by_numpy():
    """A tree deeper than `MAX_HEAP_DEPTH` would take 2**depth leaves in the complete-tree
    layout: such a forest gets none, and `fast_proba` walks it as `proba` does."""
    from cleaner.model import gbdt

    depth = gbdt.MAX_HEAP_DEPTH + 8  # a chain: node i splits at depth - 1 - i, and its
    n = 2 * depth + 1  # right child is a leaf worth i; the last left child a leaf worth -1
    feature = [0] * n
    threshold = [float(depth - 1 - i) for i in range(depth)] + [np.inf] * (depth + 1)
    left = [i + 1 for i in range(depth - 1)] + [2 * depth] + list(range(depth, n))
    right = [depth + i for i in range(depth)] + list(range(depth, n))
    value = [0.0] * depth + [float(i) for i in range(depth)] + [-1.0]
    f = Forest(feature, threshold, left, right, value, [0], 0.0, depth)
    assert f._heap is None
    X = np.array([[-1.0], [0.5], [5.5], [1e9]])
    np.testing.assert_allclose(f.fast_proba(X), f.proba(X))
    assert f.raw(X).tolist() == [-1.0, depth - 1.0, depth - 6.0, 0.0]


def test_fast_forest_matches_numpy_forest():
    """The compiled trees score as the numpy trees do (within 1e-12: the sums' order
    differs), with and without numba; a row count not a multiple of 8 walks its tail."""
    from cleaner import accel
    from cleaner.model import LineModel

    model = LineModel.load()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(303, model.f1.feature.max() + 1)) * 3
    X[::7, 3] = np.nan
    fast, slow = model.f1.fast_proba(X), model.f1.proba(X)
    assert fast.shape == slow.shape == (303,)
    assert np.abs(fast - slow).max() < 1e-12
    f = model.f1
    X[::11, 5] = np.inf
    X[::13, 6] = -np.inf
    X[::17, 7] = 1e300  # beyond float32: infinite once made float32
    sums = accel.heap_forest_sums(X, *f._heap, f.depth)
    assert (sums is not None) == accel.HAVE_NUMBA
    if sums is not None:  # the complete-tree layout reaches the numpy walk's leaves
        with np.errstate(over="ignore"):  # numpy's cast of 1e300 to float32 warns
            np.testing.assert_allclose(sums, f.raw(X) - f.base, atol=1e-12)
    lines = [ln for ln in LINES if ln]
    X1 = model.stage1(lines, None)[1]  # the model's own columns (indentation included)
    np.testing.assert_allclose(model.f1.fast_proba(X1), model.f1.proba(X1), atol=1e-12)
    assert model.f1.fast_proba(np.zeros((0, X.shape[1]))).shape == (0,)


def test_vectorised_tokens_match_regex_per_line():
    import re

    lines = [
        "İstanbul'da Çay",
        "naïve café_au_lait 3.14",
        "日本語のテキスト",
        "a\nb",
        "",
        "x" * 5000,
        "𝔘𝔫𝔦 code",
    ]
    toks = tokenize(lines)
    for s, t in zip(lines, toks, strict=True):
        assert t == re.findall(r"\w+", s[:2000].replace("\n", " ").lower())


def test_fast_regex_engine_agrees_with_re():
    from cleaner.model import features as F

    text = (
        "visit www.example.com or mail me@x.org on 12/03/2024, march 3, 2021 at 10:30 for $5 or 7 eur; "
        "© 2024 all rights reserved. share on facebook, log in, 3 days ago. naïve café €3"
    )
    tb = text.encode("utf-8")
    for (k, a), (_, b) in zip(F._PATTERNS_PY, F._PATTERNS_FAST, strict=True):
        assert [m.start() for m in a.finditer(tb)] == [m.start() for m in b.finditer(tb)], k


def test_pattern_flags_from_one_scan_equal_each_pattern_over_the_document():
    """`_pattern_flags` (one scan of the joined patterns, then the pattern set on the lines
    it touched) flags the same lines as every pattern run over the whole document, also
    where patterns overlap, sit at a line's ends or follow one another on a line."""
    from cleaner.model import features as F

    if F._ANY_PATTERN is None:
        pytest.skip("google-re2 is not installed")
    lines = [
        "www.facebook.com", "$12/03/2024 at 10:30", "mail me@x.org", "march 3, 2021",
        "3 days ago", "© copyright 2024 all rights reserved", "share", "log in | sign up",
        "prix 12 € et 5 usd", "plain words only", "", "naïve café €3 at 9:05",
        "12/03/2024", "http://a.b", "x.html", "cookies and privacy policy", "12:30",
    ]
    rng = np.random.default_rng(0)
    for _ in range(30):
        doc = [lines[i] for i in rng.integers(0, len(lines), size=int(rng.integers(1, 25)))]
        lowb = "\n".join(doc).lower().encode("utf-8")
        want = np.zeros((len(doc), F.N_SHAPE))
        starts = np.concatenate([[0], np.flatnonzero(np.frombuffer(lowb, np.uint8) == 10) + 1])
        for (_, pat), c in zip(F._PATTERNS_FAST, F._PATTERN_COLS, strict=True):
            for m in pat.finditer(lowb):
                want[np.searchsorted(starts, m.start(), side="right") - 1, c] = 1.0
        got = np.zeros_like(want)
        F._pattern_flags(got, lowb)
        assert np.array_equal(got, want)
    assert want.sum() > 0


def test_no_pattern_matches_across_a_line_break():
    """`_pattern_flags` relies on it: a line break inside what a pattern would match."""
    from cleaner.model import features as F

    split = [b"www.\nexample.com", b"12/\n03/2024", b"march\n3, 2021", b"march 3,\n2021",
             b"3\ndays ago", b"log\nin", b"sign\nup", b"$\n5", b"5\n\xe2\x82\xac", b"all rights\nreserved",
             b"me@\nx.org", b"me@x\n.org", b"10:\n30", b"terms of\nuse", b"privacy\npolicy"]
    for (k, pat) in F._PATTERNS_PY:
        for text in split:
            assert all(b"\n" not in m.group() for m in pat.finditer(text)), (k, text)


def test_hashed_token_lookup_equals_string_lookup():
    """Tokens and whole short lines are looked up by hash; the features equal those of the
    plain dict lookups by string (the fallback when two vocabulary words share a hash)."""
    import copy

    from cleaner.model import LineModel

    tables = LineModel.load().tables
    by_string = copy.copy(tables)
    by_string.vocab_index = None
    by_string.whole_index = None
    lines = [*[ln for ln in LINES if ln], "Home", "About us", "Privacy Policy", "Ǆ ß ﬁ",
             "word_with_underscore 𝔘𝔫𝔦 code", "中文 日本語", "", "Share"]
    for doc in (lines, [*lines, "İstanbul"], [*lines, "beyond the table \U00030000"]):
        fast, slow = extract(doc, None, tables), extract(doc, None, by_string)
        assert fast.shape == slow.shape == (len(doc), fast.shape[1])
        assert np.array_equal(fast, slow)
    prep = Prepared(lines, None)
    assert prep.hashes is not None and len(prep.hashes) == prep.n_tokens == len(prep.flat)
    assert Prepared(["x \U00030000"], None).hashes is None  # the string path


def test_split_indent_and_indent_features():
    from cleaner.model.features import INDENT_NAMES, indent_features, split_indent

    lines = [
        "      * Home",
        "      * About us",
        "  The river is the longest in the country and it was named after a king long ago.",
        "  It floods every spring, and the farmers of the valley plant after the water goes.",
        "    Share",
    ]
    stripped, ind = split_indent(lines)
    assert stripped == [s.strip() for s in lines]
    assert ind.tolist() == [6, 6, 2, 2, 4]
    ntok = np.array([1, 2, 17, 16, 1], dtype=float)
    F = indent_features(ind, ntok)
    assert F.shape == (5, len(INDENT_NAMES))
    c = {n: i for i, n in enumerate(INDENT_NAMES)}
    assert F[:, c["indent"]].tolist() == [6, 6, 2, 2, 4]
    # the main depth is that of the long lines (2)
    assert F[:, c["indent_rel"]].tolist() == [4, 4, 0, 0, 2]
    assert F[:, c["indent_rank"]].tolist() == [2, 2, 0, 0, 1]
    assert F[:, c["indent_prev"]].tolist() == [0, 0, -4, 0, 2]
    assert F[:, c["indent_next"]].tolist() == [0, -4, 0, 2, 0]
    # line 0's neighbours within 3 lines: 1 (same depth), 2, 3 -> 1/3
    assert abs(F[0, c["indent_same3"]] - 1 / 3) < 1e-12
    assert abs(F[2, c["indent_tok_share"]] - 33 / 37) < 1e-12
    assert (F[:, c["doc_indented"]] == 1).all()


def test_indent_features_of_flat_and_tiny_texts():
    from cleaner.model.features import INDENT_NAMES, indent_features

    F = indent_features(np.zeros(4), np.array([3.0, 12.0, 0.0, 20.0]))
    c = {n: i for i, n in enumerate(INDENT_NAMES)}
    for name in ("indent", "indent_rel", "indent_rank", "indent_prev", "indent_next",
                 "doc_indented"):
        assert (F[:, c[name]] == 0).all(), name
    assert (F[:, c["indent_same3"]] == 1).all() and (F[:, c["indent_tok_share"]] == 1).all()
    assert indent_features(np.zeros(0), np.zeros(0)).shape == (0, len(INDENT_NAMES))
    one = indent_features(np.array([100.0]), np.array([0.0]))  # capped, no long line
    assert one[0, c["indent"]] == 40 and one[0, c["indent_rel"]] == 0


def test_grid_features_find_records_that_repeat_at_one_gap():
    from cleaner.model.features import GRID_NAMES, Prepared
    from cleaner.model.features import grid_features as grid_of

    def grid_features(lines):
        return grid_of(Prepared(lines, None))

    c = {n: i for i, n in enumerate(GRID_NAMES)}
    lines = ["Home", "Shop"]
    for name, price in (("Alpha", "$1,999.95"), ("Beta", "$279.95"), ("Gamma", "$89")):
        lines += [name, f"Regular price {price}", "Add to cart"]
    lines += ["About us", "Home"]  # 13 lines: the records are lines 2-10
    F = grid_features(lines)
    assert F.shape == (13, len(GRID_NAMES))
    np.testing.assert_allclose(F[:, c["tmpl_count_log"]],
                               np.log1p([2, 1, 1, 3, 3, 1, 3, 3, 1, 3, 3, 1, 2]))
    price = [3, 6, 9]
    assert (F[price, c["tmpl_only"]] == 1).all() and (F[price, c["exact_count_log"]]
                                                     == np.log1p(1)).all()
    assert F[4, c["tmpl_only"]] == 0 and F[4, c["exact_count_log"]] == np.log1p(3)
    # "Regular price 0" at 3, 6, 9 and "add to cart" at 4, 7, 10: runs at gap 3 cover 3-10;
    # "Home" twice is no run
    np.testing.assert_array_equal(F[:, c["grid_cover"]], [0] * 3 + [1] * 8 + [0] * 2)
    np.testing.assert_array_equal(F[:, c["grid_gap"]], [0] * 3 + [3] * 8 + [0] * 2)
    assert (F[:, c["grid_share"]] == 8 / 13).all()
    assert F[0, c["tmpl_rep_ctx3"]] == 2 / 4  # lines 0-3: "Home" and the price repeat
    # a line whose lowercase is longer ("İ") sends the document down the per-line token path
    rare = Prepared(["İ", *lines], None)
    assert rare.hashes is None
    np.testing.assert_array_equal(grid_of(rare)[1:, :5], F[:, :5])
    assert grid_features([]).shape == (0, len(GRID_NAMES))
    assert (grid_features(["One line."])[0] == [np.log1p(1), np.log1p(1), 0, 0, 0, 0, 0]).all()


def test_depth_features_average_the_lines_at_one_depth():
    from cleaner.model.features import INDENT_NAMES, feature_count
    from cleaner.model.stage2 import DEPTH_COLUMNS, depth_features, stage2_count, stage2_input

    # depths 0 0 4 4 0 (ranks 0 0 1 1 0); tokens 9 19 0 0 9
    X1 = np.zeros((5, feature_count() + len(INDENT_NAMES)))
    X1[:, SHAPE_NAMES.index("log_tokens")] = np.log1p([9, 19, 0, 0, 9])
    X1[:, -len(INDENT_NAMES) + INDENT_NAMES.index("indent_rank")] = [0, 0, 1, 1, 0]
    p1 = np.array([0.9, 0.7, 0.1, 0.3, 0.8])
    D = depth_features(p1, X1)
    assert D.shape == (5, DEPTH_COLUMNS)
    np.testing.assert_allclose(D[:, 0], [0.8, 0.8, 0.2, 0.2, 0.8])
    wmean = (0.9 * 10 + 0.7 * 20 + 0.8 * 10) / 40
    np.testing.assert_allclose(D[:, 1], [wmean, wmean, 0.2, 0.2, wmean])
    np.testing.assert_allclose(D[:, 2], [0.8, 0.8, 0.2, 0.2, 0.8])  # runs: 0-1, 2-3, 4
    np.testing.assert_allclose(D[:, 3], np.log([2, 2, 2, 2, 1]))
    assert stage2_input(p1, X1, True).shape == (5, stage2_count() + DEPTH_COLUMNS)
    assert stage2_input(p1, X1, False).shape == (5, stage2_count())
    assert depth_features(np.zeros(0), X1[:0]).shape == (0, DEPTH_COLUMNS)


def test_template_features_average_the_lines_of_one_template():
    """A listing's records repeat one template ("Regular price $N"), so stage 2 reads the
    mean stage-1 score of the lines sharing the line's template, with and without it."""
    from cleaner.model.features import INDENT_NAMES, feature_count, template_groups
    from cleaner.model.stage2 import (
        DEPTH_COLUMNS,
        TEMPLATE_COLUMNS,
        stage2_count,
        stage2_input,
        template_features,
    )

    lines = ["Kettle", "Regular price $19.95", "Toaster", "Regular price $5", "***",
             "Regular price $7.50", "Kettle"]
    groups = template_groups(Prepared(lines, None))
    assert groups[4] == -1  # no tokens
    assert groups[1] == groups[3] == groups[5] and groups[0] == groups[6]
    assert len({int(groups[i]) for i in (0, 1, 2)}) == 3
    p1 = np.array([0.2, 0.9, 0.6, 0.3, 0.1, 0.6, 0.4])
    T = template_features(p1, groups)
    assert T.shape == (7, TEMPLATE_COLUMNS)
    np.testing.assert_allclose(T[:, 0], [0.3, 0.6, 0.6, 0.6, 0.1, 0.6, 0.3])
    np.testing.assert_allclose(T[:, 1], [0.4, 0.45, 0.6, 0.75, 0.1, 0.6, 0.2])
    X1 = np.zeros((7, feature_count() + len(INDENT_NAMES)))
    assert stage2_input(p1, X1, True, groups).shape == (
        7, stage2_count() + DEPTH_COLUMNS + TEMPLATE_COLUMNS)
    assert template_features(np.zeros(0), groups[:0]).shape == (0, TEMPLATE_COLUMNS)
