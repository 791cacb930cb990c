"""The Evaluate tab in the real window: matrix, samples, threshold, export, regression plots.

The backend's evaluation is replaced by synthetic results from core
(``evaluate_classification`` on random arrays), so these tests need no TensorFlow; the
end-to-end test with a trained model is in test_evaluate_end_to_end.py.
"""

from __future__ import annotations

import csv
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import load
from workbench.core.evaluation.baselines import Baseline, compare
from workbench.core.evaluation.metrics import evaluate_classification, evaluate_regression
from workbench.core.session import ModelSource
from workbench.ui import workers
from workbench.ui.evaluate.confusion_model import ROW_SHARE, ValueRole
from workbench.ui.evaluate.rows import NO_TEST_NOTE, EvalRows
from workbench.ui.main_window import EVALUATE_TAB, PREDICT_TAB, TRAIN_TAB, MainWindow

ROWS = 80


class FakePredictor:
    kind = "text"
    task = "classification"

    def __init__(self, classes: list[str]) -> None:
        self.meta = {"class_names": list(classes), "text_column": "review"}
        self.class_names = list(classes)


def synthetic(classes: list[str], n: int = ROWS, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(classes), n)
    logits = rng.normal(size=(n, len(classes)))
    logits[np.arange(n), y] += 1.0  # better than chance, with mistakes
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return evaluate_classification(y, proba, classes, rows=np.arange(n))


@pytest.fixture
def evaluated(qtbot, window: MainWindow, csv_path, monkeypatch):
    """The window after Evaluate ▸ Evaluate model, with synthetic results of 2 classes."""
    return _evaluate(qtbot, window, csv_path, monkeypatch, ["neg", "pos"])


def _evaluate(qtbot, window, csv_path, monkeypatch, classes, note: str = ""):
    load(qtbot, window, csv_path)
    ev = synthetic(classes)
    majority = Baseline(
        "majority class",
        evaluate_classification(ev.y_true, np.tile([0.5, 0.5], (ROWS, 1)), ev.class_names)
        if len(classes) == 2
        else synthetic(classes, seed=3),
    )
    calls = {}

    def fake_evaluate(predictor, dataset, plan, *, progress, cancel):
        calls["plan"] = plan
        progress(1.0)
        return EvalRows(ev.rows, np.arange(ROWS, 120), "test", note), ev

    def fake_baselines(predictor, dataset, train_rows, eval_rows, *, progress, cancel, **_):
        calls["train_rows"] = train_rows
        return [majority]

    monkeypatch.setattr(workers, "evaluate_model", fake_evaluate)
    monkeypatch.setattr(workers, "fit_baselines", fake_baselines)
    window.session.set_predictor(FakePredictor(classes), ModelSource("run 1", None, str(csv_path)))
    window.evaluation.evaluate_action.trigger()
    view = window.evaluate_view
    qtbot.waitUntil(lambda: window.evaluation.evaluation is not None, timeout=10_000)
    qtbot.waitUntil(lambda: "The model" in view.baseline_label.text(), timeout=10_000)
    return window, ev, majority, calls


def matrix(window: MainWindow, role=ValueRole) -> np.ndarray:
    model = window.evaluate_view.confusion_model
    n = model.rowCount()
    return np.array([[model.index(r, c).data(role) for c in range(n)] for r in range(n)])


def test_the_tab_sits_between_train_and_predict(window: MainWindow):
    tabs = window.tabs
    assert tabs.tabText(TRAIN_TAB) == "Train"
    assert tabs.tabText(EVALUATE_TAB) == "Evaluate"
    assert tabs.tabText(PREDICT_TAB) == "Predict"
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Evaluate") == titles.index("&Train") + 1


def test_empty_states_say_what_to_do(qtbot, window: MainWindow, csv_path):
    view = window.evaluate_view
    assert view.empty_label.text() == "Train a model or open a run's model to evaluate it."
    assert not view.evaluate_button.isEnabled()
    window.session.set_predictor(FakePredictor(["neg", "pos"]), ModelSource("run 1"))
    assert view.empty_label.text() == "Open data first."
    assert not window.evaluation.evaluate_action.isEnabled()


def test_matrix_cells_are_the_evaluations_confusion(qtbot, evaluated):
    window, ev, _, _ = evaluated
    view = window.evaluate_view
    assert window.tabs.currentWidget() is view
    assert np.array_equal(matrix(window), ev.confusion)
    assert view.accuracy_label.text() == f"Accuracy {ev.accuracy:.1%}"
    assert "run 1" in view.header_label.text() and "reviews.csv" in view.header_label.text()
    assert "test split (80 rows)" in view.header_label.text()
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(ROW_SHARE))
    assert np.allclose(matrix(window), ev.normalised_confusion())
    assert matrix(window, Qt.ItemDataRole.DisplayRole)[0, 0].endswith("%")
    scores = view.scores_model.scores()
    assert scores["neg"][0] == pytest.approx(ev.per_class()["neg"].precision)
    assert scores["macro avg"][2] == pytest.approx(ev.averages()["macro_f1"])


def test_the_baseline_headline_is_compares(qtbot, evaluated):
    window, ev, majority, calls = evaluated
    assert compare(ev, majority).headline in window.evaluate_view.baseline_label.text()
    assert np.array_equal(calls["train_rows"], np.arange(ROWS, 120))  # the training split
    assert calls["plan"].part == "test"


def test_selecting_a_cell_lists_exactly_its_samples_most_confident_first(qtbot, evaluated):
    window, ev, _, _ = evaluated
    view = window.evaluate_view
    # The mistakes are listed first.
    assert list(view.samples_model.positions()) == list(ev.confident_mistakes())
    index = view.confusion_model.index(1, 0)
    rect = view.matrix_view.visualRect(index)
    qtbot.mouseClick(view.matrix_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert list(view.samples_model.positions()) == list(ev.cell_rows(1, 0))
    view.select_cell(0, 0)
    assert list(view.samples_model.positions()) == list(ev.cell_rows(0, 0))
    confidences = [ev.confidence[p] for p in view.samples_model.positions()]
    assert confidences == sorted(confidences, reverse=True)
    first = view.samples_model.index(0, 1).data()
    assert first == window.table.texts()[int(ev.rows[ev.cell_rows(0, 0)[0]])]
    qtbot.mouseClick(view.mistakes_button, Qt.MouseButton.LeftButton)
    assert list(view.samples_model.positions()) == list(ev.confident_mistakes())


def test_the_threshold_slider_redraws_the_matrix_live(qtbot, evaluated):
    window, ev, majority, _ = evaluated
    view = window.evaluate_view
    assert view.threshold_box.isVisible()
    view.select_cell(1, 1)
    view.threshold_slider.setValue(80)
    at = ev.with_threshold(0.8)
    qtbot.waitUntil(lambda: np.array_equal(matrix(window), at.confusion), timeout=5_000)
    assert view.threshold_value.text() == "0.80"
    assert view.accuracy_label.text() == f"Accuracy {at.accuracy:.1%}"
    assert list(view.samples_model.positions()) == list(at.cell_rows(1, 1))
    assert compare(at, majority).headline in view.baseline_label.text()
    # Dragging: many moves, one recomputation per turn of the event loop, the last wins.
    for value in range(10, 71, 3):
        view.threshold_slider.setValue(value)
    qtbot.waitUntil(
        lambda: np.array_equal(matrix(window), ev.with_threshold(0.70).confusion), timeout=5_000
    )


def test_saving_the_threshold_without_a_run_keeps_it_in_the_model(qtbot, evaluated):
    window, _, _, _ = evaluated
    view = window.evaluate_view
    assert "not saved in a run" in view.threshold_note.text()
    assert not view.save_threshold_button.isEnabled()  # 0.50 is what the model uses
    view.threshold_slider.setValue(65)
    qtbot.waitUntil(lambda: view.save_threshold_button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(view.save_threshold_button, Qt.MouseButton.LeftButton)
    assert window.predictor.meta["threshold"] == pytest.approx(0.65)
    assert not view.save_threshold_button.isEnabled()


def test_export_writes_the_listed_samples(qtbot, evaluated, tmp_path):
    window, ev, _, _ = evaluated
    view = window.evaluate_view
    view.select_cell(1, 0)
    path = tmp_path / "samples.csv"
    assert window.evaluation.export_samples(path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    positions = ev.cell_rows(1, 0)
    assert [int(r["row"]) for r in rows] == [int(ev.rows[p]) + 1 for p in positions]
    assert [r["predicted"] for r in rows] == ["neg"] * len(positions)
    assert [r["true"] for r in rows] == ["pos"] * len(positions)
    texts = window.table.texts()
    assert [r["input"] for r in rows] == [texts[int(ev.rows[p])] for p in positions]


def test_a_failed_export_says_so(qtbot, evaluated, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window, _, _, _ = evaluated
    said = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: said.append(a[2])))
    folder = tmp_path / "a folder, not a file"
    folder.mkdir()
    assert not window.evaluation.export_samples(folder)
    assert said and "Could not write" in said[0]


def test_highlights_follow_the_explanations(qtbot, evaluated, monkeypatch):
    window, ev, _, _ = evaluated
    asked = {}

    def fake_explain(predictor, texts, classes, *, progress, cancel):
        asked["texts"] = list(texts)
        return [[(t.split()[0], 0, len(t.split()[0]), 0.5)] for t in texts]

    monkeypatch.setattr(workers, "explain_texts", fake_explain)
    view = window.evaluate_view
    view.select_cell(0, 0)
    model = view.samples_model
    qtbot.waitUntil(
        lambda: model.index(0, 1).data(Qt.ItemDataRole.UserRole + 4) is not None, timeout=5000
    )
    html = model.index(0, 1).data(Qt.ItemDataRole.UserRole + 4)
    assert "rgba(46,160,67" in html  # green: towards the predicted class
    assert len(asked["texts"]) == min(50, len(ev.cell_rows(0, 0)))
    view.samples_view.selectRow(0)
    assert "rgba(46,160,67" in view.detail_label.text()


def test_curves_are_built_only_when_shown(qtbot, evaluated):
    window, ev, _, _ = evaluated
    view = window.evaluate_view
    assert view.curves is None
    view.sections.setCurrentIndex(view.curves_index)
    assert view.curves is not None
    assert view.curves.curve_names["roc"] == [f"pos (AUC {ev.roc_curves()['pos'][2]:.3f})"]
    assert f"ECE {ev.ece():.3f}" in view.curves.reliability.plotItem.titleLabel.text


def test_new_data_drops_the_results(qtbot, evaluated, tmp_path):
    from tests.textfixtures import write_csv

    window, _, _, _ = evaluated
    view = window.evaluate_view
    load(qtbot, window, write_csv(tmp_path / "other.csv", n=60))
    assert window.evaluation.evaluation is None
    assert view.confusion_model.rowCount() == 0
    assert view.samples_model.rowCount() == 0
    assert "reviews.csv" not in view.header_label.text()


def test_validation_rows_standing_in_are_said(qtbot, window, csv_path, monkeypatch):
    _evaluate(qtbot, window, csv_path, monkeypatch, ["neg", "pos"], note=NO_TEST_NOTE)
    assert window.evaluate_view.note_banner.text() == NO_TEST_NOTE


def test_an_error_is_a_banner(qtbot, window, csv_path, monkeypatch):
    from workbench.core.errors import DataError

    load(qtbot, window, csv_path)

    def failing(predictor, dataset, plan, *, progress, cancel):
        raise DataError("the data has labels the model has never seen: 'maybe' (3 rows).")

    monkeypatch.setattr(workers, "evaluate_model", failing)
    window.session.set_predictor(FakePredictor(["neg", "pos"]), ModelSource("run 1"))
    window.evaluation.evaluate()
    view = window.evaluate_view
    qtbot.waitUntil(lambda: bool(view.banner.text()), timeout=10_000)
    assert view.banner.text().startswith("the data has labels the model has never seen")
    assert view.banner.level == "error"
    assert view.evaluate_button.isEnabled()


def test_three_classes_have_no_threshold(qtbot, window, three_class_csv, monkeypatch):
    _, ev, _, _ = _evaluate(qtbot, window, three_class_csv, monkeypatch, ["neg", "neutral", "pos"])
    view = window.evaluate_view
    assert not view.threshold_box.isVisible()
    assert np.array_equal(matrix(window), ev.confusion)


def test_regression_of_100000_rows_draws_without_a_python_loop(qtbot, window, monkeypatch):
    rng = np.random.default_rng(1)
    n = 100_000
    actual = rng.normal(size=n)
    ev = evaluate_regression(actual, actual + rng.normal(scale=0.3, size=n))
    view = window.evaluate_view
    window.show_tab(view)
    started = time.perf_counter()
    view.show_regression(ev, None, table_data=False)
    plots = view.regression_plots
    assert plots is not None  # the Plots page is the first: built when shown
    qtbot.wait(50)
    elapsed = time.perf_counter() - started
    assert 0 < plots.drawn <= 20_200
    assert elapsed < 5.0, f"drawing took {elapsed:.2f} s"
    assert view.regression_label.text().startswith(f"MAE {ev.mae:.4g} · RMSE {ev.rmse:.4g}")
    worst = view.worst_model.data_rows()
    assert worst[:5] == [int(p) for p in ev.worst(5)]


def test_cancel_stops_the_evaluation_and_the_window_stays_usable(
    qtbot, window, csv_path, monkeypatch
):
    load(qtbot, window, csv_path)
    started = []

    def slow(predictor, dataset, plan, *, progress, cancel):
        started.append(True)
        deadline = time.monotonic() + 20
        while not cancel() and time.monotonic() < deadline:
            progress(0.3)
            time.sleep(0.01)
        return None

    monkeypatch.setattr(workers, "evaluate_model", slow)
    window.session.set_predictor(FakePredictor(["neg", "pos"]), ModelSource("run 1"))
    view = window.evaluate_view
    window.show_tab(view)
    qtbot.mouseClick(view.evaluate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(started), timeout=5_000)
    assert view.cancel_button.isVisible() and view.progress.isVisible()
    qtbot.waitUntil(lambda: view.progress.value() == 300, timeout=5_000)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert not view.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.tasks.active == 0, timeout=5_000)
    assert window.evaluation.evaluation is None
    assert view.evaluate_button.isEnabled()
    assert "evaluating" not in view.header_label.text()


def test_export_report_writes_the_shown_numbers(qtbot, evaluated, tmp_path):
    import json

    window, shown, _, _ = evaluated
    window.evaluation.export_report(tmp_path / "report")
    written = tmp_path / "report" / "metrics.json"
    qtbot.waitUntil(lambda: not window.tasks.running("evaluate-report"), timeout=10_000)
    metrics = json.loads(written.read_text(encoding="utf-8"))
    assert metrics["accuracy"] == pytest.approx(shown.accuracy)
    assert metrics["confusion_matrix"] == shown.confusion.tolist()
    assert (tmp_path / "report" / "report.html").read_text(encoding="utf-8").count("<svg") >= 4
