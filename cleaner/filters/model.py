"""The trained line classifier as a line filter: it decides where the rules are silent."""

from __future__ import annotations

import re

from cleaner.document import Document
from cleaner.errors import UserError

MAX_MODEL_CHARS = 5000  # the model sees at most this much of a line
MIN_LATIN_SHARE = 0.5  # the model abstains on lines whose letters are mostly not Latin
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def _mostly_latin(text: str) -> bool:
    """The model was trained on WCXB pages (almost all in Latin script): it has no say on
    a line written mostly in another script (a Japanese paragraph is one 'word' to it)."""
    if text.isascii():
        return True
    letters = len(_LETTER.findall(text))
    return letters == 0 or len(_LATIN.findall(text)) >= MIN_LATIN_SHARE * letters


class ModelFilter:
    """Scores every line with the shipped line model and removes, among the lines the rules
    kept, those whose content probability is below the model's threshold. Every line's
    model score is recorded, so provenance shows both the rule's verdict and the model's."""

    name = "model"

    def __init__(self, model_path: str | None = None, threshold: float | None = None) -> None:
        self.model_path = model_path
        self._threshold = threshold  # None: the model's own
        self._model = None  # loaded on first use, so a bad command fails before the load

    @property
    def model(self):
        if self._model is None:
            from cleaner.model import LineModel

            try:
                self._model = LineModel.load(self.model_path)
            except FileNotFoundError as e:
                raise UserError(f"line model not found: {e.filename}; reinstall cleaner, "
                                "or run with --no-model") from None
        return self._model

    @property
    def threshold(self) -> float:
        return float(self.model.threshold if self._threshold is None else self._threshold)

    @property
    def version(self) -> str:
        return str(self.model.version)

    def apply(self, doc: Document) -> None:
        # Main text that trafilatura or jusText already chose is left to the rules: the
        # model, trained on whole-page text, scored shingle F1 0.798 on it (validation
        # pages), below the combined HTML mode (0.842). Whole-page text is its domain.
        if not doc.lines or doc.extractor in ("trafilatura", "justext"):
            return
        model, threshold = self.model, self.threshold
        texts = [ln.text[:MAX_MODEL_CHARS] for ln in doc.lines]
        probs = model.score(texts, [ln.blank_before for ln in doc.lines]).tolist()
        for ln, text, p in zip(doc.lines, texts, probs, strict=True):
            ln.model_score = round(p, 4)
            if p < threshold and ln.reason is None and _mostly_latin(text):
                ln.remove("model", round(1.0 - p, 4),
                          f"line model: P(content)={p:.2f} < {threshold:.2f}", by="model")
