"""The defaults that make a model good without settings: epochs auto, the bag of n-grams,
text standardisation that keeps the pieces, long-tailed table columns on a log scale."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tests.textfixtures import write_csv
from workbench.backend import api
from workbench.backend.adapters import TabularAdapter
from workbench.backend.text_standardize import lower_and_split_punctuation, lower_with_markers
from workbench.core.datasets import load_dataset
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import TEMPLATES, default_layers


class _Log(NullListener):
    def __init__(self):
        self.lines = []

    def on_log(self, message):
        self.lines.append(message)


def _noise(tmp_path, rows=64):
    """Labels that no feature predicts: validation loss stops improving at once."""
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "noise.npz", x=rng.normal(size=(rows, 3)), y=rng.integers(0, 2, rows))
    return load_dataset(tmp_path / "noise.npz")


def test_auto_epochs_stop_when_validation_stops_improving(tmp_path):
    data = _noise(tmp_path)
    project = Project(DatasetSpec(kind="npz"), default_layers(data))
    assert project.training.epochs is None  # the default
    project.training.early_stopping_patience = 3  # a set patience is kept under auto
    log = _Log()
    outcome, _ = api.train(project, data, log)
    assert outcome.auto_epochs and outcome.stopped_early
    assert outcome.epochs_completed == outcome.best_epoch + 3 < 300
    assert outcome.epochs_text() == (
        f"auto: stopped at epoch {outcome.epochs_completed} (best {outcome.best_epoch})"
    )
    assert any(
        line.startswith("Epochs auto: at most 300 epochs, stops after 3") for line in log.lines
    )


def test_a_typed_number_of_epochs_runs_exactly_that_many(tmp_path):
    data = _noise(tmp_path)
    project = Project(DatasetSpec(kind="npz"), default_layers(data))
    project.training.epochs = 4
    outcome, _ = api.train(project, data, NullListener())
    assert outcome.epochs_completed == 4 and not outcome.auto_epochs
    assert outcome.epochs_text() == "4 epochs"


def test_standardisations_keep_urls_mentions_numbers_and_contractions_apart():
    text = tf.constant(["Check https://t.co/xyz NOW!! @bob don't pay $1,000.50 for 5km #win"])
    split = lower_and_split_punctuation(text).numpy()[0].decode().split()
    assert split[:7] == ["check", "https", ":", "/", "/", "t", "."]
    assert split[split.index("don") : split.index("don") + 3] == ["don", "'", "t"]
    marked = lower_with_markers(text).numpy()[0].decode().split()
    words = "check xxurl now ! ! xxuser don ' t pay $ xxnum for xxnum km # win"
    assert marked == words.split()


def test_bag_of_ngrams_learns_and_its_file_loads_in_plain_keras_safe_mode(tmp_path):
    data = load_dataset(write_csv(tmp_path / "r.csv", n=200), "text")
    project = Project(DatasetSpec(kind="text"), TEMPLATES["bow"].build(data))
    assert project.layers[0].params["standardize"] == "lower_with_markers"
    project.training.epochs = 8
    outcome, predictor = api.train(project, data, NullListener(), output_dir=tmp_path / "m")
    assert outcome.best_metrics["val_accuracy"] >= 0.9
    texts = ["a superb lovely plot, see https://x.y/z", "awful and boring @critic"]
    expected = predictor.model.predict(tf.constant(texts), verbose=0)
    code = (
        "import json, sys, keras, tensorflow as tf\n"
        "import workbench.backend.custom_layers  # registers the workbench's functions\n"
        "m = keras.models.load_model(sys.argv[1], safe_mode=True)\n"
        f"print(json.dumps(m.predict(tf.constant({texts!r}), verbose=0).ravel().tolist()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(outcome.model_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(loaded, expected.ravel(), atol=1e-6)


def test_long_tailed_columns_are_taken_on_a_log_scale(tmp_path):
    rng = np.random.default_rng(0)
    rows = 300
    counts = np.round(rng.lognormal(3, 2, rows))  # spread over orders of magnitude
    frame = pd.DataFrame(
        {
            "count": counts,
            "even": rng.normal(size=rows),  # symmetric: left as it is
            "label": np.where(counts > np.median(counts), "many", "few"),
        }
    )
    frame.to_csv(tmp_path / "t.csv", index=False)
    data = load_dataset(tmp_path / "t.csv", "tabular", label_column="label")
    adapter = TabularAdapter(data)
    adapter.input_block(np.arange(200))
    assert adapter.log_scale == {"count"}
    project = Project(DatasetSpec(kind="tabular"), default_layers(data))
    project.training.epochs = 3
    outcome, predictor = api.train(project, data, NullListener(), output_dir=tmp_path / "m")
    names = [layer.name for layer in predictor.model.layers]
    assert "log_count" in names and "log_even" not in names
    reloaded = api.Predictor.load(outcome.model_path)
    rows = pd.DataFrame({"count": [3.0, 12000.0], "even": [0.1, -0.2]})
    before = [p.probabilities for p in predictor.predict_table(rows)]
    after = [p.probabilities for p in reloaded.predict_table(rows)]
    assert before == pytest.approx(after)


@pytest.mark.parametrize("bad", ["lstm", "image-cnn"])
def test_a_template_that_does_not_exist_or_fit_is_named(bad):
    from workbench.core.templates import template_for

    with pytest.raises(ValueError, match="choose one of: bow, seed-lstm"):
        template_for(bad, "text")
