"""Language identification on a bounded, deterministic sample of the cleaned text."""

from __future__ import annotations

from cleaner.document import Document

SAMPLE_CHARS = 1500  # language ID looks at most this much text, taken from 3 places
MIN_CHARS = 20  # below this, the language is left unknown


def sample(text: str, budget: int = SAMPLE_CHARS) -> str:
    """The start, middle and end of `text`, cut at spaces, `budget` characters in all."""
    if len(text) <= budget:
        return text
    part = budget // 3
    mid = len(text) // 2 - part // 2
    chunks = [text[:part], text[mid : mid + part], text[-part:]]
    return " ".join(c.split(" ", 1)[-1].rsplit(" ", 1)[0] for c in chunks)


class LangdetectBackend:
    """langdetect, seeded so that the same text always gets the same answer."""

    name = "langdetect"

    def __init__(self) -> None:
        from langdetect import DetectorFactory

        DetectorFactory.seed = 0
        self._factory = DetectorFactory

    def detect(self, text: str) -> tuple[str, float]:
        from langdetect import LangDetectException, detect_langs

        self._factory.seed = 0
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return "unknown", 0.0
        return best.lang, round(float(best.prob), 4)


class HybridBackend:
    """fastText lid.176 first (about 0.3 ms a document); when it is unsure (probability
    under `confident`), langdetect decides. As accurate as langdetect on our multilingual
    test set (tests/test_langid.py) at a fraction of its cost, so it is the default."""

    name = "fasttext+langdetect"
    confident = 0.8

    def __init__(self) -> None:
        from cleaner.filters.langid_fasttext import FastTextBackend

        self.fast = FastTextBackend()
        self.slow: LangdetectBackend | None = None  # built on first need

    def detect(self, text: str) -> tuple[str, float]:
        lang, prob = self.fast.detect(text)
        if prob >= self.confident:
            return lang, prob
        if self.slow is None:
            self.slow = LangdetectBackend()
        lang, prob = self.slow.detect(text)
        return lang.split("-")[0], prob  # zh-cn -> zh, as fastText says


def make_backend(name: str):
    """The language ID backend called `name`: langdetect, fasttext or hybrid."""
    if name == "langdetect":
        return LangdetectBackend()
    if name == "fasttext":
        from cleaner.filters.langid_fasttext import FastTextBackend

        return FastTextBackend()
    return HybridBackend()


class LanguageFilter:
    """Records each document's language and, when `keep` is set, rejects the others."""

    name = "language"

    def __init__(self, keep: list[str] | None = None, backend: LangdetectBackend | None = None):
        self.keep = set(keep or [])
        self.backend = backend or LangdetectBackend()

    def apply(self, doc: Document) -> None:
        text = sample(doc.text)
        if len(text.strip()) < MIN_CHARS:
            doc.language, doc.language_prob = "unknown", 0.0
        else:
            doc.language, doc.language_prob = self.backend.detect(text)
        if self.keep and doc.language not in self.keep:
            doc.reject(
                "language",
                f"language {doc.language} (p={doc.language_prob}) not in {sorted(self.keep)}",
            )
