"""The test fraction's "Auto" in the window: the Train form and the Data tab's split say what
it holds out for the loaded data, and the person can still set any share, 0 included."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.textfixtures import write_csv
from tests.ui.conftest import load

AUTO_HELP = "Auto: 10% held out for testing when the data has at least 1,000 rows; none below."


def test_auto_is_shown_and_explained_before_any_data(window):
    form, data = window.train_view.settings, window.data_view
    assert window.project.training.test_fraction is None
    assert form.test_spin.text() == "Auto" and data.test_spin.text() == "Auto"
    assert AUTO_HELP in form.test_spin.whatsThis()
    assert AUTO_HELP in data.test_spin.toolTip()
    assert form.config().test_fraction is None


def test_a_thousand_rows_get_a_test_part_and_the_share_is_shown(qtbot, window, tmp_path):
    load(qtbot, window, write_csv(tmp_path / "big.csv", n=1200))
    data, form = window.data_view, window.train_view.settings
    qtbot.waitUntil(lambda: data.split_counts.get("test", {}).get("rows") == 120)
    counts = data.split_counts
    assert sum(counts[part]["rows"] for part in ("train", "val", "test")) == 1200
    assert counts["test"]["classes"] == {"pos": 60, "neg": 60}  # stratified
    assert data.test_spin.text() == "Auto (10%: 120 rows)"
    assert form.test_spin.text() == "Auto (10%: 120 rows)"
    table = data.split_table
    last = table.rowCount() - 1
    assert table.item(last, 0).text() == "All" and table.item(last, 3).text() == "120"

    # One step up from Auto is an explicit 0: no test part, even on 1,200 rows.
    form.test_spin.setFocus()
    qtbot.keyClick(form.test_spin, Qt.Key.Key_Up)
    assert window.project.training.test_fraction == 0.0
    assert form.test_spin.text() == "0.00" and data.test_spin.value() == pytest.approx(0.0)
    assert data.split_counts["test"]["rows"] == 0
    # and one step down is Auto again, in both tabs
    qtbot.keyClick(data.test_spin, Qt.Key.Key_Down)
    assert window.project.training.test_fraction is None
    assert form.test_spin.text() == "Auto (10%: 120 rows)"
    assert data.split_counts["test"]["rows"] == 120
    # Any other share can be set as before.
    data.test_spin.setValue(0.25)
    assert window.project.training.test_fraction == pytest.approx(0.25)
    assert data.split_counts["test"]["rows"] == 300


def test_small_data_says_auto_holds_none_out(qtbot, window, csv_path):
    load(qtbot, window, csv_path)  # 120 rows
    assert window.data_view.split_counts["test"]["rows"] == 0
    assert window.train_view.settings.test_spin.text() == "Auto (none: under 1,000 rows)"
    assert window.data_view.test_spin.text() == "Auto (none: under 1,000 rows)"
