"""Model tab editing: undo/redo of every edit, keyboard edits, palette search, drag to reorder.

None of these need TensorFlow: the ``window`` fixture never starts the backend.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from tests.ui.conftest import load
from workbench.core.layers import CATALOG
from workbench.ui.main_window import MainWindow
from workbench.ui.model.view import ModelView

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def stack(view: ModelView) -> list[dict[str, Any]]:
    """The stack as plain data, to compare states."""
    return [layer.to_dict() for layer in view.layers]


def editor_value(editor: Any) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QLineEdit):  # shapes, shown as "8, 8"
        return [int(part) for part in editor.text().split(",")]
    raise AssertionError(f"unexpected editor {editor!r}")


def assert_form_matches(view: ModelView) -> None:
    """The parameter form shows the selected layer, with its current values."""
    row = view.current_row()
    assert 0 <= row < len(view.layers)
    layer = view.layers[row]
    assert view.param_form.layer is layer
    assert view.param_title.text() == f"{row + 1}. {layer.kind}"
    for spec in layer.type.params:
        value = editor_value(view.param_form.editor(spec.name))
        expected = layer.params[spec.name]
        assert value == (round(expected, 3) if isinstance(value, float) else expected), spec.name
    assert view.stack_model.rowCount() == len(view.layers)
    for row, layer in enumerate(view.layers):
        assert view.stack_model.index(row, 1).data() == layer.describe()


def press(qtbot, widget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier)


def undo(qtbot, window: MainWindow) -> None:
    press(qtbot, window.model_view.stack_view, Qt.Key.Key_Z, CTRL)


def redo(qtbot, window: MainWindow, key: Qt.Key = Qt.Key.Key_Z) -> None:
    modifier = CTRL if key == Qt.Key.Key_Y else CTRL_SHIFT
    press(qtbot, window.model_view.stack_view, key, modifier)


def test_every_edit_undoes_and_redoes_with_the_keyboard(qtbot, window):
    view = window.model_view
    window.tabs.setCurrentWidget(view)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    table = view.stack_view
    changes: list[int] = []
    view.sig_changed.connect(lambda: changes.append(1))
    states = [stack(view)]
    texts: list[str] = []

    def edited(text: str) -> None:
        states.append(stack(view))
        texts.append(text)
        assert window.undo_action.text().replace("&", "") == f"Undo {text}"
        assert_form_matches(view)

    view.select_row(2)  # LSTM
    view.palette_search.setFocus()
    qtbot.keyClicks(view.palette_search, "dense")
    qtbot.keyClick(view.palette_search, Qt.Key.Key_Return)
    assert [layer.kind for layer in view.layers][2:4] == ["LSTM", "Dense"]
    edited("Add Dense")

    press(qtbot, table, Qt.Key.Key_D, CTRL)
    assert [layer.kind for layer in view.layers][3:5] == ["Dense", "Dense"]
    assert view.layers[3].uid != view.layers[4].uid
    assert view.current_row() == 4
    edited("Duplicate Dense")

    press(qtbot, table, Qt.Key.Key_Up, CTRL)
    assert view.current_row() == 3
    edited("Move Dense up")
    press(qtbot, table, Qt.Key.Key_Up, CTRL)
    assert [layer.kind for layer in view.layers][1:4] == ["Embedding", "Dense", "LSTM"]
    assert view.current_row() == 2
    edited("Move Dense up")

    press(qtbot, table, Qt.Key.Key_Down, CTRL)
    assert view.current_row() == 3
    edited("Move Dense down")

    view.param_form.editor("activation").setCurrentText("tanh")
    assert view.layers[3].params["activation"] == "tanh"
    edited("Change Dense activation")

    press(qtbot, table, Qt.Key.Key_Delete)
    assert [layer.kind for layer in view.layers] == [
        "TextVectorization",
        "Embedding",
        "LSTM",
        "Dense",
        "Dense",
    ]
    edited("Remove Dense")
    assert window.project.layers is view.layers  # edited in place
    edits = len(changes)

    # Undo everything, newest first; each step restores the stack, the table and the form.
    for index in range(len(states) - 1, 0, -1):
        assert window.undo_action.text().replace("&", "") == f"Undo {texts[index - 1]}"
        undo(qtbot, window)
        assert stack(view) == states[index - 1]
        assert_form_matches(view)
    assert stack(view) == states[0]
    assert not window.undo_action.isEnabled()
    assert window.redo_action.text().replace("&", "") == "Redo Add Dense"
    assert len(changes) == edits + len(states) - 1  # each undo asks for a new summary

    # Redo everything, alternating the two redo shortcuts.
    for index in range(1, len(states)):
        redo(qtbot, window, Qt.Key.Key_Y if index % 2 else Qt.Key.Key_Z)
        assert stack(view) == states[index]
        assert_form_matches(view)
    assert stack(view) == states[-1]
    assert not window.redo_action.isEnabled()
    assert window.project.layers is view.layers


def test_repeated_edits_of_one_parameter_are_one_undo_step(qtbot, window):
    view = window.model_view
    view.select_row(2)  # LSTM(64)
    units = view.param_form.editor("units")
    before = view.undo_stack.count()
    for value in (65, 66, 67, 70):
        units.setValue(value)
    assert view.layers[2].params["units"] == 70
    assert view.undo_stack.count() == before + 1
    assert window.undo_action.text().replace("&", "") == "Undo Change LSTM units"

    view.param_form.editor("dropout").setValue(0.25)  # another parameter: its own step
    assert view.undo_stack.count() == before + 2
    window.undo_action.trigger()
    assert view.layers[2].params["dropout"] == 0.0
    window.undo_action.trigger()
    assert view.layers[2].params["units"] == 64
    assert units.value() == 64  # the same editor, updated in place
    assert_form_matches(view)
    window.redo_action.trigger()
    assert view.layers[2].params["units"] == 70 and units.value() == 70

    # Editing back to where the step started drops the step altogether.
    view.undo_stack.clear()
    units.setValue(71)
    units.setValue(70)
    assert view.undo_stack.count() == 0


def test_undo_brings_back_layers_the_default_template_replaced(qtbot, window, csv_path):
    view = window.model_view
    view.select_row(2)
    view.add_layer("Dropout")
    view.param_form.editor("rate").setValue(0.3)
    mine = stack(view)
    layers = view.layers
    load(qtbot, window, csv_path)  # the edited stack is replaced (the question is answered Yes)
    assert stack(view) != mine
    assert "Dropout(0.3)" not in [layer.describe() for layer in view.layers]
    template = stack(view)
    assert window.undo_action.text().replace("&", "") == "Undo Use the default text model"

    window.tabs.setCurrentWidget(window.data_view)
    window.activateWindow()
    press(qtbot, window.tabs.tabBar(), Qt.Key.Key_Z, CTRL)  # Ctrl+Z from the Data tab
    assert window.tabs.currentWidget() is view  # the undone change is shown
    assert stack(view) == mine
    assert window.project.layers is layers and view.layers is layers
    assert view.stack_model.index(3, 1).data() == "Dropout(0.3)"
    assert window.model.stack_edited
    window.redo_action.trigger()
    assert stack(view) == template


def test_adapting_the_head_to_new_data_is_undoable(qtbot, window, three_class_csv):
    view = window.model_view
    load(qtbot, window, three_class_csv)  # unedited: the default text model for 3 classes
    assert view.layers[-1].describe() == "Dense(3, softmax)"
    window.undo_action.trigger()
    assert view.layers[-1].describe() == "Dense(1, sigmoid)"  # the startup template
    assert_form_matches(view)


def test_palette_search_filters_and_enter_adds_the_first_match(qtbot, window):
    view = window.model_view
    window.tabs.setCurrentWidget(view)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    tree = view.palette_tree

    def visible() -> set[str]:
        found = set()
        for i in range(tree.topLevelItemCount()):
            category = tree.topLevelItem(i)
            for j in range(category.childCount()):
                item = category.child(j)
                if not item.isHidden() and not category.isHidden():
                    found.add(item.text(0))
        return found

    def visible_categories() -> set[str]:
        return {
            tree.topLevelItem(i).text(0)
            for i in range(tree.topLevelItemCount())
            if not tree.topLevelItem(i).isHidden()
        }

    def expected(text: str) -> set[str]:
        needle = text.casefold()
        return {
            name
            for name, layer_type in CATALOG.items()
            if needle in name.casefold() or needle in layer_type.description.casefold()
        }

    everything = visible()
    assert everything == set(CATALOG)
    view.palette_search.setFocus()
    qtbot.keyClicks(view.palette_search, "PoOl")
    assert "MaxPooling2D" in visible() and "Dense" not in visible()
    assert visible() == expected("pool")
    assert visible_categories() == {CATALOG[name].category for name in expected("pool")}
    assert "Core" not in visible_categories()

    view.palette_search.clear()
    assert visible() == everything
    qtbot.keyClicks(view.palette_search, "fully connected")  # Dense's description
    assert "Dense" in visible() and visible() == expected("fully connected")

    view.palette_search.clear()
    qtbot.keyClicks(view.palette_search, "no such layer")
    assert visible() == set() and visible_categories() == set()
    assert not view.add_button.isEnabled()
    count = len(view.layers)
    qtbot.keyClick(view.palette_search, Qt.Key.Key_Return)
    assert len(view.layers) == count  # nothing to add

    qtbot.keyClick(view.palette_search, Qt.Key.Key_Escape)
    assert view.palette_search.text() == "" and visible() == everything

    qtbot.keyClicks(view.palette_search, "lstm")
    qtbot.keyClick(view.palette_search, Qt.Key.Key_Down)
    assert tree.hasFocus()
    assert "lstm" in tree.currentItem().text(0).lower()
    view.palette_search.clear()
    view.select_row(1)
    qtbot.keyClicks(view.palette_search, "gru")  # matches GRU by name, not by description
    qtbot.keyClick(view.palette_search, Qt.Key.Key_Enter)
    assert "GRU" in view.layers[2].kind
    assert view.current_row() == 2
    assert_form_matches(view)


def test_ctrl_d_duplicates_the_selected_layer(qtbot, window):
    view = window.model_view
    window.tabs.setCurrentWidget(view)
    window.activateWindow()
    view.select_row(1)
    view.param_form.editor("output_dim").setValue(32)
    press(qtbot, view.stack_view, Qt.Key.Key_D, CTRL)
    original, copy = view.layers[1], view.layers[2]
    assert copy.kind == "Embedding" and copy.params == original.params
    assert copy.params is not original.params and copy.uid != original.uid
    assert view.current_row() == 2
    assert_form_matches(view)
    copy_value = view.param_form.editor("output_dim")
    copy_value.setValue(16)
    assert original.params["output_dim"] == 32  # the copy is independent


def test_drag_reorders_rows_as_one_undoable_move(qtbot, window):
    view = window.model_view
    model = view.stack_model
    kinds = ["TextVectorization", "Embedding", "LSTM", "Dense"]
    assert [layer.kind for layer in view.layers] == kinds
    mime = model.mimeData([model.index(0, 1)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsDragEnabled

    # Dropped between LSTM and Dense (row 3 is where Qt would insert).
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert [layer.kind for layer in view.layers] == [
        "Embedding",
        "LSTM",
        "TextVectorization",
        "Dense",
    ]
    assert view.current_row() == 2
    assert window.undo_action.text().replace("&", "") == "Undo Move TextVectorization"
    assert_form_matches(view)
    window.undo_action.trigger()
    assert [layer.kind for layer in view.layers] == kinds

    # Dropped onto a row takes its place; dropped below the last row goes last.
    mime = model.mimeData([model.index(3, 0)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index(1, 0))
    assert [layer.kind for layer in view.layers] == [
        "TextVectorization",
        "Dense",
        "Embedding",
        "LSTM",
    ]
    mime = model.mimeData([model.index(0, 0)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert view.layers[-1].kind == "TextVectorization"
    assert view.undo_stack.count() == 2  # the undone move was replaced by the two new ones


def test_no_edits_or_undo_while_training_locks_the_stack(qtbot, window):
    view = window.model_view
    window.tabs.setCurrentWidget(view)
    window.activateWindow()
    view.select_row(2)
    view.add_layer("Dropout")
    before = stack(view)
    assert window.undo_action.isEnabled()
    view.set_editable(False)  # what the window does while training
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    assert not view.duplicate_action.isEnabled() and not view.delete_action.isEnabled()
    undo(qtbot, window)
    press(qtbot, view.stack_view, Qt.Key.Key_D, CTRL)
    press(qtbot, view.stack_view, Qt.Key.Key_Delete)
    view.undo()
    mime = view.stack_model.mimeData([view.stack_model.index(0, 0)])
    view.stack_model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert stack(view) == before
    view.set_editable(True)
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert "Dropout" not in [layer.kind for layer in view.layers]


def test_edit_menu_lists_undo_and_redo_with_shortcuts(window):
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    edit = menus["&Edit"]
    assert window.undo_action in edit.actions() and window.redo_action in edit.actions()
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert [key.toString() for key in window.redo_action.shortcuts()] == [
        "Ctrl+Shift+Z",
        "Ctrl+Y",
    ]
    assert not window.undo_action.isEnabled()  # nothing edited yet
    assert window.model_view.duplicate_action.shortcut().toString() == "Ctrl+D"
    assert window.model_view.move_up_action.shortcut().toString() == "Ctrl+Up"


def test_ctrl_z_in_a_parameter_editor_undoes_the_stack_step(qtbot, window):
    view = window.model_view
    window.tabs.setCurrentWidget(view)
    window.activateWindow()
    view.select_row(2)  # LSTM(64)
    units = view.param_form.editor("units")
    units.setFocus()
    qtbot.keyClick(units, Qt.Key.Key_Up)
    qtbot.keyClick(units, Qt.Key.Key_Up)
    assert view.layers[2].params["units"] == 66
    qtbot.keyClick(units, Qt.Key.Key_Z, CTRL)  # not the spin box's own text undo
    assert view.layers[2].params["units"] == 64
    assert units.value() == 64
    assert view.param_form.editor("units") is units  # the form was not rebuilt under the cursor
    qtbot.keyClick(units, Qt.Key.Key_Y, CTRL)
    assert view.layers[2].params["units"] == 66 and units.value() == 66


def test_copy_a_layer_and_paste_it_into_another_window(qtbot, make_window):
    from PySide6.QtGui import QGuiApplication

    source, target = make_window(), make_window()
    view = source.model_view
    view.select_row(2)  # LSTM
    view.layers[2].params["units"] = 24
    view.stack_view.setFocus()
    qtbot.keyClick(view.stack_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert "workbench-layers" in QGuiApplication.clipboard().text()

    other = target.model_view
    other.select_row(0)
    count = len(other.layers)
    other.stack_view.setFocus()
    qtbot.keyClick(other.stack_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(other.layers) == count + 1
    pasted = other.layers[1]
    assert pasted.describe() == "LSTM(24)" and pasted.uid != view.layers[2].uid
    assert other.undo_stack.undoText() == "Paste LSTM"
    other.undo_stack.undo()
    assert len(other.layers) == count

    QGuiApplication.clipboard().setText("just some words")
    other.paste()
    assert len(other.layers) == count
    assert "no layers to paste" in other.status_label.text()


def test_pasted_layers_are_checked_like_a_project(qtbot, make_window):
    """The clipboard is a stranger's data: layers with code or impossible values in them are
    refused in one line, and the stack is unchanged."""
    import json

    from PySide6.QtGui import QGuiApplication

    from workbench.ui.model.view import CLIPBOARD_KEY

    window = make_window()
    view = window.model_view
    before = [layer.describe() for layer in view.layers]
    hostile = {"kind": "Bidirectional", "params": {"layer": "__import__('os').system('x')"}}
    for items in ([hostile], [{"kind": "Dense", "params": {"units": -5}}], [{"kind": "Lambda"}]):
        QGuiApplication.clipboard().setText(json.dumps({CLIPBOARD_KEY: items}))
        view.paste()
        assert view.status_label.text().startswith("Not pasted: the clipboard: layers[0]")
        assert [layer.describe() for layer in view.layers] == before
    QGuiApplication.clipboard().setText("[" * 100_000)
    view.paste()
    assert "no layers to paste" in view.status_label.text()
