"""The Model tab's behaviour: checking the stack with Keras, templates, import, fitting to data.

Every edit shows local problems at once and asks the backend for shapes and parameter counts
after a quiet 200 ms; an answer to an older version of the stack never passes for current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core import model_fit
from workbench.core.layers import LayerSpec
from workbench.core.summary import StackSummary
from workbench.core.templates import (
    TEMPLATES,
    default_template,
    fit_head,
    fit_sample_rate,
    fit_sequence_length,
)
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.file_dialogs import open_file
from workbench.ui.model.undo import snapshot
from workbench.ui.model.view import ModelView
from workbench.ui.workers import import_keras_model

SUMMARY_DEBOUNCE_MS = 200


class ModelController(Controller):
    """Owns the check of the stack and the ways a whole stack arrives."""

    #: The stack or its check changed, so whether Train may start may have changed.
    sig_state_changed = Signal()

    def __init__(self, shell: Shell, view: ModelView) -> None:
        super().__init__(shell)
        self.view = view
        self.summary: StackSummary | None = None
        self.summary_current = False
        self.summary_error: str | None = None
        self.backend_error: str | None = None
        #: Weights of an imported model, used by the next training where shapes fit.
        self.initial_weights: Any = None
        self._version = 0
        self._requested = -1
        # What the stack was last fitted to automatically, and the stack as it was then.
        self._fitted_for: tuple[str, str, int] | None = None
        self._auto_stack = model_fit.stack_signature(self.layers)

        self.summary_timer = QTimer(self)
        self.summary_timer.setSingleShot(True)
        self.summary_timer.setInterval(SUMMARY_DEBOUNCE_MS)
        self.summary_timer.timeout.connect(self.request_summary)
        shell.backend.sig_summary.connect(self._on_summary)
        shell.backend.sig_summary_failed.connect(self._on_summary_failed)
        view.sig_changed.connect(self.on_stack_changed)
        view.set_layers(self.layers)

        self.template_menu_title = "Start from a &template"
        self.import_action = self.action(
            "&Import Keras model…",
            self.import_model_dialog,
            tip="Bring the layers and weights of a .keras model made with plain Keras into "
            "the editor.",
        )
        self.menus = {"&Model": [self.import_action]}

    @property
    def layers(self) -> list[LayerSpec]:
        """The project's layer stack (the view, its Qt model and undo share this list)."""
        return self.session.project.layers

    # -- checking ----------------------------------------------------------------------

    @Slot()
    def on_stack_changed(self) -> None:
        """Any edit: show local problems now, ask the backend after a quiet 200 ms."""
        self._version += 1
        self.summary_current = False
        self.summary_error = None
        if self.backend_error:
            pending = ""
        elif self.shell.backend.ready:
            pending = "Checking the model…"
        else:
            pending = "Output shapes and parameter counts appear once TensorFlow has loaded."
        self.view.set_summary_pending(True, pending)
        if self.shell.backend.ready:
            self.summary_timer.start()
        self.sig_state_changed.emit()

    @Slot()
    def request_summary(self) -> None:
        """Ask the backend for shapes and parameter counts of the stack as it is now."""
        if not self.shell.backend.ready or self.shell.shut_down:
            return
        if self.view.local_problems():
            self.view.set_summary_pending(False, "")
            return  # the form already shows what is wrong; Keras would only repeat it
        self._requested = self._version
        self.shell.backend.request_summary(
            self.layers, self.session.num_classes, self.session.dataset
        )

    @Slot(object, object)
    def _on_summary(self, summary: StackSummary, uids: list[int]) -> None:
        self.summary = summary
        self.summary_error = None
        self.summary_current = self._requested == self._version
        self.view.set_summary(summary, uids)
        self.view.set_summary_pending(not self.summary_current, "")
        self.sig_state_changed.emit()

    @Slot(str)
    def _on_summary_failed(self, message: str) -> None:
        self.summary_error = message
        self.view.set_summary_pending(False, message)
        self.sig_state_changed.emit()

    def backend_ready(self) -> None:
        """TensorFlow loaded: check the stack now."""
        self.summary_timer.stop()
        self.request_summary()

    def backend_failed(self, message: str) -> None:
        """TensorFlow could not be loaded: no shapes will come."""
        self.backend_error = message
        self.view.set_summary_pending(False, "")
        self.sig_state_changed.emit()

    def block_reason(self) -> str | None:
        """Why the stack cannot train now, or None."""
        local = self.view.local_problems()
        if local:
            row, message = local[0]
            return f"Layer {row + 1}: {message}" if row >= 0 else message
        if self.backend_error:
            return f"TensorFlow could not be loaded: {self.backend_error}"
        if not self.shell.backend.ready:
            return "Waiting for TensorFlow to load…"
        if self.summary_error:
            return f"The model could not be checked: {self.summary_error}"
        if self.summary is None or not self.summary_current:
            return "Checking the model…"
        if not self.summary.ok:
            return self.summary.first_error()
        return None

    # -- whole stacks --------------------------------------------------------------------

    def replace(self, layers: list[LayerSpec], undo_text: str) -> None:
        """Put a whole stack in the editor as one undo step (imported weights are dropped)."""
        self.initial_weights = None
        self.view.replace_layers(layers, undo_text)

    @property
    def stack_edited(self) -> bool:
        """True when the person changed the stack since it was last set automatically."""
        return model_fit.stack_signature(self.layers) != self._auto_stack

    def mark_fitted(self, dataset: Any, classes: int) -> None:
        """The stack now belongs to this data (an opened project brought its own)."""
        self._fitted_for = model_fit.fit_target(dataset, classes)

    def fit_to(self, dataset: Any, summary: dict[str, Any], classes: int) -> list[str]:
        """Make the stack fit the data; the default model when the kind/task/classes changed.

        An edited stack is replaced only after asking; otherwise its output layer (and the
        text vectorizer's sequence length) are adapted in place. Returns what changed.
        """
        target = model_fit.fit_target(dataset, classes)
        edited = self.stack_edited
        before_head = model_fit.head(self.layers)
        before_length = model_fit.sequence_length(self.layers)
        replace = False
        if target != self._fitted_for:
            replace = not edited or self._ask_replace(dataset)
        kind_name = model_fit.KIND_NAMES.get(dataset.kind, dataset.kind)
        changes: list[str] = []
        # Both paths are one undo step each and change the layers in place.
        if replace:
            before_kinds = [layer.kind for layer in self.layers]
            name, why = default_template(dataset)
            self.view.replace_layers(
                TEMPLATES[name].build(dataset), f"Use the default {kind_name} model"
            )
            if [layer.kind for layer in self.layers] != before_kinds:
                changes.append(f"the {name} template ({why})")
        else:
            before = snapshot(self.layers)
            fit_head(self.layers, classes, dataset.task)
            if dataset.kind == "text":
                fit_sequence_length(self.layers, int(summary["suggested_sequence_length"]))
            if dataset.kind == "audio":
                fit_sample_rate(self.layers, int(summary["sample_rate"]))
            self.view.record_change(before, f"Adapt the model to the {kind_name} data")
        changes += model_fit.describe_changes(
            before_head, before_length, self.layers, dataset.task, classes
        )
        if not edited or replace:
            self._auto_stack = model_fit.stack_signature(self.layers)
        self._fitted_for = target
        return changes

    def _ask_replace(self, dataset: Any) -> bool:
        answer = QMessageBox.question(
            self.shell,
            "Replace the model?",
            f"The data is now {dataset.kind} ({dataset.task}). Replace your edited layer stack "
            "with the default model for this data?\n\nNo keeps your layers and only adapts "
            "the output layer.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- templates and import ----------------------------------------------------------

    def fill_template_menu(self, menu: Any) -> None:
        """Templates that fit the loaded data (all text ones before any data is loaded)."""
        from workbench.core.templates import templates_for

        menu.clear()
        data = self.session.dataset
        for template in templates_for(data.kind if data is not None else "text"):
            action = menu.addAction(template.title)
            action.setData(template.name)
            action.setEnabled(not self.session.training)
            action.triggered.connect(
                lambda _checked=False, name=template.name: self.use_template(name)
            )

    def use_template(self, name: str) -> None:
        """Replace the stack with a template (one undoable step)."""
        if self.session.training:
            return
        template = TEMPLATES[name]
        data = self.session.dataset
        self.replace(
            template.build(data if data is not None else model_fit.NoData()),
            f"Use template: {template.title}",
        )
        self.shell.show_tab(self.view)
        self.status(f"Model: {template.title}.", STATUS_TIMEOUT_MS)

    @Slot()
    def import_model_dialog(self) -> None:
        """Model ▸ Import Keras model…"""
        path = open_file(
            self.shell, "Import a Keras model", "Keras models (*.keras);;All files (*)"
        )
        if path:
            self.import_model(path)

    def import_model(self, path: str | Path) -> None:
        """Read a .keras model on a worker thread; its layers replace the stack."""
        if self.session.training:
            return
        name = Path(path).name
        self.status(f"Reading {name}…")
        self.shell.tasks.run(
            "import",
            f"importing {name}",
            import_keras_model,
            str(path),
            on_done=self._on_imported,
            on_failed=self.shell.show_task_error,
        )

    def _on_imported(self, imported: Any) -> None:
        self.view.replace_layers(list(imported.layers), "Import Keras model")
        self.initial_weights = list(imported.weights)
        self.shell.show_tab(self.view)
        message = (
            f"Imported {len(imported.layers)} layers; training starts from the model's "
            "weights where their shapes still fit."
        )
        if imported.unknown:
            message += " Left out (not in the editor's catalog): " + ", ".join(imported.unknown)
            QMessageBox.information(self.shell, "Imported with changes", message)
        self.status(message, STATUS_TIMEOUT_MS * 2)

    def shutdown(self) -> None:
        """Stop the debounce timer."""
        self.summary_timer.stop()
