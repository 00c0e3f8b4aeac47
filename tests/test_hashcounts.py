"""HashCounts gives the answers of a Python set (add_new) and of a Counter (add), across
its merges."""

from __future__ import annotations

import random
from collections import Counter

from cleaner.dedup.hashcounts import HashCounts


def test_hash_set_answers_like_a_set_across_merges() -> None:
    rng = random.Random(7)
    values = [rng.getrandbits(64) for _ in range(5_000)] + [0, 2**64 - 1, 2**63, 2**63 - 1]
    s, ref = HashCounts(batch=100), set()  # 40 merges
    for v in values + values[:500]:  # repeats are no-ops
        s.add_new(v)
        ref.add(v)
        assert v in s
    assert len(s) == len(ref) == len(set(values))
    assert all(v in s for v in values)
    others = [rng.getrandbits(64) for _ in range(5_000)]
    assert [v in s for v in others] == [v in ref for v in others]
    assert 1 not in s and 2**64 - 2 not in s


def test_counts_match_a_counter_across_merges() -> None:
    rng = random.Random(8)
    c, ref = HashCounts(batch=50), Counter()
    for _ in range(2_000):
        hashes = [rng.choice((2**64 - 1, 0)) if rng.random() < 0.1 else rng.randrange(300)
                  for _ in range(rng.randrange(1, 6))]
        c.add(hashes)
        ref.update(hashes)
    c.merge()
    assert list(c.keys) == sorted(ref)
    assert dict(zip(c.keys.tolist(), c.counts.tolist(), strict=True)) == dict(ref)
    c.keep(c.counts >= 10)
    assert set(c.keys.tolist()) == {h for h, n in ref.items() if n >= 10}
