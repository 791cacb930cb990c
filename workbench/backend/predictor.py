"""Class probabilities for raw texts."""

from __future__ import annotations

import numpy as np

from workbench.backend.runtime import ensure_loaded
from workbench.core.summary import Prediction

ensure_loaded()
import tensorflow as tf  # noqa: E402


def probabilities(model, texts: list[str], batch_size: int = 256) -> np.ndarray:
    """(n, classes) probabilities; a one-unit sigmoid head becomes two columns."""
    if not texts:
        return np.zeros((0, 0))
    out = model.predict(tf.constant([str(t) for t in texts]), batch_size=batch_size, verbose=0)
    out = np.asarray(out, dtype=np.float64)
    if out.ndim == 1 or out.shape[-1] == 1:
        p = out.reshape(-1)
        out = np.stack([1.0 - p, p], axis=1)
    return out


def predict_texts(model, class_names: list[str], texts: list[str]) -> list[Prediction]:
    """The most probable label and the probability of every class, per text."""
    probs = probabilities(model, texts)
    results = []
    for row in probs:
        by_class = {name: float(p) for name, p in zip(class_names, row, strict=True)}
        results.append(Prediction(class_names[int(np.argmax(row))], by_class))
    return results
