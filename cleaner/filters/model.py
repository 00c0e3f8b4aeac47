"""The trained line classifier as a line filter: it decides where the rules are silent."""

from __future__ import annotations

from cleaner.document import Document


class ModelFilter:
    """Scores every line with the shipped line model and removes, among the lines the rules
    kept, those whose content probability is below the model's threshold. Every line's
    model score is recorded, so provenance shows both the rule's verdict and the model's."""

    name = "model"

    def __init__(self, model_path: str | None = None) -> None:
        from cleaner.model import LineModel

        self.model = LineModel.load(model_path)
        self.threshold = float(self.model.threshold)

    @property
    def version(self) -> str:
        return str(self.model.version)

    def apply(self, doc: Document) -> None:
        if not doc.lines:
            return
        probs = self.model.score([ln.text for ln in doc.lines],
                                 [ln.blank_before for ln in doc.lines])
        for ln, p in zip(doc.lines, probs, strict=True):
            ln.model_score = round(float(p), 4)
            if p < self.threshold:
                ln.remove("model", round(1.0 - float(p), 4),
                          f"line model: P(content)={p:.2f} < {self.threshold:.2f}", by="model")
