"""The fitted answerability model: logistic regression over qa.refusal.assess features.

The coefficients, the feature list, the standardisation and the decision threshold live in a
versioned JSON file (qa/answerability_model.json) written by `python -m
evaluation.fit_answerability` from the tune split of data/eval/questions.jsonl; applying it is
plain Python (no scikit-learn at run time).
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("answerability_model.json")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class AnswerabilityModel:
    """P(answerable) = sigmoid(intercept + sum coef_i * (x_i - mean_i) / scale_i)."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # answer when P(answerable) >= threshold
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    hard_rules: bool = True  # refuse questions mostly foreign to the speeches before the model
    meta: dict = field(default_factory=dict, compare=False)

    def probability(self, values: Mapping[str, float]) -> float:
        """Return P(answerable) for the named feature values (a missing feature counts 0)."""
        mean = self.mean or (0.0,) * len(self.features)
        scale = self.scale or (1.0,) * len(self.features)
        z = self.intercept + sum(
            c * (float(values.get(f, 0.0)) - m) / (s or 1.0)
            for f, c, m, s in zip(self.features, self.coef, mean, scale))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def to_dict(self) -> dict:
        return {"format": FORMAT_VERSION, "features": list(self.features), "coef": list(self.coef),
                "intercept": self.intercept, "threshold": self.threshold, "mean": list(self.mean),
                "scale": list(self.scale), "hard_rules": self.hard_rules, "meta": self.meta}

    @classmethod
    def from_dict(cls, d: Mapping) -> AnswerabilityModel:
        if d.get("format") != FORMAT_VERSION:
            raise ValueError(f"answerability model format {d.get('format')!r}, "
                             f"expected {FORMAT_VERSION}")
        n = len(d["features"])
        if len(d["coef"]) != n or (d.get("mean") and len(d["mean"]) != n):
            raise ValueError("answerability model: features and coefficients differ in length")
        return cls(tuple(d["features"]), tuple(float(c) for c in d["coef"]),
                   float(d["intercept"]), float(d["threshold"]),
                   tuple(float(v) for v in d.get("mean") or ()),
                   tuple(float(v) for v in d.get("scale") or ()),
                   bool(d.get("hard_rules", True)), dict(d.get("meta") or {}))


def load_model(path: Path | str = MODEL_PATH) -> AnswerabilityModel:
    """Return the model stored at path."""
    return AnswerabilityModel.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def save_model(model: AnswerabilityModel, path: Path | str = MODEL_PATH) -> None:
    """Write the model as indented JSON."""
    Path(path).write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")


@lru_cache(maxsize=1)
def default_model() -> AnswerabilityModel:
    """Return the versioned model shipped in qa/ (read once)."""
    return load_model(MODEL_PATH)



def auroc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Return the area under the ROC curve of scores for binary labels (ties count half)."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))
