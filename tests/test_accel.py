"""The compiled kernels of cleaner.accel give exactly what their numpy twins give."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cleaner import accel
from cleaner.model.features import Prepared

pytestmark = pytest.mark.skipif(not accel.HAVE_NUMBA, reason="numba is not installed")

LINES = ["Hello World. This is a Test!", "", "x", "A | B » C / D", "Prix: 12,50 € . fin.",
         "Ünïcode ÀÉ 中文 text? yes", "end.", "   ", "CAPS Words Here", "a.b.c. d! e? f"]


def _prepared(seed: int) -> Prepared:
    rng = np.random.default_rng(seed)
    lines = [LINES[i] for i in rng.integers(0, len(LINES), size=int(rng.integers(1, 40)))]
    return Prepared(lines, None)


@pytest.mark.parametrize("seed", range(20))
def test_line_counts(seed: int) -> None:
    p = _prepared(seed)
    got = accel._line_counts_nb(p.cp, p.cls, p.starts, p.lens)
    assert np.array_equal(got, accel._line_counts_np(p.cp, p.cls, p.starts, p.lens))
    assert got[2].sum() > 0 or "1" not in p.joined  # digits were counted


@pytest.mark.parametrize("seed", range(20))
def test_span_hashes(seed: int) -> None:
    p = _prepared(seed)
    lcp = np.frombuffer(p.low.encode("utf-32-le"), dtype=np.uint32)
    got = accel._span_hashes_nb(lcp, p.tok_start, p.tok_end)
    assert np.array_equal(got, accel._span_hashes_np(lcp, p.tok_start, p.tok_end))
    words = [p.low[a:b] for a, b in zip(p.tok_start, p.tok_end, strict=True)]
    assert np.array_equal(accel.string_hashes(words), got)  # a token hashes alike anywhere


@pytest.mark.parametrize("seed", range(10))
def test_forward_backward(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ec = rng.random(int(rng.integers(1, 300)))
    eb = 1 - ec
    got = accel._forward_backward_nb(ec, eb, 0.4, 0.9, 0.8)
    want = np.asarray(accel._forward_backward(ec.tolist(), eb.tolist(), 0.4, 0.9, 0.8))
    assert np.array_equal(got, want)
    assert ((got >= 0) & (got <= 1)).all()


def test_mix64_spreads_and_is_salted() -> None:
    h = accel.string_hashes(["a", "b", "c"])
    assert len(set(accel.mix64(h, 1).tolist())) == 3
    assert not (accel.mix64(h, 1) == accel.mix64(h, 2)).any()


@pytest.mark.parametrize("seed", range(10))
def test_key_hashes(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner.text import _alnum, _hashes_of_normal

    rng = np.random.default_rng(seed)
    text = "\n".join(LINES[i] for i in rng.integers(0, len(LINES), size=30)).casefold()
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    got = accel.key_hashes_of_normal(cp, _alnum(cp))
    monkeypatch.setattr(accel, "HAVE_NUMBA", False)  # the keys built, then hashed
    assert accel.key_hashes_of_normal(cp, _alnum(cp)) is None
    assert np.array_equal(_hashes_of_normal(text), got)
    assert len(got) == 30 and (got == 0).sum() == text.split("\n").count("") + text.split(
        "\n").count("   ")


def test_minhash() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 2**32, size=9000, dtype=np.uint64)  # more than one numpy chunk
    a = rng.integers(0, 2**63, size=128, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=128, dtype=np.uint64)
    got = accel._minhash_nb(x, a, b)
    assert np.array_equal(got, accel._minhash_np(x, a, b))
    assert np.array_equal(accel._minhash_nb(x[:1], a, b), a * x[0] + b)


@pytest.mark.parametrize("seed", range(20))
def test_tokens(seed: int) -> None:
    from cleaner.model.features import _char_table

    p = _prepared(seed)
    lcp = np.frombuffer(p.low.encode("utf-32-le"), dtype=np.uint32)
    got = accel._tokens_nb(lcp, _char_table(), p.n)
    want = accel._tokens_np(lcp, _char_table(), p.starts, p.n)
    assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))
    assert got[3].sum() == len(re.findall(r"\w+", p.low))


@pytest.mark.parametrize("seed", range(10))
def test_stop_counts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 6, size=int(rng.integers(1, 30)))
    masks = rng.integers(0, 2**20, size=int(counts.sum()), dtype=np.int64) & rng.integers(
        0, 2**20, size=int(counts.sum()), dtype=np.int64)
    known = rng.integers(0, 2, size=int(counts.sum())).astype(np.float64)
    for n_lists in (0, 1, 20):
        got = accel._stop_counts_nb(masks, known, counts, n_lists)
        want = accel._stop_counts_np(masks, known, counts, n_lists)
        assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


RECORDS = ["Regular price $1,999.95", "Add to cart", "Blue kettle 2 l", "Sale", "4.5 stars",
           "Regular price $279.95", "Page 2 of 10", "Page 3 of 10", "About us", "Page 4 of 10"]


@pytest.mark.parametrize("seed", range(30))
def test_template_runs(seed: int) -> None:
    """Templates, their counts and the runs of one template at one gap (a listing's records,
    drawn here as random picks of a few record lines, sometimes one after another)."""
    from cleaner.model.features import _LINE_M, _NUMBER_HASH

    rng = np.random.default_rng(seed)
    pool = RECORDS + LINES
    k = int(rng.integers(1, 5))
    period = [pool[i] for i in rng.integers(0, len(pool), size=k)]
    lines = [s for _ in range(int(rng.integers(1, 8))) for s in period]
    lines += [pool[i] for i in rng.integers(0, len(pool), size=int(rng.integers(0, 30)))]
    p = Prepared(lines, None)
    is_num = accel._number_tokens_nb(p.cp, p.tok_start, p.tok_end)
    assert np.array_equal(is_num, accel._number_tokens_np(p.cp, p.tok_start, p.tok_end))
    args = (p.hashes, is_num, p.counts, _NUMBER_HASH, _LINE_M)
    tmpl = accel._template_hashes_nb(*args)
    assert np.array_equal(tmpl, accel._template_hashes_np(*args))
    for gap, run in ((12, 3), (2, 2), (1, 5)):
        args = (tmpl, p.counts, p.line_hashes(), gap, run)
        got = accel._template_runs_nb(*args)
        want = accel._template_runs_np(*args)
        assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


def test_template_runs_find_a_run() -> None:
    lines = ["Menu", "Kettle", "Regular price $19.95", "Toaster", "Regular price $5", "Jug",
             "Regular price $7.50", "Footer"]
    p = Prepared(lines, None)
    tmpl = p.templates()
    assert tmpl[2] == tmpl[4] == tmpl[6] and len(set(tmpl.tolist())) == 6
    tcount, ecount, gap = accel.template_runs(tmpl, p.counts, p.line_hashes(), 12, 3)
    assert tcount.tolist() == [1, 1, 3, 1, 3, 1, 3, 1]
    assert ecount.tolist() == [1] * 8
    assert gap.tolist() == [np.inf] * 2 + [2.0] * 5 + [np.inf]


def test_a_broken_kernel_falls_back_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the kernels cannot load (a broken numba install), the numpy twins run, with a
    warning, and give the same answers."""
    from cleaner.text import key_hashes

    want = key_hashes(["Same answer, either way."])

    def broken() -> None:
        raise RuntimeError("no LLVM here")

    monkeypatch.setattr(accel, "HAVE_NUMBA", accel.HAVE_NUMBA)  # restored afterwards
    monkeypatch.setattr(accel, "_checked", False)
    monkeypatch.setattr(accel, "_load_kernels", broken)
    with pytest.warns(RuntimeWarning, match="no LLVM here"):
        assert accel.warm_up() is False
    assert accel.HAVE_NUMBA is False
    assert np.array_equal(key_hashes(["Same answer, either way."]), want)


@pytest.mark.parametrize("seed", range(20))
def test_best_block(seed: int) -> None:
    rng = np.random.default_rng(seed)
    gain = rng.normal(size=int(rng.integers(0, 60)))
    if seed % 4 == 0:
        gain = np.round(gain)  # ties: the first block of largest sum wins in both
    got = accel._best_block_nb(gain)
    assert tuple(got) == accel._best_block(gain.tolist())
    if len(gain):
        bs, be = got
        best = max(gain[i : j + 1].sum() for i in range(len(gain)) for j in range(i, len(gain)))
        assert gain[bs : be + 1].sum() == pytest.approx(best)


@pytest.mark.parametrize("seed", range(10))
def test_hash_lookup(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(0, 2**63, size=int(rng.integers(1, 500)), dtype=np.uint64))
    if seed % 2:
        keys &= np.uint64(0xFF00)  # keys that collide in the table's low bits
        keys = np.unique(keys)
    values = rng.integers(1, 1000, size=len(keys))
    wanted = np.concatenate([rng.choice(keys, size=200),
                             rng.integers(0, 2**63, size=50, dtype=np.uint64)])
    slots = accel.hash_slots(keys)
    assert slots is not None and len(slots) >= 2 * len(keys)
    got = accel._hash_lookup_nb(slots, keys, values, wanted)
    assert np.array_equal(got, accel._sorted_lookup_np(keys, values, wanted))
    assert (got[:200] > 0).all()


@pytest.mark.parametrize("seed", range(20))
def test_word_count_and_key_hashes_by_table(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Words counted and line keys hashed by the compiled passes that look code points up
    in the table themselves equal the numpy passes over the looked-up letters."""
    from cleaner import text as T

    rng = np.random.default_rng(seed)
    pool = [*LINES, "中文字 かな 한국어 mixed_words", "snake_case __x__", "٣ ٤ digits", "ǅemal"]
    lines = [pool[i] for i in rng.integers(0, len(pool), size=int(rng.integers(1, 30)))]
    text = "\n".join(lines) * 3
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = T.alnum_table()
    for prev in (False, True):
        got = accel.count_words(cp, T._word_kinds(), prev)
        monkeypatch.setattr(T, "count_words", lambda *a: None)
        assert got == T._count_words(text, prev)
        monkeypatch.undo()
    assert T.word_count(text) == len(T._WORD.findall(text))
    assert np.array_equal(accel.key_hashes_by_table(cp, table),
                          accel.key_hashes_of_normal(cp, T._alnum(cp)))


def _tables():
    from cleaner.model.features import Tables

    return Tables(["the", "a", "^a", "$end", "=short one", "<empty>"],
                  np.array([0.5, 0.25, -1.0, 2.0, 0.3, -0.7]), 0.1,
                  {"en": ["the", "of", "a", "and"]})


def _stage1_rows(seed: int) -> tuple[Prepared, np.ndarray]:
    """A random document's stage-1 rows as the text model builds them (grid and indentation
    columns included), with a tiny lexicon; lines of every kind, some indented."""
    from cleaner.model.features import extract_prepared, split_indent

    rng = np.random.default_rng(seed)
    pool = [*RECORDS, *LINES, "A long sentence of the article, with the words of a real "
            "paragraph and a full stop at its end.", "Short one.", "- - -"]
    n = int(rng.integers(1, 60))
    depths = [0] if seed % 5 == 0 else [0, 0, 2, 4, 8, 50]  # some texts are not indented
    lines = [" " * int(rng.choice(depths)) + pool[i]
             for i in rng.integers(0, len(pool), size=n)]
    lines, indent = split_indent(lines)
    p = Prepared(lines, [bool(b) for b in rng.integers(0, 2, size=n)])
    return p, extract_prepared(p, lines, _tables(), grid=True, indent=indent)


@pytest.mark.parametrize("seed", range(30))
def test_lexical_and_indent_columns(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled lexical logit and indentation columns equal the numpy code's, bit for
    bit (a document without long lines takes the main depth from all of them)."""
    from cleaner.model import features as F

    p, X = _stage1_rows(seed)
    rng = np.random.default_rng(seed)
    indent = rng.choice([0.0, 2.0, 4.0, 60.0], size=p.n)
    ntok = rng.integers(0, 30 if seed % 2 else 9, size=p.n).astype(np.float64)
    lex, ind = F.lexical_logit(p, _tables()), F.indent_features(indent, ntok)
    monkeypatch.setattr(accel, "HAVE_NUMBA", False)  # the numpy twins from here on
    assert np.array_equal(lex, F.lexical_logit(p, _tables()))
    assert np.array_equal(ind, F.indent_features(indent, ntok))
    assert np.array_equal(X[:, F.N_SHAPE], lex)  # the rows hold the same logit


@pytest.mark.parametrize("seed", range(30))
def test_context_columns(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled context columns equal the numpy code's, bit for bit, with and without
    room for columns after them."""
    from cleaner.model import features as F

    p, X = _stage1_rows(seed)
    shape, lex = X[:, : F.N_SHAPE], X[:, F.N_SHAPE]
    got = F.context_features(shape, lex)
    wide = F.context_features(shape, lex, F.feature_count() + 3)
    monkeypatch.setattr(accel, "HAVE_NUMBA", False)  # the numpy twins from here on
    want = F.context_features(shape, lex)
    assert got.shape == (p.n, F.feature_count())
    assert np.array_equal(got, want)
    assert np.array_equal(wide[:, : F.feature_count()], want)
    assert np.array_equal(F._context_np(shape, lex), want)


@pytest.mark.parametrize("seed", range(30))
def test_stage2_columns(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled stage-2 columns (with the depth and template ones) equal the numpy
    code's, bit for bit."""
    from cleaner.model import stage2 as S
    from cleaner.model.features import template_groups

    p, X = _stage1_rows(seed)
    rng = np.random.default_rng(seed)
    p1 = rng.random(p.n)
    if seed % 3 == 0:
        p1 = np.round(p1)  # confident scores: ties in the running maxima and the main body
    groups = template_groups(p)
    variants = [(False, None), (True, None), (False, groups), (True, groups)]
    got = [S.stage2_input(p1, X, d, g) for d, g in variants]
    monkeypatch.setattr(accel, "HAVE_NUMBA", False)  # the numpy twins from here on
    for (d, g), a in zip(variants, got, strict=True):
        assert np.array_equal(a, S.stage2_input(p1, X, d, g)), (d, g is not None)
