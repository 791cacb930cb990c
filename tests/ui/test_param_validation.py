"""Invalid values typed into the layer form are refused in the field, with the reason, and
never reach the stack or its undo history; a valid value is applied as one undo step.

Drives the real form with qtbot keystrokes; no TensorFlow needed.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from workbench.ui.model.view import ModelView


def stack(view: ModelView) -> list[dict[str, Any]]:
    return [layer.to_dict() for layer in view.layers]


def retype(qtbot, editor, text: str) -> None:
    """Select everything in the field and type ``text`` over it, key by key."""
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(editor, text)


@pytest.mark.parametrize(
    ("row", "name", "typed", "reason"),
    [
        (2, "units", "0", "Units must be at least 1 (got 0)."),
        (2, "units", "70000", "Units must be at most 65536 (got 70000)."),
        (2, "units", "", "Units is required: type a whole number from 1 to 65,536."),
        (2, "dropout", "0.99", "Dropout must be at most 0.95 (got 0.99)."),
        (0, "max_tokens", "1", "Vocabulary size must be at least 2 (got 1)."),
    ],
)
def test_numbers_out_of_range_or_missing_are_refused_with_the_reason(
    qtbot, window, row, name, typed, reason
):
    view = window.model_view
    view.select_row(row)
    before, steps = stack(view), view.undo_stack.count()
    editor = view.param_form.editor(name)
    retype(qtbot, editor, typed)
    assert view.param_form.error_text(name) == reason
    assert editor.property("invalid") is True and editor.toolTip() == reason
    assert stack(view) == before and view.undo_stack.count() == steps
    assert not window.undo_action.isEnabled() or view.undo_stack.count() == steps

    # Typing a good value clears the message and is one undo step.
    good = {"units": "48", "dropout": "0.25", "max_tokens": "5000"}[name]
    retype(qtbot, editor, good)
    assert view.param_form.error_text(name) == ""
    assert editor.property("invalid") is False
    assert str(view.layers[row].params[name]) in (good, f"{float(good):g}")
    assert view.undo_stack.count() == steps + 1
    window.undo_action.trigger()
    assert stack(view) == before


def test_arrow_keys_stop_at_the_limits_without_an_error(qtbot, window):
    view = window.model_view
    view.select_row(2)
    units = view.param_form.editor("units")
    units.setValue(1)
    units.setFocus()
    qtbot.keyClick(units, Qt.Key.Key_Down)
    assert units.value() == 1 and view.layers[2].params["units"] == 1
    assert view.param_form.error_text("units") == ""


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("8, a", "Target shape must be whole numbers separated by commas, like 8, 8 (got '8, a')."),
        (
            "0, 8",
            "Target shape: every size must be 1 or more (or -1 once for 'the rest'); got [0, 8].",
        ),
        ("-1, -1", "Target shape can use -1 ('the rest') only once; got [-1, -1]."),
        (
            "",
            "Target shape is required: whole numbers separated by commas, like 8, 8 (one -1 "
            "means 'the rest').",
        ),
    ],
)
def test_reshape_target_typed_wrong_is_refused_in_the_field(qtbot, window, typed, reason):
    view = window.model_view
    view.select_row(2)
    view.add_layer("Reshape")
    row = view.current_row()
    assert view.layers[row].kind == "Reshape"
    before, steps = stack(view), view.undo_stack.count()
    field = view.param_form.editor("target_shape")
    assert isinstance(field, QLineEdit) and field.text() == "-1, 1"
    retype(qtbot, field, typed)
    assert view.param_form.error_text("target_shape") == reason
    assert field.property("invalid") is True
    assert stack(view) == before and view.undo_stack.count() == steps
    assert field.text() == typed  # what the person typed stays there to correct

    retype(qtbot, field, "4, 16")
    assert view.param_form.error_text("target_shape") == ""
    assert view.layers[row].params["target_shape"] == [4, 16]
    assert view.undo_stack.count() == steps + 1  # every keystroke merged into one step
    assert view.stack_model.index(row, 1).data() == "Reshape(4, 16)"
    window.undo_action.trigger()
    assert view.layers[row].params["target_shape"] == [-1, 1]
    assert field.text() == "-1, 1"


def test_the_selected_layers_own_error_shows_above_its_fields(qtbot, window):
    from workbench.core.summary import StackSummary

    view = window.model_view
    summary = StackSummary()
    message = "Reshape to 3, 3 needs 9 values per sample, but its input (None, 16) has 16."
    summary.errors.append((2, message))
    view.set_summary(summary, [layer.uid for layer in view.layers])
    view.select_row(2)
    assert view.param_error.text() == f"This layer: {message}"
    assert not view.param_error.isHidden()
    view.select_row(1)
    assert view.param_error.isHidden()


def test_a_bad_value_from_a_project_file_is_marked_when_the_form_opens(qtbot, window):
    view = window.model_view
    view.layers[2].params["units"] = 0  # as a hand-edited project file could hold it
    view.refresh()
    view.select_row(2)
    assert view.param_form.error_text("units") == "Units must be at least 1 (got 0)."
