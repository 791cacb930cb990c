"""Export a project as a plain Keras training script (keras, tensorflow, pandas, numpy only).

The script reads the same file, makes the same split (it carries the workbench's own split
function), builds the same model with the same layer names, compiles and fits with the same
settings, so its ``model.summary()`` matches the workbench's and its scores are comparable.
It trains the way the workbench does, too: a fixed-length text vectorizer runs once in the
input pipeline and the layers after it fit as their own model, with XLA where the workbench
would use it on a CPU (Keras's "auto" leaves XLA off there).
Text and feature tables, image folders and .npz arrays are supported.
"""

from __future__ import annotations

import ast
import csv
import inspect
import textwrap
from pathlib import Path

from workbench.backend import adapters
from workbench.backend.acceleration import CACHE_BUDGET_BYTES, VECTORISE_CHUNK
from workbench.backend.optimizers import OPTIMIZERS, SCHEDULES
from workbench.backend.script_sources import (
    auto_epochs_block,
    custom_layer_sources,
    helper_sources,
    macro_metric_sources,
    table_encoding_sources,
)
from workbench.core import datasets, options, splits
from workbench.core.checks import row_count
from workbench.core.datasets import ArrayData, Dataset, ImageFolder, TabularTable
from workbench.core.errors import WorkbenchError
from workbench.core.layers import ADAPTED, LayerSpec
from workbench.core.project import (
    IMBALANCE_RATIO,
    Project,
    TrainingConfig,
    resolve_metrics,
)
from workbench.core.templates import head_for
from workbench.core.textdata import TextTable

# The inner layer of a Bidirectional, by its (validated) setting: code is looked up, never
# formatted from a value read from a file.
_RECURRENT_CLASS = {"LSTM": "keras.layers.LSTM", "GRU": "keras.layers.GRU"}


def _separator(path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(65536)
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _comment(text: str) -> str:
    """Text for a ``#`` comment: one line whatever it holds, so it cannot end the comment."""
    return " ".join(str(text).split())


def _layer_line(spec: LayerSpec, index: int) -> str:
    name = f"{spec.kind.lower()}_{index + 1}"
    if spec.kind == "Bidirectional":
        p = spec.params
        inner = (
            f"{_RECURRENT_CLASS[p['layer']]}({p['units']!r}, return_sequences="
            f"{p['return_sequences']!r}, dropout={p['dropout']!r})"
        )
        return (
            f"x = keras.layers.Bidirectional({inner}, merge_mode={p['merge_mode']!r}, "
            f"name={name!r})(x)"
        )
    from workbench.backend.text_standardize import STANDARDIZERS

    args = ", ".join(
        f"{k}={v}" if k == "standardize" and v in STANDARDIZERS else f"{k}={v!r}"
        for k, v in spec.keras_kwargs().items()
    )
    args = f"{args}, name={name!r}" if args else f"name={name!r}"
    if spec.type.custom:  # the class source is written into the script
        return f"x = {spec.type.keras_class}({args})(x)"
    return f"x = keras.layers.{spec.type.keras_class}({args})(x)"


def _metric_code(name: str, task: str, units: int, one_hot: bool) -> str | None:
    """Keras code for one metric name, as the trainer's metric_objects makes it for this
    head (binary metrics for one sigmoid unit, macro averages for a softmax)."""
    if task == "regression":
        return {
            "mae": 'keras.metrics.MeanAbsoluteError(name="mae")',
            "rmse": 'keras.metrics.RootMeanSquaredError(name="root_mean_squared_error")',
        }.get(name)
    if units == 1:
        return {
            "accuracy": 'keras.metrics.BinaryAccuracy(name="accuracy")',
            "precision": 'keras.metrics.Precision(name="precision")',
            "recall": 'keras.metrics.Recall(name="recall")',
            "auc": 'keras.metrics.AUC(name="auc")',
        }.get(name)
    accuracy = "CategoricalAccuracy" if one_hot else "SparseCategoricalAccuracy"
    return {
        "accuracy": f'keras.metrics.{accuracy}(name="accuracy")',
        "precision": f"MacroPrecision({units})",
        "recall": f"MacroRecall({units})",
        "auc": f"OneVsRestAUC({units})",
    }.get(name)


def _head_units(project: Project, task: str, classes: int) -> int:
    last = project.layers[-1] if project.layers else None
    if last is not None and last.kind == "Dense":
        return int(last.params["units"])
    return head_for(classes, task)[0]


def _schedule_code(cfg: TrainingConfig) -> str:
    """The learning rate (a number, or a schedule object) as the trainer makes it."""
    schedule = SCHEDULES[cfg.schedule]
    if schedule.keras_class is None:  # constant, plateau (a callback halves it)
        return "LEARNING_RATE"
    divisor = schedule.decay_divisor
    steps = "TOTAL_STEPS" if divisor == 1 else f"max(1, TOTAL_STEPS // {divisor})"
    extra = "".join(f", {name}={value!r}" for name, value in schedule.options.items())
    return (
        f"keras.optimizers.schedules.{schedule.keras_class.__name__}(LEARNING_RATE, "
        f"decay_steps={steps}{extra})"
    )


def _optimizer_code(cfg: TrainingConfig) -> str:
    """The optimizer with its schedule and clipping, as the trainer makes it."""
    chosen = [f"learning_rate={_schedule_code(cfg)}"]
    if cfg.clip_norm > 0:
        chosen.append(f"clipnorm={cfg.clip_norm!r}")
    own = options.OPTIMIZERS[cfg.optimizer].settings  # e.g. sgd's momentum and nesterov
    if "momentum" in own and cfg.momentum > 0:
        chosen.append(f"momentum={cfg.momentum!r}")
    if "nesterov" in own and cfg.nesterov:
        chosen.append("nesterov=True")
    return f"keras.optimizers.{OPTIMIZERS[cfg.optimizer].__name__}({', '.join(chosen)})"


def _auto_note(cfg: TrainingConfig) -> str:
    """A comment after TEST when the workbench chose it ("auto"), saying how."""
    if cfg.test_fraction is not None:
        return ""
    return (
        f"  # auto: {splits.AUTO_TEST_FRACTION!r} from {splits.AUTO_TEST_MIN_ROWS:,} rows, else 0"
    )


def _epochs_value(cfg: TrainingConfig) -> str:
    """EPOCHS in the header: the number set, or None with a comment for "auto"."""
    if cfg.epochs is not None:
        return repr(cfg.epochs)
    return 'None  # "auto": set from the training rows after the split, as the workbench does'


def _settings_comment(cfg: TrainingConfig) -> str:
    """The project's choices, by the names the workbench stores, as comment lines."""
    lines = ["# The workbench's settings this script follows:"]
    for setting in options.TABLES:
        value = getattr(cfg, setting)
        shown = (", ".join(value) or "none") if isinstance(value, list) else value
        lines.append(f"#   {setting}: {_comment(shown)}")
    return "\n".join(lines)


def _compile_block(project: Project, task: str, classes: int, reads_strings: bool) -> str:
    """Compile and fit with the project's training settings (loss, metrics, optimizer,
    schedule, clipping, early stopping, class weights)."""
    from workbench.backend.trainer import choose_loss  # the trainer's own choice and checks

    cfg = project.training
    units = _head_units(project, task, classes)
    loss = choose_loss(cfg, classes, task, units)
    one_hot = loss == "categorical_crossentropy"
    chosen = resolve_metrics(cfg.metrics, task)
    metrics = [m for n in chosen if (m := _metric_code(n, task, units, one_hot))]
    macro = ""
    if any(m.startswith(("Macro", "OneVsRest")) for m in metrics):
        macro = macro_metric_sources() + "\n\n\n"
    if one_hot:  # categorical cross-entropy reads one-hot rows, as the trainer feeds it
        macro += f"""_class_dataset = make_dataset


def make_dataset(rows, shuffle=False):
    return _class_dataset(rows, shuffle).map(lambda x, y: (x, tf.one_hot(tf.cast(y, tf.int32), {units})))


"""
    callbacks = []
    if cfg.early_stopping_patience > 0 or cfg.epochs is None:
        patience = (
            repr(cfg.early_stopping_patience) if cfg.early_stopping_patience > 0 else "PATIENCE"
        )
        callbacks.append(
            f"keras.callbacks.EarlyStopping({cfg.early_stopping_monitor!r}, "
            f"patience={patience}, "
            f"restore_best_weights={cfg.restore_best_weights!r})"
        )
    if cfg.schedule == "plateau":
        callbacks.append('keras.callbacks.ReduceLROnPlateau("val_loss", factor=0.5, patience=2)')
    weights = "None"
    if cfg.class_weights == "balanced" and task == "classification":
        weights = "balanced_weights(labels[train_rows], len(CLASS_NAMES))"
    elif cfg.class_weights == "auto" and task == "classification":  # as the workbench decides
        weights = (
            "balanced_weights(labels[train_rows], len(CLASS_NAMES)) "
            f"if imbalance(labels[train_rows]) >= {IMBALANCE_RATIO} else None"
        )
    return (
        macro
        + auto_epochs_block(cfg)
        + f"""TOTAL_STEPS = max(1, math.ceil(len(train_rows) / BATCH_SIZE) * EPOCHS)
{_xla_lines(project, reads_strings)}
fit_model.compile(
    optimizer={_optimizer_code(cfg)},
    loss={loss!r},
    metrics=[{", ".join(metrics)}],
    jit_compile=JIT_COMPILE,
)
model.summary()
history = fit_model.fit(
    make_dataset(train_rows, shuffle=True),
    validation_data=make_dataset(val_rows),
    epochs=EPOCHS,
    shuffle=False,  # make_dataset shuffles the training part itself, with the seed
    callbacks=[{", ".join(callbacks)}],
    class_weight={weights},
    verbose=2,
)
best = int(np.argmin(history.history["val_loss"]))
print("best epoch", best + 1, {{k: v[best] for k, v in history.history.items()}})
if len(test_rows):
    print("test", fit_model.evaluate(make_dataset(test_rows), return_dict=True, verbose=0))
model.save("model.keras")
"""
    )


def _encodes_strings(data: Dataset) -> bool:
    """Whether the script's input encoding reads strings (categorical feature columns)."""
    return isinstance(data, TabularTable) and "categorical" in data.feature_types.values()


def _fast_text(project: Project) -> bool:
    """Whether the stack starts with a fixed-length TextVectorization: then the script, like
    the workbench, vectorises once in the input pipeline and fits the layers after it."""
    first = project.layers[0] if project.layers else None
    return (
        first is not None
        and first.kind == "TextVectorization"
        and bool(first.params.get("output_sequence_length"))
    )


def _xla_lines(project: Project, reads_strings: bool) -> str:
    """``JIT_COMPILE`` as the workbench chooses it on a CPU (Keras's own "auto" leaves XLA
    off there); on a GPU, Keras's "auto". ``reads_strings``: the script's own input
    encoding takes strings (a feature table's categorical columns)."""
    import keras

    from workbench.backend.acceleration import (
        MIN_STEPS_FOR_XLA_ON_CPU,
        Placement,
        choose_xla_for,
    )
    from workbench.backend.model_builder import make_layer

    fast = _fast_text(project)
    specs = project.layers[1:] if fast else project.layers
    reads_strings = reads_strings or any(
        spec.kind in ("TextVectorization", "StringLookup") for spec in specs
    )
    try:
        layers = []
        # after the vectorizer the layers are connected, as in the fitted model, so the
        # choice sees the widths they get (a bag of words is thousands of values wide)
        tensor = (
            make_layer(project.layers[0])(keras.Input(shape=(), dtype="string")) if fast else None
        )
        for spec in specs:
            layer = make_layer(spec)
            if tensor is not None:
                tensor = layer(tensor)
            layers.extend(layer._flatten_layers(include_self=True))
    except Exception as exc:  # a layer the checks would refuse anyway: no XLA
        choice_reason, cpu = f"No XLA: {exc}", "False"
    else:
        # the layers decide here (asked as if there were steps enough); the script checks
        # the steps itself once it has split the data
        choice = choose_xla_for(
            layers, Placement("auto", "cpu"), MIN_STEPS_FOR_XLA_ON_CPU, reads_strings
        )
        cpu = f"TOTAL_STEPS >= {MIN_STEPS_FOR_XLA_ON_CPU}" if choice.enabled else "False"
        choice_reason = (
            f"XLA when there are at least {MIN_STEPS_FOR_XLA_ON_CPU} steps to repay compiling"
            if choice.enabled
            else choice.reason
        )
    fit = "" if fast else "fit_model = model\n"
    return (
        f"{fit}# On a CPU, the workbench's choice: {_comment(choice_reason).rstrip('.')}.\n"
        f'JIT_COMPILE = "auto" if tf.config.list_physical_devices("GPU") else {cpu}'
    )


def _fast_text_block() -> str:
    """Fit on word indices: vectorise once in the pipeline, keep them, compile the rest."""
    return f"""
# Training reads word indices, not strings: the texts are vectorised once, in the input
# pipeline, and kept in memory when they fit (the vectorizer's string operations cannot be
# compiled), and the layers after the vectorizer train as their own model, which XLA can
# compile. They share their weights with `model`, which still reads raw text and is saved.
vectorizer = model.get_layer("textvectorization_1")
fit_model = keras.Model(vectorizer.output, model.outputs, name="workbench_model_after_vectorizer")


def make_dataset(rows, shuffle=False):
    words = (
        tf.data.Dataset.from_tensor_slices((tf.constant(texts[rows]), targets[rows]))
        .batch({VECTORISE_CHUNK})
        .map(lambda t, y: (vectorizer(t), y), num_parallel_calls=tf.data.AUTOTUNE)
        .unbatch()
        .apply(tf.data.experimental.assert_cardinality(len(rows)))  # unbatch() forgets it
    )
    if len(rows) * vectorizer.output.shape[-1] * 8 <= {CACHE_BUDGET_BYTES // 2**20} * 2**20:
        words = words.cache()
    if shuffle:
        words = words.shuffle(len(rows), seed=SEED, reshuffle_each_iteration=True)
    return words.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)

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
"""


def _tabular_script(project: Project, data: TabularTable) -> str:
    used: set[str] = set()
    names = {c: adapters._input_name(c, used) for c in data.features}
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
            blocks.append(f"parts.append(encode_number({name!r}, numeric[{column!r}][train_rows]))")
        else:
            blocks.append(
                f"""vocabulary = sorted(set(categorical[{column!r}][train_rows].tolist()) - {{""}}) or ["?"]
inputs[{name!r}] = keras.Input(shape=(1,), dtype="string", name={name!r})
parts.append(keras.layers.StringLookup(vocabulary=vocabulary, output_mode="one_hot", name={"encode_" + name!r})(inputs[{name!r}]))"""
            )
    encode = "\n".join(blocks)
    layers = "\n".join(_layer_line(s, i) for i, s in enumerate(project.layers))
    rescale = _regression_rescale(regression)
    concat = (
        "x = parts[0]"
        if len(blocks) == 1
        else 'x = keras.layers.Concatenate(name="features")(parts)'
    )
    # rows without a target are left out, as the workbench does (and for a number, inf too)
    target = f"frame[{data.label_column!r}]"
    kept = (
        f"np.isfinite(pd.to_numeric({target}, errors='coerce').to_numpy(dtype=np.float64))"
        if regression
        else f"{target}.notna()"
    )
    keep = f"frame = frame[{kept}].reset_index(drop=True)\n"
    return f"""
frame = pd.read_csv(DATA, sep={_separator(data.path)!r})
{keep}{target_lines}numeric = {{c: pd.to_numeric(frame[c], errors="coerce").replace([np.inf, -np.inf], np.nan).to_numpy(dtype=np.float64) for c in {numeric!r}}}
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


{table_encoding_sources()}


# A number column's input, on a log scale when long-tailed, standardised with the
# statistics of its finite training values (as the workbench encodes it).
def encode_number(name, values):
    values = values[np.isfinite(values)]
    value = inputs[name] = keras.Input(shape=(1,), dtype="float32", name=name)
    if long_tailed(values):
        values, value = signed_log(values), SignedLog(name=f"log_{{name}}")(value)
    return keras.layers.Normalization(
        mean=float(values.mean()), variance=float(values.var() or 1.0), name=f"normalize_{{name}}"
    )(value)


keras.utils.set_random_seed(SEED)
inputs, parts = {{}}, []
{encode}
{concat}
{layers}
{rescale}model = keras.Model(inputs, x, name="workbench_model")
"""


def _regression_rescale(regression: bool) -> str:
    """The fixed layer that turns standardised outputs into the target's units."""
    if not regression:
        return ""
    return (
        "x = keras.layers.Rescaling(scale=float(np.std(y[train_rows]) or 1.0), "
        'offset=float(np.mean(y[train_rows])), name="to_target_units")(x)\n'
    )


def _image_script(project: Project, data: ImageFolder) -> str:
    """Same listing (bad files skipped by the workbench's own check), split and decoding."""
    height, width = data.image_size
    layers = "\n".join(_layer_line(s, i) for i, s in enumerate(project.layers))
    binary = len(data.class_names) == 2
    augment = ""
    if project.dataset.augment:
        augment = (
            'x = keras.layers.RandomFlip("horizontal", name="random_flip")(x)\n'
            'x = keras.layers.RandomRotation(0.05, name="random_rotation")(x)\n'
            'x = keras.layers.RandomZoom(0.1, name="random_zoom")(x)\n'
        )
    listing = "\n\n".join(
        textwrap.dedent(inspect.getsource(f)).strip()
        for f in (datasets._image_problem, datasets._has_end, adapters.decode_image)
    )
    return f"""
IMAGE_SUFFIXES = {sorted(datasets.IMAGE_SUFFIXES)!r}
_MAGIC = {datasets._MAGIC!r}
HEIGHT, WIDTH = {height!r}, {width!r}
CLASS_NAMES = {list(data.class_names)!r}


{listing}


files, labels = [], []
for index, name in enumerate(CLASS_NAMES):
    for image in sorted((Path(DATA) / name).rglob("*")):
        if image.is_file() and image.suffix.lower() in IMAGE_SUFFIXES and not _image_problem(image):
            files.append(str(image))
            labels.append(index)
files = np.array(files, dtype=object)
labels = np.array(labels, dtype=np.int64)
train_rows, val_rows, test_rows = split_rows(labels, len(labels), VALIDATION, SEED, TEST)
targets = labels.astype({"'float32'" if binary else "'int32'"})


def make_dataset(rows, shuffle=False):
    ds = tf.data.Dataset.from_tensor_slices((tf.constant(files[rows].astype(str)), targets[rows]))
    if shuffle:
        ds = ds.shuffle(len(rows), seed=SEED, reshuffle_each_iteration=True)

    def load(path, label):
        return decode_image(tf.io.read_file(path), HEIGHT, WIDTH), label

    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.ignore_errors()  # a file that passed the header check but will not decode
    return ds.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


keras.utils.set_random_seed(SEED)
inputs = keras.Input(shape=(HEIGHT, WIDTH, 3), name="image")
x = keras.layers.Rescaling(1.0 / 255, name="rescale")(inputs)
{augment}{layers}
model = keras.Model(inputs, x, name="workbench_model")
"""


def _array_script(project: Project, data: ArrayData) -> str:
    """Same arrays, label order, split and input encoding as the workbench's ArrayAdapter."""
    layers = "\n".join(_layer_line(s, i) for i, s in enumerate(project.layers))
    regression = data.task == "regression"
    if regression:
        target_lines = "labels = None\ny = y_raw.astype(np.float32)\n"
    else:
        binary = len(data.class_names()) == 2
        target_lines = (
            "label_strings = [str(int(v)) if float(v).is_integer() else str(v) "
            "for v in y_raw.tolist()]\n"
            "CLASS_NAMES = sort_labels(set(label_strings))\n"
            "labels = np.array([CLASS_NAMES.index(v) for v in label_strings], dtype=np.int64)\n"
            f"y = labels.astype({'np.float32' if binary else 'np.int32'})\n"
        )
    if data.x.ndim >= 3:  # images: a channel axis when missing, scaled by the training maximum
        channel = (
            'tensor = keras.layers.Reshape((*SHAPE, 1), name="add_channel")(tensor)\n'
            if data.x.ndim == 3
            else ""
        )
        encode = f"""top = float(np.max(X[train_rows])) if X[train_rows].size else 1.0
tensor = inputs
{channel}x = keras.layers.Rescaling(1.0 / (top or 1.0), name="rescale")(tensor)"""
    else:
        encode = """flat = X[train_rows].reshape(len(train_rows), -1).astype(np.float64)
mean, var = flat.mean(axis=0), flat.var(axis=0)
var[var == 0] = 1.0
x = keras.layers.Normalization(mean=mean, variance=var, name="normalize")(inputs)"""
    return f"""
with np.load(DATA, allow_pickle=False) as archive:
    X, y_raw = archive[{data.x_name!r}], archive[{data.y_name!r}]
if X.ndim < 2:
    X = X.reshape(-1, 1)
if y_raw.ndim > 1 and y_raw.shape[1] == 1:
    y_raw = y_raw.reshape(len(y_raw), -1)[:, 0]
{target_lines}train_rows, val_rows, test_rows = split_rows(labels, len(y), VALIDATION, SEED, TEST)
SHAPE = X.shape[1:]


def make_dataset(rows, shuffle=False):
    ds = tf.data.Dataset.from_tensor_slices((X[rows].astype(np.float32), y[rows]))
    if shuffle:
        ds = ds.shuffle(len(rows), seed=SEED, reshuffle_each_iteration=True)
    return ds.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


keras.utils.set_random_seed(SEED)
inputs = keras.Input(shape=SHAPE, name="x")
{encode}
{layers}
{_regression_rescale(regression)}model = keras.Model(inputs, x, name="workbench_model")
"""


def _adapt_block(project: Project) -> str:
    """Adapt the stack's data-learning layers on the training rows, as the workbench does."""
    if not any(spec.kind in ADAPTED for spec in project.layers):
        return ""
    source = textwrap.dedent(inspect.getsource(adapters.adapt_stack_layers)).strip()
    return f"""
_ADAPTED_NAME = re.compile({adapters._ADAPTED_NAME.pattern!r})


{source}


adapt_stack_layers(model, make_dataset(train_rows))
"""


_BALANCED = '''def balanced_weights(targets, classes):
    """n / (classes x count) per class: rare classes count as much as common ones."""
    counts = np.bincount(targets.astype(np.int64), minlength=classes).astype(np.float64)
    counts[counts == 0] = 1.0
    return {i: float(len(targets) / (classes * c)) for i, c in enumerate(counts)}


def imbalance(targets):
    """How many times the largest class outnumbers the smallest."""
    counts = np.bincount(targets.astype(np.int64))
    counts = counts[counts > 0]
    return float(counts.max() / counts.min()) if len(counts) > 1 else 1.0'''


def keras_script(project: Project, data: Dataset) -> str:
    """The whole training script for this project and its data, as text.

    The project is validated against the file schema first (every setting's type, range and
    choice), and every value from it or the data is written as a Python literal (``repr``),
    never as code; the script is parsed before it is returned.
    """
    project = Project.from_dict(project.to_dict(), "the project")
    script = _script(project, data)
    try:
        ast.parse(script)
    except SyntaxError as exc:  # a bug in a template, never the person's input
        raise RuntimeError(f"the generated script does not parse: {exc}") from None
    return script


def _script(project: Project, data: Dataset) -> str:
    if isinstance(data, TextTable) and not data.path.is_dir():
        body = _text_script(project, data)
        classes = len(data.class_names())
    elif isinstance(data, TabularTable):
        body = _tabular_script(project, data)
        classes = len(data.class_names())
    elif isinstance(data, ImageFolder):
        body = _image_script(project, data)
        classes = len(data.class_names)
    elif isinstance(data, ArrayData):
        body = _array_script(project, data)
        classes = len(data.class_names()) if data.task == "classification" else 0
    else:
        raise WorkbenchError(
            f"Exporting a script is available for CSV text, feature tables, image folders and "
            f".npz arrays; this project's data is {data.kind} ({data.path}). Export the model "
            "(.keras) instead."
        )
    cfg = project.training
    custom = custom_layer_sources(project.layers)
    header = f'''"""Train the model built in Training Workbench, in plain Keras.

Generated from a workbench project. Needs keras, tensorflow, pandas and numpy; run it with
`python {{this file}}`. It splits the data exactly as the workbench did, builds the same model
(same layer names), trains it with the same settings, prints model.summary() and the best
epoch, and saves model.keras.
"""

import math
import re
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import ops

DATA = {str(Path(data.path).resolve())!r}
EPOCHS = {_epochs_value(cfg)}
BATCH_SIZE = {cfg.batch_size!r}
LEARNING_RATE = {cfg.learning_rate!r}
VALIDATION = {cfg.validation_fraction!r}
TEST = {splits.resolve_test_fraction(cfg.test_fraction, row_count(data))!r}{_auto_note(cfg)}
SEED = {cfg.seed!r}
{_settings_comment(cfg)}


'''
    parts = [header + helper_sources(), _BALANCED]
    if custom:
        parts.append(custom)
    return (
        "\n\n\n".join(parts)
        + "\n\n"
        + body
        + _adapt_block(project)
        + (_fast_text_block() if isinstance(data, TextTable) and _fast_text(project) else "")
        + "\n"
        + _compile_block(project, data.task, classes, _encodes_strings(data))
    )


def write_script(project: Project, data: Dataset, path: str | Path) -> Path:
    """Write the script (atomically) and return its path."""
    from workbench.core.atomic import atomic_write_text

    path = Path(path)
    atomic_write_text(path, keras_script(project, data))
    return path
