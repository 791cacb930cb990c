"""Class probabilities (or predicted values) for raw inputs of every kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.backend.runtime import ensure_loaded
from workbench.core.errors import DataError
from workbench.core.summary import Prediction
from workbench.core.tables import describe_columns

ensure_loaded()
import tensorflow as tf  # noqa: E402

# What Keras and TensorFlow raise for an input the network cannot take (wrong shape or type).
PREDICT_ERRORS = (ValueError, TypeError, KeyError, tf.errors.OpError)


def probabilities(model, inputs: Any, batch_size: int = 256) -> np.ndarray:
    """Raw model outputs as float64; a one-unit sigmoid head becomes two columns."""
    out = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0), dtype=np.float64)
    if out.ndim == 1 or out.shape[-1] == 1:
        p = out.reshape(-1)
        out = np.stack([1.0 - p, p], axis=1)
    return out


def to_predictions(outputs: np.ndarray, class_names: list[str]) -> list[Prediction]:
    """Most probable label and every class's probability, per row."""
    results = []
    for row in outputs:
        by_class = {name: float(p) for name, p in zip(class_names, row, strict=True)}
        results.append(Prediction(class_names[int(np.argmax(row))], by_class))
    return results


def text_inputs(texts: list[str]) -> Any:
    """Raw strings as the model's input."""
    return tf.constant([str(t) for t in texts])


def table_inputs(meta: dict[str, Any], frame: pd.DataFrame, source: str = "input") -> Any:
    """Rows with the training columns -> the model's named inputs (missing numbers filled)."""
    missing = [c for c in meta["features"] if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: the model needs column(s) {', '.join(map(repr, missing))}, "
            f"which the file does not have. {describe_columns([str(c) for c in frame.columns])}"
        )
    out = {}
    for column, kind in meta["features"].items():
        name = meta["inputs"][column]
        if kind == "numeric":
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
            values = np.where(np.isfinite(values), values, meta["fill"].get(column, 0.0))
            out[name] = values.astype(np.float32).reshape(-1, 1)
        else:
            strings = frame[column].astype("string").fillna("").str.strip().to_numpy(dtype=str)
            out[name] = tf.constant(strings.reshape(-1, 1))
    return out


def image_inputs(meta: dict[str, Any], paths: list[str | Path]) -> tuple[Any, list[str]]:
    """Decode and resize images; returns (batch, the files that could be read)."""
    from workbench.backend.adapters import decode_image

    height, width = meta["image_size"]
    images, used = [], []
    for path in paths:
        try:
            data = tf.io.read_file(str(path))
            images.append(decode_image(data, height, width))
            used.append(str(path))
        except (tf.errors.OpError, ValueError):
            continue
    if not images:
        if len(paths) == 1:
            raise DataError(
                f"{paths[0]}: not an image the workbench can read (png, jpg, bmp, gif)."
            )
        raise DataError(
            f"None of the {len(paths)} files could be read as an image (the first: {paths[0]})."
        )
    return tf.stack(images), used
