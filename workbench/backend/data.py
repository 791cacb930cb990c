"""From a table of texts and labels to tf.data pipelines, split reproducibly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.backend.runtime import ensure_loaded
from workbench.core.errors import DataError
from workbench.core.textdata import TextTable

ensure_loaded()
import tensorflow as tf  # noqa: E402


@dataclass
class TextSplit:
    """Training and validation texts with integer labels (indices into class_names)."""

    class_names: list[str]
    train_texts: np.ndarray
    train_labels: np.ndarray
    val_texts: np.ndarray
    val_labels: np.ndarray


def split_table(table: TextTable, validation_fraction: float, seed: int) -> TextSplit:
    """Stratified split: every class keeps its share in both parts."""
    class_names = table.class_names()
    index_of = {name: i for i, name in enumerate(class_names)}
    texts = np.array(table.texts(), dtype=object)
    labels = np.array([index_of[label] for label in table.labels()], dtype=np.int64)
    rng = np.random.default_rng(seed)
    val_rows = []
    for cls in range(len(class_names)):
        rows = np.flatnonzero(labels == cls)
        rng.shuffle(rows)
        take = round(len(rows) * validation_fraction)
        if len(rows) >= 2:
            take = min(max(take, 1), len(rows) - 1)
        val_rows.append(rows[:take])
    val = np.sort(np.concatenate(val_rows))
    train = np.setdiff1d(np.arange(len(labels)), val)
    rng.shuffle(train)
    if len(train) == 0 or len(val) == 0:
        raise DataError(
            f"{table.path}: {len(labels)} rows are too few to split into training and "
            "validation. Add rows or change the validation fraction."
        )
    return TextSplit(class_names, texts[train], labels[train], texts[val], labels[val])


def text_dataset(
    texts: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    binary: bool,
    shuffle_seed: int | None = None,
) -> tf.data.Dataset:
    """(string, label) batches; labels are float for a sigmoid head, int for softmax."""
    targets = labels.astype(np.float32) if binary else labels.astype(np.int32)
    ds = tf.data.Dataset.from_tensor_slices((tf.constant(texts.astype(str)), targets))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(texts), seed=shuffle_seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def adapt_vectorizers(model, train_texts: np.ndarray) -> None:
    """Learn every TextVectorization vocabulary from the training split only."""
    texts = tf.data.Dataset.from_tensor_slices(tf.constant(train_texts.astype(str))).batch(512)
    for layer in model.layers:
        if layer.__class__.__name__ == "TextVectorization":
            layer.adapt(texts)
