"""Classification and regression metrics from a model's own outputs, by scikit-learn.

An evaluation keeps the true labels and the model's probabilities (or values); everything
a person reads (accuracy, the confusion matrix, per-class scores, the cells' samples) is
derived from them here, so the Evaluate tab, the report and ``workbench evaluate --json``
can never disagree. For two classes a decision threshold on the positive class (the second
in ``class_names``) replaces argmax; moving it recomputes only what depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn import metrics as skm

DEFAULT_THRESHOLD = 0.5
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class ClassScores:
    """One class's row of the per-class table."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class ClassificationEval:
    """A classifier's results on labelled rows.

    ``y_true`` holds class indices into ``class_names``; ``proba`` is (rows, classes), each
    row the model's probabilities. ``rows`` maps each result back to the evaluated data's
    row numbers (for the sample browser and the CSV export).
    """

    class_names: list[str]
    y_true: np.ndarray
    proba: np.ndarray
    rows: np.ndarray
    threshold: float | None = None
    predicted: np.ndarray = field(init=False, repr=False)
    confidence: np.ndarray = field(init=False, repr=False)
    confusion: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.y_true = np.asarray(self.y_true, dtype=np.int64)
        self.proba = np.asarray(self.proba, dtype=np.float64)
        self.rows = np.asarray(self.rows, dtype=np.int64)
        n_classes = len(self.class_names)
        if self.proba.ndim != 2 or self.proba.shape[1] != n_classes:
            raise ValueError(f"proba must be (rows, {n_classes}), got {self.proba.shape}")
        if not (len(self.y_true) == len(self.proba) == len(self.rows)):
            raise ValueError("y_true, proba and rows must have one entry per row")
        if n_classes == 2 and self.threshold is None:
            self.threshold = DEFAULT_THRESHOLD
        if n_classes != 2:
            self.threshold = None
        self._decide()

    def _decide(self) -> None:
        if self.threshold is not None:
            self.predicted = (self.proba[:, 1] >= self.threshold).astype(np.int64)
        else:
            self.predicted = np.argmax(self.proba, axis=1).astype(np.int64)
        self.confidence = self.proba[np.arange(len(self.proba)), self.predicted]
        n = len(self.class_names)
        flat = self.y_true * n + self.predicted
        self.confusion = np.bincount(flat, minlength=n * n).reshape(n, n)

    def with_threshold(self, threshold: float) -> ClassificationEval:
        """The same results decided at another threshold (two classes only)."""
        if len(self.class_names) != 2:
            raise ValueError("a threshold applies to two classes only")
        out = ClassificationEval(self.class_names, self.y_true, self.proba, self.rows, threshold)
        out.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k.startswith("_cached_")}
        )  # threshold-free results (AUC, curves, log loss) carry over
        return out

    # -- threshold-dependent ------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.y_true)

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.y_true)) if self.size else 0.0

    def normalised_confusion(self) -> np.ndarray:
        """Each true class's row as shares of that class (a row of zeros when absent)."""
        totals = self.confusion.sum(axis=1, keepdims=True)
        return np.divide(
            self.confusion, totals, out=np.zeros(self.confusion.shape), where=totals > 0
        )

    def _scores(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per-class precision, recall, F1 and support, read off the confusion matrix.

        The definitions are scikit-learn's (``precision_recall_fscore_support`` with
        ``zero_division=0``; the tests hold them equal), but from the matrix it costs
        microseconds instead of two passes over every row, so a threshold slider stays
        live on 100,000 rows.
        """
        confusion = self.confusion.astype(np.float64)
        hits = np.diag(confusion)
        support = confusion.sum(axis=1)
        predicted = confusion.sum(axis=0)
        precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
        recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
        both = precision + recall
        f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hits), where=both > 0)
        return precision, recall, f1, support.astype(np.int64)

    def per_class(self) -> dict[str, ClassScores]:
        p, r, f, s = self._scores()
        return {
            name: ClassScores(float(p[i]), float(r[i]), float(f[i]), int(s[i]))
            for i, name in enumerate(self.class_names)
        }

    def averages(self) -> dict[str, float]:
        """Macro and weighted precision, recall and F1 (zeros when nothing was scored)."""
        p, r, f, s = self._scores()
        total = s.sum()
        weights = s / total if total else np.zeros(len(s))
        out: dict[str, float] = {}
        for average, w in (("macro", np.full(len(s), 1.0 / max(len(s), 1))), ("weighted", weights)):
            out[f"{average}_precision"] = float(np.sum(p * w)) if total else 0.0
            out[f"{average}_recall"] = float(np.sum(r * w)) if total else 0.0
            out[f"{average}_f1"] = float(np.sum(f * w)) if total else 0.0
        return out

    def cell_rows(self, true_class: int, predicted_class: int) -> np.ndarray:
        """Positions (into this evaluation) of one confusion-matrix cell, most confident
        first."""
        hits = np.flatnonzero((self.y_true == true_class) & (self.predicted == predicted_class))
        order = np.argsort(-self.confidence[hits], kind="stable")
        return hits[order]

    def confident_mistakes(self, limit: int | None = None) -> np.ndarray:
        """Positions of wrong answers, the most confident first."""
        wrong = np.flatnonzero(self.y_true != self.predicted)
        order = np.argsort(-self.confidence[wrong], kind="stable")
        return wrong[order][:limit]

    # -- threshold-free -----------------------------------------------------------------------

    def _cached(self, name: str, compute) -> Any:
        key = f"_cached_{name}"
        if key not in self.__dict__:
            self.__dict__[key] = compute()
        return self.__dict__[key]

    def _present(self) -> list[int]:
        return [int(c) for c in np.unique(self.y_true)]

    def roc_auc(self) -> float | None:
        """Positive class's AUC with two classes; macro one-vs-rest with more (over the
        classes present); None when fewer than two classes occur."""
        return self._cached("roc_auc", self._roc_auc)

    def _roc_auc(self) -> float | None:
        if len(self._present()) < 2:
            return None
        if len(self.class_names) == 2:
            return float(skm.roc_auc_score(self.y_true, self.proba[:, 1]))
        scores = [skm.roc_auc_score(self.y_true == c, self.proba[:, c]) for c in self._present()]
        return float(np.mean(scores))

    def average_precision(self) -> float | None:
        """Positive class's average precision with two classes; macro one-vs-rest with
        more (over the classes present)."""
        return self._cached("ap", self._average_precision)

    def _average_precision(self) -> float | None:
        if not self.size or len(self._present()) < 1:
            return None
        if len(self.class_names) == 2:
            if not np.any(self.y_true == 1):
                return None
            return float(skm.average_precision_score(self.y_true == 1, self.proba[:, 1]))
        scores = [
            skm.average_precision_score(self.y_true == c, self.proba[:, c]) for c in self._present()
        ]
        return float(np.mean(scores))

    def log_loss(self) -> float | None:
        if not self.size:
            return None
        return self._cached(
            "log_loss",
            lambda: float(
                skm.log_loss(
                    self.y_true,
                    _normalised(self.proba),
                    labels=list(range(len(self.class_names))),
                )
            ),
        )

    def roc_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        """Per class present (one-vs-rest): (false positive rate, true positive rate, AUC)."""
        return self._cached("roc_curves", self._roc_curves)

    def _roc_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        out = {}
        for c in self._one_vs_rest():
            truth = self.y_true == c
            fpr, tpr, _ = skm.roc_curve(truth, self.proba[:, c])
            out[self.class_names[c]] = (fpr, tpr, float(skm.auc(fpr, tpr)))
        return out

    def pr_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        """Per class present (one-vs-rest): (recall, precision, average precision)."""
        return self._cached("pr_curves", self._pr_curves)

    def _pr_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        out = {}
        for c in self._one_vs_rest():
            truth = self.y_true == c
            precision, recall, _ = skm.precision_recall_curve(truth, self.proba[:, c])
            ap = float(skm.average_precision_score(truth, self.proba[:, c]))
            out[self.class_names[c]] = (recall, precision, ap)
        return out

    def _one_vs_rest(self) -> list[int]:
        """Classes with a curve: both sides present. Two classes draw the positive one."""
        present = self._present()
        if len(present) < 2:
            return []
        if len(self.class_names) == 2:
            return [1]
        return present

    def reliability(self, bins: int = CALIBRATION_BINS) -> Reliability:
        """Top-label calibration in equal-width confidence bins."""
        return reliability(self.y_true, self.proba, bins)

    def ece(self) -> float | None:
        """Expected calibration error of the top label (10 equal-width bins)."""
        return self._cached("ece", lambda: self.reliability().ece if self.size else None)

    def precompute(self) -> ClassificationEval:
        """Compute every threshold-free result now (AUC, curves, log loss, calibration):
        called on the worker thread, so the window only reads them."""
        self.roc_auc()
        self.average_precision()
        self.log_loss()
        self.ece()
        self.roc_curves()
        self.pr_curves()
        return self

    # -- output -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The ``workbench evaluate --json`` object (baseline added by the caller)."""
        averages = self.averages()
        return {
            "task": "classification",
            "rows": self.size,
            "classes": list(self.class_names),
            "accuracy": self.accuracy,
            "confusion_matrix": self.confusion.tolist(),
            "per_class": {
                name: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "support": s.support,
                }
                for name, s in self.per_class().items()
            },
            "macro_f1": averages["macro_f1"],
            "weighted_f1": averages["weighted_f1"],
            "roc_auc": self.roc_auc(),
            "average_precision": self.average_precision(),
            "log_loss": self.log_loss(),
            "ece": self.ece(),
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class Reliability:
    """Per bin: mean confidence, accuracy and rows (empty bins have count 0)."""

    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    ece: float


def reliability(y_true: np.ndarray, proba: np.ndarray, bins: int = CALIBRATION_BINS) -> Reliability:
    """Top-label reliability: the share right among answers given with each confidence."""
    proba = np.asarray(proba, dtype=np.float64)
    predicted = np.argmax(proba, axis=1)
    confidence = proba[np.arange(len(proba)), predicted]
    right = (predicted == np.asarray(y_true)).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # A confidence of exactly 1.0 belongs to the last bin; each bin is (lo, hi].
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    sum_conf = np.bincount(which, weights=confidence, minlength=bins)
    sum_right = np.bincount(which, weights=right, minlength=bins)
    safe = np.maximum(counts, 1)
    mean_conf, accuracy = sum_conf / safe, sum_right / safe
    total = max(len(confidence), 1)
    ece = float(np.sum(counts / total * np.abs(accuracy - mean_conf)))
    return Reliability(mean_conf, accuracy, counts, ece)


def _normalised(proba: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1 (float32 softmax rows are off by ~1e-7, which sklearn's
    log loss warns about). Zeros are clipped to scikit-learn's own floor (float64 eps), so a
    probability of exactly 0 costs what scikit-learn says it does."""
    clipped = np.clip(proba, np.finfo(np.float64).eps, None)
    return clipped / clipped.sum(axis=1, keepdims=True)


def evaluate_classification(
    y_true: np.ndarray,
    proba: np.ndarray,
    class_names: list[str],
    rows: np.ndarray | None = None,
    threshold: float | None = None,
) -> ClassificationEval:
    """A classifier's results; ``rows`` defaults to 0..n-1."""
    rows = np.arange(len(y_true)) if rows is None else rows
    return ClassificationEval(list(class_names), y_true, proba, rows, threshold)


@dataclass
class RegressionEval:
    """A regressor's results on rows with known targets."""

    y_true: np.ndarray
    predicted: np.ndarray
    rows: np.ndarray

    def __post_init__(self) -> None:
        self.y_true = np.asarray(self.y_true, dtype=np.float64).reshape(-1)
        self.predicted = np.asarray(self.predicted, dtype=np.float64).reshape(-1)
        self.rows = np.asarray(self.rows, dtype=np.int64)
        if not (len(self.y_true) == len(self.predicted) == len(self.rows)):
            raise ValueError("y_true, predicted and rows must have one entry per row")

    @property
    def size(self) -> int:
        return len(self.y_true)

    @property
    def residuals(self) -> np.ndarray:
        """Predicted minus actual."""
        return self.predicted - self.y_true

    @property
    def mae(self) -> float:
        return float(skm.mean_absolute_error(self.y_true, self.predicted))

    @property
    def rmse(self) -> float:
        return float(np.sqrt(skm.mean_squared_error(self.y_true, self.predicted)))

    @property
    def r2(self) -> float | None:
        """None with fewer than two rows or constant targets (R² is undefined)."""
        if self.size < 2 or np.all(self.y_true == self.y_true[0]):
            return None
        return float(skm.r2_score(self.y_true, self.predicted))

    def worst(self, limit: int | None = None) -> np.ndarray:
        """Positions of the largest absolute errors, largest first."""
        order = np.argsort(-np.abs(self.residuals), kind="stable")
        return order[:limit]

    def to_json(self) -> dict[str, Any]:
        return {
            "task": "regression",
            "rows": self.size,
            "mae": self.mae,
            "rmse": self.rmse,
            "r2": self.r2,
        }


def evaluate_regression(
    y_true: np.ndarray, predicted: np.ndarray, rows: np.ndarray | None = None
) -> RegressionEval:
    rows = np.arange(len(y_true)) if rows is None else rows
    return RegressionEval(y_true, predicted, rows)


Evaluation = ClassificationEval | RegressionEval
