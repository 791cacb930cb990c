"""Why did the model answer that? Word importance, image saliency, feature importance.

Three model-agnostic explanations, one per kind of data, each built on the model as the
workbench saved it (encodings inside the model), so they read the same raw inputs the
:class:`~workbench.backend.predictor.Predictor` does:

- :func:`text_importance`: occlusion. Each word is removed in turn and the change in the
  answer is that word's weight. Only forward passes, so it works through TextVectorization
  (which has no gradient), and all variants of all texts go through the model in few batches.
- :func:`image_saliency`: integrated gradients from a black image to the decoded image, the
  attribution summed over channels and scaled to 0..1 for an overlay.
- :func:`permutation_importance`: how much the score drops when one column is shuffled.

Long work polls ``cancel`` and raises :class:`~workbench.core.tables.LoadCancelled`, the
exception the GUI's task runner already treats as "cancelled, not failed".
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.backend.predictor import (
    Predictor,
    chosen_classes,
    image_inputs,
    probabilities,
    table_inputs,
    text_inputs,
)
from workbench.backend.runtime import ensure_loaded
from workbench.core.errors import DataError
from workbench.core.tables import Cancel, LoadCancelled, Progress

ensure_loaded()
import tensorflow as tf  # noqa: E402

# A word, with an inner apostrophe kept ("don't", "it's"); spans index the original string.
WORD = re.compile(r"\w+(?:'\w+)?")
# Words after this many in one text are not occluded (weight 0): the cost grows per word.
MAX_WORDS = 200
# Permutation importance scores at most this many rows (a fixed sample), to stay interactive.
MAX_ROWS = 5000

WordWeight = tuple[str, int, int, float]


def _answer_column(predictor: Predictor, scores: np.ndarray) -> int:
    """The class the model answers for one row of probabilities (the Predict tab's rule)."""
    return int(chosen_classes(scores[None, :], predictor.threshold)[0])


def _check_cancel(cancel: Cancel | None, what: str) -> None:
    if cancel is not None and cancel():
        raise LoadCancelled(f"{what}: cancelled")


def _scores(predictor: Predictor, outputs: np.ndarray) -> np.ndarray:
    """Model outputs -> a (rows, columns) float array: probabilities, or the value."""
    if predictor.task == "regression":
        return np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)[:, :1]
    return outputs


def _predict_chunked(
    predictor: Predictor, texts: list[str], batch_size: int, cancel: Cancel | None
) -> np.ndarray:
    """One predict call per ``batch_size`` strings, polling ``cancel`` between them."""
    parts = []
    for start in range(0, len(texts), batch_size):
        _check_cancel(cancel, "word importance")
        chunk = texts[start : start + batch_size]
        if predictor.task == "regression":
            raw = predictor.model.predict(text_inputs(chunk), batch_size=batch_size, verbose=0)
            parts.append(_scores(predictor, raw))
        else:
            parts.append(probabilities(predictor.model, text_inputs(chunk), batch_size))
    return np.concatenate(parts, axis=0)


def text_importance(
    predictor: Predictor,
    texts: list[str],
    class_index: int | None = None,
    batch_size: int = 256,
    cancel: Cancel | None = None,
) -> list[list[WordWeight]]:
    """Per text, ``(word, start, end, weight)`` for each word, by occlusion.

    ``weight`` is p(class | text) - p(class | text without that word): positive words pushed
    the answer towards the class, negative ones away. The class is ``class_index``, or the
    model's own answer for that text; for regression it is the predicted value. ``start`` and
    ``end`` index the original string, so ``text[start:end] == word``. Words after the first
    :data:`MAX_WORDS` get weight 0. All texts' variants are predicted together, in batches of
    ``batch_size``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    texts = [str(t) for t in texts]
    spans = [[(m.group(), m.start(), m.end()) for m in WORD.finditer(t)] for t in texts]
    strings: list[str] = []
    origin: list[int] = []  # where each text's unchanged version sits in ``strings``
    for text, words in zip(texts, spans, strict=True):
        origin.append(len(strings))
        strings.append(text)
        for _word, start, end in words[:MAX_WORDS]:
            strings.append(text[:start] + text[end:])
    scores = _predict_chunked(predictor, strings, batch_size, cancel)
    if class_index is not None and not 0 <= class_index < scores.shape[1]:
        raise ValueError(f"class_index {class_index} is not one of the model's outputs")

    results = []
    for first, words in zip(origin, spans, strict=True):
        column = 0
        if predictor.task != "regression":
            column = (
                _answer_column(predictor, scores[first]) if class_index is None else class_index
            )
        base = scores[first, column]
        occluded = scores[first + 1 : first + 1 + min(len(words), MAX_WORDS), column]
        weights = list(base - occluded) + [0.0] * max(0, len(words) - MAX_WORDS)
        results.append([(w, s, e, float(x)) for (w, s, e), x in zip(words, weights, strict=True)])
    return results


def _target(outputs: Any, column: int, regression: bool) -> Any:
    """The output a gradient follows: a class probability (a one-unit sigmoid as two
    columns) or the regression value."""
    outputs = tf.reshape(outputs, (tf.shape(outputs)[0], -1))
    if regression:
        return outputs[:, 0]
    if outputs.shape[-1] == 1:
        p = outputs[:, 0]
        return p if column == 1 else 1.0 - p
    return outputs[:, column]


def image_saliency(
    predictor: Predictor,
    paths: list[str],
    class_index: int | None = None,
    steps: int = 16,
) -> list[np.ndarray]:
    """Per image, an (H, W) map in 0..1 of where the pixels moved the answer.

    Integrated gradients from a black image to the decoded image (the model's own input:
    0..255 floats, resized to ``meta["image_size"]``; rescaling is inside the model), summed
    |attribution| over channels and divided by its maximum. The class is ``class_index`` or
    the model's answer for that image. All ``steps`` interpolations of one image go through
    the model as one batch. Raises DataError naming a file that cannot be read.
    """
    if steps < 1:
        raise ValueError("steps must be at least 1")
    batch, used = image_inputs(predictor.meta, list(paths))
    unread = [str(p) for p in paths if str(p) not in set(used)]
    if unread:
        raise DataError(f"{unread[0]}: not an image the workbench can read (png, jpg, bmp, gif).")
    model = predictor.model
    regression = predictor.task == "regression"
    classes = max(len(predictor.class_names), 1)
    if class_index is not None and not regression and not 0 <= class_index < classes:
        raise ValueError(f"class_index {class_index} is not one of the model's classes")
    # Midpoints of ``steps`` equal slices of the path from black (0) to the image (1).
    alphas = tf.reshape((tf.range(steps, dtype=tf.float32) + 0.5) / steps, (-1, 1, 1, 1))
    maps = []
    for image in tf.unstack(tf.cast(batch, tf.float32)):
        column = 0
        if not regression:
            if class_index is None:
                answer = np.asarray(model(image[None], training=False), dtype=np.float64)
                answer = answer.reshape(-1)
                if answer.size == 1:  # one sigmoid unit: p(second class)
                    answer = np.array([1.0 - answer[0], answer[0]])
                column = _answer_column(predictor, answer)
            else:
                column = int(class_index)
        path = alphas * image[None]
        with tf.GradientTape() as tape:
            tape.watch(path)
            target = _target(model(path, training=False), column, regression)
        grads = tape.gradient(target, path)
        if grads is None:  # the output does not depend on the pixels at all
            grads = tf.zeros_like(path)
        attribution = image * tf.reduce_mean(grads, axis=0)  # (x - baseline) * mean gradient
        heat = np.nan_to_num(np.abs(attribution.numpy()).sum(axis=-1), nan=0.0, posinf=0.0)
        top = float(heat.max()) if heat.size else 0.0
        maps.append((heat / top if top > 0 else np.zeros_like(heat)).astype(np.float32))
    return maps


def _repeats_score(
    predictor: Predictor, frames: list[pd.DataFrame], y_true: np.ndarray
) -> list[float]:
    """Accuracy (classification) or R² (regression) of each same-sized frame, from one
    predict call over all of them."""
    from sklearn.metrics import accuracy_score, r2_score

    joined = pd.concat(frames, ignore_index=True)
    n = len(y_true)
    inputs = table_inputs(predictor.meta, joined)
    if predictor.task == "regression":
        values = np.asarray(predictor.model.predict(inputs, verbose=0), dtype=np.float64)
        values = values.reshape(-1)
    else:
        values = np.argmax(probabilities(predictor.model, inputs), axis=1)
    metric = r2_score if predictor.task == "regression" else accuracy_score
    return [float(metric(y_true, values[i * n : (i + 1) * n])) for i in range(len(frames))]


def _class_indices(predictor: Predictor, y_true: np.ndarray) -> np.ndarray:
    """Labels as indices into ``class_names`` (indices pass through; names are looked up)."""
    if y_true.dtype.kind in "iu":
        return y_true.astype(np.int64)
    if y_true.dtype.kind == "f" and np.all(np.isfinite(y_true)) and np.all(y_true % 1 == 0):
        return y_true.astype(np.int64)
    lookup = {name: i for i, name in enumerate(predictor.class_names)}
    unknown = sorted({str(v) for v in y_true if str(v) not in lookup})
    if unknown:
        raise DataError(f"label(s) {', '.join(map(repr, unknown[:5]))} are not model classes.")
    return np.array([lookup[str(v)] for v in y_true], dtype=np.int64)


def permutation_importance(
    predictor: Predictor,
    frame: pd.DataFrame,
    y_true: np.ndarray,
    repeats: int = 3,
    seed: int = 0,
    cancel: Cancel | None = None,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Per feature column, how much the score drops when that column is shuffled.

    The score is accuracy for classification (``y_true`` holds class indices into
    ``predictor.class_names``; class names are accepted too) and R² for regression (targets
    in their own units). Each drop is averaged over ``repeats`` shuffles; the result is sorted
    largest first. At most :data:`MAX_ROWS` rows are used, a sample fixed by ``seed``.
    """
    if predictor.kind != "tabular":
        raise ValueError(f"permutation importance is for tables, not {predictor.kind} models")
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    y = np.asarray(y_true)
    if len(y) != len(frame):
        raise ValueError(f"{len(frame)} rows but {len(y)} targets")
    rng = np.random.default_rng(seed)
    frame = frame.reset_index(drop=True)
    if len(frame) > MAX_ROWS:
        keep = np.sort(rng.choice(len(frame), MAX_ROWS, replace=False))
        frame, y = frame.iloc[keep].reset_index(drop=True), y[keep]
    if predictor.task == "regression":
        y = y.astype(np.float64)
        finite = np.isfinite(y)
        frame, y = frame[finite].reset_index(drop=True), y[finite]
    else:
        y = _class_indices(predictor, y)
    if len(frame) == 0:
        raise DataError("no rows to score the features on.")

    _check_cancel(cancel, "feature importance")
    baseline = _repeats_score(predictor, [frame], y)[0]
    columns = list(predictor.meta["features"])
    drops: dict[str, float] = {}
    for done, column in enumerate(columns):
        _check_cancel(cancel, "feature importance")
        shuffled = []
        for _ in range(repeats):
            copy = frame.copy()
            copy[column] = frame[column].to_numpy()[rng.permutation(len(frame))]
            shuffled.append(copy)
        scores = _repeats_score(predictor, shuffled, y)
        drops[column] = float(baseline - np.mean(scores))
        if progress is not None:
            progress((done + 1) / len(columns))
    return dict(sorted(drops.items(), key=lambda item: item[1], reverse=True))
