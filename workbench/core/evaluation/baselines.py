"""The simple models every result is compared with, fitted on the same training rows.

Always the majority class (or the training mean); and a linear model from scikit-learn on
features anyone could build: TF-IDF word n-grams for text, standardised numbers and one-hot
categories for tables, downsampled pixels for images, flattened arrays for npz. A baseline's
results are an evaluation like the model's, so both are scored by the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.core.evaluation.metrics import (
    ClassificationEval,
    Evaluation,
    RegressionEval,
    evaluate_classification,
    evaluate_regression,
)


@dataclass
class Baseline:
    """A named simple model's results on the rows the model was evaluated on."""

    name: str
    evaluation: Evaluation

    def to_json(self) -> dict[str, Any]:
        """``{"name", "accuracy", ...}``: the baseline's scores, without the rows' details."""
        scores = self.evaluation.to_json()
        for key in ("task", "rows", "classes", "confusion_matrix", "per_class", "threshold"):
            scores.pop(key, None)
        return {"name": self.name, **scores}


def majority_baseline(
    train_y: np.ndarray, test_y: np.ndarray, class_names: list[str], rows: np.ndarray
) -> Baseline:
    """Always the training split's most frequent class, with its training share as the
    probability of each class."""
    n = len(class_names)
    counts = np.bincount(np.asarray(train_y, dtype=np.int64), minlength=n).astype(np.float64)
    shares = counts / max(counts.sum(), 1.0)
    proba = np.tile(shares, (len(test_y), 1))
    # Argmax picks the first most frequent class; with two classes the majority's share is
    # at least 0.5, so the default threshold picks it too.
    return Baseline("majority class", evaluate_classification(test_y, proba, class_names, rows))


def mean_baseline(train_y: np.ndarray, test_y: np.ndarray, rows: np.ndarray) -> Baseline:
    """Always the training split's mean target."""
    mean = float(np.mean(train_y)) if len(train_y) else 0.0
    return Baseline("training mean", evaluate_regression(test_y, np.full(len(test_y), mean), rows))


@dataclass(frozen=True)
class Verdict:
    """Whether the model beats a baseline, on which score and by how much."""

    beats: bool
    metric: str  # "accuracy" or "RMSE"
    model: float
    baseline: float
    headline: str


def compare(model: Evaluation, baseline: Baseline) -> Verdict:
    """The headline: accuracy for classifiers (higher is better), RMSE for regressors
    (lower is better). A tie does not beat."""
    if isinstance(model, ClassificationEval):
        ours, theirs = model.accuracy, baseline.evaluation.accuracy  # type: ignore[union-attr]
        beats = ours > theirs
        gap = abs(ours - theirs) * 100
        if beats:
            text = f"beats the {baseline.name} baseline by {gap:.1f} points of accuracy"
        elif ours == theirs:
            text = f"does no better than the {baseline.name} baseline"
        else:
            text = f"loses to the {baseline.name} baseline by {gap:.1f} points of accuracy"
        headline = f"The model {text} ({ours:.1%} vs {theirs:.1%})."
        return Verdict(beats, "accuracy", ours, theirs, headline)
    assert isinstance(model, RegressionEval)
    ours, theirs = model.rmse, baseline.evaluation.rmse  # type: ignore[union-attr]
    beats = ours < theirs
    if theirs > 0:
        change = abs(theirs - ours) / theirs
        how = f"{change:.0%} {'lower' if beats else 'higher'} RMSE"
    else:
        how = "a higher RMSE" if not beats else "a lower RMSE"
    if beats:
        text = f"beats the {baseline.name} baseline with {how}"
    elif ours == theirs:
        text = f"does no better than the {baseline.name} baseline"
    else:
        text = f"loses to the {baseline.name} baseline with {how}"
    headline = f"The model {text} ({ours:.4g} vs {theirs:.4g})."
    return Verdict(beats, "RMSE", ours, theirs, headline)


Cancelled = Callable[[], bool]


def linear_baseline(
    kind: str,
    task: str,
    train_x: Any,
    train_y: np.ndarray,
    test_x: Any,
    test_y: np.ndarray,
    class_names: list[str],
    rows: np.ndarray,
    cancelled: Cancelled | None = None,
) -> Baseline:
    """A linear model on simple features, fitted on the training rows, scored on the test
    rows. ``train_x``/``test_x``: a list of strings (text), a DataFrame of the feature
    columns (tabular), or a 2-D float array (images as downsampled pixels, npz flattened).

    ``train_y``/``test_y`` are class indices into ``class_names`` or numeric targets. The
    fit is deterministic and bounded (see :mod:`.linear`); ``cancelled`` is polled between
    its steps, and :class:`~workbench.core.evaluation.linear.BaselineCancelled` (a
    ``LoadCancelled``) is raised when it returns True.
    """
    from workbench.core.evaluation.linear import fit_linear

    fit = fit_linear(kind, task, train_x, train_y, test_x, len(class_names), cancelled)
    if task == "classification":
        return Baseline(fit.name, evaluate_classification(test_y, fit.outputs, class_names, rows))
    return Baseline(fit.name, evaluate_regression(test_y, fit.outputs, rows))
