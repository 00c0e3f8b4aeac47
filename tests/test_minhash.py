"""Near-duplicate detection (MinHash + LSH): what is caught, what is not, and why.

The articles below were written for this test.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedup.minhash import (
    MIN_RECALL_AT_THRESHOLD,
    MinHashDedup,
    candidate_probability,
    lsh_params,
)
from cleaner.document import KEPT, REJECTED, Document
from cleaner.text import split_lines
from tests.conftest import ROOT

ARTICLE = [
    "The new public library on Harbour Street opened its doors on Saturday morning, and by "
    "noon more than two thousand visitors had walked through the building. The three-storey "
    "library replaces the old branch on Mill Road, which closed last spring after the roof "
    "began to leak during a winter storm.",
    "The ground floor holds the children's section, a small café run by a local bakery and a "
    "room for community meetings. Upstairs there are quiet study areas, forty computers for "
    "public use and a collection of more than eighty thousand books. The top floor has a roof "
    "terrace with views over the harbour, which the architects say will be used for reading "
    "groups and outdoor events in the summer.",
    "Head librarian Margaret Osei said the opening had exceeded all expectations. \"We hoped "
    "for a good turnout, but we did not expect queues around the block before nine o'clock,\" "
    "she said. \"People have been waiting a long time for this, and it shows.\"",
    "The project cost eleven million pounds and was paid for partly by the city council and "
    "partly by a grant from a national heritage fund. Construction started two years ago and "
    "was delayed for several months when workers discovered the remains of a medieval wall "
    "under the car park. Parts of the wall are now on display behind a glass floor in the "
    "entrance hall.",
    "Not everyone is happy with the new building. Some residents of the streets behind the "
    "library have complained about noise from the delivery lorries, and a petition against "
    "the late opening hours has collected a few hundred signatures. The council says it will "
    "review the delivery times after the first three months.",
    "The library is open every day from eight in the morning until nine in the evening. "
    "Membership is free for everyone who lives, works or studies in the city, and visitors "
    "can join at the front desk with a proof of address.",
]

# Another article about the same event: same facts, different words.
SAME_TOPIC = [
    "Readers in the harbour district finally have a place to borrow books again. After more "
    "than a year without a local branch, the city's newest library welcomed its first "
    "visitors at the weekend, with families queuing outside long before the doors opened.",
    "Inside, the building is bright and open. Children can choose from thousands of picture "
    "books on the ground floor, while older students have booked most of the study rooms for "
    "the coming exam season. A bakery from the old town runs the café next to the entrance.",
    "Margaret Osei, who leads the library team, described the first day as overwhelming. She "
    "told reporters that staff had handed out more than five hundred new library cards before "
    "lunch and that the computer room was full all afternoon.",
    "The building took two years to finish. Builders found an old stone wall under the site "
    "during the work, and archaeologists spent the autumn studying it before construction "
    "could continue. Visitors can now see part of the wall through a glass panel in the floor.",
    "Some neighbours remain unhappy. They say the delivery lorries arrive too early and block "
    "the narrow streets. The council has promised to look again at the schedule later in the "
    "year.",
    "The library opens daily at eight and closes at nine. Joining is free for local "
    "residents, workers and students.",
]

# A third article on the topic: the council's library budget.
BUDGET = [
    "The city council has approved its budget for public libraries for next year, with a "
    "small increase for books and a cut in the money set aside for repairs.",
    "Councillors argued for almost three hours before the vote. Supporters of the plan said "
    "the new branch on Harbour Street shows what investment can do, while critics pointed to "
    "the four smaller branches that still have no lift and leaking windows.",
    "The finance committee expects to spend about half a million pounds on new books, "
    "e-books and newspaper subscriptions. Opening hours at the smaller branches will stay "
    "the same, but two mobile libraries will be replaced by a single larger van.",
    "A final decision on the repair programme has been postponed until the spring, when the "
    "council will know how much it receives from the national government.",
]

FOOTER = (
    "Sign up for our morning newsletter and get the day's most important local stories in "
    "your inbox before breakfast. We will never share your address with anyone, and you can "
    "unsubscribe at any time with one click. Our journalism is paid for by readers like you: "
    "become a supporter today from as little as one pound a month."
)


def make_doc(doc_id: str, text: str) -> Document:
    doc = Document(id=doc_id, source_path=f"{doc_id}.txt", source_sha256="",
                   source_bytes=len(text.encode()), format="text", raw_text=text)
    doc.lines = split_lines(text)
    return doc


def article(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def true_jaccard(d: MinHashDedup, a: str, b: str) -> float:
    sa, sb = set(d.shingle_hashes(a).tolist()), set(d.shingle_hashes(b).tolist())
    return len(sa & sb) / len(sa | sb)


def run(dedup: MinHashDedup, texts: list[tuple[str, str]]) -> dict[str, Document]:
    docs = {i: make_doc(i, t) for i, t in texts}
    for doc in docs.values():
        dedup.apply(doc)
    return docs


ORIGINAL = article(ARTICLE)
CHANGED_SENTENCE = ORIGINAL.replace(
    "Membership is free for everyone who lives, works or studies in the city",
    "Anyone who lives or works in the county can become a member without paying",
)
OTHER_BOILERPLATE = article(
    ["Home > News > Local", "Harbour library opens to crowds", *ARTICLE,
     "Share this article: Facebook | X | Email", "© 2025 The Harbour Gazette. All rights reserved."]
)
REFLOWED = (
    ORIGINAL.replace(". ", ".\n").replace("\"", "“").replace("'", "’").replace(", ", " ,  ")
    .replace("three-storey", "three – storey").upper()
)
TRUNCATED = article(ARTICLE[:-1])


# near-duplicates are caught ------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["changed", "boilerplate", "reflowed", "truncated"])
def test_near_duplicates_are_caught_and_point_at_the_first(variant):
    text = {"changed": CHANGED_SENTENCE, "boilerplate": OTHER_BOILERPLATE,
            "reflowed": REFLOWED, "truncated": TRUNCATED}[variant]
    d = MinHashDedup()
    docs = run(d, [("first", ORIGINAL), ("copy", text)])
    assert docs["first"].status == KEPT
    copy = docs["copy"]
    assert copy.status == REJECTED
    assert copy.reject_reason == "near_duplicate"
    assert copy.duplicate_of == "first"
    assert copy.reject_detail.startswith("near-duplicate of first (estimated Jaccard ")
    assert len(d) == 1  # the rejected copy is not registered


def test_whitespace_case_and_punctuation_do_not_matter():
    d = MinHashDedup()
    assert np.array_equal(d.token_hashes(ORIGINAL), d.token_hashes(REFLOWED))
    assert np.array_equal(d.signature("Hello,   World!\n—  it’s  me"),
                          d.signature("hello world - it's me"))
    docs = run(d, [("a", ORIGINAL), ("b", REFLOWED)])
    assert docs["b"].reject_detail.endswith("(estimated Jaccard 1.00)")


def test_all_copies_point_at_the_first_kept_document():
    d = MinHashDedup()
    docs = run(d, [("first", ORIGINAL), ("other", article(SAME_TOPIC)),
                   ("c1", CHANGED_SENTENCE), ("c2", OTHER_BOILERPLATE), ("c3", REFLOWED)])
    assert [docs[i].status for i in ("first", "other")] == [KEPT, KEPT]
    assert {docs[i].duplicate_of for i in ("c1", "c2", "c3")} == {"first"}


def test_input_order_decides_which_copy_is_kept():
    docs = run(MinHashDedup(), [("changed", CHANGED_SENTENCE), ("original", ORIGINAL)])
    assert docs["changed"].status == KEPT
    assert docs["original"].duplicate_of == "changed"


def test_near_duplicates_in_chinese_are_caught():
    zh = ("上个周末我们全家去郊区的农场摘草莓。天气很好，孩子们玩得特别开心。中午我们在农场的小饭馆"
          "吃了一顿家常菜，有红烧肉、炒青菜和一大碗鸡汤。下午我们又去看了农场里的小羊和兔子。"
          "回家的路上，大家都说下次还要再来，爷爷奶奶也想一起去。")
    changed = zh.replace("爷爷奶奶也想一起去", "最好带上爷爷奶奶")
    other = ("今年夏天的雨水特别多，城市里很多道路都被淹了。市政府决定明年投入更多资金改善排水系统，"
             "并在老城区建设几个新的公园，用来在暴雨时储存雨水。")
    d = MinHashDedup()
    assert len(d.token_hashes(zh)) > 80  # one token per Han character
    docs = run(d, [("zh", zh), ("changed", changed), ("other", other)])
    assert docs["changed"].duplicate_of == "zh"
    assert docs["other"].status == KEPT


# different documents are not ----------------------------------------------------------------
def test_different_articles_on_the_same_topic_are_kept():
    d = MinHashDedup()
    assert true_jaccard(d, ORIGINAL, article(SAME_TOPIC)) < 0.05
    docs = run(d, [("a", ORIGINAL), ("b", article(SAME_TOPIC)), ("c", article(BUDGET))])
    assert all(doc.status == KEPT for doc in docs.values())
    assert len(d) == 3


def test_a_shared_footer_does_not_make_articles_duplicates():
    a = article([*ARTICLE, FOOTER])
    b = article([*SAME_TOPIC, FOOTER])
    c = article([*BUDGET, FOOTER])
    docs = run(MinHashDedup(), [("a", a), ("b", b), ("c", c)])
    assert all(doc.status == KEPT for doc in docs.values())


def test_short_documents_are_compared_as_one_shingle():
    d = MinHashDedup()
    assert len(d.shingle_hashes("Subscribe now")) == 1
    docs = run(d, [("a", "Subscribe now"), ("b", "SUBSCRIBE   now!"), ("c", "Subscribe later"),
                   ("d", "now Subscribe")])
    assert docs["b"].duplicate_of == "a"
    assert docs["c"].status == KEPT and docs["d"].status == KEPT


def test_documents_without_words_are_left_alone():
    d = MinHashDedup()
    assert d.signature("") is None and d.signature(" -- !!! … ") is None
    docs = run(d, [("a", "…"), ("b", "…")])
    assert all(doc.status == KEPT for doc in docs.values())
    assert len(d) == 0


def test_rejected_documents_are_skipped_and_not_registered():
    d = MinHashDedup()
    gone = make_doc("gone", ORIGINAL)
    gone.reject("language", "not wanted")
    d.apply(gone)
    assert gone.reject_reason == "language" and len(d) == 0
    docs = run(d, [("a", CHANGED_SENTENCE)])
    assert docs["a"].status == KEPT


# the threshold --------------------------------------------------------------------------------
HALF = article(ARTICLE[:3] + SAME_TOPIC[3:])  # first half of one article, end of the other


def test_threshold_is_configurable():
    j = true_jaccard(MinHashDedup(), ORIGINAL, HALF)
    assert 0.35 < j < 0.6, j
    strict = run(MinHashDedup(threshold=0.75), [("a", ORIGINAL), ("b", HALF)])
    assert strict["b"].status == KEPT
    loose_dedup = MinHashDedup(threshold=0.25)
    assert (loose_dedup.bands, loose_dedup.rows) == lsh_params(0.25, 112)
    loose = run(loose_dedup, [("a", ORIGINAL), ("b", HALF)])
    assert loose["b"].duplicate_of == "a"
    # a changed sentence (true Jaccard 0.90) is too much for 0.99, fine for 0.85
    assert run(MinHashDedup(threshold=0.99), [("a", ORIGINAL), ("b", CHANGED_SENTENCE)]
               )["b"].status == KEPT
    assert run(MinHashDedup(threshold=0.85), [("a", ORIGINAL), ("b", CHANGED_SENTENCE)]
               )["b"].status == REJECTED


def test_lsh_parameters_follow_the_threshold():
    assert lsh_params(0.75, 112) == (14, 8)  # FineWeb's
    d = MinHashDedup()
    assert (d.threshold, d.num_perm, d.bands, d.rows, d.ngram) == (0.75, 112, 14, 8, 5)
    for t in (0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0):
        bands, rows = lsh_params(t, 112)
        assert bands * rows <= 112
        assert candidate_probability(t, bands, rows) >= MIN_RECALL_AT_THRESHOLD
        # one more row (the next choice) would miss too many pairs at the threshold
        if rows < 112:
            assert candidate_probability(t, 112 // (rows + 1), rows + 1) < \
                MIN_RECALL_AT_THRESHOLD or 112 // (rows + 1) == bands
    # a higher threshold never asks for fewer rows
    rows = [lsh_params(t / 100, 112)[1] for t in range(30, 100, 5)]
    assert rows == sorted(rows)


def test_explicit_bands_and_rows_win():
    d = MinHashDedup(threshold=0.9, bands=14, rows=8)
    assert (d.bands, d.rows) == (14, 8)
    assert (MinHashDedup(bands=16).rows, MinHashDedup(rows=7).bands) == (7, 16)
    with pytest.raises(ValueError):
        MinHashDedup(bands=20, rows=8)
    with pytest.raises(ValueError):
        MinHashDedup(threshold=0)
    with pytest.raises(ValueError):
        MinHashDedup(threshold=1.5)


def test_estimated_jaccard_is_close_to_the_true_one():
    d = MinHashDedup()
    for other in (CHANGED_SENTENCE, OTHER_BOILERPLATE, TRUNCATED, HALF, article(SAME_TOPIC)):
        j = true_jaccard(d, ORIGINAL, other)
        est = d.jaccard(d.signature(ORIGINAL), d.signature(other))
        assert abs(est - j) < 0.15, (j, est)  # 3 standard errors at most


# determinism and the two stages ---------------------------------------------------------------
def test_long_texts_are_tokenised_in_pieces(monkeypatch):
    import cleaner.dedup.minhash as mh

    d = MinHashDedup()
    text = ORIGINAL + "\n" + article(SAME_TOPIC) + " 上个周末我们全家去郊区的农场摘草莓。"
    whole = d.token_hashes(text)
    monkeypatch.setattr(mh, "_TEXT_CHUNK", 37)
    assert np.array_equal(d.token_hashes(text), whole)
    assert np.array_equal(d.token_hashes("x" * 100), np.concatenate(
        [d.token_hashes("x" * 37)] * 2 + [d.token_hashes("x" * 26)]))  # no space: cut anyway


def test_signature_is_deterministic_and_compact():
    d = MinHashDedup()
    s = d.signature(ORIGINAL)
    assert s.dtype == np.uint32 and s.shape == (112,)
    assert np.array_equal(s, d.signature(ORIGINAL))
    assert np.array_equal(s, MinHashDedup().signature(ORIGINAL))
    assert not np.array_equal(s, MinHashDedup(seed=2).signature(ORIGINAL))
    assert np.array_equal(s, pickle.loads(pickle.dumps(d)).signature(ORIGINAL))


def test_signature_is_the_same_in_another_process():
    """No Python hash(): another interpreter with another hash seed gives the same values."""
    code = ("from cleaner.dedup.minhash import MinHashDedup; import sys; "
            "print(MinHashDedup().signature(sys.stdin.read()).tolist())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], input=ORIGINAL, capture_output=True,
                         text=True, cwd=ROOT, env=env, check=True).stdout
    assert out.strip() == str(MinHashDedup().signature(ORIGINAL).tolist())


def test_decisions_are_deterministic():
    texts = [("a", ORIGINAL), ("b", article(SAME_TOPIC)), ("c", CHANGED_SENTENCE),
             ("d", HALF), ("e", OTHER_BOILERPLATE), ("f", article(BUDGET))]
    first = [(x.status, x.duplicate_of, x.reject_detail) for x in run(MinHashDedup(), texts).values()]
    again = [(x.status, x.duplicate_of, x.reject_detail) for x in run(MinHashDedup(), texts).values()]
    assert first == again


def test_signature_from_the_parallel_stage_is_used():
    worker = MinHashDedup()  # the pipeline's copy in a worker process
    docs = [make_doc("a", ORIGINAL), make_doc("b", CHANGED_SENTENCE)]
    for doc in docs:
        doc.signature = worker.signature(doc.text)
    docs = [pickle.loads(pickle.dumps(doc)) for doc in docs]  # back to the main process
    d = MinHashDedup()
    for doc in docs:
        d.apply(doc)
    assert docs[1].duplicate_of == "a"
    # apply trusts doc.signature: a copy's signature makes any text a duplicate
    fake = make_doc("fake", "completely different words in this one")
    fake.signature = docs[0].signature
    d.apply(fake)
    assert fake.duplicate_of == "a"
    bad = make_doc("bad", "x")
    bad.signature = np.zeros(64, dtype=np.uint32)
    with pytest.raises(ValueError, match="does not match"):
        d.apply(bad)


def test_replay_rebuilds_the_state_of_an_interrupted_run():
    """A resumed run registers the kept rows of finished chunks with `replay(id, text)`; the
    decisions that follow are those of an uninterrupted run."""
    texts = [("a", ORIGINAL), ("b", article(SAME_TOPIC)), ("c", CHANGED_SENTENCE),
             ("d", article(BUDGET)), ("e", OTHER_BOILERPLATE), ("f", HALF), ("g", "…")]
    whole = run(MinHashDedup(), texts)
    resumed = MinHashDedup()
    for doc_id, _ in texts[:3]:  # the first chunk was finished: its kept rows are replayed
        if whole[doc_id].status == KEPT:
            resumed.replay(doc_id, whole[doc_id].text)
    rest = run(resumed, texts[3:])
    for doc_id, _ in texts[3:]:
        assert (rest[doc_id].status, rest[doc_id].duplicate_of, rest[doc_id].reject_detail) == \
            (whole[doc_id].status, whole[doc_id].duplicate_of, whole[doc_id].reject_detail)
    assert rest["e"].duplicate_of == "a"
    resumed.replay("h", "…")  # no words: nothing to register
    assert len(resumed) == 4  # a, b, d, f


def test_pickles_small_and_signs_the_same_after():
    d = MinHashDedup(threshold=0.8, seed=7)
    blob = pickle.dumps(d)
    assert len(blob) < 2000
    d2 = pickle.loads(blob)
    assert d2.params() == d.params()
    assert np.array_equal(d2.signature(ORIGINAL), d.signature(ORIGINAL))


def test_reset_forgets_everything():
    d = MinHashDedup()
    run(d, [("a", ORIGINAL)])
    assert len(d) == 1
    d.reset()
    assert len(d) == 0
    assert run(d, [("b", ORIGINAL)])["b"].status == KEPT


def test_state_grows_with_kept_documents_only():
    d = MinHashDedup()
    texts = [("orig", ORIGINAL)] + [(f"copy{i}", ORIGINAL + f" Update {i}.") for i in range(50)]
    docs = run(d, texts)
    assert sum(doc.status == KEPT for doc in docs.values()) == 1
    assert len(d) == 1 and sum(len(b) for b in d._store._buckets) == d.bands


@pytest.mark.parametrize("on_disk", [False, True])
def test_many_documents_across_signature_blocks(on_disk: bool, tmp_path) -> None:
    """More kept documents than one block of the in-memory store (1,024 rows), and more
    than one commit of the SQLite store (it is made to commit every 100 here)."""
    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i}" for i in range(5000)])
    d = MinHashDedup()
    if on_disk:
        d.reset(tmp_path / "index.sqlite")
        import cleaner.dedup.store as store
        store_commit, store.COMMIT_EVERY = store.COMMIT_EVERY, 100
    texts = [" ".join(rng.choice(vocab, 60)) for _ in range(1100)]
    docs = run(d, [(str(i), t) for i, t in enumerate(texts)])
    assert all(doc.status == KEPT for doc in docs.values())
    late = run(d, [("late", texts[1050] + " extra"), ("early", texts[3] + " extra")])
    assert late["late"].duplicate_of == "1050"
    assert late["early"].duplicate_of == "3"
    if on_disk:
        store.COMMIT_EVERY = store_commit
        d.close()
        assert not (tmp_path / "index.sqlite").exists()


def test_disk_and_memory_indexes_decide_alike(tmp_path) -> None:
    """The same stream of documents (copies, near copies, distinct texts, texts without a
    token) gets the same verdicts, kept ids and Jaccard details from both stores."""
    rng = np.random.default_rng(1)
    vocab = np.array([f"w{i}" for i in range(300)])  # small: many partial overlaps
    base = [" ".join(rng.choice(vocab, 80)) for _ in range(150)]
    texts = []
    for i in range(600):
        t = base[rng.integers(len(base))].split()
        for _ in range(int(rng.integers(0, 6))):  # a few words changed
            t[int(rng.integers(len(t)))] = str(rng.choice(vocab))
        texts.append((str(i), " ".join(t) if i % 97 else "... !!"))
    memory, disk = MinHashDedup(), MinHashDedup()
    disk.reset(tmp_path / "index.sqlite")
    a, b = run(memory, texts), run(disk, texts)
    verdicts = lambda docs: [(k, d.status, d.reject_detail) for k, d in docs.items()]  # noqa: E731
    assert verdicts(a) == verdicts(b)
    assert 50 < sum(d.status == REJECTED for d in a.values()) < 550  # both kinds occur
    assert len(memory) == len(disk)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_a_copy_is_always_caught(text):
    d = MinHashDedup()
    docs = run(d, [("a", text), ("b", text)])
    if d.signature(text) is None:
        assert docs["b"].status == KEPT
    else:
        assert docs["b"].duplicate_of == "a"
        assert docs["b"].reject_detail.endswith("(estimated Jaccard 1.00)")


def test_disk_index_fetches_more_candidates_than_one_statement_takes(tmp_path) -> None:
    """Thousands of kept documents sharing a band: their signatures come back in pieces."""
    d = MinHashDedup()
    d.reset(tmp_path / "index.sqlite")
    rng = np.random.default_rng(2)
    first_band = rng.integers(0, 2**32, 8, dtype=np.uint32)
    for i in range(2500):  # the same first band, the rest random: kept, all candidates
        sig = rng.integers(0, 2**32, 112, dtype=np.uint32)
        sig[:8] = first_band
        doc = make_doc(str(i), "x")
        doc.signature = sig
        d.apply(doc)
    assert len(d) == 2500
    probe = make_doc("probe", "x")
    probe.signature = d._store.signatures([1234])[0].copy()
    probe.signature[100:] += 1  # 12 of 112 values differ: Jaccard estimate 0.89
    d.apply(probe)
    assert probe.duplicate_of == "1234"
    d.close()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"ab Z9_.,-\t\n", "中文", "かな", "한국", "ไทย", "😀", "\u00a0",
                                 "×", "÷", "“", "—", "é", "ß", "\u3000", "\ufeff", "Σ", "x" * 70]),
                max_size=120).map("".join))
def test_compiled_token_hashes_equal_the_numpy_passes(text: str) -> None:
    """The tokens' hashes from the compiled pass over the UTF-8 bytes equal the numpy
    passes' (separators, one-character tokens, tokens longer than the 64 positions)."""
    from cleaner import accel
    from cleaner.dedup.minhash import _normalise

    if not accel.HAVE_NUMBA:
        pytest.skip("numba is not installed")
    mh = MinHashDedup()
    data = _normalise(text)
    raw = np.frombuffer(data + b"\0\0\0", dtype=np.uint8)
    assert np.array_equal(mh._token_hashes(text), mh._token_hashes_np(data, raw))
