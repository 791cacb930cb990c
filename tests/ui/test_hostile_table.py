"""A table with four silent problems, opened in the window: the Data tab names each one."""

from __future__ import annotations

from tests.core.test_hostile_data import four_problems
from tests.ui.conftest import load


def test_data_tab_warns_of_the_four_silent_problems(qtbot, window, tmp_path):
    load(qtbot, window, four_problems(tmp_path / "four.csv"))
    data = window.data_view
    assert window.dataset.kind == "tabular"
    assert not data.banner.isVisible()  # warnings, not an error
    notes = data.notes_label
    assert notes.isVisibleTo(data)
    text = notes.text()
    assert "Column name 'a' appears 2 times in the header" in text
    assert "'speed' holds 20 infinite value(s)" in text
    assert "'empty' is empty in every row; it is left out of the features" in text
    assert "'weight' is numbers but for 1 value(s)" in text and "row 502, '12kg'" in text
    assert window.dataset.feature_types["weight"] == "numeric"
    assert "empty" not in window.dataset.features
