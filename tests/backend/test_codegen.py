"""The exported Keras script trains the same model as the workbench, in plain Keras."""

import io
import py_compile
import re
import subprocess
import sys
from contextlib import redirect_stdout

import pytest

from tests.textfixtures import write_csv
from workbench.backend.codegen import keras_script, write_script
from workbench.backend.trainer import Trainer
from workbench.core.datasets import load_dataset
from workbench.core.errors import WorkbenchError
from workbench.core.listener import NullListener, TrainingControl
from workbench.core.project import DatasetSpec, Project
from workbench.core.samples import SAMPLES
from workbench.core.templates import default_layers

ROW = re.compile(r"^│ (\S+) .*?│ (\([^│]*?\)) *│ *([\d,]+) │")


def summary_rows(text: str) -> list[tuple[str, str, str]]:
    """(layer name, output shape, params) of each layer in a model.summary() printout.

    Keras names the op it adds for a padding mask itself (``not_equal``, ``not_equal_1``,
    ... by how many were made in the process), so that one suffix is left out.
    """
    rows = [m.groups() for line in text.splitlines() if (m := ROW.match(line))]
    return [(re.sub(r"^(not_equal)_\d+$", r"\1", n), shape, p) for n, shape, p in rows]


def workbench_run(data, epochs):
    project = Project(DatasetSpec(kind=data.kind, task=data.task), default_layers(data))
    project.training.epochs = epochs
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


def test_images_are_refused_with_a_reason():
    data = load_dataset(SAMPLES["digits"].path)
    with pytest.raises(WorkbenchError, match="text and feature tables"):
        keras_script(Project(layers=default_layers(data)), data)
