"""Metric objects for the metric names a person picks, right for the model's head.

Log keys are stable whatever the head: ``accuracy``, ``precision``, ``recall``, ``auc``
(classification), ``mae`` and ``root_mean_squared_error`` (regression), each also with a
``val_`` prefix.

- A one-unit sigmoid head (two classes) uses Keras's binary metrics at threshold 0.5.
- A softmax head (two or more units) uses macro averages, as scikit-learn's
  ``average="macro"``: precision and recall of each class's argmax predictions averaged
  over the classes that occur, and AUC one-vs-rest per class averaged. Labels may be class
  indices or one-hot rows (categorical cross-entropy), both are understood.

The macro metrics are registered with Keras (package ``workbench``), so a saved model's
compile settings name them; :func:`builtin_only` is what a saved model is compiled with.
"""

from __future__ import annotations

from typing import Any

from workbench.backend.runtime import ensure_loaded
from workbench.core.project import resolve_metrics

ensure_loaded()
import keras  # noqa: E402
from keras import ops  # noqa: E402


def _class_indices(y_true: Any, num_classes: int, like: Any) -> Any:
    """Class index per sample from indices (any shape) or one-hot rows."""
    if len(y_true.shape) == len(like.shape) and y_true.shape[-1] == num_classes:
        return ops.argmax(y_true, axis=-1)
    return ops.cast(ops.reshape(y_true, (-1,)), "int32")


class _MacroRate(keras.metrics.Metric):
    """Per-class counts of true positives, predictions and actual members."""

    def __init__(self, num_classes: int, name: str, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.num_classes = int(num_classes)
        shape = (self.num_classes,)
        self.true_positives = self.add_variable(shape, initializer="zeros", name="tp")
        self.predicted = self.add_variable(shape, initializer="zeros", name="predicted")
        self.actual = self.add_variable(shape, initializer="zeros", name="actual")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Count argmax predictions against the labels (weighted when weights are given)."""
        k = self.num_classes
        truth = ops.one_hot(_class_indices(y_true, k, y_pred), k, dtype=self.dtype)
        guess = ops.one_hot(ops.argmax(ops.reshape(y_pred, (-1, k)), axis=-1), k, dtype=self.dtype)
        if sample_weight is not None:
            weight = ops.reshape(ops.cast(sample_weight, self.dtype), (-1, 1))
            truth, guess = truth * weight, guess * weight
        self.true_positives.assign_add(ops.sum(truth * guess, axis=0))
        self.predicted.assign_add(ops.sum(guess, axis=0))
        self.actual.assign_add(ops.sum(truth, axis=0))

    def _macro(self, denominator: Any) -> Any:
        """Mean of tp/denominator over classes seen as labels or predictions (0/0 -> 0)."""
        rates = ops.divide_no_nan(self.true_positives, denominator)
        seen = ops.cast((self.actual + self.predicted) > 0, self.dtype)
        return ops.divide_no_nan(ops.sum(rates * seen), ops.sum(seen))

    def reset_state(self) -> None:
        """Zero the counts (Keras calls this at the start of every epoch)."""
        for variable in (self.true_positives, self.predicted, self.actual):
            variable.assign(ops.zeros_like(variable))

    def get_config(self) -> dict[str, Any]:
        """What Keras needs to rebuild the metric from a saved model."""
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype}


@keras.saving.register_keras_serializable(package="workbench")
class MacroPrecision(_MacroRate):
    """Precision per class (of the samples predicted as the class, how many are), averaged."""

    def __init__(self, num_classes: int, name: str = "precision", dtype: Any = None) -> None:
        super().__init__(num_classes, name, dtype)

    def result(self) -> Any:
        """The macro-averaged precision so far."""
        return self._macro(self.predicted)


@keras.saving.register_keras_serializable(package="workbench")
class MacroRecall(_MacroRate):
    """Recall per class (of the samples of the class, how many were found), averaged."""

    def __init__(self, num_classes: int, name: str = "recall", dtype: Any = None) -> None:
        super().__init__(num_classes, name, dtype)

    def result(self) -> Any:
        """The macro-averaged recall so far."""
        return self._macro(self.actual)


@keras.saving.register_keras_serializable(package="workbench")
class OneVsRestAUC(keras.metrics.AUC):
    """ROC AUC of each class against the rest, averaged over classes; takes class indices."""

    def __init__(self, num_classes: int, name: str = "auc", **kwargs: Any) -> None:
        kwargs.pop("multi_label", None)
        kwargs.pop("num_labels", None)
        super().__init__(name=name, multi_label=True, num_labels=int(num_classes), **kwargs)
        self.num_classes = int(num_classes)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """One-hot the labels, then let Keras's multi-label AUC count them."""
        k = self.num_classes
        truth = ops.one_hot(_class_indices(y_true, k, y_pred), k)
        return super().update_state(truth, ops.reshape(y_pred, (-1, k)), sample_weight)

    def get_config(self) -> dict[str, Any]:
        """AUC's settings plus the class count."""
        return {**super().get_config(), "num_classes": self.num_classes}


def metric_objects(
    names: list[str], task: str, output_units: int, one_hot_targets: bool = False
) -> list[Any]:
    """Keras metric objects for the chosen names (the task's basics always come first)."""
    chosen = resolve_metrics(names, task)
    if task == "regression":
        table: dict[str, Any] = {
            "mae": lambda: keras.metrics.MeanAbsoluteError(name="mae"),
            "rmse": lambda: keras.metrics.RootMeanSquaredError(name="root_mean_squared_error"),
        }
    elif output_units == 1:
        table = {
            "accuracy": lambda: keras.metrics.BinaryAccuracy(name="accuracy"),
            "precision": lambda: keras.metrics.Precision(name="precision"),
            "recall": lambda: keras.metrics.Recall(name="recall"),
            "auc": lambda: keras.metrics.AUC(name="auc"),
        }
    else:
        accuracy = (
            keras.metrics.CategoricalAccuracy
            if one_hot_targets
            else keras.metrics.SparseCategoricalAccuracy
        )
        table = {
            "accuracy": lambda: accuracy(name="accuracy"),
            "precision": lambda: MacroPrecision(output_units),
            "recall": lambda: MacroRecall(output_units),
            "auc": lambda: OneVsRestAUC(output_units),
        }
    return [table[name]() for name in chosen if name in table]


def builtin_only(metrics: list[Any]) -> list[Any]:
    """The metrics a plain Keras install can rebuild (the macro ones left out)."""
    return [m for m in metrics if not isinstance(m, (_MacroRate, OneVsRestAUC))]
