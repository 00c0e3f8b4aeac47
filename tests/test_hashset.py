"""The compact hash set gives the answers of a Python set, across its merges."""

from __future__ import annotations

import random

from cleaner.dedup.hashset import HashSet


def test_hash_set_answers_like_a_set_across_merges() -> None:
    rng = random.Random(7)
    values = [rng.getrandbits(64) for _ in range(5_000)] + [0, 2**64 - 1, 2**63, 2**63 - 1]
    s, ref = HashSet(batch=100), set()  # 40 merges
    for v in values + values[:500]:  # repeats are no-ops
        s.add(v)
        ref.add(v)
        assert v in s
    assert len(s) == len(ref) == len(set(values))
    assert all(v in s for v in values)
    others = [rng.getrandbits(64) for _ in range(5_000)]
    assert [v in s for v in others] == [v in ref for v in others]
    assert 1 not in s and 2**64 - 2 not in s
