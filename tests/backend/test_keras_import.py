"""Models made with plain Keras come into the editor: layers, settings, weights, and a clear
list of what was left out."""

import keras
import numpy as np
import pytest

from workbench.backend import api
from workbench.core.datasets import load_dataset
from workbench.core.errors import WorkbenchError
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project


def vectors(tmp_path):
    x = np.random.default_rng(0).normal(size=(120, 5))
    np.savez(tmp_path / "v.npz", x=x, y=(x[:, 0] > 0).astype(int))
    return load_dataset(tmp_path / "v.npz")


def test_sequential_layers_settings_and_unknown_layers(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(16, activation="tanh"),
            keras.layers.GaussianNoise(0.1),  # not in the catalog
            keras.layers.Dropout(0.25),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.save(tmp_path / "plain.keras")
    imported = api.import_keras(tmp_path / "plain.keras")
    assert [s.describe() for s in imported.layers] == [
        "Dense(16, tanh)",
        "Dropout(0.25)",
        "Dense(1, sigmoid)",
    ]
    assert imported.unknown == ["gaussian_noise (GaussianNoise)"] and not imported.complete
    assert [w.shape for w in imported.weights[0]] == [(5, 16), (16,)]


def test_training_starts_from_the_imported_weights(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.save(tmp_path / "plain.keras")
    imported = api.import_keras(tmp_path / "plain.keras")
    data = vectors(tmp_path)
    project = Project(DatasetSpec(kind="npz"), imported.layers)
    project.training.epochs = 1
    project.training.learning_rate = 1e-9  # so the weights stay where they started
    _, predictor = api.train(project, data, NullListener(), initial_weights=imported.weights)
    kernel = predictor.model.get_layer("dense_1").get_weights()[0]
    assert np.allclose(kernel, imported.weights[0][0], atol=1e-6)


def test_round_trip_of_a_workbench_text_model(tmp_path):
    from tests.textfixtures import write_csv
    from workbench.core.templates import TEMPLATES

    data = load_dataset(write_csv(tmp_path / "r.csv", n=64))
    project = Project(layers=TEMPLATES["seed-lstm"].build(data))
    project.training.epochs = 1
    outcome, _ = api.train(project, data, NullListener(), output_dir=tmp_path / "m")
    imported = api.import_keras(outcome.model_path)
    assert [s.describe() for s in imported.layers] == [s.describe() for s in project.layers]
    assert imported.layers[1].params["mask_zero"] is True


def test_not_a_model(tmp_path):
    bad = tmp_path / "x.keras"
    bad.write_text("nope")
    with pytest.raises(WorkbenchError, match=r"not a \.keras model file"):
        api.import_keras(bad)


def test_shapes_normalization_and_lookups_come_in_with_their_settings(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Normalization(axis=None),
            keras.layers.Reshape((8, 8)),
            keras.layers.Conv1D(4, 3),
            keras.layers.GlobalMaxPooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.save(tmp_path / "shapes.keras")
    imported = api.import_keras(tmp_path / "shapes.keras")
    assert imported.complete and not imported.notes
    assert imported.layers[0].params["axis"] == "all values"
    assert imported.layers[1].params["target_shape"] == [8, 8]  # not collapsed to 8

    lookup = keras.Sequential(
        [
            keras.Input((4,), dtype="int64"),
            keras.layers.IntegerLookup(
                max_tokens=20, output_mode="multi_hot", pad_to_max_tokens=True
            ),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    lookup.layers[0].adapt(np.array([[1, 2, 3, 4], [2, 3, 5, 7]]))  # Keras saves adapted ones
    lookup.save(tmp_path / "lookup.keras")
    spec = api.import_keras(tmp_path / "lookup.keras").layers[0]
    assert spec.kind == "IntegerLookup"
    assert spec.params["max_tokens"] == 20 and spec.params["output_mode"] == "multi_hot"
