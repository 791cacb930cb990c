"""Each kind of data trains with its default template, learns, and saves a model that
takes raw inputs."""

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tests.core.test_datasets import make_image_folder
from workbench.backend import api
from workbench.core.datasets import load_dataset
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.samples import SAMPLES
from workbench.core.templates import default_layers


def project_for(data, epochs, **training):
    project = Project(DatasetSpec(kind=data.kind, task=data.task), default_layers(data))
    project.training.epochs = epochs
    for key, value in training.items():
        setattr(project.training, key, value)
    return project


def sample(name):
    s = SAMPLES[name]
    return load_dataset(s.path, s.kind, label_column=s.label_column, task=s.task)


def test_tabular_classification_learns_and_takes_raw_rows(tmp_path):
    data = sample("penguins")
    summary = api.summarize(default_layers(data), dataset=data)
    # 4 numeric + year + island one-hot (3 islands + [UNK]) + sex (2 + [UNK]) = 12
    assert summary.ok and summary.input_shape == "(None, 12)"
    outcome, predictor = api.train(project_for(data, 15), data, NullListener(), output_dir=tmp_path)
    majority = max(data.class_counts().values()) / len(data.frame)
    assert outcome.best_metrics["val_accuracy"] >= majority + 0.3
    rows = data.frame.head(5).copy()
    rows.loc[0, "bill_length_mm"] = np.nan  # a missing number is filled, not an error
    answers = predictor.predict_table(rows)
    assert [a.label for a in answers[1:]] == ["Adelie"] * 4

    plain = keras.models.load_model(outcome.model_path)  # raw rows in, no workbench needed
    inputs = {
        "island": tf.constant([["Biscoe"]]),
        "bill_length_mm": np.array([[47.5]], "float32"),
        "bill_depth_mm": np.array([[15.0]], "float32"),
        "flipper_length_mm": np.array([[218.0]], "float32"),
        "body_mass_g": np.array([[5200.0]], "float32"),
        "sex": tf.constant([["male"]]),
        "year": np.array([[2008.0]], "float32"),
    }
    probs = plain.predict(inputs, verbose=0)[0]
    assert predictor.class_names[int(np.argmax(probs))] == "Gentoo"


def test_tabular_regression_beats_predicting_the_mean():
    data = sample("penguins-mass")
    project = project_for(data, 20)
    assert project.layers[-1].describe() == "Dense(1, linear)"
    outcome, predictor = api.train(project, data, NullListener())
    spread = float(np.mean(np.abs(data.targets() - data.targets().mean())))
    assert outcome.best_metrics["val_mae"] < 0.6 * spread
    assert "val_root_mean_squared_error" in outcome.best_metrics
    value = predictor.predict_table(data.frame.head(1))[0].value
    assert 2500 < value < 6500  # grams, in the target's own units


def test_images_stream_from_disk_and_learn(tmp_path):
    data = sample("digits")
    outcome, predictor = api.train(project_for(data, 2), data, NullListener())
    assert outcome.best_metrics["val_accuracy"] > 0.6  # ten classes: chance is 0.1
    answers, used = predictor.predict_images([*data.files[:3], str(tmp_path / "missing.png")])
    assert len(answers) == 3 and len(used) == 3


def test_corrupt_image_among_good_ones_does_not_stop_training(tmp_path):
    root = make_image_folder(tmp_path / "imgs", per_class=8)
    corrupt = root / "a" / "broken.png"
    # Right start and end, garbage between: passes the loader's cheap checks, fails to decode.
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"IEND\xaeB`\x82")
    data = load_dataset(root)
    assert str(corrupt) in data.files
    project = project_for(data, 1, batch_size=4)
    outcome, _ = api.train(project, data, NullListener())
    assert outcome.epochs_completed == 1


def test_augmentation_layers_are_in_the_model_only_when_asked():
    data = sample("digits")
    from workbench.backend.adapters import adapter_for

    def layer_names(adapter):
        inputs, encoded = adapter.input_block()
        return {layer.name for layer in keras.Model(inputs, encoded).layers}

    assert {"random_flip", "random_rotation", "random_zoom"} <= layer_names(
        adapter_for(data, augment=True)
    )
    assert not any(n.startswith("random") for n in layer_names(adapter_for(data)))


def test_npz_arrays_as_images_and_as_vectors(tmp_path):
    data = sample("digits-npz")
    assert api.summarize(default_layers(data), dataset=data).input_shape == "(None, 8, 8, 1)"
    outcome, predictor = api.train(project_for(data, 3), data, NullListener())
    assert outcome.best_metrics["val_accuracy"] > 0.6
    assert predictor.predict_arrays(data.x[:1])[0].label == "0"

    vectors = tmp_path / "v.npz"
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    np.savez(vectors, x=x, y=(x[:, 0] + x[:, 1] > 0).astype(int))
    flat = load_dataset(vectors)
    outcome, _ = api.train(project_for(flat, 10, learning_rate=0.01), flat, NullListener())
    assert outcome.best_metrics["val_accuracy"] > 0.8


def test_test_fraction_is_held_out_and_scored():
    data = sample("penguins")
    outcome, _ = api.train(project_for(data, 3, test_fraction=0.2), data, NullListener())
    assert set(outcome.test_metrics) == {"test_loss", "test_accuracy"}


@pytest.mark.parametrize("kind", ["tabular", "npz"])
def test_text_layers_on_other_data_are_marked(kind):
    data = sample("penguins" if kind == "tabular" else "digits-npz")
    from workbench.core.templates import text_classifier

    summary = api.summarize(text_classifier(3), dataset=data)
    assert not summary.ok
    assert "TextVectorization reads text" in summary.layers[0].error


def test_predict_table_names_missing_columns(tmp_path):
    data = sample("penguins")
    _, predictor = api.train(project_for(data, 1), data, NullListener())
    from workbench.core.errors import DataError

    with pytest.raises(DataError, match=r"needs column.*'island'"):
        predictor.predict_table(pd.DataFrame({"bill_length_mm": [40.0]}), "rows.csv")
