"""The Model tab: a palette of layer types, the stack as a summary table, and its parameters."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.layers import CATALOG, LayerSpec
from workbench.core.project import MAX_PROJECT_BYTES, layers_from_file
from workbench.core.safe_json import loads
from workbench.core.summary import StackSummary
from workbench.ui.item_models import format_count
from workbench.ui.model.diagram import StackDiagram
from workbench.ui.model.stack_model import LayerStackModel
from workbench.ui.model.undo import (
    ParamCommand,
    Snapshot,
    StackCommand,
    revive,
    same_stack,
    snapshot,
)
from workbench.ui.widgets import ParamForm

CLIPBOARD_KEY = "workbench-layers"  # marks clipboard text as layers, not arbitrary JSON
_PALETTE_HINT = "Pick a layer type (or search, then Enter), then Add or double-click it."
UNDO_LIMIT = 1000  # snapshots are a few kB; this bounds a very long session's memory
_CATEGORY_ORDER = (
    "Text",
    "Audio",
    "Preprocessing",
    "Recurrent",
    "Attention",
    "Convolution",
    "Pooling",
    "Core",
    "Regularization",
)
_SORTED_BY_NAME = ("Preprocessing", "Convolution", "Pooling", "Regularization")


class ModelView(QWidget):
    """Edits a list of LayerSpec in place and shows what the backend says about it.

    Local checks (``LayerSpec.problems()``) show at once; the backend's summary arrives later
    through :meth:`set_summary`. Every edit emits ``sig_changed`` so the window can ask the
    backend again (debounced). Every edit is a command on :attr:`undo_stack`, so undo and redo
    go through the same refresh and the same ``sig_changed`` as the edit itself.
    """

    #: The stack changed (a layer added, removed, moved, or a parameter edited).
    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layers: list[LayerSpec] = []
        self._summary: StackSummary | None = None
        self._summary_uids: list[int] = []
        self._summary_pending = False
        self._editable = True
        self._first_match: QTreeWidgetItem | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.triggered.connect(self.redo)
        self.undo_stack.canUndoChanged.connect(self._update_undo_actions)
        self.undo_stack.canRedoChanged.connect(self._update_undo_actions)
        self.undo_stack.undoTextChanged.connect(self._update_undo_actions)
        self.undo_stack.redoTextChanged.connect(self._update_undo_actions)

        # Palette
        self.palette_search = QLineEdit()
        self.palette_search.setObjectName("paletteSearch")
        self.palette_search.setPlaceholderText("Search layers…")
        self.palette_search.setClearButtonEnabled(True)
        self.palette_search.setToolTip(
            "Filter the layer types by name or description; Enter adds the first match."
        )
        self.palette_search.textChanged.connect(self._filter_palette)
        self.palette_search.returnPressed.connect(self.add_first_match)
        self.palette_search.installEventFilter(self)
        self.palette_tree = QTreeWidget()
        self.palette_tree.setHeaderHidden(True)
        self.palette_tree.setRootIsDecorated(True)
        self.palette_tree.setIndentation(14)
        # "GlobalAvera…ling1D": long names keep the end that tells them apart
        self.palette_tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        categories: dict[str, QTreeWidgetItem] = {}
        names = sorted(
            CATALOG.values(),
            key=lambda t: (
                _CATEGORY_ORDER.index(t.category) if t.category in _CATEGORY_ORDER else 99,
                # families such as the poolings read best by name (1D next to 2D)
                t.name if t.category in _SORTED_BY_NAME else "",
            ),
        )
        for layer_type in names:
            parent_item = categories.get(layer_type.category)
            if parent_item is None:
                parent_item = QTreeWidgetItem([layer_type.category])
                parent_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = parent_item.font(0)
                font.setBold(True)
                parent_item.setFont(0, font)
                self.palette_tree.addTopLevelItem(parent_item)
                categories[layer_type.category] = parent_item
            item = QTreeWidgetItem([layer_type.name])
            item.setToolTip(0, layer_type.description)
            item.setData(0, Qt.ItemDataRole.UserRole, layer_type.name)
            parent_item.addChild(item)
        self.palette_tree.expandAll()
        self.palette_tree.itemDoubleClicked.connect(self._on_palette_double_clicked)
        self.palette_tree.currentItemChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Add ▸")
        self.add_button.setToolTip("Insert the chosen layer type after the selected layer.")
        self.add_button.clicked.connect(self.add_selected_type)
        self.palette_help = QLabel()
        self.palette_help.setWordWrap(True)
        self.palette_help.setStyleSheet("color: #555555;")
        self.palette_tree.currentItemChanged.connect(self._show_palette_help)
        self.palette_help.setText(_PALETTE_HINT)

        palette_box = QGroupBox("Layer types")
        palette_layout = QVBoxLayout(palette_box)
        palette_layout.addWidget(self.palette_search)
        palette_layout.addWidget(self.palette_tree, 1)
        palette_layout.addWidget(self.palette_help)
        palette_layout.addWidget(self.add_button)

        # Stack
        self.stack_model = LayerStackModel(self)
        self.stack_view = QTableView()
        self.stack_view.installEventFilter(self)
        self.stack_view.setModel(self.stack_model)
        self.stack_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stack_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stack_view.verticalHeader().hide()
        self.stack_view.setShowGrid(False)
        self.stack_view.setAlternatingRowColors(True)
        self.stack_view.verticalHeader().setDefaultSectionSize(28)
        header = self.stack_view.horizontalHeader()
        # The layer column takes what the shape and parameter columns (as wide as their
        # contents) leave, so it stays readable in a window 1024 pixels wide.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(0, 40)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.stack_view.selectionModel().currentRowChanged.connect(self._on_current_row)
        # Drag to reorder: the model turns a drop into sig_move_requested, one undoable move.
        self.stack_view.setDragEnabled(True)
        self.stack_view.setAcceptDrops(True)
        self.stack_view.setDropIndicatorShown(True)
        self.stack_view.setDragDropOverwriteMode(False)
        self.stack_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.stack_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.stack_model.sig_move_requested.connect(self.move_layer)

        # Keyboard edits of the stack: active while the table has focus, also in its menu.
        self.duplicate_action = self._stack_action("&Duplicate", "Ctrl+D", self.duplicate_selected)
        self.delete_action = self._stack_action("&Remove", "Delete", self.remove_selected)
        self.move_up_action = self._stack_action("Move &up", "Ctrl+Up", self.move_selected_up)
        self.move_down_action = self._stack_action(
            "Move &down", "Ctrl+Down", self.move_selected_down
        )
        self.copy_action = self._stack_action("&Copy layer", "", self.copy_selected)
        self.paste_action = self._stack_action("&Paste layers", "", self.paste)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)  # shown in the menu;
        self.paste_action.setShortcut(QKeySequence.StandardKey.Paste)  # eventFilter acts
        self.stack_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.remove_button = QPushButton("Remove")
        self.duplicate_button = QPushButton("Duplicate")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.remove_button.setToolTip("Remove the selected layer (Delete).")
        self.duplicate_button.setToolTip("Insert a copy of the selected layer below it (Ctrl+D).")
        self.up_button.setToolTip("Move the selected layer up (Ctrl+Up).")
        self.down_button.setToolTip("Move the selected layer down (Ctrl+Down).")
        self.remove_button.clicked.connect(self.remove_selected)
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.up_button.clicked.connect(self.move_selected_up)
        self.down_button.clicked.connect(self.move_selected_down)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.duplicate_button)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)

        self.total_label = QLabel()
        self.total_label.setObjectName("totalParams")
        font = self.total_label.font()
        font.setBold(True)
        self.total_label.setFont(font)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #7a5a00;")
        self.notes_label.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("color: #555555;")

        self.input_label = QLabel("Input after encoding: load data to see it")
        self.input_label.setObjectName("inputShape")
        self.input_label.setToolTip(
            "What the first layer receives once the data's own encodings (vectorised text, "
            "normalised numbers, one-hot categories, rescaled pixels) are applied."
        )
        self.input_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        stack_box = QGroupBox("Layer stack (input at the top)")
        stack_layout = QVBoxLayout(stack_box)
        stack_layout.addWidget(self.input_label)
        self.diagram = StackDiagram()
        self.diagram.sig_row_clicked.connect(self.select_row)
        self.stack_tabs = QTabWidget()
        self.stack_tabs.setDocumentMode(True)
        self.stack_tabs.addTab(self.stack_view, "Table")
        self.stack_tabs.addTab(self.diagram, "Diagram")
        stack_layout.addWidget(self.stack_tabs, 1)
        stack_layout.addWidget(self.total_label)
        stack_layout.addWidget(self.error_label)
        stack_layout.addWidget(self.notes_label)
        stack_layout.addWidget(self.status_label)
        stack_layout.addLayout(buttons)

        # Parameters
        self.param_title = QLabel()
        font = self.param_title.font()
        font.setBold(True)
        self.param_title.setFont(font)
        self.param_help = QLabel()
        self.param_help.setWordWrap(True)
        # The selected layer's own problem, next to the fields that can fix it.
        self.param_error = QLabel()
        self.param_error.setObjectName("param_error")
        self.param_error.setWordWrap(True)
        self.param_error.setStyleSheet("color: #b3261e;")
        self.param_error.hide()
        self._row_errors: dict[int, str] = {}
        self.param_form = ParamForm()
        self.param_form.sig_edited.connect(self._on_param_edited)
        form_holder = QWidget()
        form_layout = QVBoxLayout(form_holder)
        form_layout.addWidget(self.param_title)
        form_layout.addWidget(self.param_help)
        form_layout.addWidget(self.param_error)
        form_layout.addWidget(self.param_form)
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form_holder)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        params_box = QGroupBox("Layer parameters")
        params_layout = QVBoxLayout(params_box)
        params_layout.addWidget(scroll)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(palette_box)
        splitter.addWidget(stack_box)
        splitter.addWidget(params_box)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([245, 500, 330])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._update_buttons()
        self._update_undo_actions()

    def _stack_action(self, text: str, shortcut: str, slot: Any) -> QAction:
        action = QAction(text, self.stack_view)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.stack_view.addAction(action)
        return action

    # -- data in -------------------------------------------------------------------------

    @property
    def layers(self) -> list[LayerSpec]:
        """The list being edited (the window's project.layers)."""
        return self._layers

    def set_layers(self, layers: list[LayerSpec], keep_row: bool = False) -> None:
        """Edit ``layers`` (kept by reference); ``keep_row`` keeps the selected row."""
        row = self.current_row() if keep_row else 0
        if layers is not self._layers:
            self.undo_stack.clear()  # another project's list: its history does not apply
        self._layers = layers
        self.stack_model.set_layers(layers)
        self._after_edit(row, emit=False)

    def refresh(self) -> None:
        """Re-read the list after someone else changed it (e.g. adapted to new data)."""
        self.param_form.set_layer(None)  # the selected layer's values may have changed too
        self.set_layers(self._layers, keep_row=True)

    def set_summary(self, summary: StackSummary | None, uids: list[int]) -> None:
        """Show the backend's summary of the stack whose uids were ``uids``."""
        self._summary = summary
        self._summary_uids = list(uids)
        self._summary_pending = False
        self.stack_model.set_summary(summary, uids)
        if summary is not None and summary.input_shape:
            shape = summary.input_shape
            if shape.replace(" ", "") in ("(None)", "(None,)"):
                shape += " — one raw text per sample"
            self.input_label.setText(f"Input after encoding: {shape}")
        self._show_problems()

    def set_summary_pending(self, pending: bool, message: str = "") -> None:
        """Say that the backend is (re)checking the stack, or why it cannot yet."""
        self._summary_pending = pending
        self.status_label.setText(message)
        self.status_label.setVisible(bool(message))

    def set_editable(self, editable: bool) -> None:
        """Lock every edit (undo and drags included) while a training run uses the stack."""
        self._editable = editable
        self.palette_tree.setEnabled(editable)
        self.palette_search.setEnabled(editable)
        self.param_form.set_read_only(not editable)
        self.stack_view.setDragDropMode(
            QAbstractItemView.DragDropMode.InternalMove
            if editable
            else QAbstractItemView.DragDropMode.NoDragDrop
        )
        self._update_buttons()
        self._update_undo_actions()

    def current_row(self) -> int:
        """The selected layer's row, or -1."""
        index = self.stack_view.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        """Select a layer (shows its parameters)."""
        if not self._layers:
            self.param_form.set_layer(None)
            self._show_param_header(-1)
            return
        row = min(max(row, 0), len(self._layers) - 1)
        index = self.stack_model.index(row, 0)
        self.stack_view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._on_current_row()

    def local_problems(self) -> list[tuple[int, str]]:
        """(row, message) for parameter values the catalog rejects, found without Keras."""
        found = []
        for row, layer in enumerate(self._layers):
            for problem in layer.problems():
                found.append((row, problem))
        if not self._layers:
            found.append((-1, "The stack is empty: add layers from the palette."))
        return found

    def row_errors(self) -> dict[int, str]:
        """Row -> message of every row marked as wrong right now."""
        return {row: self.stack_model.row_error(row) or "" for row in self._marked_rows()}

    def _marked_rows(self) -> list[int]:
        return [r for r in range(len(self._layers)) if self.stack_model.row_error(r)]

    # -- edits ---------------------------------------------------------------------------

    @Slot()
    def add_selected_type(self) -> None:
        """Insert the palette's current type after the selected layer."""
        item = self.palette_tree.currentItem()
        kind = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if kind:
            self.add_layer(str(kind))

    @Slot()
    def add_first_match(self) -> None:
        """Add the palette search's best match (Enter in the search box)."""
        item = self._first_match
        kind = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if kind and self.palette_search.text().strip():
            self.add_layer(str(kind))

    def add_layer(self, kind: str) -> None:
        """Insert a new layer of ``kind`` with default parameters after the selection."""
        if not self._editable:
            return
        row = self.current_row()
        position = row + 1 if row >= 0 else len(self._layers)
        layers = list(self._layers)
        layers.insert(position, LayerSpec(kind))
        self._push_stack(f"Add {kind}", layers, position)

    @Slot()
    def remove_selected(self) -> None:
        """Delete the selected layer."""
        row = self.current_row()
        if not self._editable or row < 0:
            return
        layers = list(self._layers)
        removed = layers.pop(row)
        self._push_stack(f"Remove {removed.kind}", layers, min(row, len(layers) - 1))

    @Slot()
    def duplicate_selected(self) -> None:
        """Insert a copy of the selected layer (same values, own identity) below it."""
        row = self.current_row()
        if not self._editable or row < 0:
            return
        layers = list(self._layers)
        layers.insert(row + 1, layers[row].copy())
        self._push_stack(f"Duplicate {layers[row].kind}", layers, row + 1)

    @Slot()
    def copy_selected(self) -> None:
        """Put the selected layer on the clipboard as JSON, for this or another project."""
        row = self.current_row()
        if row < 0:
            return
        payload = json.dumps({CLIPBOARD_KEY: [self._layers[row].to_dict()]})
        QGuiApplication.clipboard().setText(payload)

    @Slot()
    def paste(self) -> None:
        """Insert the layers on the clipboard below the selection (one undoable step).

        Only text that is a workbench layer list is taken; anything else is ignored with a
        word in the status line rather than guessed at.
        """
        if not self._editable:
            return
        text = QGuiApplication.clipboard().text()
        try:  # the clipboard is a stranger's data: the same schema and limits as a project
            if len(text) > MAX_PROJECT_BYTES:
                raise KeyError(CLIPBOARD_KEY)
            items = loads(text, "the clipboard")[CLIPBOARD_KEY]
        except (KeyError, TypeError, WorkbenchError):  # not JSON, or not the workbench's
            self.set_summary_pending(False, "The clipboard holds no layers to paste.")
            return
        try:
            pasted = layers_from_file(items, "the clipboard")
        except WorkbenchError as exc:  # layers, but not ones this version can build
            self.set_summary_pending(False, f"Not pasted: {exc}")
            return
        row = self.current_row()
        position = row + 1 if row >= 0 else len(self._layers)
        layers = list(self._layers)
        layers[position:position] = pasted
        names = ", ".join(layer.kind for layer in pasted)
        self._push_stack(f"Paste {names}", layers, position)

    @Slot()
    def move_selected_up(self) -> None:
        """Swap the selected layer with the one above."""
        row = self.current_row()
        self.move_layer(row, row - 1)

    @Slot()
    def move_selected_down(self) -> None:
        """Swap the selected layer with the one below."""
        row = self.current_row()
        self.move_layer(row, row + 1)

    @Slot(int, int)
    def move_layer(self, source: int, destination: int) -> None:
        """Move one layer so it ends at row ``destination`` (buttons, keys and drags)."""
        count = len(self._layers)
        if not self._editable or not (0 <= source < count and 0 <= destination < count):
            return
        if source == destination:
            return
        layers = list(self._layers)
        layer = layers.pop(source)
        layers.insert(destination, layer)
        if abs(destination - source) == 1:
            text = f"Move {layer.kind} {'up' if destination < source else 'down'}"
        else:
            text = f"Move {layer.kind}"
        self._push_stack(text, layers, destination)

    def replace_layers(self, layers: list[LayerSpec], text: str, row: int = 0) -> bool:
        """Make the stack ``layers`` as one undoable step (e.g. a template for new data).

        The shared list is changed in place. Returns False (and records nothing) when the
        new layers equal the current ones.
        """
        if same_stack(snapshot(self._layers), snapshot(layers)):
            return False
        self._push_stack(text, layers, row)
        return True

    def record_change(self, before: Snapshot, text: str) -> bool:
        """Make an in-place change someone else made to the list (from ``before``) undoable.

        Returns False when nothing changed; the view is refreshed either way.
        """
        after = snapshot(self._layers)
        if same_stack(before, after):
            self.refresh()
            return False
        row = self.current_row()
        self.undo_stack.push(StackCommand(self, text, before, after, row, row))
        return True

    def _push_stack(self, text: str, layers: list[LayerSpec], row: int) -> None:
        before = snapshot(self._layers)
        after = snapshot(layers)
        self.undo_stack.push(StackCommand(self, text, before, after, self.current_row(), row))

    # -- undo ----------------------------------------------------------------------------

    @Slot()
    def undo(self) -> None:
        """Undo the last edit of the stack (not while training)."""
        if self._editable:
            self.undo_stack.undo()

    @Slot()
    def redo(self) -> None:
        """Redo the last undone edit (not while training)."""
        if self._editable:
            self.undo_stack.redo()

    def restore_stack(self, state: Snapshot, row: int) -> None:
        """Set the shared list to ``state`` in place, then refresh as after any edit."""
        self._layers[:] = revive(state)
        self.stack_model.refresh()
        self._after_edit(row)

    def write_param(self, uid: int, name: str, value: Any, from_form: bool) -> None:
        """Set a parameter of layer ``uid``; show it in the form unless the form wrote it."""
        row = next((r for r, layer in enumerate(self._layers) if layer.uid == uid), -1)
        if row < 0:
            return
        layer = self._layers[row]
        layer.params[name] = value
        if not from_form:
            if self.current_row() != row:
                self.select_row(row)
            if self.param_form.layer is layer:
                self.param_form.set_value(name, value)
        self.stack_model.refresh_row(row)
        self._show_problems()
        self.sig_changed.emit()

    @Slot()
    def _update_undo_actions(self, *_args: object) -> None:
        stack = self.undo_stack
        undo_text, redo_text = stack.undoText(), stack.redoText()
        self.undo_action.setText(f"&Undo {undo_text}" if undo_text else "&Undo")
        self.redo_action.setText(f"&Redo {redo_text}" if redo_text else "&Redo")
        self.undo_action.setEnabled(self._editable and stack.canUndo())
        self.redo_action.setEnabled(self._editable and stack.canRedo())

    def _after_edit(self, row: int, emit: bool = True) -> None:
        self.select_row(row)
        self._show_problems()
        self._update_buttons()
        if emit:
            self.sig_changed.emit()

    @Slot(str, object, object)
    def _on_param_edited(self, name: str, old: object, new: object) -> None:
        layer = self.param_form.layer
        if layer is None:
            return
        try:
            title = layer.type.param(name).title.lower()
        except KeyError:
            title = name
        command = ParamCommand(self, f"Change {layer.kind} {title}", layer.uid, name, old, new)
        self.undo_stack.push(command)

    # -- palette search ------------------------------------------------------------------

    @Slot(str)
    def _filter_palette(self, text: str) -> None:
        """Hide types whose name and description lack ``text``, and empty categories."""
        needle = text.strip().casefold()
        by_name: QTreeWidgetItem | None = None
        by_description: QTreeWidgetItem | None = None
        for i in range(self.palette_tree.topLevelItemCount()):
            category = self.palette_tree.topLevelItem(i)
            shown = 0
            for j in range(category.childCount()):
                item = category.child(j)
                kind = str(item.data(0, Qt.ItemDataRole.UserRole))
                description = CATALOG[kind].description if kind in CATALOG else ""
                in_name = needle in kind.casefold()
                match = not needle or in_name or needle in description.casefold()
                item.setHidden(not match)
                shown += match
                if match and in_name and by_name is None:
                    by_name = item
                elif match and by_description is None:
                    by_description = item
            category.setHidden(shown == 0)
        self._first_match = (by_name or by_description) if needle else None
        if self._first_match is not None:
            self.palette_tree.setCurrentItem(self._first_match)
        elif needle:
            self.palette_tree.setCurrentItem(None)  # a hidden type must not stay addable
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the search box, Down goes to the filtered list and Escape clears the search.
        In the stack table, Copy and Paste mean layers (the table would copy a cell's text)."""
        if (
            watched is getattr(self, "stack_view", None)  # events arrive during __init__
            and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
            and isinstance(event, QKeyEvent)
        ):
            for key, handler in (
                (QKeySequence.StandardKey.Copy, self.copy_selected),
                (QKeySequence.StandardKey.Paste, self.paste),
            ):
                if event.matches(key):
                    event.accept()
                    if event.type() == QEvent.Type.KeyPress:
                        handler()
                    return True
        if (
            watched is self.palette_search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() == Qt.Key.Key_Down:
                self.palette_tree.setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if event.key() == Qt.Key.Key_Escape and self.palette_search.text():
                self.palette_search.clear()
                return True
        return super().eventFilter(watched, event)

    # -- display -------------------------------------------------------------------------

    def _show_problems(self) -> None:
        """Mark rows: local problems first (instant), else the backend's errors."""
        errors: dict[int, str] = {}
        general: list[str] = []
        for row, message in self.local_problems():
            if row < 0:
                general.append(message)
            else:
                errors.setdefault(row, message)
        backend_messages: list[str] = []
        if not errors and self._summary is not None:
            rows_by_uid = {layer.uid: row for row, layer in enumerate(self._layers)}
            for index, message in self._summary.errors:
                row = None
                if index is not None and 0 <= index < len(self._summary_uids):
                    row = rows_by_uid.get(self._summary_uids[index])
                if row is None:
                    general.append(message)
                else:
                    errors.setdefault(row, message)
                    backend_messages.append(f"Layer {row + 1}: {message}")
        self.stack_model.set_errors(errors)
        self._row_errors = errors
        self._show_param_error(self.current_row())
        lines = [f"Layer {row + 1}: {message}" for row, message in sorted(errors.items())]
        if backend_messages:
            lines = backend_messages
        lines += general
        self.error_label.setText("\n".join(lines))
        self.error_label.setVisible(bool(lines))
        notes = [
            f"Layer {row + 1}: {note}"
            for row in range(len(self._layers))
            if row not in errors and (note := self.stack_model.row_note(row))
        ]
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
        if self._summary is None:
            self.total_label.setText("Total params: …")
        elif errors or general:
            self.total_label.setText("Total params: – (fix the marked layers first)")
        else:
            megabytes = self._summary.total_params * 4 / 2**20  # float32 weights
            self.total_label.setText(
                f"Total params: {format_count(self._summary.total_params)}"
                f"   (trainable: {format_count(self._summary.trainable_params)})"
                f"   ≈ {megabytes:,.1f} MB of weights"
            )
        current = self._summary_uids == [layer.uid for layer in self._layers]
        self.diagram.show_stack(
            self._layers, self._summary if current else None, errors, self.current_row()
        )

    @Slot()
    def _on_current_row(self, *_args: object) -> None:
        row = self.current_row()
        layer = self._layers[row] if 0 <= row < len(self._layers) else None
        if layer is not self.param_form.layer:
            self.param_form.set_layer(layer)
            self.param_form.set_read_only(not self._editable)
        self._show_param_header(row if layer is not None else -1)
        self._update_buttons()

    def _show_param_error(self, row: int) -> None:
        message = self._row_errors.get(row, "")
        self.param_error.setText(f"This layer: {message}" if message else "")
        self.param_error.setVisible(bool(message))

    def _show_param_header(self, row: int) -> None:
        self._show_param_error(row)
        if not 0 <= row < len(self._layers):
            self.param_title.setText("")
            self.param_help.setText("")
            return
        layer = self._layers[row]
        self.param_title.setText(f"{row + 1}. {layer.kind}")
        self.param_help.setText(layer.type.description)

    @Slot()
    def _show_palette_help(self, *_args: object) -> None:
        item = self.palette_tree.currentItem()
        kind = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self.palette_help.setText(CATALOG[kind].description if kind in CATALOG else _PALETTE_HINT)

    @Slot()
    def _update_buttons(self, *_args: object) -> None:
        row = self.current_row()
        item = self.palette_tree.currentItem()
        has_type = item is not None and bool(item.data(0, Qt.ItemDataRole.UserRole))
        self.add_button.setEnabled(self._editable and has_type)
        can_up = self._editable and row > 0
        can_down = self._editable and 0 <= row < len(self._layers) - 1
        for widget in (
            self.remove_button,
            self.duplicate_button,
            self.delete_action,
            self.duplicate_action,
            self.copy_action,
        ):
            widget.setEnabled(self._editable and row >= 0)
        for widget in (self.up_button, self.move_up_action):
            widget.setEnabled(can_up)
        for widget in (self.down_button, self.move_down_action):
            widget.setEnabled(can_down)

    @Slot(QTreeWidgetItem, int)
    def _on_palette_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, Qt.ItemDataRole.UserRole)
        if kind:
            self.add_layer(str(kind))
