"""A trained model that answers raw inputs of every kind: class probabilities, or values.

:class:`Predictor` is what training returns and what a saved .keras file opens as; the
functions below turn texts, table rows, image files and arrays into the model's inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.backend.export import load_model_with_meta, save_model_with_meta
from workbench.backend.model_file import first_line
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
    return as_probabilities(model.predict(inputs, batch_size=batch_size, verbose=0))


def as_probabilities(outputs: Any) -> np.ndarray:
    """A classifier's outputs as float64 rows of class probabilities: a one-unit sigmoid
    head's column p becomes (1 - p, p)."""
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim == 1 or out.shape[-1] == 1:
        p = out.reshape(-1)
        out = np.stack([1.0 - p, p], axis=1)
    return out


#: The second of two classes is the answer when its probability reaches this (argmax but ties).
DEFAULT_THRESHOLD = 0.5


def decision_threshold(meta: dict[str, Any]) -> float:
    """The model's binary threshold (``meta["threshold"]``, set by the Evaluate tab), or 0.5
    when it has none or one that is not a number in [0, 1]."""
    value = meta.get("threshold")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_THRESHOLD
    value = float(value)
    return value if 0.0 <= value <= 1.0 else DEFAULT_THRESHOLD


def chosen_classes(outputs: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """Index of the predicted class per row: for two classes the second when its probability
    is at least ``threshold``, else the first; for more classes the most probable."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] == 2:
        return (outputs[:, 1] >= threshold).astype(np.intp)
    return np.argmax(outputs, axis=-1).astype(np.intp)


def to_predictions(
    outputs: np.ndarray, class_names: list[str], threshold: float = DEFAULT_THRESHOLD
) -> list[Prediction]:
    """The predicted label (see :func:`chosen_classes`) and every class's probability, per row.

    >>> [p.label for p in to_predictions(np.array([[0.3, 0.7]]), ["neg", "pos"], 0.9)]
    ['neg']
    """
    results = []
    for row, chosen in zip(outputs, chosen_classes(outputs, threshold), strict=True):
        by_class = {name: float(p) for name, p in zip(class_names, row, strict=True)}
        results.append(Prediction(class_names[int(chosen)], by_class))
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


class Predictor:
    """A trained model plus what it needs to read raw inputs (kind, classes, encodings)."""

    def __init__(self, model: Any, meta: dict[str, Any]) -> None:
        self.model = model
        self.meta = dict(meta)

    @property
    def class_names(self) -> list[str]:
        """Output classes (empty for regression)."""
        return list(self.meta.get("class_names", []))

    @property
    def threshold(self) -> float:
        """Two classes: the second is predicted when its probability reaches this (0.5 unless
        the model's metadata carries another, as the Evaluate tab sets)."""
        return decision_threshold(self.meta)

    @property
    def kind(self) -> str:
        """text, tabular, images, audio or npz."""
        return str(self.meta.get("kind", "text"))

    @property
    def task(self) -> str:
        """classification or regression."""
        return str(self.meta.get("task", "classification"))

    @classmethod
    def load(cls, path: str | Path) -> Predictor:
        """Open a saved .keras model (safe mode) with the metadata stored inside it."""
        model, meta = load_model_with_meta(path)
        return cls(model, meta)

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Label and class probabilities for each text (text models)."""
        return self._answer(text_inputs(texts))

    def predict_table(self, frame: Any, source: str = "input") -> list[Prediction]:
        """One answer per row of a DataFrame with the training columns (tabular models)."""
        return self._answer(table_inputs(self.meta, frame, source))

    def predict_images(self, paths: list[str | Path]) -> tuple[list[Prediction], list[str]]:
        """Answers for the image files that could be read, and which those were."""
        batch, used = image_inputs(self.meta, paths)
        return self._answer(batch), used

    def predict_audio(
        self, paths: list[str | Path]
    ) -> tuple[list[Prediction], list[str], list[tuple[str, str]]]:
        """Answers for the audio files that could be read: (answers, files used, (file,
        why) for each file skipped). Each file is downmixed, resampled and padded or
        cropped exactly as in training."""
        from workbench.backend.audio import clip_inputs

        batch, used, skipped = clip_inputs(self.meta, paths)
        return self._answer(batch), used, skipped

    def predict_arrays(self, x: Any) -> list[Prediction]:
        """Answers for samples shaped like the training x (npz models)."""
        try:
            x = np.asarray(x, dtype=np.float32)
        except (TypeError, ValueError):
            raise DataError("the arrays do not hold numbers; the model takes numbers.") from None
        expected = self.meta.get("x_shape")
        if expected is not None and list(x.shape[1:]) != list(expected):
            raise DataError(
                f"the model takes samples of shape {tuple(expected)}, but these arrays hold "
                f"samples of shape {tuple(x.shape[1:])}; give it arrays like its training x."
            )
        return self._answer(x)

    def _answer(self, inputs: Any) -> list[Prediction]:
        """The model's answers; an input the network cannot take is refused in one line."""
        try:
            return self._predict(inputs)
        except PREDICT_ERRORS as exc:
            raise DataError(f"the model cannot take this input: {first_line(exc)}") from None

    def _predict(self, inputs: Any) -> list[Prediction]:
        if self.task == "regression":
            values = np.asarray(self.model.predict(inputs, verbose=0), dtype=np.float64)
            return [Prediction(f"{v:.6g}", {}, value=float(v)) for v in values.reshape(-1)]
        outputs = probabilities(self.model, inputs)
        return to_predictions(outputs, self.class_names, self.threshold)

    def save(self, path: str | Path) -> Path:
        """Write the model as a .keras file that plain ``keras.models.load_model`` opens."""
        return save_model_with_meta(self.model, self.meta, path)
