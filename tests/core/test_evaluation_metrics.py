"""Every number the evaluation shows, checked against scikit-learn computed directly from the
same arrays, so the Evaluate tab, the report and the CLI can be trusted to agree with it."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from workbench.core.evaluation.baselines import (
    Baseline,
    compare,
    majority_baseline,
    mean_baseline,
)
from workbench.core.evaluation.metrics import (
    evaluate_classification,
    evaluate_regression,
    reliability,
)


def _proba(rng: np.random.Generator, rows: int, classes: int) -> np.ndarray:
    logits = rng.normal(size=(rows, classes)) * 2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _names(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _ece_loop(y_true: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error written out plainly: bins (lo, hi], the first also
    holding 0, weighted |accuracy - confidence|."""
    n = len(y_true)
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = []
        for i in range(n):
            top = int(np.argmax(proba[i]))
            conf = float(proba[i, top])
            inside = lo < conf <= hi or (b == 0 and conf == 0.0)
            if inside:
                members.append((conf, top == y_true[i]))
        if members:
            acc = sum(right for _, right in members) / len(members)
            conf = sum(c for c, _ in members) / len(members)
            total += len(members) / n * abs(acc - conf)
    return total


def _check_threshold_dependent(ev, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    k = len(ev.class_names)
    labels = list(range(k))
    np.testing.assert_array_equal(ev.predicted, y_pred)
    np.testing.assert_array_equal(ev.confusion, skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert ev.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred))
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    for i, name in enumerate(ev.class_names):
        scores = ev.per_class()[name]
        assert scores.precision == pytest.approx(p[i])
        assert scores.recall == pytest.approx(r[i])
        assert scores.f1 == pytest.approx(f[i])
        assert scores.support == s[i]
    averages = ev.averages()
    for average in ("macro", "weighted"):
        assert averages[f"{average}_f1"] == pytest.approx(
            skm.f1_score(y_true, y_pred, labels=labels, average=average, zero_division=0)
        )
        assert averages[f"{average}_precision"] == pytest.approx(
            skm.precision_score(y_true, y_pred, labels=labels, average=average, zero_division=0)
        )
        assert averages[f"{average}_recall"] == pytest.approx(
            skm.recall_score(y_true, y_pred, labels=labels, average=average, zero_division=0)
        )


# -- binary ------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [None, 0.3, 0.5, 0.8])
def test_binary_matches_sklearn(threshold: float | None) -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    p1 = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0.001, 0.999)
    proba = np.column_stack([1 - p1, p1])
    ev = evaluate_classification(y, proba, ["neg", "pos"], threshold=threshold)
    t = 0.5 if threshold is None else threshold
    assert ev.threshold == t
    _check_threshold_dependent(ev, y, (p1 >= t).astype(int))
    assert ev.roc_auc() == pytest.approx(skm.roc_auc_score(y, p1))
    assert ev.average_precision() == pytest.approx(skm.average_precision_score(y, p1))
    assert ev.log_loss() == pytest.approx(skm.log_loss(y, proba, labels=[0, 1]))
    assert ev.ece() == pytest.approx(_ece_loop(y, proba))
    (fpr, tpr, auc), *_ = ev.roc_curves().values()
    sk_fpr, sk_tpr, _ = skm.roc_curve(y, p1)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    assert list(ev.roc_curves()) == ["pos"]
    assert auc == pytest.approx(skm.roc_auc_score(y, p1))
    recall, precision, ap = ev.pr_curves()["pos"]
    sk_p, sk_r, _ = skm.precision_recall_curve(y, p1)
    np.testing.assert_allclose(recall, sk_r)
    np.testing.assert_allclose(precision, sk_p)
    assert ap == pytest.approx(skm.average_precision_score(y, p1))


def test_with_threshold_keeps_auc_and_changes_the_matrix() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    p1 = np.clip(rng.normal(0.3 + 0.4 * y, 0.25), 0.0, 1.0)
    proba = np.column_stack([1 - p1, p1])
    ev = evaluate_classification(y, proba, ["a", "b"])
    auc, ap, loss = ev.roc_auc(), ev.average_precision(), ev.log_loss()
    moved = ev.with_threshold(0.8)
    assert moved.threshold == 0.8 and ev.threshold == 0.5
    assert moved.roc_auc() == auc and moved.average_precision() == ap
    assert moved.log_loss() == loss
    assert not np.array_equal(moved.confusion, ev.confusion)
    _check_threshold_dependent(moved, y, (p1 >= 0.8).astype(int))
    assert moved.confusion.sum() == ev.confusion.sum() == len(y)
    # fewer positives predicted at a higher threshold
    assert moved.confusion[:, 1].sum() <= ev.confusion[:, 1].sum()
    with pytest.raises(ValueError):
        evaluate_classification(
            y % 3, _proba(np.random.default_rng(0), 200, 3), _names(3)
        ).with_threshold(0.2)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(2, 60),
    threshold=st.floats(0.0, 1.0),
)
def test_binary_any_threshold_matches_sklearn(seed: int, rows: int, threshold: float) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    p1 = rng.random(rows)
    proba = np.column_stack([1 - p1, p1])
    ev = evaluate_classification(y, proba, ["n", "p"], threshold=threshold)
    _check_threshold_dependent(ev, y, (p1 >= threshold).astype(int))
    if len(np.unique(y)) == 2:
        assert ev.roc_auc() == pytest.approx(skm.roc_auc_score(y, p1))
    else:
        assert ev.roc_auc() is None


# -- multi-class -------------------------------------------------------------------------------


@pytest.mark.parametrize("classes", [3, 4, 5])
def test_multiclass_matches_sklearn(classes: int) -> None:
    rng = np.random.default_rng(classes)
    y = np.concatenate([np.arange(classes), rng.integers(0, classes, 400)])
    proba = _proba(rng, len(y), classes)
    proba[np.arange(len(y)), y] += 0.6  # better than chance
    proba /= proba.sum(axis=1, keepdims=True)
    ev = evaluate_classification(y, proba, _names(classes))
    assert ev.threshold is None
    _check_threshold_dependent(ev, y, proba.argmax(axis=1))
    labels = list(range(classes))
    assert ev.roc_auc() == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels)
    )
    onehot = np.eye(classes)[y]
    assert ev.average_precision() == pytest.approx(
        skm.average_precision_score(onehot, proba, average="macro")
    )
    assert ev.log_loss() == pytest.approx(skm.log_loss(y, proba, labels=labels))
    assert ev.ece() == pytest.approx(_ece_loop(y, proba))
    curves = ev.roc_curves()
    assert list(curves) == _names(classes)
    for c, name in enumerate(_names(classes)):
        assert curves[name][2] == pytest.approx(skm.roc_auc_score(y == c, proba[:, c]))
        assert ev.pr_curves()[name][2] == pytest.approx(
            skm.average_precision_score(y == c, proba[:, c])
        )


def test_absent_class_no_crash_and_auc_over_present_classes() -> None:
    rng = np.random.default_rng(5)
    y = rng.choice([0, 1, 3], 200)  # class 2 never occurs
    proba = _proba(rng, 200, 4)
    ev = evaluate_classification(y, proba, _names(4))
    _check_threshold_dependent(ev, y, proba.argmax(axis=1))
    expected = np.mean([skm.roc_auc_score(y == c, proba[:, c]) for c in (0, 1, 3)])
    assert ev.roc_auc() == pytest.approx(expected)
    expected_ap = np.mean([skm.average_precision_score(y == c, proba[:, c]) for c in (0, 1, 3)])
    assert ev.average_precision() == pytest.approx(expected_ap)
    assert list(ev.roc_curves()) == ["c0", "c1", "c3"]
    assert ev.per_class()["c2"].support == 0
    assert ev.normalised_confusion()[2].tolist() == [0.0] * 4
    assert ev.log_loss() == pytest.approx(skm.log_loss(y, proba, labels=[0, 1, 2, 3]))
    assert ev.to_json()["per_class"]["c2"]["recall"] == 0.0


def test_single_row() -> None:
    ev = evaluate_classification(np.array([2]), np.array([[0.1, 0.2, 0.7]]), _names(3))
    assert ev.accuracy == 1.0
    assert ev.confusion.sum() == 1 and ev.confusion[2, 2] == 1
    assert ev.roc_auc() is None
    assert ev.log_loss() == pytest.approx(-math.log(0.7))
    assert ev.ece() == pytest.approx(0.3)
    assert ev.roc_curves() == {}
    assert ev.cell_rows(2, 2).tolist() == [0]
    ev.to_json()  # no exception
    binary = evaluate_classification(np.array([0]), np.array([[0.4, 0.6]]), ["a", "b"])
    assert binary.accuracy == 0.0 and binary.confusion.tolist() == [[0, 1], [0, 0]]
    assert binary.roc_auc() is None and binary.average_precision() is None
    binary.to_json()


@pytest.mark.parametrize("classes", [2, 3])
def test_all_one_class(classes: int) -> None:
    rng = np.random.default_rng(7)
    y = np.full(50, 1)
    proba = _proba(rng, 50, classes)
    ev = evaluate_classification(y, proba, _names(classes))
    t = 0.5 if classes == 2 else None
    pred = (proba[:, 1] >= 0.5).astype(int) if t is not None else proba.argmax(axis=1)
    _check_threshold_dependent(ev, y, pred)
    assert ev.roc_auc() is None
    assert ev.roc_curves() == {} and ev.pr_curves() == {}
    assert ev.log_loss() == pytest.approx(skm.log_loss(y, proba, labels=list(range(classes))))
    assert ev.ece() == pytest.approx(_ece_loop(y, proba))
    ev.to_json()


def test_float32_softmax_rows_not_summing_to_one() -> None:
    rng = np.random.default_rng(8)
    y = rng.integers(0, 5, 500)
    logits = rng.normal(size=(500, 5)).astype(np.float32) * 3
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    assert not np.all(proba.astype(np.float64).sum(axis=1) == 1.0)
    ev = evaluate_classification(y, proba, _names(5))
    p64 = proba.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "rows don't sum to one" warning from us
        loss = ev.log_loss()
    assert loss == pytest.approx(
        skm.log_loss(y, p64 / p64.sum(axis=1, keepdims=True), labels=list(range(5))), rel=1e-6
    )
    assert ev.roc_auc() == pytest.approx(
        np.mean([skm.roc_auc_score(y == c, p64[:, c]) for c in range(5)])
    )
    _check_threshold_dependent(ev, y, p64.argmax(axis=1))
    assert ev.ece() == pytest.approx(_ece_loop(y, p64))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 80),
    classes=st.integers(3, 6),
)
def test_multiclass_property(seed: int, rows: int, classes: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, rows)
    proba = _proba(rng, rows, classes)
    ev = evaluate_classification(y, proba, _names(classes))
    _check_threshold_dependent(ev, y, proba.argmax(axis=1))
    present = np.unique(y)
    if len(present) == classes:
        assert ev.roc_auc() == pytest.approx(
            skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")
        )
    elif len(present) < 2:
        assert ev.roc_auc() is None
    assert ev.ece() == pytest.approx(_ece_loop(y, proba))
    assert ev.log_loss() == pytest.approx(
        skm.log_loss(y, proba, labels=list(range(classes))), rel=1e-9
    )
    # cells: every position once, most confident first
    seen: list[int] = []
    for t in range(classes):
        for p in range(classes):
            cell = ev.cell_rows(t, p)
            assert len(cell) == ev.confusion[t, p]
            assert np.all(y[cell] == t) and np.all(ev.predicted[cell] == p)
            assert np.all(np.diff(ev.confidence[cell]) <= 0)
            seen.extend(cell.tolist())
    assert sorted(seen) == list(range(rows))
    mistakes = ev.confident_mistakes()
    assert sorted(mistakes.tolist()) == np.flatnonzero(y != ev.predicted).tolist()
    assert np.all(np.diff(ev.confidence[mistakes]) <= 0)


# -- calibration -------------------------------------------------------------------------------


def test_ece_hand_computed() -> None:
    # confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.55 (wrong)
    y = np.array([0, 1, 1, 1])
    proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.55, 0.45]])
    # bin (0.8, 0.9]: acc 0.5, conf 0.9 -> 2/4 * 0.4 = 0.2
    # bin (0.5, 0.6]: conf 0.6 and 0.55 -> mean 0.575, acc 0.5 -> 2/4 * 0.075 = 0.0375
    rel = reliability(y, proba)
    assert rel.ece == pytest.approx(0.2375)
    assert rel.counts.sum() == 4
    assert rel.counts[8] == 2 and rel.counts[5] == 2
    assert rel.accuracy[8] == pytest.approx(0.5)
    assert rel.confidence[5] == pytest.approx(0.575)
    ev = evaluate_classification(y, proba, ["a", "b"])
    assert ev.ece() == pytest.approx(0.2375)


def test_ece_bin_edges_are_closed_on_the_right() -> None:
    # 1.0 goes in the last bin, 0.5 in (0.4, 0.5], 0.7 in (0.6, 0.7]
    proba = np.array([[1.0, 0.0], [0.5, 0.5], [0.3, 0.7]])
    rel = reliability(np.array([0, 0, 1]), proba)
    assert rel.counts[9] == 1 and rel.counts[4] == 1 and rel.counts[6] == 1
    assert rel.ece == pytest.approx(_ece_loop(np.array([0, 0, 1]), proba))


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 100), classes=st.integers(2, 5))
def test_ece_matches_loop(seed: int, rows: int, classes: int) -> None:
    rng = np.random.default_rng(seed)
    proba = _proba(rng, rows, classes)
    # some rows on exact bin edges
    proba[: rows // 3] = np.round(proba[: rows // 3], 1)
    y = rng.integers(0, classes, rows)
    assert reliability(y, proba).ece == pytest.approx(_ece_loop(y, proba), abs=1e-12)


# -- regression --------------------------------------------------------------------------------


def test_regression_matches_sklearn() -> None:
    rng = np.random.default_rng(9)
    y = rng.normal(10, 3, 300)
    pred = y + rng.normal(0, 1, 300)
    ev = evaluate_regression(y, pred.astype(np.float32))
    p64 = pred.astype(np.float32).astype(np.float64)
    assert ev.mae == pytest.approx(skm.mean_absolute_error(y, p64))
    assert ev.rmse == pytest.approx(math.sqrt(skm.mean_squared_error(y, p64)))
    assert ev.r2 == pytest.approx(skm.r2_score(y, p64))
    np.testing.assert_allclose(ev.residuals, p64 - y)
    assert ev.to_json() == {
        "task": "regression",
        "rows": 300,
        "mae": ev.mae,
        "rmse": ev.rmse,
        "r2": ev.r2,
    }


def test_regression_column_vector_and_constant_targets() -> None:
    ev = evaluate_regression(np.full((5, 1), 2.0), np.arange(5.0).reshape(5, 1))
    assert ev.r2 is None
    assert ev.mae == pytest.approx(1.2)
    assert evaluate_regression(np.array([1.0]), np.array([3.0])).r2 is None


def test_worst_order() -> None:
    y = np.array([0.0, 0.0, 0.0, 0.0, 0.0])
    pred = np.array([1.0, -5.0, 2.0, 5.0, 0.0])
    ev = evaluate_regression(y, pred)
    assert ev.worst().tolist() == [1, 3, 2, 0, 4]  # ties keep row order
    assert ev.worst(2).tolist() == [1, 3]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False)),
        min_size=1,
        max_size=50,
    )
)
def test_regression_property(values: list[tuple[float, float]]) -> None:
    y = np.array([v[0] for v in values])
    pred = np.array([v[1] for v in values])
    ev = evaluate_regression(y, pred)
    assert ev.mae == pytest.approx(skm.mean_absolute_error(y, pred))
    assert ev.rmse == pytest.approx(math.sqrt(skm.mean_squared_error(y, pred)))
    if len(y) >= 2 and not np.all(y == y[0]):
        assert ev.r2 == pytest.approx(skm.r2_score(y, pred), rel=1e-6, abs=1e-9)
    else:
        assert ev.r2 is None
    errors = np.abs(pred - y)[ev.worst()]
    assert np.all(np.diff(errors) <= 0)


# -- baselines ---------------------------------------------------------------------------------


def test_majority_baseline_and_compare_classification() -> None:
    train_y = np.array([0, 1, 1, 1, 2])
    test_y = np.array([1, 1, 0, 2])
    base = majority_baseline(train_y, test_y, _names(3), np.arange(4))
    assert base.name == "majority class"
    assert base.evaluation.predicted.tolist() == [1, 1, 1, 1]
    assert base.evaluation.accuracy == 0.5
    data = base.to_json()
    assert data["name"] == "majority class" and data["accuracy"] == 0.5
    for key in ("task", "rows", "classes", "confusion_matrix", "per_class", "threshold"):
        assert key not in data
    assert data["roc_auc"] == pytest.approx(0.5)
    good = evaluate_classification(test_y, np.eye(3)[test_y] * 0.8 + 0.2 / 3, _names(3))
    verdict = compare(good, base)
    assert verdict.beats and verdict.metric == "accuracy"
    assert verdict.model == 1.0 and verdict.baseline == 0.5
    assert "beats" in verdict.headline and "50.0 points" in verdict.headline
    bad = evaluate_classification(test_y, np.eye(3)[(test_y + 1) % 3], _names(3))
    verdict = compare(bad, base)
    assert not verdict.beats and "loses" in verdict.headline
    same = compare(base.evaluation, base)
    assert not same.beats and "no better" in same.headline


@pytest.mark.parametrize(
    "train_y, majority", [([0, 0, 1], {0}), ([1, 1, 0], {1}), ([0, 1], {0, 1})]
)
def test_majority_baseline_binary(train_y: list[int], majority: set[int]) -> None:
    test_y = np.array([0, 1, 1, 0, 1])
    base = majority_baseline(np.array(train_y), test_y, ["n", "p"], np.arange(5))
    predicted = set(base.evaluation.predicted.tolist())
    assert len(predicted) == 1 and predicted <= majority  # one answer, a most frequent class
    (answer,) = predicted
    assert base.evaluation.accuracy == pytest.approx(np.mean(test_y == answer))


def test_mean_baseline_and_compare_regression() -> None:
    base = mean_baseline(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0]), np.arange(2))
    assert base.name == "training mean"
    assert base.evaluation.predicted.tolist() == [2.0, 2.0]
    assert base.evaluation.rmse == pytest.approx(math.sqrt(2.0))
    assert base.to_json() == {
        "name": "training mean",
        "mae": pytest.approx(1.0),
        "rmse": pytest.approx(math.sqrt(2.0)),
        "r2": pytest.approx(skm.r2_score([2.0, 4.0], [2.0, 2.0])),
    }
    model = evaluate_regression(np.array([2.0, 4.0]), np.array([2.0, 3.0]))
    verdict = compare(model, base)
    assert verdict.beats and verdict.metric == "RMSE"
    assert verdict.model == pytest.approx(math.sqrt(0.5))
    assert verdict.baseline == pytest.approx(math.sqrt(2.0))
    assert "beats" in verdict.headline and "50% lower RMSE" in verdict.headline
    worse = compare(evaluate_regression(np.array([2.0, 4.0]), np.array([9.0, 9.0])), base)
    assert not worse.beats and "loses" in worse.headline and "higher RMSE" in worse.headline
    assert isinstance(base, Baseline)


def test_log_loss_of_exact_zero_probabilities_matches_sklearn() -> None:
    y = np.array([0, 1, 2])
    proba = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    ev = evaluate_classification(y, proba, _names(3))
    assert ev.log_loss() == pytest.approx(skm.log_loss(y, proba, labels=[0, 1, 2]))
    right = evaluate_classification(np.array([0, 1]), np.eye(2), ["a", "b"])
    assert right.log_loss() == pytest.approx(skm.log_loss([0, 1], np.eye(2)), abs=1e-15)


@pytest.mark.parametrize("classes", [2, 3])
def test_no_rows(classes: int) -> None:
    ev = evaluate_classification(np.array([], dtype=int), np.zeros((0, classes)), _names(classes))
    data = ev.to_json()
    assert data["rows"] == 0 and data["accuracy"] == 0.0
    assert data["roc_auc"] is None and data["log_loss"] is None and data["ece"] is None
    assert data["per_class"]["c0"]["support"] == 0 and data["macro_f1"] == 0.0
    assert ev.cell_rows(0, 0).tolist() == []
