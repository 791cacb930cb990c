"""How a feature table's long-tailed number columns are encoded: on a log scale.

Counts, amounts and lengths (a run of capitals, a price, a population) are often spread
over orders of magnitude: standardised as they are, nearly every value sits near zero
and a few sit at fifty standard deviations, which a network learns poorly from.
``sign(x) * log(1 + |x|)`` keeps their order and zero, and brings them to a scale
standardisation can work with. A column is taken on the log scale when its training
values are strongly skewed (:func:`long_tailed`); the Data tab's statistics and the
saved model's raw-value inputs stay as they are.

``SignedLog`` is one registered, serialisable Keras layer (package "workbench"), so a
saved model opens with ``keras.models.load_model(path, safe_mode=True)`` once
``workbench.backend.custom_layers`` (which imports this module) is imported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402
from keras import ops  # noqa: E402

#: |skewness| of the training values from which a column is encoded on a log scale.
SKEW_FOR_LOG = 2.0
#: ... and the fewest distinct values: a 0/1 flag or a small count is left as it is.
MIN_DISTINCT_FOR_LOG = 10


def signed_log(values: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|), the numpy twin of :class:`SignedLog`."""
    return np.sign(values) * np.log1p(np.abs(values))


def long_tailed(values: np.ndarray) -> bool:
    """Whether a column's finite training values are skewed enough for the log scale.

    >>> long_tailed(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))
    False
    >>> long_tailed(np.array([0.0] * 50 + [1, 2, 3, 5, 8, 13, 40, 200, 900, 15000]))
    True
    """
    finite = values[np.isfinite(values)]
    if finite.size < 3 or np.unique(finite).size < MIN_DISTINCT_FOR_LOG:
        return False
    std = float(finite.std())
    if std == 0:
        return False
    skew = float(np.mean(((finite - finite.mean()) / std) ** 3))
    return abs(skew) >= SKEW_FOR_LOG


@keras.saving.register_keras_serializable(package="workbench")
class SignedLog(keras.layers.Layer):
    """sign(x) * log(1 + |x|), element-wise: a long-tailed number on a log scale."""

    def call(self, inputs: Any) -> Any:
        return ops.sign(inputs) * ops.log1p(ops.abs(inputs))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
