"""The headless commands: train, predict, check-data, and their exit codes."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.textfixtures import write_csv
from workbench.cli import main


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_json_then_predict(tmp_path, capsys):
    data = write_csv(tmp_path / "reviews.csv")
    out_dir = tmp_path / "model"
    code, out, err = run_cli(
        capsys,
        "train",
        "--data",
        data,
        "--text-column",
        "review",
        "--label-column",
        "sentiment",
        "--epochs",
        "3",
        "--batch-size",
        "16",
        "--learning-rate",
        "0.01",
        "--output",
        out_dir,
        "--json",
    )
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    epochs = [e for e in events if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    for event in epochs:
        assert {"loss", "accuracy", "val_loss", "val_accuracy", "samples_per_second"} <= set(event)
    done = events[-1]
    assert done["event"] == "done"
    assert done["val_loss"] == min(e["val_loss"] for e in epochs)  # the best epoch's metrics
    assert done["samples_per_second"] > 0 and done["model"] == str(out_dir / "model.keras")
    assert (out_dir / "project.json").is_file()

    model = keras.models.load_model(done["model"])  # plain Keras, raw strings in
    assert model.predict(tf.constant(["lovely superb"]), verbose=0).shape == (1, 1)

    code, out, err = run_cli(
        capsys,
        "predict",
        done["model"],
        "--text",
        "a superb lovely plot",
        "--text",
        "awful and boring",
        "--json",
    )
    assert code == 0, err
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["label"] for a in answers] == ["pos", "neg"]
    assert sum(answers[0]["probabilities"].values()) == pytest.approx(1.0)

    code, out, _ = run_cli(capsys, "predict", done["model"], "--text", "superb")
    assert code == 0 and out.startswith("pos")


def test_train_prints_a_line_per_epoch(tmp_path, capsys):
    data = write_csv(tmp_path / "reviews.csv", n=64)
    code, out, err = run_cli(
        capsys, "train", "--data", data, "--epochs", "2", "--output", tmp_path / "m"
    )
    assert code == 0, err
    assert "Epoch 1/2:" in out and "Epoch 2/2:" in out and "Model saved to" in out


def test_check_data_reports_what_was_understood(tmp_path, capsys):
    data = write_csv(tmp_path / "reviews.csv", n=30)
    code, out, _ = run_cli(capsys, "check-data", data, "--json")
    info = json.loads(out)
    assert code == 0
    assert info["rows"] == 30 and info["classes"] == {"neg": 15, "pos": 15}
    assert (info["text_column"], info["label_column"]) == ("review", "sentiment")
    code, out, _ = run_cli(capsys, "check-data", data)
    assert "Classes:    2" in out and "suggested sequence length" in out


def bad_inputs(tmp_path):
    good = write_csv(tmp_path / "good.csv", n=30)
    single = tmp_path / "single.csv"
    single.write_text("text,label\nhello there,a\ngood day,a\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    binary = tmp_path / "image.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    return {
        "missing file": (tmp_path / "absent.csv", [], "absent.csv: file not found"),
        "missing column": (good, ["--label-column", "stars"], "no column named 'stars'"),
        "empty file": (empty, [], "empty.csv: the file is empty"),
        "single class": (single, [], "single class ('a')"),
        "binary file": (binary, [], "image.csv: this is a binary file"),
    }


@pytest.mark.parametrize(
    "case", ["missing file", "missing column", "empty file", "single class", "binary file"]
)
@pytest.mark.parametrize("command", ["train", "check-data"])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, case, command):
    path, extra, message = bad_inputs(tmp_path)[case]
    argv = ["train", "--data", path] if command == "train" else ["check-data", path]
    code, _out, err = (
        run_cli(capsys, *argv, *extra, "--output", tmp_path / "o")
        if command == "train"
        else run_cli(capsys, *argv, *extra)
    )
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_predict_with_a_file_that_is_not_a_model(tmp_path, capsys):
    fake = tmp_path / "model.keras"
    fake.write_text("not a zip")
    code, _, err = run_cli(capsys, "predict", fake, "--text", "hi")
    assert code == 2 and "not a .keras model file" in err


def test_usage_errors_exit_2(capsys):
    code, _, err = run_cli(capsys, "train", "--epochs", "3")
    assert code == 2 and "--data" in err


def test_installed_entry_point_exit_codes(tmp_path):
    """The real `workbench` script, as a person runs it."""
    missing = subprocess.run(
        [sys.executable, "-m", "workbench", "check-data", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "file not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and ok.stdout.startswith("workbench ")


@pytest.mark.parametrize(
    ("sample", "metric", "predict_input"),
    [
        ("penguins", "val_accuracy", "penguins.csv"),
        ("penguins-mass", "val_root_mean_squared_error", "penguins.csv"),
        ("digits", "val_accuracy", "digits/4"),
        ("digits-npz", "val_accuracy", "digits.npz"),
    ],
)
def test_every_kind_trains_and_predicts_from_files(tmp_path, capsys, sample, metric, predict_input):
    from workbench.core.samples import SAMPLES

    out_dir = tmp_path / "m"
    code, out, err = run_cli(
        capsys, "train", "--sample", sample, "--epochs", "2", "--output", out_dir, "--json"
    )
    assert code == 0, err
    done = json.loads(out.splitlines()[-1])
    assert done["event"] == "done" and metric in done
    if sample == "penguins-mass":
        assert "val_mae" in done and "val_accuracy" not in done
    source = SAMPLES[sample].path.parent / predict_input
    csv_out = tmp_path / "predictions.csv"
    code, out, err = run_cli(
        capsys, "predict", done["model"], "--input", source, "--output", csv_out
    )
    assert code == 0, err
    import pandas as pd

    predictions = pd.read_csv(csv_out)
    assert len(predictions) > 0 and "prediction" in predictions.columns
    if metric == "val_accuracy" and sample != "digits":
        assert predictions.columns.str.startswith("p_").sum() >= 2


def test_kind_errors_exit_2(tmp_path, capsys):
    import numpy as np

    arrays = tmp_path / "a.npz"
    np.savez(arrays, features=np.zeros((4, 2)), y=np.arange(4))
    code, _, err = run_cli(capsys, "check-data", arrays)
    assert code == 2 and "no array named 'x'" in err and "features" in err
    code, out, _ = run_cli(capsys, "check-data", arrays, "--x-name", "features", "--json")
    assert code == 0 and json.loads(out)["x_shape"] == [4, 2]
    code, _, err = run_cli(capsys, "check-data", tmp_path, "--kind", "images")
    assert code == 2 and "no class folders" in err


def test_text_model_predicts_a_csv_by_its_text_column(tmp_path, capsys):
    data = write_csv(tmp_path / "reviews.csv")
    out_dir = tmp_path / "m"
    code, _, err = run_cli(
        capsys,
        "train",
        "--data",
        data,
        "--epochs",
        "3",
        "--learning-rate",
        "0.01",
        "--batch-size",
        "16",
        "--output",
        out_dir,
    )
    assert code == 0, err
    rows = tmp_path / "new.csv"
    rows.write_text("id,comment\n1,a superb lovely plot\n2,awful boring day\n")
    code, out, err = run_cli(capsys, "predict", out_dir / "model.keras", "--input", rows)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("pos") and lines[1].startswith("neg")
    assert lines[0].endswith("<- a superb lovely plot")


def test_export_writes_a_script_from_the_trained_folder(tmp_path, capsys):
    import py_compile

    data = write_csv(tmp_path / "reviews.csv", n=64)
    out_dir = tmp_path / "m"
    code, _, err = run_cli(capsys, "train", "--data", data, "--epochs", "1", "--output", out_dir)
    assert code == 0, err
    script = tmp_path / "train.py"
    code, out, err = run_cli(capsys, "export", out_dir / "model.keras", "--python", script)
    assert code == 0, err
    assert "Wrote" in out and script.is_file()
    py_compile.compile(str(script), doraise=True)
    assert "keras.layers.TextVectorization(" in script.read_text()
    code, _, err = run_cli(capsys, "export", tmp_path / "nowhere", "--python", script)
    assert code == 2 and "no project found" in err


def test_export_writes_a_script_for_every_optimizer(tmp_path, capsys):
    # `workbench export PROJECT --python` once failed with "internal error: KeyError:
    # 'adamw'" (and nadam, adagrad): every optimizer of the table must export.
    from workbench.backend.optimizers import OPTIMIZERS as KERAS_OPTIMIZERS
    from workbench.core.datasets import load_dataset
    from workbench.core.options import OPTIMIZERS
    from workbench.core.project import DatasetSpec, Project
    from workbench.core.templates import default_layers

    path = write_csv(tmp_path / "reviews.csv", n=64)
    data = load_dataset(path)
    spec = DatasetSpec(str(path), data.text_column, data.label_column, data.kind, data.task)
    for optimizer in OPTIMIZERS.names:
        project = Project(spec, default_layers(data))
        project.training.optimizer = optimizer
        project.save(tmp_path / "project.json")
        script = tmp_path / f"train_{optimizer}.py"
        code, _, err = run_cli(capsys, "export", tmp_path / "project.json", "--python", script)
        assert code == 0, (optimizer, err)
        text = script.read_text()
        assert f"keras.optimizers.{KERAS_OPTIMIZERS[optimizer].__name__}(" in text
        assert f"#   optimizer: {optimizer}\n" in text


def test_a_refused_model_is_one_line_and_verbose_adds_keras_reason(tmp_path, capsys):
    """Keras's refusal carries the whole config over many lines: the person gets one line
    naming the file and what is wrong; --verbose adds Keras's own text."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2)])
    path = tmp_path / "lambda.keras"
    model.save(path)
    code, _out, err = run_cli(capsys, "predict", str(path), "--text", "hi")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert str(path) in lines[0] and "Lambda layer" in lines[0]
    code, _out, err = run_cli(capsys, "--verbose", "predict", str(path), "--text", "hi")
    assert code == 2 and "safe_mode" in err and len(err.strip().splitlines()) > 1


def _vectors(path, rows):
    x = np.random.default_rng(7).normal(size=(rows, 4))
    np.savez(path, x=x, y=(x[:, 0] > 0).astype(int))
    return path


def test_train_on_a_thousand_rows_holds_out_a_test_part_and_reports_it(tmp_path, capsys):
    data = _vectors(tmp_path / "big.npz", 1200)
    out_dir = tmp_path / "m"
    code, out, err = run_cli(
        capsys, "train", "--data", data, "--epochs", "1", "--output", out_dir, "--json"
    )
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    done = events[-1]
    assert done["event"] == "done" and done["test_rows"] == 120  # auto: 10% of 1,200
    assert 0.0 <= done["test_accuracy"] <= 1.0 and done["test_loss"] > 0
    assert any("testing on 120 (auto)" in e.get("message", "") for e in events)
    saved = json.loads((out_dir / "project.json").read_text())
    assert saved["training"]["test_fraction"] is None  # saved as auto, not as 0.1

    code, out, err = run_cli(
        capsys,
        "train",
        "--data",
        data,
        "--epochs",
        "1",
        "--test-fraction",
        "0",
        "--output",
        out_dir,
        "--json",
    )
    done = json.loads(out.splitlines()[-1])
    assert code == 0, err
    assert not [key for key in done if key.startswith("test_")]  # 0: none, as asked


def test_train_prints_the_test_score(tmp_path, capsys):
    data = _vectors(tmp_path / "small.npz", 100)
    code, out, err = run_cli(
        capsys,
        "train",
        "--data",
        data,
        "--epochs",
        "1",
        "--test-fraction",
        "0.2",
        "--output",
        tmp_path / "m",
    )
    assert code == 0, err
    line = out.splitlines()[-1]
    assert line.startswith("Test (held out, 20 rows): accuracy "), line
    assert ", loss " in line
    code, out, _ = run_cli(
        capsys, "train", "--data", data, "--epochs", "1", "--output", tmp_path / "n"
    )
    assert code == 0 and "Test (held out" not in out  # under 1,000 rows auto holds none out


def test_train_help_says_what_auto_means(capsys):
    code, out, _ = run_cli(capsys, "train", "--help")
    help_text = " ".join(out.split())
    assert code == 0
    assert (
        "default: auto; 10% held out for testing when the data has at least 1,000 rows" in help_text
    )


def test_train_defaults_to_auto_epochs_and_says_the_template_and_epochs(tmp_path, capsys):
    data = write_csv(tmp_path / "reviews.csv", n=120)
    code, out, err = run_cli(
        capsys,
        "train",
        "--data",
        data,
        "--early-stopping",
        "2",
        "--output",
        tmp_path / "m",
        "--json",
    )
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    template = next(e for e in events if e["event"] == "template")
    assert template["template"] == "bow" and "texts per word" in template["reason"]
    done = events[-1]
    assert done["event"] == "done" and done["template"] == "bow"
    assert done["epochs_setting"] == "auto"
    assert done["epochs"] == len([e for e in events if e["event"] == "epoch"])
    assert done["epochs_text"].startswith("auto: ")


def test_train_with_a_named_template_and_a_fixed_number_of_epochs(tmp_path, capsys):
    data = write_csv(tmp_path / "reviews.csv", n=64)
    code, out, err = run_cli(
        capsys,
        "train",
        "--data",
        data,
        "--template",
        "seed-lstm",
        "--epochs",
        "2",
        "--output",
        tmp_path / "m",
    )
    assert code == 0, err
    assert "Template: seed-lstm (chosen with --template)." in out
    assert "Epoch 2/2:" in out and "\n2 epochs. Best epoch" in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["--template", "lstm"],
            "--template: No template 'lstm'; for text data choose one of: bow",
        ),
        (["--template", "image-cnn"], "'image-cnn' is for images, npz data, not text"),
        (["--epochs", "many"], "--epochs: must be auto or a whole number, got many"),
    ],
)
def test_bad_template_or_epochs_exit_2_with_one_line(tmp_path, capsys, argv, said):
    data = write_csv(tmp_path / "reviews.csv", n=40)
    code, _, err = run_cli(capsys, "train", "--data", data, *argv, "--output", tmp_path / "m")
    assert code == 2
    assert said in err and len(err.strip().splitlines()) == 1
