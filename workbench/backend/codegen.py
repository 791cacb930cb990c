"""Export a project as a plain Keras training script (keras, tensorflow, pandas, numpy only).

The script reads the same file, makes the same split (it carries the workbench's own split
function), builds the same model with the same layer names, compiles and fits with the same
settings, so its ``model.summary()`` matches the workbench's and its scores are comparable.
Text and feature tables are supported; images and arrays are not yet (a clear error says so).
"""

from __future__ import annotations

import csv
import inspect
import textwrap
from pathlib import Path

from workbench.core import splits, textdata
from workbench.core.datasets import Dataset, TabularTable
from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.project import Project
from workbench.core.templates import head_for
from workbench.core.textdata import TextTable

OPTIMIZER_CLASS = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}


def _separator(path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(65536)
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _layer_line(spec: LayerSpec, index: int) -> str:
    name = f"{spec.kind.lower()}_{index + 1}"
    if spec.kind == "Bidirectional":
        p = spec.params
        inner = (
            f"keras.layers.{p['layer']}({p['units']!r}, return_sequences="
            f"{p['return_sequences']!r}, dropout={p['dropout']!r})"
        )
        return (
            f"x = keras.layers.Bidirectional({inner}, merge_mode={p['merge_mode']!r}, "
            f"name={name!r})(x)"
        )
    args = ", ".join(f"{k}={v!r}" for k, v in spec.keras_kwargs().items())
    args = f"{args}, name={name!r}" if args else f"name={name!r}"
    return f"x = keras.layers.{spec.type.keras_class}({args})(x)"


def _helpers() -> str:
    """The workbench's own split and label functions, so the script splits identically."""
    parts = [
        inspect.getsource(splits._take),
        inspect.getsource(splits.split_rows),
        inspect.getsource(textdata._label_str),
        inspect.getsource(textdata.sort_labels),
    ]
    return "\n\n".join(textwrap.dedent(p).strip() for p in parts)


def _compile_block(project: Project, task: str, classes: int) -> str:
    cfg = project.training
    _, _, loss = head_for(classes, task)
    metrics = (
        '["mae", keras.metrics.RootMeanSquaredError(name="root_mean_squared_error")]'
        if task == "regression"
        else '["accuracy"]'
    )
    return f"""model.compile(
    optimizer=keras.optimizers.{OPTIMIZER_CLASS[cfg.optimizer]}(learning_rate={cfg.learning_rate!r}),
    loss={loss!r},
    metrics={metrics},
)
model.summary()
history = model.fit(
    make_dataset(train_rows, shuffle=True),
    validation_data=make_dataset(val_rows),
    epochs=EPOCHS,
    shuffle=False,  # make_dataset shuffles the training part itself, with the seed
    verbose=2,
)
best = int(np.argmin(history.history["val_loss"]))
print("best epoch", best + 1, {{k: v[best] for k, v in history.history.items()}})
model.save("model.keras")
"""


def _text_script(project: Project, data: TextTable) -> str:
    layers = "\n".join(_layer_line(s, i) for i, s in enumerate(project.layers))
    binary = len(data.class_names()) == 2
    return f"""
frame = pd.read_csv(DATA, sep={_separator(data.path)!r})
texts = frame[{data.text_column!r}].fillna("").astype(str).to_numpy()
label_strings = [_label_str(v) for v in frame[{data.label_column!r}].tolist()]
CLASS_NAMES = sort_labels(set(label_strings))
labels = np.array([CLASS_NAMES.index(v) for v in label_strings], dtype=np.int64)
train_rows, val_rows, test_rows = split_rows(labels, len(labels), VALIDATION, SEED, TEST)
targets = labels.astype({"'float32'" if binary else "'int32'"})


def make_dataset(rows, shuffle=False):
    ds = tf.data.Dataset.from_tensor_slices((tf.constant(texts[rows]), targets[rows]))
    if shuffle:
        ds = ds.shuffle(len(rows), seed=SEED, reshuffle_each_iteration=True)
    return ds.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


keras.utils.set_random_seed(SEED)
inputs = keras.Input(shape=(), dtype="string", name="text")
x = inputs
{layers}
model = keras.Model(inputs, x, name="workbench_model")
for layer in model.layers:  # the vocabulary comes from the training part only
    if isinstance(layer, keras.layers.TextVectorization):
        layer.adapt(tf.data.Dataset.from_tensor_slices(tf.constant(texts[train_rows])).batch(512))
"""


def _tabular_script(project: Project, data: TabularTable) -> str:
    from workbench.backend.adapters import _input_name  # same names as the workbench

    used: set[str] = set()
    names = {c: _input_name(c, used) for c in data.features}
    numeric = [c for c, k in data.feature_types.items() if k == "numeric"]
    categorical = [c for c, k in data.feature_types.items() if k == "categorical"]
    regression = data.task == "regression"
    if regression:
        target_lines = (
            f"y = pd.to_numeric(frame[{data.label_column!r}]).to_numpy(dtype=np.float32)\n"
            "labels = None\n"
        )
    else:
        target_lines = (
            f"label_strings = [_label_str(v) for v in frame[{data.label_column!r}].tolist()]\n"
            "CLASS_NAMES = sort_labels(set(label_strings))\n"
            "labels = np.array([CLASS_NAMES.index(v) for v in label_strings], dtype=np.int64)\n"
            f"y = labels.astype({'np.float32' if len(data.class_names()) == 2 else 'np.int32'})\n"
        )
    blocks = []
    for column, kind in data.feature_types.items():
        name = names[column]
        if kind == "numeric":
            blocks.append(
                f"""values = numeric[{column!r}][train_rows]
values = values[np.isfinite(values)]
inputs[{name!r}] = keras.Input(shape=(1,), dtype="float32", name={name!r})
parts.append(keras.layers.Normalization(mean=float(values.mean()), variance=float(values.var() or 1.0), name={"normalize_" + name!r})(inputs[{name!r}]))"""
            )
        else:
            blocks.append(
                f"""vocabulary = sorted(set(categorical[{column!r}][train_rows].tolist()) - {{""}}) or ["?"]
inputs[{name!r}] = keras.Input(shape=(1,), dtype="string", name={name!r})
parts.append(keras.layers.StringLookup(vocabulary=vocabulary, output_mode="one_hot", name={"encode_" + name!r})(inputs[{name!r}]))"""
            )
    encode = "\n".join(blocks)
    layers = "\n".join(_layer_line(s, i) for i, s in enumerate(project.layers))
    rescale = (
        "x = keras.layers.Rescaling(scale=float(np.std(y[train_rows]) or 1.0), "
        'offset=float(np.mean(y[train_rows])), name="to_target_units")(x)\n'
        if regression
        else ""
    )
    concat = (
        "x = parts[0]"
        if len(blocks) == 1
        else 'x = keras.layers.Concatenate(name="features")(parts)'
    )
    return f"""
frame = pd.read_csv(DATA, sep={_separator(data.path)!r})
frame = frame[frame[{data.label_column!r}].notna()].reset_index(drop=True)
{target_lines}numeric = {{c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64) for c in {numeric!r}}}
categorical = {{c: frame[c].astype("string").fillna("").str.strip().to_numpy(dtype=object) for c in {categorical!r}}}
train_rows, val_rows, test_rows = split_rows(labels, len(frame), VALIDATION, SEED, TEST)
fill = {{c: float(np.nanmean(v[train_rows])) for c, v in numeric.items()}}
NAMES = {names!r}


def features(rows):
    out = {{}}
    for column, values in numeric.items():
        part = np.where(np.isfinite(values[rows]), values[rows], fill[column])
        out[NAMES[column]] = part.astype(np.float32).reshape(-1, 1)
    for column, values in categorical.items():
        out[NAMES[column]] = tf.constant(values[rows].astype(str).reshape(-1, 1))
    return out


def make_dataset(rows, shuffle=False):
    ds = tf.data.Dataset.from_tensor_slices((features(rows), y[rows]))
    if shuffle:
        ds = ds.shuffle(len(rows), seed=SEED, reshuffle_each_iteration=True)
    return ds.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


keras.utils.set_random_seed(SEED)
inputs, parts = {{}}, []
{encode}
{concat}
{layers}
{rescale}model = keras.Model(inputs, x, name="workbench_model")
"""


def keras_script(project: Project, data: Dataset) -> str:
    """The whole training script for this project and its data, as text."""
    if isinstance(data, TextTable) and not data.path.is_dir():
        body = _text_script(project, data)
        classes = len(data.class_names())
    elif isinstance(data, TabularTable):
        body = _tabular_script(project, data)
        classes = len(data.class_names())
    else:
        raise WorkbenchError(
            f"Exporting a script is available for text and feature tables; this project's "
            f"data is {data.kind} ({data.path}). Export the model (.keras) instead."
        )
    cfg = project.training
    header = f'''"""Train the model built in Training Workbench, in plain Keras.

Generated from a workbench project. Needs keras, tensorflow, pandas and numpy; run it with
`python {{this file}}`. It splits the data exactly as the workbench did, builds the same model
(same layer names), trains it with the same settings, prints model.summary() and the best
epoch, and saves model.keras.
"""

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

DATA = {str(Path(data.path).resolve())!r}
EPOCHS = {cfg.epochs!r}
BATCH_SIZE = {cfg.batch_size!r}
VALIDATION = {cfg.validation_fraction!r}
TEST = {cfg.test_fraction!r}
SEED = {cfg.seed!r}


'''
    return header + _helpers() + "\n\n" + body + "\n" + _compile_block(project, data.task, classes)


def write_script(project: Project, data: Dataset, path: str | Path) -> Path:
    """Write the script (atomically) and return its path."""
    from workbench.core.project import atomic_write_text

    path = Path(path)
    atomic_write_text(path, keras_script(project, data))
    return path
