"""Near-duplicate documents: MinHash over word n-grams, with LSH banding, verified.

Two stages, like the rest of the pipeline:

- `MinHashDedup.signature(text)` is pure and runs in the parallel per-document stage; the
  pipeline stores its result in `doc.signature`.
- `MinHashDedup.apply(doc)` runs in input order in one process: it looks the signature up in
  the LSH index and rejects the document as `near_duplicate` of an earlier *kept* document
  whose estimated Jaccard similarity reaches `threshold`; otherwise it registers it. The first
  document of a group is kept, so the choice is deterministic. A rejected document is not
  registered: everything is compared with kept documents only.

Text -> shingles. The kept text is NFKC-normalised and case-folded; tokens are runs of
letters and digits (punctuation, symbols, emoji and all kinds of spaces separate them, so
whitespace and punctuation changes do not matter). Han, kana and Thai characters are one token
each, so texts written without spaces still give many shingles. A shingle is `ngram`
consecutive tokens; a text with fewer tokens than `ngram` is one shingle of all its tokens (so
short texts are still comparable: equal token sequences match, others do not).

Hashing is stable (never Python's `hash()`) and runs over the UTF-8 bytes in one compiled
pass (`cleaner.accel.token_hashes_utf8`; in NumPy passes without numba; no Python loop over
words): each token is hashed by simple tabulation hashing (XOR of a random
64-bit word per (position in token mod 64, byte)), a shingle combines its token hashes with
fixed odd multipliers, and permutation i is the multiply-add-shift hash
``(a_i * x + b_i) mod 2**64 >> 32`` of the shingle's 32-bit hash x (Dietzfelbinger's strongly
universal scheme; datasketch's `(a*x+b) mod p` with the modulus 2**64, which NumPy's uint64
wrap-around computes exactly). The random constants
come from SplitMix64 seeded with `seed`, not from NumPy's generators, so signatures are the
same on every platform and NumPy version. A signature is `num_perm` uint32 values.

LSH. The signature is cut into `bands` bands of `rows` values; two documents become
candidates when any band is equal, which happens with probability
``P(s) = 1 - (1 - s**rows) ** bands`` for Jaccard similarity s (an S-curve whose steep part is
near ``(1 / bands) ** (1 / rows)``). Candidates are then *verified* with the full signatures
(estimated Jaccard = the fraction of equal values, standard error
``sqrt(s * (1 - s) / num_perm)``, 0.04 at s = 0.75 with 112 values), so LSH false positives
cost only a comparison; the decision is "estimated Jaccard >= threshold".

Parameters. The defaults are FineWeb's: 5-grams, 112 permutations = 14 bands x 8 rows,
threshold 0.75. When `bands`/`rows` are not given they follow from the threshold
(`lsh_params`): the largest `rows` (fewest bands: least memory, fewest false candidates) with
``bands = num_perm // rows`` such that a pair at exactly the threshold is still a candidate
with probability >= `MIN_RECALL_AT_THRESHOLD` (0.75). For threshold 0.75 that is 14 x 8
(P(0.75) = 0.77, P(0.8) = 0.92, P(0.85) = 0.99, P(0.6) = 0.21, P(0.5) = 0.05); for 0.8 it is
12 x 9, for 0.9 7 x 16, for 0.5 28 x 4.

State (grows with kept documents only): the signatures of kept documents (4 * num_perm bytes
a document: 448 with 112 permutations), their band keys, and their ids. In memory (the
default of `MinHashDedup()`): NumPy blocks of signatures and one dict a band; measured
(`bench/bench_dedup_langid.py`, tracemalloc) 1,409 bytes a kept document with 14 bands plus
its id string, ~1.5 KB, 1.4 GiB per million kept documents. A run (`Job`) keeps it in an
SQLite file instead (`reset(index_path)`, `cleaner.dedup.store`): memory stays flat. Rejected
documents add nothing.

Speed (one core, ~3 KB documents): `signature` ~190 us (tokens 80, shingles 15, the 112
permutations 75), `apply` ~16 us. The permutations are plain NumPy rather than rensa (7 us
for that step): one dependency fewer, and the signatures, hence the decisions, cannot change
with another package's version.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import numpy as np

from cleaner.accel import minhash, token_hashes_utf8
from cleaner.dedup.store import DiskSignatures, MemorySignatures
from cleaner.document import KEPT, Document
from cleaner.text import each_line

DEFAULT_THRESHOLD = 0.75
DEFAULT_NUM_PERM = 112
DEFAULT_NGRAM = 5
MIN_RECALL_AT_THRESHOLD = 0.75  # P(candidate) for a pair exactly at the threshold

_MASK64 = (1 << 64) - 1
_TOKEN_POSITIONS = 64  # tabulation table rows: byte positions inside a token (mod 64)
_TEXT_CHUNK = 1 << 20  # longer texts are tokenised in pieces cut at a space (bounds memory)
_WIDTHS = {w: np.arange(w) for w in (2, 3, 4)}


def _splitmix64(seed: int, n: int) -> np.ndarray:
    """n stable pseudo-random uint64 values (SplitMix64), independent of NumPy's RNGs."""
    z = (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
         + np.uint64(seed & _MASK64))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def lsh_params(threshold: float, num_perm: int = DEFAULT_NUM_PERM,
               min_recall: float = MIN_RECALL_AT_THRESHOLD) -> tuple[int, int]:
    """(bands, rows) for `threshold`: the largest `rows` with `bands = num_perm // rows` such
    that a pair at exactly the threshold becomes a candidate with probability >= min_recall.

    >>> lsh_params(0.75, 112)
    (14, 8)
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) >= min_recall:
            best = (bands, rows)
    return best


def candidate_probability(s: float, bands: int, rows: int) -> float:
    """P(two documents with Jaccard similarity s share at least one band)."""
    return 1.0 - (1.0 - s**rows) ** bands


# Byte -> the byte itself for ASCII letters and digits (upper case folded to lower), 0 for
# ASCII separators; non-ASCII bytes stay (letters, unless marked as separators below).
_BYTE_VALUE = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (chr(c).isalnum() or c >= 0x80) else 0
    for c in range(256)
)


def _lead_classes() -> np.ndarray:
    """(first byte, second byte) of a multi-byte UTF-8 character -> what it is:
    0 a letter, 2/3/4 a separator of that many bytes, 5 a character that is a token alone."""
    t = np.zeros((256, 256), dtype=np.uint8)
    t[0xC2, :] = 2  # U+0080-00BF: NBSP, Latin-1 punctuation and symbols
    t[0xC3, [0x97, 0xB7]] = 2  # × ÷
    t[0xE2, 0x80:0xB0] = 3  # U+2000-2BFF: spaces, dashes, quotes, symbols, arrows, shapes
    t[0xE2, [0xB8, 0xB9]] = 3  # U+2E00-2E7F: supplemental punctuation
    t[0xE3:0xEA, :] = 5  # U+3000-9FFF: kana, Han (one token a character)
    t[0xE3, 0x80] = 3  # U+3000-303F: CJK punctuation, ideographic space
    t[0xE0, [0xB8, 0xB9]] = 5  # Thai
    t[0xEF, [0xBB, 0xBF]] = 3  # BOM, specials (U+FFFD); NFKC has mapped the forms around them
    t[0xF0, 0x9F] = 4  # emoji and pictographs
    return t.ravel()


_LEAD_CLASS = _lead_classes()
_BYTE_VALUE_ARRAY = np.frombuffer(_BYTE_VALUE, dtype=np.uint8)


def _normalise(text: str) -> bytes:
    """NFKC, case-folded UTF-8 (ASCII is left as it is: the byte table folds its case),
    soft hyphens dropped. Line by line, and only the lines that are not ASCII: NFKC never
    joins characters across a line break nor makes one, so this is the whole text's
    normalisation, at a fraction of its cost on a page with a few non-ASCII lines."""
    if text.isascii():
        return text.encode("ascii")
    return each_line(text.split("\n"), _fold_line, str).encode("utf-8", "surrogatepass")


def _fold_line(line: str) -> str:
    return unicodedata.normalize("NFKC", line.replace("\u00ad", "")).casefold()


class MinHashDedup:
    """Rejects a kept document whose estimated Jaccard similarity (word `ngram`-shingles)
    with an earlier kept document is at least `threshold`; see the module docstring.

    `bands`/`rows` default to `lsh_params(threshold, num_perm)` (14 x 8 for 0.75).
    """

    name = "near_dedup"

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = DEFAULT_NUM_PERM,
                 bands: int | None = None, rows: int | None = None,
                 ngram: int = DEFAULT_NGRAM, seed: int = 1) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        if num_perm < 1 or ngram < 1:
            raise ValueError("num_perm and ngram must be at least 1")
        if bands is None and rows is None:
            bands, rows = lsh_params(threshold, num_perm)
        elif bands is None:
            bands = num_perm // rows  # type: ignore[operator]
        elif rows is None:
            rows = num_perm // bands
        if bands < 1 or rows < 1 or bands * rows > num_perm:
            raise ValueError(f"need 1 <= bands * rows <= num_perm, got {bands} x {rows} "
                             f"with num_perm={num_perm}")
        self.threshold = float(threshold)
        self.num_perm = num_perm
        self.bands = bands
        self.rows = rows
        self.ngram = ngram
        self.seed = seed
        self._make_tables()
        self.reset()

    def _make_tables(self) -> None:
        n, k, r = self.num_perm, self.ngram, self.rows
        rnd = _splitmix64(self.seed, 2 * n + k + _TOKEN_POSITIONS * 256 + r)
        self._a = rnd[:n] | np.uint64(1)  # odd multipliers
        self._b = rnd[n : 2 * n].copy()
        pos = 2 * n
        self._mul = rnd[pos : pos + k] | np.uint64(1)
        pos += k
        self._tab = rnd[pos : pos + _TOKEN_POSITIONS * 256].copy()
        self._tab[::256] = 0  # byte value 0 (a separator) adds nothing to a token's hash
        pos += _TOKEN_POSITIONS * 256
        self._row_mul = rnd[pos : pos + r] | np.uint64(1)

    def __getstate__(self) -> dict[str, object]:
        """Pickles small: the hash tables are rebuilt from the seed (a worker that gets a
        pickled pipeline, e.g. on Ray, receives the parameters, not 130 KB of tables)."""
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_a", "_b", "_mul", "_tab", "_row_mul")
                and not isinstance(v, DiskSignatures)}  # a file is not pickled: reset()

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._make_tables()
        if "_store" not in state:
            self.reset()

    # parameters ---------------------------------------------------------------------------
    def params(self) -> dict[str, float | int]:
        """Everything that changes the decisions (for a config hash or a manifest)."""
        return {"threshold": self.threshold, "num_perm": self.num_perm, "bands": self.bands,
                "rows": self.rows, "ngram": self.ngram, "seed": self.seed}

    def __repr__(self) -> str:
        return "MinHashDedup(" + ", ".join(f"{k}={v}" for k, v in self.params().items()) + ")"

    # the per-document stage (pure) --------------------------------------------------------
    def token_hashes(self, text: str) -> np.ndarray:
        """A uint64 hash per token of `text`, in order (see the module docstring)."""
        if len(text) <= _TEXT_CHUNK:
            return self._token_hashes(text)
        parts = []
        i = 0
        while i < len(text):
            j = min(i + _TEXT_CHUNK, len(text))
            if j < len(text):
                cut = max(text.rfind(" ", i, j), text.rfind("\n", i, j))
                j = cut if cut > i else j
            parts.append(self._token_hashes(text[i:j]))
            i = j
        return np.concatenate(parts)

    def _token_hashes(self, text: str) -> np.ndarray:
        data = _normalise(text)
        n = len(data)
        raw = np.frombuffer(data + b"\0\0\0", dtype=np.uint8)
        fast = token_hashes_utf8(raw, n, _BYTE_VALUE_ARRAY, _LEAD_CLASS, self._tab)
        return fast if fast is not None else self._token_hashes_np(data, raw)

    def _token_hashes_np(self, data: bytes, raw: np.ndarray) -> np.ndarray:
        """`_token_hashes` in numpy passes over the bytes (without numba)."""
        n = len(data)
        b = np.frombuffer(data.translate(_BYTE_VALUE), dtype=np.uint8)  # 0: a separator byte
        brk = None
        if not data.isascii():
            b = b.copy()
            lead = np.flatnonzero(raw >= 0xC2)  # first bytes of multi-byte characters
            cls = _LEAD_CLASS[(raw[lead].astype(np.intp) << 8) | raw[lead + 1]]
            for width in (2, 3, 4):
                p = lead[cls == width]
                if p.size:
                    b[np.minimum(p[:, None] + _WIDTHS[width], n - 1)] = 0
            p = lead[cls == 5]
            if p.size:
                brk = np.zeros(n + 4, dtype=bool)
                brk[p] = True
                brk[p + 3] = True
        word = b != 0
        start = word.copy()
        start[1:] &= ~word[:-1]
        if brk is not None:
            start |= word & brk[:n]
        firsts = np.flatnonzero(start)
        if firsts.size == 0:
            return np.empty(0, dtype=np.uint64)
        # each byte's position inside its token (separator bytes: value 0, which hashes to 0)
        first = np.zeros(n, dtype=np.intp)
        first[firsts] = firsts
        np.maximum.accumulate(first, out=first)
        idx = np.arange(n) - first
        idx &= _TOKEN_POSITIONS - 1
        idx <<= 8
        idx |= b
        return np.bitwise_xor.reduceat(self._tab[idx], firsts)

    def shingle_hashes(self, text: str) -> np.ndarray:
        """A 32-bit hash (as uint64) per word `ngram`-shingle; one shingle when shorter."""
        h = self.token_hashes(text)
        t = len(h)
        if t == 0:
            return h
        k = min(self.ngram, t)
        m = t - k + 1
        s = h[:m] * self._mul[0]
        for j in range(1, k):
            s += h[j : j + m] * self._mul[j]
        return s >> np.uint64(32)

    def signature(self, text: str) -> np.ndarray | None:
        """The MinHash signature of `text` (`num_perm` uint32), or None when it has no token.

        Pure: the same text and parameters give the same signature in any process.
        """
        x = self.shingle_hashes(text)
        if x.size == 0:
            return None
        best = minhash(x, self._a, self._b)  # compiled (cleaner.accel), or numpy
        return (best >> np.uint64(32)).astype(np.uint32)

    @staticmethod
    def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
        """Estimated Jaccard similarity of two signatures: the fraction of equal values."""
        return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)

    def band_keys(self, sig: np.ndarray) -> list[int]:
        """One 64-bit key per band: a hash of the band's `rows` values. Two different bands
        rarely share a key, and when they do the verification catches it."""
        v = sig[: self.bands * self.rows].reshape(self.bands, self.rows).astype(np.uint64)
        h = v @ self._row_mul
        h ^= h >> np.uint64(31)
        return h.tolist()

    # the sequential stage ----------------------------------------------------------------
    def reset(self, index_path: Path | None = None) -> None:
        """Forget every registered document (start a new run). The state is kept in memory,
        or, with `index_path`, in an SQLite file there (bounded memory; see
        `cleaner.dedup.store`). The decisions are the same either way."""
        old = getattr(self, "_store", None)
        if old is not None:
            old.close()
        self._store: MemorySignatures | DiskSignatures = (
            MemorySignatures(self.num_perm, self.bands) if index_path is None
            else DiskSignatures(index_path, self.num_perm, self.bands))

    def close(self) -> None:
        """Release the state (and delete its file, if on disk)."""
        self._store.close()

    def __len__(self) -> int:
        """The number of registered (kept) documents."""
        return len(self._store)

    def replay(self, doc_id: str, text: str) -> None:
        """Register a document kept by an earlier (interrupted) part of the run, from its
        kept text, exactly as `apply` registered it then."""
        sig = self.signature(text)
        if sig is not None:
            self._store.add(doc_id, sig, self.band_keys(sig))

    def apply(self, doc: Document) -> None:
        if doc.status != KEPT:
            return
        sig = doc.signature
        if sig is None:
            sig = doc.signature = self.signature(doc.text)
            if sig is None:
                return  # no token at all: nothing to compare
        if sig.shape != (self.num_perm,) or sig.dtype != np.uint32:
            raise ValueError(f"signature of {doc.id} does not match {self!r}")
        keys = self.band_keys(sig)
        match = self._best_match(sig, keys)
        if match is not None:
            idx, j = match
            kept_id = self._store.doc_id(idx)
            doc.reject("near_duplicate", f"near-duplicate of {kept_id} (estimated Jaccard {j:.2f})",
                       duplicate_of=kept_id)
            return
        self._store.add(doc.id, sig, keys)

    def _best_match(self, sig: np.ndarray, keys: list[int]) -> tuple[int, float] | None:
        """The most similar registered document at or above the threshold (the earliest on a
        tie), with its estimated Jaccard; None when there is none."""
        order = self._store.candidates(keys)
        if not order:
            return None
        rows = self._store.signatures(order)
        equal = np.count_nonzero(rows == sig, axis=1)
        best = int(np.argmax(equal))  # the first (earliest) of the most similar
        j = int(equal[best]) / self.num_perm
        # compare counts, not floats: j >= threshold exactly as the reported fraction says
        if int(equal[best]) < math.ceil(self.threshold * self.num_perm - 1e-9):
            return None
        return order[best], j
