"""HtmlLineModel: the line model for HTML pages, scoring the lines of a `DomPage`.

The same three steps as the text model (`LineModel`), each given the page's structure:
stage-1 trees over the text features *and* the DOM features (`dom_features.py`); stage-2
trees over the stage-1 probabilities of the line's neighbours *and* of its containers
(`group_means`); then the 2-state HMM. Trained by `html_training.py`.

File format: that of `LineModel` (``line_model.npz``), plus ``key_w`` / ``key_b``, the
name-logit weights of the keys listed in the meta JSON's ``dom_keys``; its config says
``"kind": "html"``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from cleaner.extractors.dom import DomPage

from .dom_features import LINK_FRAC_COL, dom_features, group_means, key_context, key_logit
from .features import SHAPE_NAMES, Tables, extract, feature_count
from .gbdt import Forest
from .linemodel import MAX_LINES, LineModel, model_parts, read_model_file
from .sequence import hmm_posterior
from .stage2 import stage2_features

DEFAULT_HTML_MODEL = Path(__file__).with_name("html_model.npz")
_LOG_TOKENS = SHAPE_NAMES.index("log_tokens")


class HtmlLineModel(LineModel):
    """P(content) for every line of a rendered page, from its text and its place in the DOM."""

    def __init__(self, meta: dict, tables: Tables, f1: Forest, f2: Forest | None, version: str,
                 key_weights: dict[str, float], key_bias: float) -> None:
        super().__init__(meta, tables, f1, f2, version)
        self.key_weights = key_weights
        self.key_bias = key_bias

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> HtmlLineModel:
        if path is None:
            return _load_default_html()
        return cls._load(Path(path))

    @classmethod
    def _load(cls, path: Path) -> HtmlLineModel:
        arrs, meta, version = read_model_file(path)
        if meta.get("config", {}).get("kind") != "html":
            raise ValueError(f"{path} is not an HTML line model")
        weights = dict(zip(meta["dom_keys"], arrs["key_w"].tolist(), strict=True))
        return cls(meta, *model_parts(arrs, meta), version, weights, float(arrs["key_b"][0]))

    # ------------------------------------------------------------ scoring
    def page_stage1(self, page: DomPage) -> tuple[np.ndarray, np.ndarray]:
        """Stage-1 probabilities and the feature matrix they came from."""
        text = extract(page.texts, page.blank_before, self.tables)
        dom = dom_features(page)
        key = key_logit(page, self.key_weights, self.key_bias)
        X = np.concatenate([text, dom, key_context(key, dom[:, LINK_FRAC_COL])], axis=1)
        return self.f1.fast_proba(X), X

    def page_finish(self, page: DomPage, p1: np.ndarray, X: np.ndarray, *,
                    use_f2: bool | None = None, hmm: dict | None = None) -> np.ndarray:
        """Stage 2 and the HMM on top of `page_stage1`."""
        p = p1
        if self.f2 is not None and (use_f2 is None or use_f2):
            p = self.f2.fast_proba(stage2_input(page, p1, X))
        cfg = hmm if hmm is not None else self.config.get("hmm")
        if cfg:
            p = hmm_posterior(p, cfg["prior"], cfg["stay_c"], cfg["stay_b"], cfg.get("power", 1.0))
        return p

    def score_page(self, page: DomPage) -> np.ndarray:
        """P(content) per line of the page (float32). A page of more than `MAX_LINES` lines
        is scored in pieces of that many, to bound memory."""
        n = len(page)
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        if n > MAX_LINES:
            return np.concatenate([self.score_page(page.slice(i, i + MAX_LINES))
                                   for i in range(0, n, MAX_LINES)])
        p1, X = self.page_stage1(page)
        p = np.nan_to_num(self.page_finish(page, p1, X), nan=0.5)
        return np.asarray(p, dtype=np.float32)

    def clean_page(self, page: DomPage) -> str:
        """Model-only cleaning: the lines scored at or above the threshold."""
        keep = self.score_page(page) >= self.threshold
        return "\n".join(t for t, k in zip(page.texts, keep, strict=True) if k)


def stage2_input(page: DomPage, p1: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Stage 2's matrix: the text model's stage-2 columns and the container means."""
    ntok = np.expm1(X[:, _LOG_TOKENS])
    return np.concatenate([stage2_features(p1, X[:, :feature_count()]),
                           group_means(page, p1, ntok)], axis=1)


@functools.lru_cache(maxsize=1)
def _load_default_html() -> HtmlLineModel:
    return HtmlLineModel._load(DEFAULT_HTML_MODEL)
