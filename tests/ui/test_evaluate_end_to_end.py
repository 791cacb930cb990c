"""Evaluate ▸ Evaluate model in the real window with a tiny model trained by TensorFlow."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tests.textfixtures import write_csv
from tests.ui.conftest import LONG, load
from workbench.core.checks import label_indices, row_count
from workbench.core.splits import split_indices
from workbench.ui.main_window import MainWindow


@pytest.fixture
def trained(qtbot, make_window, tmp_path) -> MainWindow:
    """A window whose model was trained 2 epochs on 120 reviews with a 20% test share."""
    window = make_window(backend=True)
    load(qtbot, window, write_csv(tmp_path / "reviews.csv", n=120))
    qtbot.waitUntil(lambda: window.backend_ready, timeout=LONG)
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)
    config = copy.deepcopy(window.training.config())
    config.epochs, config.batch_size, config.test_fraction = 2, 16, 0.2
    window.training.set_config(config)
    window.training.start_training()
    qtbot.waitUntil(lambda: not window.is_training, timeout=4 * LONG)
    assert window.predictor is not None
    return window


def test_evaluate_model_scores_the_test_split_against_the_baselines(qtbot, trained, tmp_path):
    window = trained
    view = window.evaluate_view
    assert view.evaluate_button.isEnabled()
    window.evaluation.evaluate_action.trigger()
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: window.evaluation.evaluation is not None, timeout=2 * LONG)
    qtbot.waitUntil(lambda: "The model " in view.baseline_label.text(), timeout=4 * LONG)

    from workbench.backend import api

    config = window.project.training
    split = split_indices(
        label_indices(window.table), row_count(window.table), config.validation_fraction,
        config.seed, config.test_fraction,
    )  # fmt: skip
    expected = api.evaluate(window.predictor, window.table, split.test)
    shown = window.evaluation.evaluation
    assert np.array_equal(shown.rows, split.test)
    assert shown.accuracy == pytest.approx(expected.accuracy)
    assert view.accuracy_label.text() == f"Accuracy {expected.accuracy:.1%}"
    assert "majority class baseline" in view.baseline_label.text()
    assert "reviews.csv, test split" in view.header_label.text()
    assert not view.note_banner.text()  # real test rows: no caveat

    # The listed texts get their words highlighted (occlusion by the real model).
    view.select_cell(1, 1)
    samples = view.samples_model
    assert samples.rowCount() == len(shown.cell_rows(1, 1)) > 0
    qtbot.waitUntil(lambda: samples.html(0) is not None, timeout=2 * LONG)
    assert "<span" in samples.html(0)
    window.grab().save(str(tmp_path / "evaluate.png"))

    # The threshold moves the matrix and is saved into the run's model file.
    view.threshold_slider.setValue(70)
    qtbot.waitUntil(lambda: window.evaluation.evaluation.threshold == pytest.approx(0.7))
    assert np.array_equal(
        window.evaluation.evaluation.confusion, expected.with_threshold(0.7).confusion
    )
    window.evaluation.save_threshold()
    record = window.store.get(window.session.source.run_id)
    qtbot.waitUntil(lambda: not window.tasks.running("evaluate-threshold"), timeout=LONG)
    from workbench.backend.api import Predictor

    assert Predictor.load(record.model_path).meta["threshold"] == pytest.approx(0.7)
    assert window.predictor.meta["threshold"] == pytest.approx(0.7)

    load(qtbot, window, write_csv(tmp_path / "other.csv", n=60))
    assert window.evaluation.evaluation is None
    assert view.confusion_model.rowCount() == 0
    assert "reviews.csv" not in view.header_label.text()
