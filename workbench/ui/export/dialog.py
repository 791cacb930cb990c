"""The Export model dialog: which model, as what, where, checked on which rows; then the report.

The dialog is a view: it asks (:attr:`ExportDialog.sig_export`) and shows what the
controller hands back (progress, an error, an outcome). A refused export leaves it open
with the message in its banner, so the person can pick another format or folder and try
again. While an export runs it cannot be closed: the backend has no way to stop midway,
and an export takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.exports import DEFAULT_CHECK_ROWS, FORMATS
from workbench.ui.export.report import ReportPanel
from workbench.ui.export.task import ExportOutcome, ExportRequest, suggest_output
from workbench.ui.file_dialogs import open_file, open_folder
from workbench.ui.widgets import MessageBanner

MIN_ROWS, MAX_ROWS = 10, 100_000
CHECK_FILTER = "Data files (*.csv *.tsv *.txt *.jsonl *.npz);;All files (*)"
MODEL_FILTER = "Keras model (*.keras)"
RUNNING_TIP = "An export cannot be stopped midway; it takes a few seconds. Wait for it to end."
_HINT_STYLE = "color: #5f6368;"


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(_HINT_STYLE)
    return label


class ExportDialog(QDialog):
    """Asks for one export at a time and shows how the last one went."""

    #: Export was clicked with a complete form: (ExportRequest).
    sig_export = Signal(object)

    def __init__(
        self, model_path: Path | None, model_name: str = "", parent: QWidget | None = None
    ) -> None:
        """``model_path``: the current model's .keras file (None: the person chooses one)."""
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.model_path: Path | None = None
        self.running = False
        self._suggested: Path | None = None  # the output we filled in (not typed)

        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_model_button = QPushButton("Choose a .keras file…")
        self.choose_model_button.setToolTip("Export another saved model instead")
        self.choose_model_button.clicked.connect(self.choose_model)
        self.save_model_button = QPushButton("Save the model in memory as .keras…")
        self.save_model_button.setToolTip("Then choose that file here to export it")
        self.save_model_button.hide()
        model_box = QGroupBox("Model")
        model_row = QHBoxLayout(model_box)
        model_row.addWidget(self.model_label, 1)
        model_buttons = QVBoxLayout()
        model_buttons.addWidget(self.choose_model_button)
        model_buttons.addWidget(self.save_model_button)
        model_buttons.addStretch(1)
        model_row.addLayout(model_buttons)

        self.format_group = QButtonGroup(self)
        format_box = QGroupBox("Format")
        grid = QGridLayout(format_box)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        for row, (fmt, (title, purpose, runtime)) in enumerate(FORMATS.items()):
            button = QRadioButton(title)
            button.setProperty("fmt", fmt)
            button.setToolTip(f"The parity check runs the export in {runtime}.")
            self.format_group.addButton(button, row)
            grid.addWidget(button, row, 0)
            grid.addWidget(_hint(f"For {purpose}."), row, 1)
        self.format_group.buttons()[0].setChecked(True)
        self.format_group.buttonToggled.connect(self._on_format_toggled)

        self.output_edit = QLineEdit()
        self.output_edit.setPlaceholderText("a new folder")
        self.output_edit.textEdited.connect(self._on_output_typed)
        self.browse_output_button = QPushButton("Browse…")
        self.browse_output_button.setToolTip("Choose the folder to create the export in")
        self.browse_output_button.clicked.connect(self.browse_output)
        output_box = QGroupBox("Save into")
        output_layout = QVBoxLayout(output_box)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output_edit, 1)
        output_row.addWidget(self.browse_output_button)
        output_layout.addLayout(output_row)
        output_layout.addWidget(_hint("A new folder: an existing one is never overwritten."))

        self.split_radio = QRadioButton("The validation split of the training data (default)")
        self.file_radio = QRadioButton("Another file:")
        self.split_radio.setChecked(True)
        self.check_edit = QLineEdit()
        self.check_edit.setPlaceholderText("rows like the training data")
        self.browse_check_button = QPushButton("Browse…")
        self.browse_check_button.clicked.connect(self.browse_check)
        self.file_radio.toggled.connect(self._on_check_choice)
        self.rows_spin = QSpinBox()
        self.rows_spin.setRange(MIN_ROWS, MAX_ROWS)
        self.rows_spin.setValue(DEFAULT_CHECK_ROWS)
        self.rows_spin.setGroupSeparatorShown(True)
        self.rows_spin.setMaximumWidth(140)
        self.rows_spin.setToolTip("How many rows both Keras and the export answer")
        check_box = QGroupBox("Parity check")
        check_layout = QFormLayout(check_box)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_radio)
        file_row.addWidget(self.check_edit, 1)
        file_row.addWidget(self.browse_check_button)
        check_layout.addRow("Check on:", self.split_radio)
        check_layout.addRow("", file_row)
        check_layout.addRow("Rows:", self.rows_spin)
        check_layout.addRow(
            _hint(
                "Keras and the exported model answer the same rows; the export passes when "
                "at least 99.5% of the labels agree and no output differs by more than 0.001."
            )
        )
        self._on_check_choice(False)

        self.banner = MessageBanner()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        for box in (model_box, format_box, output_box, check_box):
            form_layout.addWidget(box)
        form_layout.addStretch(1)
        self.report_panel = ReportPanel()
        report_box = QGroupBox("Report")
        QVBoxLayout(report_box).addWidget(self.report_panel)

        columns = QHBoxLayout()
        columns.addWidget(form, 5)
        columns.addWidget(report_box, 6)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip(RUNNING_TIP)
        self.cancel_button.hide()
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.request_export)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.banner)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.buttons)
        self.progress_bar.hide()
        self.status_label.hide()
        self.resize(1180, 680)
        self.set_model(model_path, model_name)

    # -- the form --------------------------------------------------------------------------

    @property
    def fmt(self) -> str:
        """The chosen format (a key of core.exports.FORMATS)."""
        return str(self.format_group.checkedButton().property("fmt"))

    def set_format(self, fmt: str) -> None:
        """Choose ``fmt`` as a click would."""
        for button in self.format_group.buttons():
            if button.property("fmt") == fmt:
                button.setChecked(True)

    def set_model(self, path: Path | None, name: str = "") -> None:
        """Export ``path`` (None: no saved model yet; the person must choose one)."""
        self.model_path = Path(path) if path is not None else None
        if self.model_path is None:
            self.model_label.setText(
                "No saved model to export yet: train one, open a run's model in the Runs tab, "
                "or choose a .keras file."
            )
        else:
            title = f"<b>{name}</b><br>" if name else ""
            self.model_label.setText(f"{title}{self.model_path}")
        self._suggest_output()
        self._update_buttons()

    def offer_save_in_memory(self, save: Callable[[], Any]) -> None:
        """A model that no run holds: offer to save it as .keras first (``save`` asks where)."""
        self.model_label.setText(
            "The model in memory is not saved in a run, so there is no file to export yet: "
            "save it as .keras, then choose that file."
        )
        self.save_model_button.clicked.connect(save)
        self.save_model_button.show()

    def set_output(self, path: str | Path) -> None:
        """Export into ``path`` (as if typed)."""
        self._suggested = None
        self.output_edit.setText(str(path))

    def set_check_file(self, path: str | Path | None) -> None:
        """Check on ``path``'s rows (None: the validation split)."""
        (self.file_radio if path else self.split_radio).setChecked(True)
        self.check_edit.setText(str(path or ""))

    def _suggest_output(self) -> None:
        """Refill the output with ``<model folder>/export-<fmt>`` unless one was typed."""
        if self.model_path is None or self.output_edit.text() not in ("", str(self._suggested)):
            return
        self._suggested = suggest_output(self.model_path, self.fmt)
        self.output_edit.setText(str(self._suggested))

    @Slot(str)
    def _on_output_typed(self, _text: str) -> None:
        self._suggested = None

    @Slot(object, bool)
    def _on_format_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._suggest_output()

    @Slot(bool)
    def _on_check_choice(self, another_file: bool) -> None:
        self.check_edit.setEnabled(another_file)
        self.browse_check_button.setEnabled(another_file)

    @Slot()
    def choose_model(self) -> None:
        """Choose a .keras file to export."""
        path = open_file(self, "Export which model?", MODEL_FILTER)
        if path:
            if self._suggested is not None:
                self.output_edit.clear()  # the suggestion followed the old model's folder
            self.set_model(Path(path), Path(path).name)

    @Slot()
    def browse_output(self) -> None:
        """Choose where the new export folder goes; its name stays."""
        parent = open_folder(self, "Create the export folder in")
        if parent:
            current = self.output_edit.text().strip()
            name = Path(current).name if current else f"export-{self.fmt}"
            self.set_output(Path(parent) / name)

    @Slot()
    def browse_check(self) -> None:
        """Choose the data file whose rows the parity check runs on."""
        path = open_file(self, "Check the export on which data?", CHECK_FILTER)
        if path:
            self.set_check_file(path)

    def request(self) -> ExportRequest | None:
        """The form as a request, or None after saying in the banner what is missing."""
        problem = ""
        output = self.output_edit.text().strip()
        check = self.check_edit.text().strip() if self.file_radio.isChecked() else ""
        if self.model_path is None:
            problem = "Choose the model to export first (Choose a .keras file…)."
        elif not output:
            problem = "Say where to save the export: a new folder's path."
        elif self.file_radio.isChecked() and not check:
            problem = "Choose the file to check the export on, or check on the validation split."
        if problem:
            self.banner.show_message(problem)
            return None
        assert self.model_path is not None
        return ExportRequest(
            self.model_path,
            self.fmt,
            Path(output).expanduser(),
            Path(check).expanduser() if check else None,
            self.rows_spin.value(),
        )

    @Slot()
    def request_export(self) -> None:
        """Export: ask the controller to run the form's export."""
        if self.running:
            return
        request = self.request()
        if request is not None:
            self.sig_export.emit(request)

    # -- what the controller shows ---------------------------------------------------------

    def set_running(self, running: bool, words: str = "") -> None:
        """While an export runs: progress shown, the form and Close locked."""
        self.running = running
        for widget in (self.export_button, self.choose_model_button, self.browse_output_button):
            widget.setEnabled(not running)
        for box in self.findChildren(QGroupBox):
            if box.title() != "Report":
                box.setEnabled(not running)
        self.close_button.setVisible(not running)
        self.cancel_button.setVisible(running)
        self.progress_bar.setVisible(running)
        self.status_label.setVisible(running or bool(self.status_label.text()))
        if running:
            self.banner.clear()
            self.report_panel.clear()
            self.progress_bar.setValue(0)
            self.status_label.setText(words)
        self._update_buttons()

    @Slot(float, str)
    def set_progress(self, fraction: float, words: str) -> None:
        """The backend's progress (delivered queued on the GUI thread)."""
        if self.running:
            self.progress_bar.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
            self.status_label.setText(f"{words}…" if fraction < 1.0 else words)

    def show_outcome(self, outcome: ExportOutcome) -> None:
        """The export ended: its report (and, when its check failed, why, in the banner)."""
        self.set_running(False)
        verdict = "passed its parity check" if outcome.passed else "FAILED its parity check"
        self.status_label.setText(f"Exported to {outcome.folder}; it {verdict}.")
        self.status_label.show()
        self.report_panel.show_outcome(outcome)
        if not outcome.passed:
            self.banner.show_message(
                f"{outcome.failure or outcome.report.failure()} The folder was still written "
                "and its parity.json is marked FAILED."
            )

    def show_error(self, message: str) -> None:
        """The export was refused or broke: say why; the form stays as it was."""
        self.set_running(False)
        self.status_label.setText("Nothing was exported.")
        self.status_label.show()
        self.banner.show_message(message)

    def _update_buttons(self) -> None:
        self.export_button.setEnabled(not self.running and self.model_path is not None)
        self.export_button.setToolTip(
            "" if self.model_path is not None else "Train or open a model first"
        )

    # -- closing ---------------------------------------------------------------------------

    def reject(self) -> None:
        """Close and Esc: not while an export runs (it cannot be stopped midway)."""
        if not self.running:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The title bar's close: not while an export runs."""
        if self.running:
            event.ignore()
        else:
            super().closeEvent(event)

    def force_close(self) -> None:
        """The window is shutting down: close whatever runs (the window waits for it)."""
        self.running = False
        self.close()
