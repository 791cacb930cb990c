"""api.evaluate: streamed in steps with progress and cancel, the same answers as predict(),
whatever was asked of the model before; the test split is the rows training held out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.backend.test_training import tiny_project
from tests.textfixtures import make_texts
from workbench.backend import api, evaluation
from workbench.core.datasets import load_dataset
from workbench.core.evaluation.metrics import ClassificationEval, RegressionEval
from workbench.core.evaluation.sources import NO_TEST_NOTE, held_out_rows
from workbench.core.listener import NullListener
from workbench.core.project import Project
from workbench.core.tables import LoadCancelled
from workbench.core.templates import default_layers
from workbench.core.textdata import load_text_table


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    path = tmp_path_factory.mktemp("ev") / "reviews.csv"
    pd.DataFrame(make_texts(300, ("pos", "neg"), seed=0), columns=["review", "label"]).to_csv(
        path, index=False
    )
    table = load_text_table(path)
    project = tiny_project(table, epochs=3)
    project.training.learning_rate = 0.01
    project.training.test_fraction = 0.2
    outcome, predictor = api.train(project, table, NullListener())
    return project, table, predictor, outcome


def test_evaluation_equals_predict_even_after_predict_was_used(trained, monkeypatch):
    _project, table, predictor, _ = trained
    predictor.predict(["great day", "awful day"])  # the Predict tab asked first
    monkeypatch.setitem(evaluation.BATCH, "text", 64)  # several steps
    reported = []
    result = api.evaluate(predictor, table, np.arange(200), progress=reported.append)
    assert isinstance(result, ClassificationEval) and result.size == 200
    texts = table.texts()[:200]
    expected = [p.probabilities[predictor.class_names[1]] for p in predictor.predict(texts)]
    np.testing.assert_allclose(result.proba[:, 1], expected, atol=1e-6)
    assert reported == sorted(reported) and reported[-1] == 1.0 and len(reported) == 4


def test_the_test_split_is_the_rows_training_held_out(trained):
    project, table, predictor, outcome = trained
    part = held_out_rows(project.training, table)
    assert part.part == "test" and len(part.rows) == 60 and not part.note
    assert len(np.intersect1d(part.rows, part.train_rows)) == 0
    result = api.evaluate(predictor, table, part.rows)
    # the trainer scored the same rows with Keras at the end of training
    assert result.accuracy == pytest.approx(outcome.test_metrics["test_accuracy"], abs=1e-6)
    project.training.test_fraction = 0.0
    try:
        fallback = held_out_rows(project.training, table)
    finally:
        project.training.test_fraction = 0.2
    assert fallback.part == "validation" and fallback.note == NO_TEST_NOTE


def test_evaluation_cancels_between_steps(trained, monkeypatch):
    _, table, predictor, _ = trained
    monkeypatch.setitem(evaluation.BATCH, "text", 32)
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) > 2

    with pytest.raises(LoadCancelled):
        api.evaluate(predictor, table, cancel=cancel)
    assert len(polls) == 3


def test_baselines_learn_from_the_training_rows(trained):
    project, table, predictor, _ = trained
    part = held_out_rows(project.training, table)
    simple, linear = api.fit_baselines(predictor, table, part.train_rows, part.rows)
    assert simple.name == "majority class" and linear.name.startswith("TF-IDF")
    assert np.array_equal(linear.evaluation.rows, part.rows)
    assert linear.evaluation.accuracy > simple.evaluation.accuracy


def test_regression_evaluates_values(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    frame["y"] = 3 * frame.a - frame.b + rng.normal(scale=0.1, size=120)
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    data = load_dataset(path, "tabular", label_column="y", task="regression")
    project = Project()
    project.layers = default_layers(data)
    project.training.epochs = 2
    _, predictor = api.train(project, data, NullListener())
    result = api.evaluate(predictor, data)
    assert isinstance(result, RegressionEval) and result.size == 120
    values = [p.value for p in predictor.predict_table(frame)]
    np.testing.assert_allclose(result.predicted, values, rtol=1e-5)
