"""The exported Keras script trains the same model as the workbench, in plain Keras."""

import io
import py_compile
import re
import subprocess
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

from tests.core.test_datasets import make_image_folder
from tests.textfixtures import write_csv
from workbench.backend.codegen import keras_script, write_script
from workbench.backend.trainer import Trainer
from workbench.core.datasets import load_dataset
from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.listener import NullListener, TrainingControl
from workbench.core.project import DatasetSpec, Project
from workbench.core.samples import SAMPLES
from workbench.core.templates import TEMPLATES, default_layers

ROW = re.compile(r"^│ (\S+) .*?│ (\([^│]*?\)) *│ *([\d,]+) │")


def summary_rows(text: str) -> list[tuple[str, str, str]]:
    """(layer name, output shape, params) of each layer in a model.summary() printout.

    Keras names the op it adds for a padding mask itself (``not_equal``, ``not_equal_1``,
    ... by how many were made in the process), so that one suffix is left out.
    """
    rows = [m.groups() for line in text.splitlines() if (m := ROW.match(line))]
    return [(re.sub(r"^(not_equal)_\d+$", r"\1", n), shape, p) for n, shape, p in rows]


def workbench_run(data, epochs, augment=False, layers=None, **settings):
    project = Project(
        DatasetSpec(kind=data.kind, task=data.task, augment=augment),
        layers or default_layers(data),
    )
    project.training.epochs = epochs
    for key, value in settings.items():
        setattr(project.training, key, value)
    trainer = Trainer(project, data)
    outcome = trainer.run(NullListener(), TrainingControl())
    printed = io.StringIO()
    with redirect_stdout(printed):
        trainer.model.summary()
    return project, outcome, printed.getvalue()


def run_script(path, cwd):
    result = subprocess.run(
        [sys.executable, str(path)], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    best = re.search(r"'val_accuracy': ([0-9.]+)", result.stdout)
    return result.stdout, float(best.group(1)) if best else None


@pytest.mark.parametrize("kind", ["text", "tabular"])
def test_script_builds_the_same_model_and_scores_alike(tmp_path, kind):
    if kind == "text":
        data = load_dataset(write_csv(tmp_path / "reviews.csv", n=200))
        epochs = 6
    else:
        data = load_dataset(SAMPLES["penguins"].path, "tabular", label_column="species")
        epochs = 8
    project, outcome, ours = workbench_run(data, epochs)
    script = write_script(project, data, tmp_path / "train.py")
    printed, val_accuracy = run_script(script, tmp_path)
    assert summary_rows(ours) and summary_rows(printed) == summary_rows(ours)
    assert (tmp_path / "model.keras").is_file()
    assert abs(val_accuracy - outcome.best_metrics["val_accuracy"]) <= 0.12


def test_regression_script_compiles_with_the_units_layer(tmp_path):
    data = load_dataset(SAMPLES["penguins-mass"].path, "tabular", label_column="body_mass_g")
    project = Project(DatasetSpec(kind="tabular", task="regression"), default_layers(data))
    text = keras_script(project, data)
    assert 'name="to_target_units"' in text and "RootMeanSquaredError" in text
    path = tmp_path / "train.py"
    path.write_text(text)
    py_compile.compile(str(path), doraise=True)


def test_image_folder_script_lists_splits_and_builds_the_same_model(tmp_path):
    root = make_image_folder(tmp_path / "imgs", per_class=6)
    (root / "a" / "fake.png").write_bytes(b"not an image")  # skipped by both, the same way
    data = load_dataset(root).with_image_size(16, 16)
    project, _, ours = workbench_run(data, 1, augment=True, batch_size=4)
    script = write_script(project, data, tmp_path / "train.py")
    printed, _ = run_script(script, tmp_path)
    rows = summary_rows(printed)
    assert rows == summary_rows(ours)
    assert ("random_flip", "(None, 16, 16, 3)", "0") in rows  # augmentation kept
    assert (tmp_path / "model.keras").is_file()


def test_npz_images_script_adds_the_channel_like_the_workbench(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "tiny.npz"
    np.savez(path, x=rng.integers(0, 16, size=(40, 8, 8)), y=np.arange(40) % 3)
    data = load_dataset(path)
    settings = {"loss": "categorical_crossentropy", "metrics": ["precision", "recall", "auc"]}
    project, outcome, ours = workbench_run(data, 1, **settings)
    text = keras_script(project, data)
    assert "loss='categorical_crossentropy'" in text and "class MacroPrecision(" in text
    printed, _ = run_script(write_script(project, data, tmp_path / "train.py"), tmp_path)
    rows = summary_rows(printed)
    assert rows == summary_rows(ours) and rows[1][:2] == ("add_channel", "(None, 8, 8, 1)")
    # The same metrics as the workbench, macro-averaged over the three classes.
    for key in outcome.best_metrics:
        if key != "learning_rate":
            assert f"'{key}'" in printed, key


def test_npz_vector_script_trains_with_every_setting_of_the_workbench(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(160, 4))
    path = tmp_path / "vectors.npz"
    np.savez(path, x=x, y=(x[:, 0] + x[:, 1] > 0).astype(int))
    data = load_dataset(path)
    settings = {
        "optimizer": "sgd",
        "momentum": 0.9,
        "nesterov": True,
        "learning_rate": 0.05,
        "schedule": "cosine",
        "clip_norm": 1.0,
        "early_stopping_patience": 3,
        "early_stopping_monitor": "val_accuracy",
        "restore_best_weights": False,
        "class_weights": "balanced",
        "metrics": ["precision", "auc"],
        "validation_fraction": 0.25,
        "seed": 7,
    }
    layers = default_layers(data)
    layers.insert(1, LayerSpec("Normalization"))  # adapted mid-stack, in both
    project, outcome, ours = workbench_run(data, 8, layers=layers, **settings)
    text = keras_script(project, data)
    for code in (
        "keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.CosineDecay(",
        "clipnorm=1.0, momentum=0.9, nesterov=True)",
        "keras.callbacks.EarlyStopping('val_accuracy', patience=3, restore_best_weights=False)",
        "class_weight=balanced_weights(labels[train_rows], len(CLASS_NAMES))",
        "loss='binary_crossentropy'",
        'keras.metrics.Precision(name="precision")',
        'keras.metrics.AUC(name="auc")',
        "VALIDATION = 0.25",
        "SEED = 7",
    ):
        assert code in text
    path = tmp_path / "train.py"
    path.write_text(text)
    printed, val_accuracy = run_script(path, tmp_path)
    assert summary_rows(printed) == summary_rows(ours)
    assert "val_precision" in printed and "val_auc" in printed
    assert any(row[0] == "normalization_2" for row in summary_rows(printed))
    assert abs(val_accuracy - outcome.best_metrics["val_accuracy"]) <= 0.15


def test_loss_choice_is_written_into_the_script():
    data = load_dataset(SAMPLES["penguins-mass"].path, "tabular", label_column="body_mass_g")
    project = Project(DatasetSpec(kind="tabular", task="regression"), default_layers(data))
    project.training.loss = "huber"
    assert "loss='huber'" in keras_script(project, data)


@pytest.mark.parametrize(("rows", "test"), [(999, "0.0"), (1000, "0.1")])
def test_auto_test_fraction_is_written_as_the_share_for_this_data(tmp_path, rows, test):
    data = load_dataset(write_csv(tmp_path / "reviews.csv", n=rows))
    project = Project(layers=default_layers(data))
    assert project.training.test_fraction is None  # auto
    assert re.search(
        rf"^TEST = {test}  # auto: 0.1 from 1,000 rows, else 0$", keras_script(project, data), re.M
    )
    project.training.test_fraction = 0.0  # an explicit 0 stays 0, without the note
    assert re.search(r"^TEST = 0.0$", keras_script(project, data), re.M)


def test_text_folders_are_refused_with_a_reason(tmp_path):
    for label in ("a", "b"):
        (tmp_path / "docs" / label).mkdir(parents=True)
        (tmp_path / "docs" / label / "1.txt").write_text(f"text of {label}")
    data = load_dataset(tmp_path / "docs")
    with pytest.raises(WorkbenchError, match="Export the model"):
        keras_script(Project(layers=default_layers(data)), data)


def test_transformer_script_carries_the_layer_classes(tmp_path):
    from workbench.core.templates import text_transformer

    data = load_dataset(write_csv(tmp_path / "reviews.csv", n=60))
    layers = text_transformer(2, 8)
    layers[0].params["max_tokens"] = 100
    layers[1].params.update(input_dim=100, output_dim=8)
    layers[3].params.update(key_dim=4, ff_dim=8)
    project = Project(DatasetSpec(kind="text"), layers)
    project.training.epochs = 1
    trainer = Trainer(project, data)
    trainer.run(NullListener(), TrainingControl())
    printed = io.StringIO()
    with redirect_stdout(printed):
        trainer.model.summary()
    text = keras_script(project, data)
    assert "class TransformerEncoder(keras.layers.Layer)" in text
    assert '@keras.saving.register_keras_serializable(package="workbench")' in text
    assert "workbench" not in text.split("import", 1)[1].split("DATA =")[0]  # no app import
    path = tmp_path / "train.py"
    path.write_text(text)
    output, _ = run_script(path, tmp_path)
    assert summary_rows(output) == summary_rows(printed.getvalue())


def test_text_script_fits_word_indices_with_xla_like_the_workbench(tmp_path):
    """The workbench vectorises texts once in the pipeline and compiles the rest with XLA;
    the script does the same (Keras's "auto" leaves XLA off on a CPU), and still saves a
    model that reads raw text."""
    data = load_dataset(write_csv(tmp_path / "reviews.csv", n=200))
    project = Project(DatasetSpec(kind="text"), TEMPLATES["seed-lstm"].build(data))
    project.training.epochs, project.training.batch_size = 2, 1  # 320 steps: enough for XLA
    text = keras_script(project, data) + (
        '\nprint("FIT", fit_model.jit_compile, fit_model.inputs[0].dtype, model is not fit_model)'
    )
    (tmp_path / "train.py").write_text(text)
    printed, _ = run_script(tmp_path / "train.py", tmp_path)
    assert "FIT True int64 True" in printed
    import keras

    saved = keras.models.load_model(tmp_path / "model.keras")
    assert saved.inputs[0].dtype == "string"
    import tensorflow as tf

    assert saved.predict(tf.constant(["a fine film", "dull"]), verbose=0).shape == (2, 1)


def test_script_leaves_xla_off_where_the_workbench_would():
    tabular = load_dataset(SAMPLES["penguins"].path, "tabular", label_column="species")
    text = keras_script(Project(DatasetSpec(kind="tabular"), default_layers(tabular)), tabular)
    assert "categorical" in tabular.feature_types.values()  # island, sex
    assert "reads raw strings" in text
    assert 'JIT_COMPILE = "auto" if tf.config.list_physical_devices("GPU") else False' in text


def test_script_reads_infinite_values_as_the_workbench_does(tmp_path):
    """inf in a feature is a missing value (filled with the training mean, never reaching
    Normalization); a row whose numeric target is inf is left out, as in the workbench."""
    rng = np.random.default_rng(0)
    lines = ["size,weight,price"]
    for i in range(80):
        size = "inf" if i % 17 == 3 else f"{rng.uniform(1, 5):.3f}"
        price = "-inf" if i == 40 else f"{rng.uniform(10, 50):.2f}"
        lines.append(f"{size},{rng.uniform(0, 1):.3f},{price}")
    csv = tmp_path / "prices.csv"
    csv.write_text("\n".join(lines) + "\n")
    data = load_dataset(csv, "tabular", label_column="price", task="regression")
    project = Project(DatasetSpec(kind="tabular", task="regression"), default_layers(data))
    project.training.epochs = 1
    printed, _ = run_script(write_script(project, data, tmp_path / "train.py"), tmp_path)
    best = re.search(r"best epoch 1 (\{.*\})", printed).group(1)
    assert "nan" not in best and "inf" not in best, best


def test_script_carries_auto_epochs_and_the_standardisation_source(tmp_path):
    """Epochs "auto" and the workbench's standardisation travel into the script as source:
    the same budget rule, early stopping with the best weights, the registered function."""
    import ast

    data = load_dataset(write_csv(tmp_path / "reviews.csv", n=60))
    project = Project(DatasetSpec(kind="text"), default_layers(data))
    assert project.training.epochs is None
    text = keras_script(project, data)
    ast.parse(text)
    assert "EPOCHS = None" in text
    assert "EPOCHS = auto_epoch_cap(len(train_rows), BATCH_SIZE)" in text
    assert "PATIENCE = auto_patience(len(train_rows), BATCH_SIZE)" in text
    assert "keras.callbacks.EarlyStopping('val_loss', patience=PATIENCE" in text
    assert "def lower_with_markers(text: Any) -> Any:" in text
    assert "standardize=lower_with_markers," in text
    assert ">>>" not in text  # the docstrings' examples stay behind
    project.training.epochs = 3
    fixed = keras_script(project, data)
    assert "EPOCHS = 3" in fixed and "auto_epoch_cap" not in fixed
