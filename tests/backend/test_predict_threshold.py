"""A binary model's threshold decides its label, the same way for one input or many."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from workbench.backend.predictor import Predictor, chosen_classes, to_predictions


def sigmoid_predictor(p: float, threshold: object = None) -> Predictor:
    """A one-unit sigmoid model that answers ``p`` for every input (an npz model of x (1,))."""
    inputs = keras.Input(shape=(1,))
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Model(inputs, dense(inputs))
    dense.set_weights([np.zeros((1, 1)), np.array([math.log(p / (1 - p))])])
    meta = {"kind": "npz", "task": "classification", "class_names": ["neg", "pos"]}
    meta["x_shape"] = [1]
    if threshold is not None:
        meta["threshold"] = threshold
    return Predictor(model, meta)


def test_a_threshold_of_0_9_flips_a_0_7_answer() -> None:
    x = np.zeros((3, 1), dtype=np.float32)
    plain = sigmoid_predictor(0.7)
    assert plain.threshold == 0.5
    assert [p.label for p in plain.predict_arrays(x)] == ["pos"] * 3

    strict = sigmoid_predictor(0.7, threshold=0.9)
    assert strict.threshold == 0.9
    single = strict.predict_arrays(x[:1])[0]
    batch = strict.predict_arrays(x)
    assert single.label == "neg" and [p.label for p in batch] == ["neg"] * 3
    # The probabilities are the model's own; only the decision moved.
    assert single.probabilities["pos"] == pytest.approx(0.7, abs=1e-5)
    assert single.confidence == pytest.approx(0.3, abs=1e-5)

    lenient = sigmoid_predictor(0.7, threshold=0.2)
    assert lenient.predict_arrays(x[:1])[0].label == "pos"


def test_the_rule_is_second_class_at_or_above_the_threshold() -> None:
    outputs = np.array([[0.5, 0.5], [0.6, 0.4], [0.1, 0.9]])
    assert chosen_classes(outputs).tolist() == [1, 0, 1]  # a tie goes to the second class
    assert chosen_classes(outputs, 0.4).tolist() == [1, 1, 1]
    assert chosen_classes(outputs, 0.95).tolist() == [0, 0, 0]
    labels = [p.label for p in to_predictions(outputs, ["a", "b"], 0.95)]
    assert labels == ["a", "a", "a"]


def test_more_than_two_classes_ignore_the_threshold() -> None:
    outputs = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    assert chosen_classes(outputs, 0.99).tolist() == [1, 2]
    assert [p.label for p in to_predictions(outputs, ["x", "y", "z"], 0.99)] == ["y", "z"]


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan"), "0.9", True, [0.9]])
def test_a_threshold_that_is_not_a_fraction_means_0_5(bad: object) -> None:
    assert sigmoid_predictor(0.7, threshold=bad).threshold == 0.5


def test_a_saved_threshold_decides_after_loading_and_in_the_cli(tmp_path, capsys) -> None:
    import json

    from workbench.cli import main

    path = sigmoid_predictor(0.7, threshold=0.9).save(tmp_path / "strict.keras")
    reopened = Predictor.load(path)
    assert reopened.threshold == 0.9
    assert reopened.predict_arrays(np.zeros((1, 1)))[0].label == "neg"

    arrays = tmp_path / "x.npz"
    np.savez(arrays, x=np.zeros((2, 1), dtype=np.float32))
    assert main(["predict", str(path), "--input", str(arrays), "--json"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["label"] for a in answers] == ["neg", "neg"]
    assert answers[0]["probabilities"]["pos"] == pytest.approx(0.7, abs=1e-5)
