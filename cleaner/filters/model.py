"""The trained line classifier as a line filter: it decides where the rules are silent."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from cleaner.document import Document, Line
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
    """Scores every line with a shipped line model and removes, among the lines the rules
    kept, those whose content probability is below the model's threshold. Every line's
    model score is recorded, so provenance shows both the rule's verdict and the model's.

    Whole-page text (a `.txt`, or a page no extractor could parse) is scored by the text
    line model; an HTML page laid out by `render_dom` by the HTML line model, which also
    sees each line's place in the DOM."""

    name = "model"

    def __init__(self, model_path: str | None = None, threshold: float | None = None,
                 html_model_path: str | None = None) -> None:
        self.model_path = model_path
        self.html_model_path = html_model_path
        self._threshold = threshold  # None: the model's own
        self._model = None  # loaded on first use, so a bad command fails before the load
        self._html_model = None

    @property
    def model(self):
        if self._model is None:
            from cleaner.model import LineModel

            self._model = _load(LineModel, self.model_path)
        return self._model

    @model.setter
    def model(self, model) -> None:
        self._model = model

    @property
    def html_model(self):
        if self._html_model is None:
            from cleaner.model import HtmlLineModel

            self._html_model = _load(HtmlLineModel, self.html_model_path)
        return self._html_model

    @html_model.setter
    def html_model(self, model) -> None:
        self._html_model = model

    @property
    def threshold(self) -> float:
        return self.threshold_of(self.model)

    def threshold_of(self, model) -> float:
        return float(model.threshold if self._threshold is None else self._threshold)

    @property
    def version(self) -> str:
        """Both models' versions (hash prefixes of their files), as the manifest shows them.
        A model not loaded yet is not loaded for this: its file is hashed (a text-only run
        does not carry the HTML model, about 36 MB)."""
        from cleaner.model.htmlmodel import DEFAULT_HTML_MODEL
        from cleaner.model.linemodel import DEFAULT_MODEL

        text = _version(self._model, self.model_path, DEFAULT_MODEL)
        html = _version(self._html_model, self.html_model_path, DEFAULT_HTML_MODEL)
        return f"text {text}, html {html}"

    def apply(self, doc: Document) -> None:
        # Main text that trafilatura or jusText already chose is left to the rules: the text
        # model, trained on whole-page text, scored shingle F1 0.798 on it (validation
        # pages), below the HTML line model on the page's own lines.
        if not doc.lines or doc.extractor in ("trafilatura", "justext"):
            return
        page, doc.dom = doc.dom, None  # the DOM facts are not needed past this point
        if page is not None and len(page) == len(doc.lines):
            model = self.html_model
            probs = model.score_page(page)
            texts = [ln.text for ln in doc.lines]
            abstain = False  # the page's structure speaks for lines in any script
            which = "HTML line model"
        else:
            model = self.model
            texts = [ln.text[:MAX_MODEL_CHARS] for ln in doc.lines]
            probs = model.score(texts, [ln.blank_before for ln in doc.lines])
            abstain = True
            which = "line model"
        threshold = self.threshold_of(model)
        lines, p64 = doc.lines, np.asarray(probs, dtype=np.float64)
        for ln, score in zip(lines, np.round(p64, 4).tolist(), strict=True):
            ln.model_score = score
        # only the lines under the threshold are looked at one by one
        below = np.flatnonzero(p64 < threshold)
        head, tail = f"{which}: P(content)=", f" < {threshold:.2f}"
        for i, p in zip(below.tolist(), p64[below].tolist(), strict=True):
            ln = lines[i]
            if ln.reason is None and (not abstain or _mostly_latin(texts[i])):
                ln.remove("model", round(1.0 - p, 4), f"{head}{p:.2f}{tail}", by="model")
        keep_best_copy(doc.lines, threshold, which)


def keep_best_copy(lines: list[Line], threshold: float, which: str = "line model") -> None:
    """A repeated paragraph keeps one copy. The rules keep the first (`repeated` removes the
    later ones); where the model then removes that first copy (a table of contents, a
    teaser above the article), the later copy the model scores highest stands in for it,
    if the model would keep that one. The overruled verdict stays on record: the removed
    first copy's detail names the copy kept instead (the row's provenance), and the kept
    copy's detail says which rule verdict was overruled (`clean explain`)."""
    repeated = [ln for ln in lines if ln.reason == "repeated"]
    if not repeated:
        return
    copies: dict[int, list[Line]] = {}
    for ln in repeated:
        copies.setdefault(ln.key_hash, []).append(ln)
    done: set[int] = set()
    for ln in lines:
        if ln.reason != "model":
            continue
        k = ln.key_hash
        if k not in copies or k in done:
            continue
        done.add(k)
        best = max(copies[k], key=lambda c: c.model_score or 0.0)
        if best.model_score is not None and best.model_score >= threshold:
            ln.detail += f"; its copy at line {best.number} is kept instead"
            best.reason, best.score, best.by = None, 0.0, ""
            best.detail = (f"kept against the rule 'repeated' ({best.detail}): the {which} "
                           f"removed line {ln.number} and keeps this copy")


def _not_found(filename: str | None) -> UserError:
    return UserError(f"line model not found: {filename}; reinstall cleaner, or run with "
                     "--no-model")


def _version(model, path: str | None, default: Path) -> str:
    """The version of ``model``, or of the model file it would be loaded from."""
    if model is not None:
        return model.version
    from cleaner.model.linemodel import file_version

    try:
        return file_version(Path(path or default).read_bytes())
    except FileNotFoundError as e:
        raise _not_found(e.filename) from None


def _load(cls, path: str | None):
    try:
        return cls.load(path)
    except FileNotFoundError as e:
        raise _not_found(e.filename) from None
