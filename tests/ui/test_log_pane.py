"""The log pane follows new lines from the bottom, shows its newest line whole, and stays put
while the person reads further up."""

from __future__ import annotations

import pytest

from workbench.ui.train.log_pane import LogPane


@pytest.fixture
def pane(qtbot) -> LogPane:
    widget = LogPane()
    qtbot.addWidget(widget)
    widget.resize(420, 110)  # about the height the Train tab gives it
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def add(pane: LogPane, first: int, count: int) -> None:
    for number in range(first, first + count):
        # Some lines wrap: a wrapped last line must be whole too.
        pane.append_lines([f"12:00:{number:02d}  line {number}" + " and more" * (number % 4)])


def at_bottom(pane: LogPane) -> bool:
    bar = pane.verticalScrollBar()
    return bar.value() == bar.maximum()


def test_new_lines_are_followed_and_the_newest_is_whole(pane) -> None:
    add(pane, 1, 40)
    assert pane.verticalScrollBar().maximum() > 0  # more lines than fit
    assert at_bottom(pane) and pane.newest_line_visible()
    assert pane.lines()[-1].startswith("12:00:40  line 40")


def test_scrolled_up_stays_put_then_follows_again_from_the_bottom(pane) -> None:
    add(pane, 1, 40)
    bar = pane.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # the person scrolls up to read
    assert not pane.following
    reading = bar.value()
    add(pane, 41, 10)
    assert bar.value() == reading and not at_bottom(pane)
    bar.setValue(bar.maximum())  # back to the bottom: follows again
    assert pane.following
    add(pane, 51, 5)
    assert at_bottom(pane) and pane.newest_line_visible()


def test_lines_added_while_hidden_or_resized_keep_the_bottom(qtbot, pane) -> None:
    add(pane, 1, 10)
    pane.hide()  # another tab is shown while training goes on
    add(pane, 11, 30)
    pane.show()
    qtbot.waitExposed(pane)
    assert at_bottom(pane) and pane.newest_line_visible()
    pane.resize(420, pane.minimumHeight())  # the splitter is dragged down
    assert at_bottom(pane) and pane.newest_line_visible()
    pane.resize(300, 160)
    assert at_bottom(pane) and pane.newest_line_visible()


def test_at_least_two_lines_fit_and_reset_follows_again(pane) -> None:
    lines = pane.fontMetrics().lineSpacing()
    assert pane.viewport().height() >= 2 * lines or pane.height() >= pane.minimumHeight()
    pane.resize(420, 1)
    assert pane.height() >= pane.minimumHeight()
    assert pane.viewport().height() >= 2 * lines
    add(pane, 1, 30)
    pane.verticalScrollBar().setValue(0)
    assert not pane.following
    pane.reset()
    assert pane.lines() == [] and pane.following
    add(pane, 1, 30)
    assert at_bottom(pane) and pane.newest_line_visible()
