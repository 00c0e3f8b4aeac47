"""LineModel: load the shipped .npz weights and score the lines of one document.

File format (``numpy.savez_compressed``, loaded with ``allow_pickle=False``):
  ``meta_json``  uint8 bytes of a JSON object: config (threshold, HMM parameters, ...),
                 lexical keys, stoplists;
  ``lex_w``, ``lex_b``  lexical logistic-regression weights (one per key) and bias;
  ``f1_*``       stage-1 trees (see gbdt.Forest); ``f2_*`` optional stage-2 trees.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .features import (
    Prepared,
    Tables,
    _char_table,
    extract,
    extract_prepared,
    split_indent,
    template_groups,
)
from .gbdt import Forest
from .sequence import hmm_posterior
from .stage2 import stage2_input

DEFAULT_MODEL = Path(__file__).with_name("line_model.npz")
MAX_LINES = 20000


class LineModel:
    threshold: float
    version: str

    def __init__(self, meta: dict, tables: Tables, f1: Forest, f2: Forest | None, version: str):
        self.meta = meta
        self.config = meta.get("config", {})
        self.tables = tables
        self.f1 = f1
        self.f2 = f2
        self.threshold = float(self.config.get("threshold", 0.5))
        # a model trained with the indentation columns strips each line itself and appends
        # them (`features.indent_features`); an older file sees the lines as given
        self.indent = bool(self.config.get("indent", False))
        # and one trained with the template columns (`features.grid_features`) reads them
        self.grid = bool(self.config.get("grid", False))
        # and its stage 2 may read the lines at the same depth (`stage2.depth_features`)
        self.depth2 = bool(self.config.get("depth2", False))
        # and the stage-1 scores of the lines sharing the line's template
        # (`stage2.template_features`)
        self.tmpl2 = bool(self.config.get("tmpl2", False))
        self.version = version

    # ------------------------------------------------------------ io
    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> LineModel:
        if path is None:
            return _load_default()
        return cls._load(Path(path))

    @classmethod
    def _load(cls, path: Path) -> LineModel:
        arrs, meta, version = read_model_file(path)
        return cls(meta, *model_parts(arrs, meta), version)

    @staticmethod
    def save(
        path: str | os.PathLike,
        meta: dict,
        lex_w: np.ndarray,
        lex_b: float,
        f1: Forest,
        f2: Forest | None,
        extra: dict[str, np.ndarray] | None = None,
    ) -> str:
        """Write the model file (deterministic bytes); `extra` arrays are stored as they are.
        Returns the version (the file's hash prefix)."""
        arrs = {
            **(extra or {}),
            "meta_json": np.frombuffer(
                json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"), dtype=np.uint8
            ),
            "lex_w": np.asarray(lex_w, dtype=np.float32),
            "lex_b": np.array([lex_b], dtype=np.float64),
        }
        arrs.update(_compact(f1.to_arrays("f1_")))
        if f2 is not None:
            arrs.update(_compact(f2.to_arrays("f2_")))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # deterministic bytes: write to a buffer with fixed member order
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for k in sorted(arrs):
                b = io.BytesIO()
                np.lib.format.write_array(b, np.ascontiguousarray(arrs[k]), allow_pickle=False)
                info = zipfile.ZipInfo(k + ".npy", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, b.getvalue())
        data = buf.getvalue()
        path.write_bytes(data)
        return hashlib.sha256(data).hexdigest()[:12]

    # ------------------------------------------------------------ scoring
    def stage1(
        self, lines: Sequence[str], blank_before: Sequence[bool] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Stage-1 probabilities, the stage-1 rows, and the lines' template groups
        (`features.template_groups`; None when stage 2 does not read them)."""
        if not self.indent:
            X = extract(lines, blank_before, self.tables)
            return self.f1.fast_proba(X), X, None
        lines, indent = split_indent(lines)
        prep = Prepared(lines, blank_before)
        X = extract_prepared(prep, lines, self.tables, grid=self.grid, indent=indent)
        return self.f1.fast_proba(X), X, template_groups(prep) if self.tmpl2 else None

    def finish(
        self, p1: np.ndarray, X: np.ndarray, groups: np.ndarray | None = None, *,
        use_f2: bool | None = None, hmm: dict | None = None
    ) -> np.ndarray:
        p = p1
        if self.f2 is not None and (use_f2 is None or use_f2):
            p = self.f2.fast_proba(stage2_input(p1, X, self.depth2, groups))
        cfg = hmm if hmm is not None else self.config.get("hmm")
        if cfg:
            p = hmm_posterior(p, cfg["prior"], cfg["stay_c"], cfg["stay_b"], cfg.get("power", 1.0))
        return p

    def score(self, lines: Sequence[str], blank_before: Sequence[bool] | None = None) -> np.ndarray:
        """P(content) per line after the sequence step (float32); never raises."""
        try:
            lines = ["" if s is None else str(s) for s in lines]
            n = len(lines)
            if n == 0:
                return np.zeros(0, dtype=np.float32)
            if blank_before is not None:
                bb = [bool(b) for b in list(blank_before)[:n]]
                bb += [False] * (n - len(bb))
            else:
                bb = None
            if n > MAX_LINES:
                # very long documents: score in chunks to bound memory
                parts = [
                    self.score(
                        lines[i : i + MAX_LINES], None if bb is None else bb[i : i + MAX_LINES]
                    )
                    for i in range(0, n, MAX_LINES)
                ]
                return np.concatenate(parts).astype(np.float32)
            p = self.finish(*self.stage1(lines, bb))
            p = np.nan_to_num(p, nan=0.5)
            return np.asarray(p, dtype=np.float32)
        except Exception:  # pragma: no cover - defensive: scoring must never raise
            return np.full(len(lines) if hasattr(lines, "__len__") else 0, 0.5, dtype=np.float32)

    def keep(self, lines: Sequence[str], blank_before: Sequence[bool] | None = None) -> np.ndarray:
        return self.score(lines, blank_before) >= self.threshold

    def clean_text(self, text: str) -> str:
        """Model-only cleaning of whole-page text: keep the lines scored >= threshold."""
        from .data import text_to_lines

        lines, bb = text_to_lines(text or "", indent=self.indent)
        if not lines:
            return ""
        keep = self.keep(lines, bb)
        return "\n".join(s.strip() for s, k in zip(lines, keep, strict=False) if k)


def file_version(raw: bytes) -> str:
    """A model's version: the first 12 hex digits of its file's SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:12]


def read_model_file(path: Path) -> tuple[dict[str, np.ndarray], dict, str]:
    """The arrays of a model file (never unpickled), its meta JSON and its version."""
    raw = path.read_bytes()
    version = file_version(raw)
    import io

    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        arrs = {k: z[k] for k in z.files}
    meta = json.loads(arrs["meta_json"].tobytes().decode("utf-8"))
    return arrs, meta, version


def model_parts(arrs: dict[str, np.ndarray], meta: dict) -> tuple[Tables, Forest, Forest | None]:
    """The lexical tables and the stage-1 / stage-2 trees of a model file."""
    tables = Tables(meta["keys"], arrs["lex_w"], float(arrs["lex_b"][0]), meta["stopwords"])
    _char_table()  # build the code-point class table now, not on the first score
    f1 = Forest.from_arrays(arrs, "f1_")
    f2 = Forest.from_arrays(arrs, "f2_") if "f2_roots" in arrs else None
    return tables, f1, f2


def _compact(arrs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {}
    for k, v in arrs.items():
        if k.endswith(("feature", "left", "right", "roots")):
            v = v.astype(np.int32)
        elif k.endswith("value") or k.endswith("threshold"):
            v = v.astype(np.float64)
        out[k] = v
    return out


@functools.lru_cache(maxsize=1)
def _load_default() -> LineModel:
    return LineModel._load(DEFAULT_MODEL)
