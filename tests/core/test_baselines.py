"""The baselines a model is compared with: majority, mean and the linear model on simple
features, scored by the same metrics code, deterministic, cancellable."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from workbench.core.evaluation.baselines import (
    Baseline,
    compare,
    linear_baseline,
    majority_baseline,
    mean_baseline,
)
from workbench.core.evaluation.linear import BaselineCancelled
from workbench.core.evaluation.metrics import evaluate_classification, evaluate_regression
from workbench.core.tables import LoadCancelled

RNG_SEED = 7


def _texts(n: int, topics: list[list[str]], seed: int = RNG_SEED) -> tuple[list[str], np.ndarray]:
    """Texts of shared filler words plus a few words of their class's topic."""
    rng = np.random.default_rng(seed)
    filler = [f"filler{i}" for i in range(60)]
    labels = rng.integers(0, len(topics), n)
    texts = []
    for label in labels:
        words = list(rng.choice(filler, 8)) + list(rng.choice(topics[label], 3))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, labels


def _split(n: int, test: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(RNG_SEED).permutation(n)
    cut = int(n * (1 - test))
    return np.sort(order[:cut]), np.sort(order[cut:])


def _table(n: int, seed: int = RNG_SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.normal(50_000, 15_000, n),
            "city": rng.choice(["paris", "oslo", "lima"], n),
            "coded": [str(v) for v in rng.integers(0, 100, n)],  # numbers stored as text
            "empty": [None] * n,  # no value anywhere
            "flag": rng.random(n) < 0.5,
        }
    )
    frame.loc[rng.random(n) < 0.1, "age"] = np.nan
    frame.loc[rng.random(n) < 0.1, "city"] = None
    return frame


POS = ["wonderful", "excellent", "lovely", "great", "superb"]
NEG = ["awful", "terrible", "dreadful", "poor", "horrible"]
SPORT = ["goal", "match", "referee", "striker", "league"]


# -- text ----------------------------------------------------------------------------------


def test_text_words_decide_the_label_and_the_baseline_finds_them() -> None:
    texts, y = _texts(600, [NEG, POS])
    tr, te = _split(len(y))
    x = np.array(texts, dtype=object)
    names = ["neg", "pos"]
    base = linear_baseline("text", "classification", x[tr], y[tr], x[te], y[te], names, te)
    majority = majority_baseline(y[tr], y[te], names, te)
    assert base.name == "TF-IDF word n-grams + logistic regression"
    assert base.evaluation.accuracy > 0.95 > majority.evaluation.accuracy + 0.3
    assert base.evaluation.proba.shape == (len(te), 2)
    np.testing.assert_allclose(base.evaluation.proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(base.evaluation.rows, te)


def test_three_class_text_matches_sklearn_on_its_own_probabilities() -> None:
    texts, y = _texts(900, [NEG, POS, SPORT])
    tr, te = _split(len(y))
    x = [texts[i] for i in range(len(texts))]
    names = ["neg", "pos", "sport"]
    base = linear_baseline(
        "text", "classification", [x[i] for i in tr], y[tr], [x[i] for i in te], y[te], names, te
    )
    ev = base.evaluation
    assert ev.accuracy > 0.9
    predicted = ev.proba.argmax(axis=1)
    assert ev.accuracy == pytest.approx(skm.accuracy_score(y[te], predicted))
    np.testing.assert_array_equal(ev.confusion, skm.confusion_matrix(y[te], predicted))


def test_text_with_missing_values_and_no_words_does_not_crash() -> None:
    x = ["", None, float("nan"), "a", ""]
    y = np.array([0, 1, 0, 1, 0])
    base = linear_baseline("text", "classification", x, y, ["", "b"], [0, 1], ["x", "y"], [0, 1])
    np.testing.assert_allclose(base.evaluation.proba.sum(axis=1), 1.0)


def test_text_regression_uses_ridge_and_beats_the_mean() -> None:
    texts, y = _texts(600, [NEG, POS, SPORT])
    target = y * 10.0 + np.random.default_rng(1).normal(0, 1, len(y))
    tr, te = _split(len(y))
    x = np.array(texts, dtype=object)
    base = linear_baseline("text", "regression", x[tr], target[tr], x[te], target[te], [], te)
    mean = mean_baseline(target[tr], target[te], te)
    assert base.name == "TF-IDF word n-grams + ridge regression"
    assert base.evaluation.rmse < 0.5 * mean.evaluation.rmse


# -- tables --------------------------------------------------------------------------------


def test_table_classification_on_mixed_columns_with_missing_values() -> None:
    frame = _table(800)
    score = (frame["income"] - 50_000) / 15_000 + 1.5 * (frame["city"] == "lima") - 0.7
    y = (score > 0).to_numpy().astype(int)
    tr, te = _split(len(frame))
    names = ["no", "yes"]
    base = linear_baseline(
        "tabular", "classification", frame.iloc[tr], y[tr], frame.iloc[te], y[te], names, te
    )
    assert base.name == "logistic regression on standardised and one-hot features"
    assert base.evaluation.accuracy > 0.9
    assert base.evaluation.accuracy > majority_baseline(y[tr], y[te], names, te).evaluation.accuracy


def test_table_regression_ridge_beats_the_mean_on_a_linear_target() -> None:
    frame = _table(800)
    noise = np.random.default_rng(3).normal(0, 1, len(frame))
    target = (
        frame["income"].to_numpy() / 10_000
        + 5 * (frame["city"] == "lima").to_numpy()
        + pd.to_numeric(frame["coded"]).to_numpy() / 20
        + noise
    )
    tr, te = _split(len(frame))
    base = linear_baseline(
        "tabular", "regression", frame.iloc[tr], target[tr], frame.iloc[te], target[te], [], te
    )
    mean = mean_baseline(target[tr], target[te], te)
    ev = base.evaluation
    assert base.name == "ridge regression on standardised and one-hot features"
    assert ev.rmse < 1.5 < mean.evaluation.rmse  # noise has sd 1; the target varies far more
    assert ev.rmse == pytest.approx(np.sqrt(skm.mean_squared_error(target[te], ev.predicted)))
    assert ev.r2 == pytest.approx(skm.r2_score(target[te], ev.predicted))


def test_table_values_unseen_or_typed_differently_in_the_test_rows() -> None:
    train = pd.DataFrame({"n": ["1", "2", "3", "4", " 5"], "c": ["a", "b", "a", "b", None]})
    test = pd.DataFrame({"n": ["6", "oops"], "c": ["zzz", None]})  # new category, a non-number
    y = np.array([0, 1, 0, 1, 1])
    base = linear_baseline("tabular", "classification", train, y, test, [1, 0], ["a", "b"], [0, 1])
    assert np.all(np.isfinite(base.evaluation.proba))


def test_table_with_no_usable_column_answers_the_prior() -> None:
    train = pd.DataFrame({"nothing": [np.nan] * 6})
    y = np.array([0, 0, 0, 0, 1, 1])
    base = linear_baseline(
        "tabular", "classification", train, y, train.iloc[:2], y[:2], ["a", "b"], [0, 1]
    )
    np.testing.assert_allclose(base.evaluation.proba[:, 1], 2 / 6, atol=0.05)


# -- arrays --------------------------------------------------------------------------------


def _blobs(n: int, classes: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(RNG_SEED)
    centres = rng.normal(0, 3, (classes, width))
    y = rng.integers(0, classes, n)
    return centres[y] + rng.normal(0, 1, (n, width)), y


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("images", "logistic regression on downsampled pixels"),
        ("npz", "logistic regression on the flattened arrays"),
    ],
)
def test_arrays_classification(kind: str, name: str) -> None:
    x, y = _blobs(400, 4, 64)
    tr, te = _split(len(y))
    names = list("abcd")
    base = linear_baseline(kind, "classification", x[tr], y[tr], x[te], y[te], names, te)
    assert base.name == name
    assert base.evaluation.accuracy > 0.95


def test_images_accept_unflattened_pixels_with_non_finite_values() -> None:
    x, y = _blobs(200, 2, 48)
    x = x.reshape(200, 4, 4, 3)
    x[0, 0, 0, 0] = np.nan
    x[1, 0, 0, 0] = np.inf
    tr, te = _split(len(y))
    base = linear_baseline("images", "classification", x[tr], y[tr], x[te], y[te], ["a", "b"], te)
    assert base.evaluation.accuracy > 0.9


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("images", "ridge regression on downsampled pixels"),
        ("npz", "ridge regression on the flattened arrays"),
    ],
)
def test_arrays_regression(kind: str, name: str) -> None:
    rng = np.random.default_rng(RNG_SEED)
    x = rng.normal(size=(300, 20))
    target = x @ rng.normal(size=20) + rng.normal(0, 0.1, 300)
    tr, te = _split(len(target))
    base = linear_baseline(kind, "regression", x[tr], target[tr], x[te], target[te], [], te)
    assert base.name == name
    assert base.evaluation.rmse < 0.3 < mean_baseline(target[tr], target[te], te).evaluation.rmse


# -- awkward labels ------------------------------------------------------------------------


def test_a_class_missing_from_the_training_rows_keeps_its_column() -> None:
    x, y = _blobs(300, 3, 8)
    tr, te = _split(len(y))
    keep = tr[y[tr] != 1]  # no class 1 in training; the test rows still hold it
    names = ["a", "b", "c"]
    base = linear_baseline("npz", "classification", x[keep], y[keep], x[te], y[te], names, te)
    proba = base.evaluation.proba
    assert proba.shape == (len(te), 3)
    np.testing.assert_array_equal(proba[:, 1], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert base.evaluation.per_class()["b"].recall == 0.0


def test_a_single_training_class_is_always_predicted() -> None:
    texts, _ = _texts(50, [POS])
    y = np.full(50, 2)
    names = ["a", "b", "c"]
    test_y = np.array([0, 2, 2, 1])
    base = linear_baseline("text", "classification", texts, y, texts[:4], test_y, names, range(4))
    np.testing.assert_array_equal(base.evaluation.predicted, [2, 2, 2, 2])
    assert base.evaluation.accuracy == pytest.approx(0.5)


def test_labels_out_of_range_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="class labels"):
        linear_baseline(
            "npz",
            "classification",
            np.zeros((2, 2)),
            [0, 5],
            np.zeros((1, 2)),
            [0],
            ["a", "b"],
            [0],
        )
    with pytest.raises(ValueError, match="no linear baseline"):
        linear_baseline("video", "classification", [], [], [], [], ["a"], [])


def test_no_test_rows_gives_an_empty_evaluation() -> None:
    x, y = _blobs(40, 2, 4)
    base = linear_baseline("npz", "classification", x, y, x[:0], y[:0], ["a", "b"], [])
    assert base.evaluation.size == 0


# -- cancel and determinism ----------------------------------------------------------------


@pytest.mark.parametrize("after", [0, 1, 2])
def test_cancel_is_polled_between_steps(after: int) -> None:
    texts, y = _texts(200, [NEG, POS])
    polls = []

    def cancelled() -> bool:
        polls.append(1)
        return len(polls) > after

    with pytest.raises(BaselineCancelled):
        linear_baseline(
            "text", "classification", texts, y, texts, y, ["n", "p"], range(200), cancelled
        )
    assert len(polls) == after + 1
    assert issubclass(BaselineCancelled, LoadCancelled)  # stops wherever a load would


def test_not_cancelled_runs_to_the_end() -> None:
    texts, y = _texts(200, [NEG, POS])
    base = linear_baseline(
        "text", "classification", texts, y, texts, y, ["n", "p"], range(200), lambda: False
    )
    assert base.evaluation.size == 200


def test_same_data_same_probabilities() -> None:
    frame = _table(500)
    y = (frame["income"] > 50_000).to_numpy().astype(int) + (frame["city"] == "lima").to_numpy()
    tr, te = _split(len(frame))
    names = ["a", "b", "c"]
    args = ("tabular", "classification", frame.iloc[tr], y[tr], frame.iloc[te], y[te], names, te)
    first, second = linear_baseline(*args), linear_baseline(*args)
    np.testing.assert_array_equal(first.evaluation.proba, second.evaluation.proba)


def test_more_rows_than_the_limit_are_subsampled_the_same_way(monkeypatch) -> None:
    from workbench.core.evaluation import linear

    monkeypatch.setattr(linear, "MAX_TRAIN_ROWS", 100)
    texts, y = _texts(400, [NEG, POS])
    runs = [
        linear_baseline("text", "classification", texts, y, texts, y, ["n", "p"], range(400))
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].evaluation.proba, runs[1].evaluation.proba)
    assert runs[0].evaluation.accuracy > 0.8
    np.testing.assert_array_equal(linear._sample(400, 100), linear._sample(400, 100))
    assert len(linear._sample(400, 100)) == 100


# -- majority, mean and the verdict --------------------------------------------------------


def test_majority_and_mean_baselines() -> None:
    train_y = np.array([0, 1, 1, 1])
    major = majority_baseline(train_y, np.array([1, 0]), ["a", "b"], [0, 1])
    assert major.name == "majority class" and major.evaluation.accuracy == 0.5
    mean = mean_baseline(np.array([1.0, 3.0]), np.array([2.0, 4.0]), [0, 1])
    assert mean.evaluation.rmse == pytest.approx(np.sqrt((0 + 4) / 2))
    assert set(major.to_json()) >= {"name", "accuracy"} and "per_class" not in major.to_json()


def test_compare_headlines_for_a_classifier_that_wins_and_one_that_loses() -> None:
    y = np.array([0, 1, 1, 0])
    baseline = Baseline(
        "majority class", evaluate_classification(y, np.tile([0, 1.0], (4, 1)), ["a", "b"])
    )
    good = evaluate_classification(y, np.eye(2)[y], ["a", "b"])
    bad = evaluate_classification(y, np.eye(2)[1 - y], ["a", "b"])
    win, loss = compare(good, baseline), compare(bad, baseline)
    assert win.beats and win.metric == "accuracy"
    assert win.headline == (
        "The model beats the majority class baseline by 50.0 points of accuracy (100.0% vs 50.0%)."
    )
    assert not loss.beats
    assert loss.headline == (
        "The model loses to the majority class baseline by 50.0 points of accuracy (0.0% vs 50.0%)."
    )


def test_compare_headlines_for_a_regressor_that_wins_and_one_that_loses() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0])
    baseline = Baseline("training mean", evaluate_regression(y, np.full(4, 2.5)))
    win = compare(evaluate_regression(y, y + 0.1), baseline)
    loss = compare(evaluate_regression(y, y[::-1]), baseline)
    assert win.beats and win.metric == "RMSE" and loss.metric == "RMSE"
    assert win.headline.startswith("The model beats the training mean baseline with 91% lower RMSE")
    assert not loss.beats
    assert loss.headline.startswith(
        "The model loses to the training mean baseline with 100% higher"
    )


def test_long_texts_are_cut_and_fewer_of_them_are_fitted(monkeypatch) -> None:
    from workbench.core.evaluation import linear

    monkeypatch.setattr(linear, "MAX_TOTAL_CHARS", 2_000_000)
    texts = ["word " * 200] * 5_000  # 1,000 characters each
    assert linear._row_limit("text", texts) == 2_000
    assert linear._row_limit("text", ["short"] * 10) == linear.MAX_TRAIN_ROWS
    assert len(linear._texts(["x" * (linear.MAX_TEXT_CHARS + 50)])[0]) == linear.MAX_TEXT_CHARS
    wide = np.zeros((3, linear.MAX_ARRAY_CELLS // 1_000))
    assert linear._row_limit("npz", wide) == 1_000


def test_regression_rows_without_a_target_are_left_out() -> None:
    rng = np.random.default_rng(RNG_SEED)
    x = rng.normal(size=(100, 3))
    target = x @ np.array([1.0, 2.0, 3.0])
    train_y = target.copy()
    train_y[::10] = np.nan
    base = linear_baseline("npz", "regression", x, train_y, x, target, [], np.arange(100))
    assert base.evaluation.rmse < 0.1
    with pytest.raises(ValueError, match="finite"):
        linear_baseline("npz", "regression", x, np.full(100, np.nan), x, target, [], range(100))


def test_a_fit_cut_short_raises_no_convergence_warning(monkeypatch) -> None:
    from workbench.core.evaluation import linear

    monkeypatch.setattr(linear, "MAX_ITER", 2)
    x, y = _blobs(300, 3, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        base = linear_baseline("npz", "classification", x, y, x, y, list("abc"), range(300))
    assert base.evaluation.size == 300
