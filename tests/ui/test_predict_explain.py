"""Predict: a typed text comes back with the words that drove its answer highlighted."""

from __future__ import annotations

from tests.ui.conftest import LONG
from tests.ui.test_predict_file import text_predictor, use  # noqa: F401 (a fixture)


def test_a_typed_text_is_shown_with_its_decisive_words_highlighted(
    qtbot,
    make_window,
    text_predictor,  # noqa: F811
):
    window = make_window(backend=True)
    qtbot.waitUntil(lambda: window.backend_ready, timeout=LONG)
    use(window, text_predictor)
    view = window.predict_view
    text = "the movie was <b>great</b> & lovely"
    window.predict.predict_text(text)
    qtbot.waitUntil(lambda: "<span" in view.text_echo.text(), timeout=LONG)
    shown = view.text_echo.text()
    # the stranger's markup is shown as text, never interpreted
    assert "&lt;b&gt;" in shown and "<b>" not in shown
    assert "Green words" in view.text_echo.toolTip()
    predicted = text_predictor.predict([text])[0].label
    assert view.label_value.text() == predicted

    # The next answer starts plain: the old highlights belonged to the old text.
    window.predict.predict_text("awful")
    qtbot.waitUntil(lambda: "awful" in view.text_echo.text(), timeout=LONG)
    assert "movie" not in view.text_echo.text()
