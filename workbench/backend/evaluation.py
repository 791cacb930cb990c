"""Scoring a trained model on labelled data: its outputs streamed in batches, the labels
matched to its classes, and the baselines fitted on the same training rows.

Predictions go batch by batch (``predict_on_batch``), so 100,000 texts never become one
tensor; only the outputs (rows x classes floats) are kept. Everything after the outputs is
computed by :mod:`workbench.core.evaluation`, one way for the window, the CLI and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.backend.model_file import first_line
from workbench.backend.predictor import (
    PREDICT_ERRORS,
    Predictor,
    as_probabilities,
    image_inputs,
    table_inputs,
    text_inputs,
)
from workbench.core.checks import class_names_of, label_indices, row_count
from workbench.core.errors import DataError
from workbench.core.evaluation.baselines import (
    Baseline,
    linear_baseline,
    majority_baseline,
    mean_baseline,
)
from workbench.core.evaluation.metrics import (
    Evaluation,
    evaluate_classification,
    evaluate_regression,
)
from workbench.core.tables.progress import LoadCancelled

Progress = Callable[[float], object]
Cancel = Callable[[], bool]

# Rows read and predicted per step (a step's inputs are all that is in memory at once), and
# the batch size the network sees inside a step.
BATCH = {"text": 4096, "tabular": 8192, "images": 256, "npz": 4096, "audio": 256}
INNER_BATCH = 512
PIXELS = 16  # image baselines see PIXELS x PIXELS grey images
MAX_BASELINE_IMAGES = 5_000


def check_compatible(predictor: Predictor, dataset: Any) -> None:
    """Refuse data of another kind or task than the model's, naming both."""
    if dataset.kind != predictor.kind:
        raise DataError(
            f"the model reads {predictor.kind} data but {dataset.path} is {dataset.kind} data; "
            "evaluate it on data like its training data."
        )
    task = getattr(dataset, "task", "classification")
    if task != predictor.task:
        raise DataError(
            f"the model does {predictor.task} but the data's target is read as {task}; "
            f"choose the {predictor.task} task for the data."
        )
    if row_count(dataset) == 0:
        raise DataError(f"{dataset.path} has no rows to evaluate on.")


def true_labels(predictor: Predictor, dataset: Any, rows: np.ndarray) -> np.ndarray:
    """The data's labels as indices into the model's classes (its targets for regression);
    labels the model has never seen are refused with their names and counts."""
    if predictor.task == "regression":
        values = dataset.targets() if hasattr(dataset, "targets") else dataset.y
        return np.asarray(values, dtype=np.float64).reshape(-1)[rows]
    names = class_names_of(dataset)
    index = label_indices(dataset)[rows]
    known = {name: i for i, name in enumerate(predictor.class_names)}
    unseen = [n for n in names if n not in known]
    present_unseen = {
        names[c]: int(count)
        for c, count in enumerate(np.bincount(index, minlength=len(names)))
        if count and names[c] in unseen
    }
    if present_unseen:
        listed = ", ".join(f"{name!r} ({n:,} rows)" for name, n in list(present_unseen.items())[:6])
        raise DataError(
            f"the data has labels the model has never seen: {listed}. The model knows "
            f"{', '.join(map(repr, predictor.class_names[:10]))}"
            f"{' …' if len(predictor.class_names) > 10 else ''}; check the label column."
        )
    mapping = np.array([known.get(n, -1) for n in names], dtype=np.int64)
    return mapping[index]


def model_outputs(
    predictor: Predictor,
    dataset: Any,
    rows: np.ndarray,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> np.ndarray:
    """Probabilities (rows x classes), or predicted values for regression, batch by batch."""
    size = BATCH.get(dataset.kind, 1024)
    texts = _text_column(dataset) if dataset.kind == "text" else None
    parts = []
    for start in range(0, len(rows), size):
        if cancel is not None and cancel():
            raise LoadCancelled("evaluation cancelled")
        batch = rows[start : start + size]
        inputs = _inputs(predictor, dataset, batch, texts)
        try:
            # predict(), not predict_on_batch(): once predict() has traced its function,
            # predict_on_batch() on the same model reuses it with the wrong input structure
            # and fails ("Cast float to string") on text models.
            out = predictor.model.predict(inputs, batch_size=INNER_BATCH, verbose=0)
        except PREDICT_ERRORS as exc:
            raise DataError(f"the model cannot take this data: {first_line(exc)}") from None
        regression = predictor.task == "regression"
        parts.append(
            np.asarray(out, np.float64).reshape(-1) if regression else as_probabilities(out)
        )
        if progress is not None:
            progress(min(1.0, (start + len(batch)) / max(len(rows), 1)))
    if not parts:
        width = len(predictor.class_names) if predictor.task == "classification" else 1
        return np.zeros((0, width)) if predictor.task == "classification" else np.zeros(0)
    return np.concatenate(parts)


def _text_column(dataset: Any) -> Any:
    """The texts as a pandas Series (text folders and tables alike keep a frame)."""
    return dataset.frame[dataset.text_column]


def model_inputs(predictor: Predictor, dataset: Any, rows: np.ndarray) -> Any:
    """The model's raw inputs for these rows of the dataset (an export's parity check)."""
    texts = _text_column(dataset) if dataset.kind == "text" else None
    return _inputs(predictor, dataset, rows, texts)


def _inputs(predictor: Predictor, dataset: Any, batch: np.ndarray, texts: Any) -> Any:
    kind = dataset.kind
    if kind == "text":  # strings made per step, not for the whole column at once
        return text_inputs(texts.iloc[batch].fillna("").astype(str).tolist())
    if kind == "tabular":
        return table_inputs(predictor.meta, dataset.frame.iloc[batch], str(dataset.path))
    if kind == "images":
        paths = [dataset.files[i] for i in batch]
        images, used = image_inputs(predictor.meta, paths)
        if len(used) != len(paths):
            bad = next(p for p in paths if p not in set(used))
            raise DataError(f"{bad}: not an image the workbench can read; remove it and retry.")
        return images
    if kind == "audio":
        from workbench.backend.audio import clip_inputs

        waves, _, skipped = clip_inputs(predictor.meta, [dataset.files[i] for i in batch])
        if skipped:
            raise DataError(f"{skipped[0][1]} Remove it and retry.")
        return waves
    x = np.asarray(dataset.x[batch], dtype=np.float32)
    expected = predictor.meta.get("x_shape")
    if expected is not None and list(x.shape[1:]) != list(expected):
        raise DataError(
            f"the model takes samples of shape {tuple(expected)}, but {dataset.path} holds "
            f"samples of shape {tuple(x.shape[1:])}."
        )
    return x


def evaluate(
    predictor: Predictor,
    dataset: Any,
    rows: np.ndarray | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Evaluation:
    """The model's results on ``rows`` of the dataset (all rows when None)."""
    check_compatible(predictor, dataset)
    rows = np.arange(row_count(dataset)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        raise DataError("there are no rows to evaluate on (the chosen part of the data is empty).")
    truth = true_labels(predictor, dataset, rows)
    outputs = model_outputs(predictor, dataset, rows, progress, cancel)
    if predictor.task == "regression":
        return evaluate_regression(truth, outputs.reshape(-1), rows)
    threshold = predictor.meta.get("threshold")
    result = evaluate_classification(truth, outputs, predictor.class_names, rows, threshold)
    return result.precompute()  # on this (worker) thread, not the window's


# -- baselines ----------------------------------------------------------------------------------


def baseline_features(predictor: Predictor, dataset: Any, rows: np.ndarray) -> Any:
    """What the linear baseline reads for these rows: strings, a feature table, or a 2-D
    float array (images downsampled to grey PIXELS x PIXELS, arrays flattened)."""
    kind = dataset.kind
    if kind == "text":
        texts = dataset.texts()
        return [texts[i] for i in rows]
    if kind == "tabular":
        # the model's own feature columns, so training and evaluated files line up
        columns = list(predictor.meta.get("features") or dataset.features)
        return dataset.frame.iloc[rows][columns].reset_index(drop=True)
    if kind == "images":
        return _pixels([dataset.files[i] for i in rows])
    if kind == "audio":
        return _mel_summaries(predictor.meta, [dataset.files[i] for i in rows])
    x = np.asarray(dataset.x[rows], dtype=np.float32)
    return x.reshape(len(x), -1)


def _pixels(paths: list[str]) -> np.ndarray:
    import tensorflow as tf

    from workbench.backend.adapters import decode_image

    out = np.zeros((len(paths), PIXELS * PIXELS), dtype=np.float32)
    for i, path in enumerate(paths):
        try:
            image = decode_image(tf.io.read_file(path), PIXELS, PIXELS)
        except (tf.errors.OpError, ValueError):
            continue  # an unreadable image stays black; the model's own pass names it
        out[i] = tf.reduce_mean(image, axis=-1).numpy().reshape(-1)
    return out


def _mel_summaries(meta: dict[str, Any], paths: list[str]) -> np.ndarray:
    """Per clip, each mel band's mean and spread over time (the clip as the model hears it;
    a clip that will not decode is silence here, and the model's own pass names it)."""
    from workbench.backend.audio import clip_or_silence
    from workbench.core.audio import mel_summary

    rate, samples = int(meta["sample_rate"]), int(meta["clip_samples"])
    return np.stack([mel_summary(clip_or_silence(p, rate, samples), rate) for p in paths])


def fit_baselines(
    predictor: Predictor,
    dataset: Any,
    train_rows: np.ndarray | None,
    eval_rows: np.ndarray,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    train_data: Any = None,
) -> list[Baseline]:
    """The majority class (or mean) and a linear model, fitted on ``train_rows`` of
    ``train_data`` (by default the evaluated dataset) and scored on ``eval_rows``.

    Without training rows (a file evaluated on its own, as ``workbench evaluate`` does when
    the model's training data is unknown) both are cross-fitted: five folds of the evaluated
    rows, each scored by baselines fitted on the other four, so no row scores itself.
    """
    eval_rows = np.asarray(eval_rows, dtype=np.int64)
    if train_rows is None:
        return _cross_fitted(predictor, dataset, eval_rows, progress, cancel)
    train_rows = np.asarray(train_rows, dtype=np.int64)
    if len(train_rows) == 0:
        return []
    train_data = dataset if train_data is None else train_data
    return _fit(predictor, train_data, dataset, train_rows, eval_rows, progress, cancel)


def _fit(
    predictor: Predictor,
    train_data: Any,
    dataset: Any,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    progress: Progress | None,
    cancel: Cancel | None,
) -> list[Baseline]:
    names = predictor.class_names
    report_rows = test_rows
    if dataset.kind in ("images", "audio") and len(train_rows) > MAX_BASELINE_IMAGES:
        pick = np.random.default_rng(0).choice(len(train_rows), MAX_BASELINE_IMAGES, False)
        train_rows = train_rows[np.sort(pick)]
    train_y = true_labels(predictor, train_data, train_rows)
    test_y = true_labels(predictor, dataset, test_rows)
    if predictor.task == "regression":
        simple = mean_baseline(train_y, test_y, report_rows)
    else:
        simple = majority_baseline(train_y, test_y, names, report_rows)
    if progress is not None:
        progress(0.1)
    train_x = baseline_features(predictor, train_data, train_rows)
    if progress is not None:
        progress(0.4)
    test_x = baseline_features(predictor, dataset, test_rows)
    if progress is not None:
        progress(0.6)
    linear = linear_baseline(
        dataset.kind, predictor.task, train_x, train_y, test_x, test_y, names, report_rows, cancel
    )
    if progress is not None:
        progress(1.0)
    return [simple, linear]


def _cross_fitted(
    predictor: Predictor,
    dataset: Any,
    rows: np.ndarray,
    progress: Progress | None,
    cancel: Cancel | None,
    folds: int = 5,
) -> list[Baseline]:
    if len(rows) < 2 * folds:
        return []
    order = np.random.default_rng(0).permutation(len(rows))
    parts = np.array_split(order, folds)
    pieces: list[list[Baseline]] = []
    for k, part in enumerate(parts):
        rest = np.concatenate([p for j, p in enumerate(parts) if j != k])
        fold = _fit(predictor, dataset, dataset, rows[rest], rows[part], None, cancel)
        pieces.append(fold)
        if progress is not None:
            progress((k + 1) / folds)
    out = []
    for i, first in enumerate(pieces[0]):
        evals = [fold[i].evaluation for fold in pieces]
        name = first.name  # how it was fitted is said beside it (cross-fitted)
        if predictor.task == "regression":
            merged = evaluate_regression(
                np.concatenate([e.y_true for e in evals]),
                np.concatenate([e.predicted for e in evals]),
                np.concatenate([e.rows for e in evals]),
            )
        else:
            merged = _merged_classification(evals, predictor.class_names)
        out.append(Baseline(name, merged))
    return out


def _merged_classification(evals: list[Any], names: list[str]) -> Any:
    """One evaluation of the folds' answers (each fold's probabilities as it gave them)."""
    return evaluate_classification(
        np.concatenate([e.y_true for e in evals]),
        np.concatenate([e.proba for e in evals]),
        names,
        np.concatenate([e.rows for e in evals]),
    )
