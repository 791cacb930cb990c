"""One adapter per kind of data: how it is split, fed to Keras, encoded inside the model,
and turned back into model inputs at prediction time.

Encodings live inside the model (Normalization, StringLookup, Rescaling, augmentation), so a
saved model takes raw rows, raw strings or raw pixels. Their statistics come from the
training split only, computed with numpy, so building a model never needs ``adapt`` except
for text vocabularies.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.backend.audio import augment as augment_clip
from workbench.backend.audio import clip_or_silence
from workbench.backend.runtime import ensure_loaded
from workbench.core.audio import AudioFolder
from workbench.core.checks import class_names_of, label_indices, row_count
from workbench.core.datasets import ArrayData, Dataset, ImageFolder, TabularTable
from workbench.core.splits import Split, split_indices
from workbench.core.textdata import TextTable

ensure_loaded()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from workbench.backend.table_encoding import SignedLog, long_tailed, signed_log  # noqa: E402


def _input_name(column: str, used: set[str]) -> str:
    base = re.sub(r"[^0-9A-Za-z_]", "_", column).strip("_") or "feature"
    if base[0].isdigit():
        base = f"f_{base}"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


class Adapter:
    """Base: targets and class names shared by every kind."""

    dataset: Any

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.task = getattr(dataset, "task", "classification")
        self.class_names: list[str] = class_names_of(dataset)

    @property
    def size(self) -> int:
        return row_count(self.dataset)

    def label_indices(self) -> np.ndarray | None:
        """Class index per row (None for regression): the order the data view shows."""
        return label_indices(self.dataset)

    def targets(self) -> np.ndarray:
        """What the loss compares with: class indices, or float targets for regression."""
        if self.task == "classification":
            return self.label_indices()
        return np.asarray(
            self.dataset.targets() if hasattr(self.dataset, "targets") else self.dataset.y,
            dtype=np.float32,
        )

    def split(self, fraction: float, seed: int, test_fraction: float = 0.0) -> Split:
        """Stratified for classification (the same split the data view shows)."""
        return split_indices(self.label_indices(), self.size, fraction, seed, test_fraction)

    def _target_tensor(self, rows: np.ndarray) -> np.ndarray:
        y = self.targets()[rows]
        if self.task == "classification" and len(self.class_names) == 2:
            return y.astype(np.float32)
        return y.astype(np.int32) if self.task == "classification" else y.astype(np.float32)

    def examples(self, rows: np.ndarray):
        """Unbatched (inputs, target) pairs for these rows, in row order."""
        return tf.data.Dataset.from_tensor_slices((self.features(rows), self._target_tensor(rows)))

    def dataset_for(self, rows: np.ndarray, batch_size: int, shuffle_seed: int | None = None):
        """(inputs, targets) batches for these rows."""
        return batches(self.examples(rows), len(rows), batch_size, shuffle_seed)

    def features(self, rows: np.ndarray) -> Any:
        raise NotImplementedError

    def input_block(self, rows: np.ndarray | None = None) -> tuple[Any, Any]:
        """(model inputs, encoded tensor) with statistics from ``rows`` (all rows if None)."""
        raise NotImplementedError

    def after_build(self, model: keras.Model, train_rows: np.ndarray) -> None:
        """Adapt the person's preprocessing layers (vocabularies, normalisation statistics)
        on the training split only, in stack order, each on what the layers before it
        output for those rows."""
        adapt_stack_layers(model, self.dataset_for(train_rows, 256))

    def output_block(self, tensor: Any, rows: np.ndarray | None = None) -> Any:
        """Regression: the head learns standardised targets and a fixed Rescaling turns them
        into the target's own units, so losses and predictions read in those units and the
        saved model needs nothing else. Classification: unchanged."""
        if self.task != "regression":
            return tensor
        y = self.targets() if rows is None else self.targets()[rows]
        mean, std = float(np.mean(y)), float(np.std(y)) or 1.0
        return keras.layers.Rescaling(scale=std, offset=mean, name="to_target_units")(tensor)

    def metadata(self) -> dict[str, Any]:
        """What prediction needs besides the model, saved inside the .keras file."""
        return {"kind": self.dataset.kind, "task": self.task, "class_names": self.class_names}


class TextAdapter(Adapter):
    """Raw strings in; the person's stack starts with TextVectorization."""

    dataset: TextTable

    def __init__(self, dataset: TextTable) -> None:
        super().__init__(dataset)
        self._texts = np.array(dataset.texts(), dtype=object)

    def features(self, rows: np.ndarray) -> Any:
        return tf.constant(self._texts[rows].astype(str))

    def input_block(self, rows: np.ndarray | None = None) -> tuple[Any, Any]:
        inputs = keras.Input(shape=(), dtype="string", name="text")
        return inputs, inputs

    def metadata(self) -> dict[str, Any]:
        return {**super().metadata(), "text_column": self.dataset.text_column}

    def train_texts(self, rows: np.ndarray) -> np.ndarray:
        """The texts of some rows (used by tests of the vocabulary)."""
        return self._texts[rows]


class TabularAdapter(Adapter):
    """One named input per feature column: numbers normalised, categories one-hot encoded."""

    dataset: TabularTable

    def __init__(self, dataset: TabularTable) -> None:
        super().__init__(dataset)
        used: set[str] = set()
        self.input_names = {c: _input_name(c, used) for c in dataset.features}
        frame = dataset.frame
        self._numeric = {
            c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64)
            for c, kind in dataset.feature_types.items()
            if kind == "numeric"
        }
        self._categorical = {
            c: frame[c].astype("string").fillna("").str.strip().to_numpy(dtype=object)
            for c, kind in dataset.feature_types.items()
            if kind == "categorical"
        }
        self.fill: dict[str, float] = {}
        self.log_scale: set[str] = set()  # number columns encoded as sign(x) log(1 + |x|)

    def _stats(self, rows: np.ndarray | None) -> tuple[dict, dict]:
        """Per number column (mean, variance) of the encoded training values, and per
        category column its vocabulary; decides which columns go on the log scale and
        fills a gap with the training mean in the column's own units."""
        numeric, vocab = {}, {}
        self.log_scale, self.fill = set(), {}
        for column, values in self._numeric.items():
            part = values if rows is None else values[rows]
            finite = part[np.isfinite(part)]
            self.fill[column] = float(finite.mean()) if finite.size else 0.0
            if long_tailed(finite):
                self.log_scale.add(column)
                finite = signed_log(finite)
            mean = float(finite.mean()) if finite.size else 0.0
            var = float(finite.var()) if finite.size else 1.0
            numeric[column] = (mean, var if var > 0 else 1.0)
        for column, values in self._categorical.items():
            part = values if rows is None else values[rows]
            vocab[column] = sorted({str(v) for v in part} - {""})
        return numeric, vocab

    def input_block(self, rows: np.ndarray | None = None) -> tuple[Any, Any]:
        numeric, vocab = self._stats(rows)
        inputs, parts = {}, []
        for column, kind in self.dataset.feature_types.items():
            name = self.input_names[column]
            if kind == "numeric":
                inputs[name] = keras.Input(shape=(1,), dtype="float32", name=name)
                mean, var = numeric[column]
                value = inputs[name]
                if column in self.log_scale:
                    value = SignedLog(name=f"log_{name}")(value)
                parts.append(
                    keras.layers.Normalization(mean=mean, variance=var, name=f"normalize_{name}")(
                        value
                    )
                )
            else:
                inputs[name] = keras.Input(shape=(1,), dtype="string", name=name)
                lookup = keras.layers.StringLookup(
                    vocabulary=vocab[column] or ["?"], output_mode="one_hot", name=f"encode_{name}"
                )
                parts.append(lookup(inputs[name]))
        encoded = parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="features")(parts)
        return inputs, encoded

    def features(self, rows: np.ndarray) -> Any:
        return self.encode_rows(
            {c: v[rows] for c, v in self._numeric.items()},
            {c: v[rows] for c, v in self._categorical.items()},
        )

    def encode_rows(self, numeric: dict[str, np.ndarray], categorical: dict[str, np.ndarray]):
        """Model input dict; missing numbers become the training mean."""
        out = {}
        for column, values in numeric.items():
            values = np.where(np.isfinite(values), values, self.fill.get(column, 0.0))
            out[self.input_names[column]] = values.astype(np.float32).reshape(-1, 1)
        for column, values in categorical.items():
            out[self.input_names[column]] = tf.constant(
                np.asarray(values).astype(str).reshape(-1, 1)
            )
        return out

    def metadata(self) -> dict[str, Any]:
        return {
            **super().metadata(),
            "label_column": self.dataset.label_column,
            "features": dict(self.dataset.feature_types),
            "inputs": self.input_names,
            "fill": self.fill,
        }


class ImageAdapter(Adapter):
    """File paths in the pipeline, decoded and resized on the fly: never all in memory."""

    dataset: ImageFolder

    def __init__(self, dataset: ImageFolder, augment: bool = False) -> None:
        super().__init__(dataset)
        self.augment = augment
        self._files = np.array(dataset.files, dtype=object)

    def dataset_for(self, rows: np.ndarray, batch_size: int, shuffle_seed: int | None = None):
        height, width = self.dataset.image_size
        files = tf.constant(self._files[rows].astype(str))
        ds = tf.data.Dataset.from_tensor_slices((files, self._target_tensor(rows)))
        if shuffle_seed is not None:
            ds = ds.shuffle(len(rows), seed=shuffle_seed, reshuffle_each_iteration=True)

        def load(path, label):
            return decode_image(tf.io.read_file(path), height, width), label

        ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE)
        ds = ds.ignore_errors()  # a file that passed the header check but will not decode
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def input_block(self, rows: np.ndarray | None = None) -> tuple[Any, Any]:
        height, width = self.dataset.image_size
        inputs = keras.Input(shape=(height, width, 3), name="image")
        x = keras.layers.Rescaling(1.0 / 255, name="rescale")(inputs)
        if self.augment:
            x = keras.layers.RandomFlip("horizontal", name="random_flip")(x)
            x = keras.layers.RandomRotation(0.05, name="random_rotation")(x)
            x = keras.layers.RandomZoom(0.1, name="random_zoom")(x)
        return inputs, x

    def metadata(self) -> dict[str, Any]:
        return {**super().metadata(), "image_size": list(self.dataset.image_size)}


def decode_image(data, height: int, width: int):
    """Bytes of any supported format -> float32 (height, width, 3) in 0..255."""
    image = tf.io.decode_image(data, channels=3, expand_animations=False)
    image = tf.image.resize(image, (height, width))
    return tf.ensure_shape(image, (height, width, 3))


class ArrayAdapter(Adapter):
    """Arrays from an .npz: vectors are normalised, 2-D/3-D samples treated as images."""

    dataset: ArrayData

    @property
    def image_like(self) -> bool:
        return self.dataset.x.ndim >= 3

    def features(self, rows: np.ndarray) -> Any:
        return self.dataset.x[rows].astype(np.float32)

    def input_block(self, rows: np.ndarray | None = None) -> tuple[Any, Any]:
        x = self.dataset.x if rows is None else self.dataset.x[rows]
        shape = self.dataset.x.shape[1:]
        inputs = keras.Input(shape=shape, name="x")
        if self.image_like:
            top = float(np.max(x)) if x.size else 1.0
            tensor = inputs
            if len(shape) == 2:
                tensor = keras.layers.Reshape((*shape, 1), name="add_channel")(tensor)
            return inputs, keras.layers.Rescaling(1.0 / (top or 1.0), name="rescale")(tensor)
        flat = x.reshape(len(x), -1).astype(np.float64)
        mean, var = flat.mean(axis=0), flat.var(axis=0)
        var[var == 0] = 1.0
        norm = keras.layers.Normalization(mean=mean, variance=var, name="normalize")
        return inputs, norm(inputs)

    def metadata(self) -> dict[str, Any]:
        return {**super().metadata(), "x_shape": list(self.dataset.x.shape[1:])}


class AudioAdapter(Adapter):
    """File paths in the pipeline, decoded, downmixed and resampled on the fly."""

    dataset: AudioFolder

    def __init__(self, dataset: AudioFolder, augment: bool = False) -> None:
        super().__init__(dataset)
        self.augment = augment
        self._files = np.array(dataset.files, dtype=object)

    @property
    def samples(self) -> int:
        return self.dataset.clip_samples

    def _loader(self) -> Any:
        """path tensor -> the clip as the model takes it (decoded by numpy on tf.data's map)."""
        rate, samples = self.dataset.sample_rate, self.samples

        def load(path):
            wave = tf.numpy_function(
                lambda p: clip_or_silence(p, rate, samples), [path], tf.float32, stateful=False
            )
            return tf.ensure_shape(wave, (samples,))

        return load

    def examples(self, rows: np.ndarray) -> Any:
        """Unbatched (waveform, target) pairs for these rows, in row order."""
        return self._pipeline(rows, None)

    def dataset_for(self, rows: np.ndarray, batch_size: int, shuffle_seed: int | None = None):
        """Batches of (waveforms, targets); with a shuffle seed (the training pipeline) the
        order changes every epoch and, when augmentation is on, each clip is augmented."""
        return self._pipeline(rows, shuffle_seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def _pipeline(self, rows: np.ndarray, shuffle_seed: int | None) -> Any:
        files = tf.constant(self._files[rows].astype(str))
        ds = tf.data.Dataset.from_tensor_slices((files, self._target_tensor(rows)))
        if shuffle_seed is not None:
            ds = ds.shuffle(len(rows), seed=shuffle_seed, reshuffle_each_iteration=True)
        load = self._loader()
        ds = ds.map(lambda f, y: (load(f), y), num_parallel_calls=tf.data.AUTOTUNE)
        if self.augment and shuffle_seed is not None:
            samples = self.samples
            # one seed per clip from a seeded stream, new each epoch, the same every run
            seeds = tf.data.Dataset.random(seed=shuffle_seed, rerandomize_each_iteration=True)
            ds = tf.data.Dataset.zip(ds, seeds).map(
                lambda wy, seed: (augment_clip(wy[0], samples, seed), wy[1]),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return ds

    def features(self, rows: np.ndarray) -> Any:
        return np.stack(
            [
                clip_or_silence(str(f), self.dataset.sample_rate, self.samples)
                for f in self._files[rows]
            ]
        )

    def input_block(self, rows: np.ndarray | None = None) -> tuple[Any, Any]:
        inputs = keras.Input(shape=(self.samples,), name="waveform")
        return inputs, inputs

    def metadata(self) -> dict[str, Any]:
        return {
            **super().metadata(),
            "sample_rate": int(self.dataset.sample_rate),
            "clip_samples": int(self.samples),
        }


#: How model_builder names the person's layers that learn from data ("normalization_3").
_ADAPTED_NAME = re.compile(r"(textvectorization|normalization|stringlookup|integerlookup)_\d+")


def adapt_stack_layers(model: keras.Model, batches: Any) -> None:
    """Adapt each stack layer that needs it, in order, on the output of the layers before it.

    ``batches`` is a tf.data.Dataset of (inputs, targets) of the training rows. The layers'
    inputs are computed batch by batch as adapt reads them, so memory stays at one batch.
    The data's own encodings (named differently) already carry their statistics.
    """
    for layer in model.layers:
        if not _ADAPTED_NAME.fullmatch(layer.name) or not hasattr(layer, "adapt"):
            continue
        source = layer.input
        upstream = keras.Model(model.inputs, source)
        if all(isinstance(x, keras.layers.InputLayer) for x in upstream.layers):
            data = batches.map(lambda x, _y: x)  # it reads the model's input itself
        else:
            data = tf.data.Dataset.from_generator(
                lambda up=upstream: (up(x, training=False) for x, _ in batches),
                output_signature=tf.TensorSpec(source.shape, tf.as_dtype(source.dtype)),
            )
        layer.adapt(data)


def batches(examples: Any, count: int, batch_size: int, shuffle_seed: int | None = None):
    """Batch unbatched examples; with a seed, shuffle all ``count`` of them anew each epoch."""
    if shuffle_seed is not None:
        examples = examples.shuffle(count, seed=shuffle_seed, reshuffle_each_iteration=True)
    return examples.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def adapter_for(dataset: Dataset, augment: bool = False) -> Adapter:
    """The adapter of a dataset's kind."""
    if isinstance(dataset, TextTable):
        return TextAdapter(dataset)
    if isinstance(dataset, TabularTable):
        return TabularAdapter(dataset)
    if isinstance(dataset, ImageFolder):
        return ImageAdapter(dataset, augment=augment)
    if isinstance(dataset, ArrayData):
        return ArrayAdapter(dataset)
    if isinstance(dataset, AudioFolder):
        return AudioAdapter(dataset, augment=augment)
    raise TypeError(f"No adapter for {type(dataset).__name__}")


def steps(rows: int, batch_size: int) -> int:
    """Batches per epoch."""
    return math.ceil(rows / batch_size)
