"""The Predict tab says which model answers (the window's controller tells it which)."""

from __future__ import annotations

from workbench.ui.predict.view import PredictView


def test_the_model_line_shows_at_the_top_and_hides_when_empty(qtbot) -> None:
    view = PredictView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    label = view.source_label
    assert not label.isVisible() and view.source() == ""

    view.set_source(
        "Model: run 3 (trained on imdb.csv, 2026-12-03 14:05)",
        "/home/me/.local/share/training-workbench/runs/20261203-140500-abc123/model.keras",
    )
    assert label.isVisible()
    assert view.source() == "Model: run 3 (trained on imdb.csv, 2026-12-03 14:05)"
    assert label.toolTip().endswith("model.keras")
    # At the top of the tab: above the inputs and the result.
    assert label.geometry().bottom() < view.pages.geometry().top()
    assert view.layout().indexOf(label) == 0

    view.set_source("Model: the model just trained (run 4)")
    assert view.source() == "Model: the model just trained (run 4)"
    assert label.toolTip() == ""  # no stale path from the run before

    view.set_source("")
    assert not label.isVisible() and view.source() == "" and label.toolTip() == ""


def test_the_model_line_is_plain_text(qtbot) -> None:
    view = PredictView()
    qtbot.addWidget(view)
    view.set_source("Model: run <b>1</b> (trained on a&b.csv)")
    assert view.source() == "Model: run <b>1</b> (trained on a&b.csv)"
    assert view.source_label.textFormat().name == "PlainText"
