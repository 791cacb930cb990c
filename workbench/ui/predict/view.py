"""The Predict tab: ask the trained model about new inputs of the data's kind.

Text: type a text, or a whole file of texts. Feature table: a form with one field per feature
(prefilled from the first row), or a whole CSV file. Images: choose image files. Arrays: pick a
row of the loaded x. Audio: choose audio files or a folder (predict/audio.py); the chosen
file's waveform and spectrogram show beside its probabilities. Classification shows the
label and every class probability; regression shows the number. A file's (or many images'
or audio files') answers fill one sortable table below, which Save predictions… writes as a
CSV.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.summary import Prediction
from workbench.ui.file_dialogs import open_file, open_files
from workbench.ui.item_models import ImageListModel
from workbench.ui.predict.audio import AudioInputs, AudioResult
from workbench.ui.predict.models import ProbabilityModel
from workbench.ui.predict.results import BatchProgress, ResultsPanel
from workbench.ui.widgets import BarDelegate, MessageBanner

TEXT_PAGE, TABLE_PAGE, IMAGES_PAGE, ARRAYS_PAGE, AUDIO_PAGE = range(5)
_PAGES = {
    "text": TEXT_PAGE,
    "tabular": TABLE_PAGE,
    "images": IMAGES_PAGE,
    "npz": ARRAYS_PAGE,
    "audio": AUDIO_PAGE,
}
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif);;All files (*)"
TABLE_FILTER = "Tables (*.csv *.tsv *.txt *.jsonl);;All files (*)"
TEXTS_FILTER = "Texts (*.csv *.tsv *.jsonl *.txt);;All files (*)"


class PredictView(QWidget):
    """Asks for predictions of the loaded data's kind; disabled until a model is trained."""

    #: Predict a text: (text).
    sig_predict = Signal(str)
    #: Predict one feature row: ({column: value}).
    sig_predict_row = Signal(object)
    #: Predict every row of a table file, or every text of a file of texts: (path).
    sig_predict_file = Signal(str)
    #: Stop predicting the file (Cancel beside the progress bar).
    sig_cancel_file = Signal()
    #: Save predictions… was clicked.
    sig_save_predictions = Signal()
    #: Predict image files: (list of paths).
    sig_predict_images = Signal(object)
    #: Predict row i of the loaded arrays: (i).
    sig_predict_index = Signal(int)
    #: Predict audio files: (list of paths).
    sig_predict_audio = Signal(object)
    #: Predict every audio file of a folder: (path).
    sig_predict_audio_folder = Signal(str)
    #: Draw this audio file (decoded on a worker; the answer goes to ``audio_result``): (path).
    sig_clip_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Any = None
        self.banner = MessageBanner()
        self.availability_label = QLabel("Train a model first (Train tab); then try it here.")
        self.availability_label.setWordWrap(True)
        self.availability_label.setStyleSheet("color: #7a5a00;")
        # Which model answers: "Model: run 3 (trained on imdb.csv, 2026-12-03 14:05)".
        self.source_label = QLabel()
        self.source_label.setObjectName("predictSource")
        self.source_label.setWordWrap(True)
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        source_font = self.source_label.font()
        source_font.setBold(True)
        self.source_label.setFont(source_font)
        self.source_label.hide()

        # Text
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Type a text to classify and press Enter")
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.returnPressed.connect(self._on_predict)
        self.predict_button = QPushButton("Predict")
        self.predict_button.clicked.connect(self._on_predict)
        self.text_file_button = QPushButton("Predict a file of texts…")
        self.text_file_button.setToolTip(
            "A CSV, TSV or JSON Lines file with a column of texts, or a .txt file with one "
            "text per line."
        )
        self.text_file_button.clicked.connect(self._on_predict_text_file)
        text_page = QWidget()
        input_row = QHBoxLayout(text_page)
        input_row.setContentsMargins(0, 0, 0, 0)
        input_row.addWidget(QLabel("Text:"))
        input_row.addWidget(self.text_edit, 1)
        input_row.addWidget(self.predict_button)
        input_row.addWidget(self.text_file_button)

        # Feature table
        self.feature_edits: dict[str, QLineEdit] = {}
        self.feature_form_holder = QWidget()
        self.feature_form = QFormLayout(self.feature_form_holder)
        self.feature_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.feature_scroll = QScrollArea()
        self.feature_scroll.setWidgetResizable(True)
        self.feature_scroll.setWidget(self.feature_form_holder)
        self.feature_scroll.setMaximumHeight(260)
        self.row_button = QPushButton("Predict")
        self.row_button.clicked.connect(self._on_predict_row)
        self.file_button = QPushButton("Predict a CSV file…")
        self.file_button.setToolTip("Every row of a file with the training columns.")
        self.file_button.clicked.connect(self._on_predict_file)
        table_buttons = QHBoxLayout()
        table_buttons.addWidget(self.row_button)
        table_buttons.addWidget(self.file_button)
        table_buttons.addStretch(1)
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(QLabel("Features of one example (prefilled from the first row):"))
        table_layout.addWidget(self.feature_scroll)
        table_layout.addLayout(table_buttons)

        # Images
        self.images_button = QPushButton("Choose image(s)…")
        self.images_button.clicked.connect(self._on_choose_images)
        self.image_model = ImageListModel(self)
        self.image_view = QListView()
        self.image_view.setModel(self.image_model)
        self.image_view.setViewMode(QListView.ViewMode.IconMode)
        thumb = ImageListModel.THUMB
        self.image_view.setIconSize(QSize(thumb, thumb))
        self.image_view.setGridSize(QSize(thumb + 60, thumb + 34))
        self.image_view.setUniformItemSizes(True)
        self.image_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.image_view.setMovement(QListView.Movement.Static)
        self.image_view.setMaximumHeight(2 * (thumb + 34) + 8)
        self.image_view.clicked.connect(self._on_image_clicked)
        images_page = QWidget()
        images_layout = QVBoxLayout(images_page)
        images_layout.setContentsMargins(0, 0, 0, 0)
        images_row = QHBoxLayout()
        images_row.addWidget(self.images_button)
        images_row.addWidget(QLabel("Click an image to see its probabilities."))
        images_row.addStretch(1)
        images_layout.addLayout(images_row)
        images_layout.addWidget(self.image_view)

        # Arrays
        self.index_spin = QSpinBox()
        self.index_spin.setRange(0, 0)
        self.index_spin.setToolTip("Which sample of the loaded x to predict.")
        self.index_button = QPushButton("Predict")
        self.index_button.clicked.connect(self._on_predict_index)
        self.index_truth = QLabel()
        arrays_page = QWidget()
        arrays_row = QHBoxLayout(arrays_page)
        arrays_row.setContentsMargins(0, 0, 0, 0)
        arrays_row.addWidget(QLabel("Sample (row of x):"))
        arrays_row.addWidget(self.index_spin)
        arrays_row.addWidget(self.index_button)
        arrays_row.addWidget(self.index_truth, 1)

        # Audio
        self.audio_page = AudioInputs()
        self.audio_page.sig_files.connect(self.sig_predict_audio)
        self.audio_page.sig_folder.connect(self.sig_predict_audio_folder)
        self.audio_result = AudioResult()  # beside the probabilities
        self.audio_result.hide()

        self.pages = QStackedWidget()
        for page in (text_page, table_page, images_page, arrays_page, self.audio_page):
            self.pages.addWidget(page)
        self.pages.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        # Result
        self.label_title = QLabel("Predicted label")
        self.label_value = QLabel("—")
        self.label_value.setObjectName("predictedLabel")
        font = self.label_value.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        self.label_value.setFont(font)
        self.label_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confidence_label = QLabel()
        self.text_echo = QLabel()
        self.text_echo.setWordWrap(True)
        self.text_echo.setStyleSheet("color: #555555;")

        self.probability_model = ProbabilityModel(self)
        self.probability_view = QTableView()
        self.probability_view.setModel(self.probability_model)
        self.probability_view.setItemDelegateForColumn(1, BarDelegate(self.probability_view))
        self.probability_view.verticalHeader().hide()
        self.probability_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.probability_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 280)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.probability_title = QLabel("Probability of every class:")

        # A file's answers: one table for every kind; the progress bar while they come.
        self.batch_progress = BatchProgress()
        self.batch_progress.sig_cancel.connect(self.sig_cancel_file)
        self.results_panel = ResultsPanel()
        self.results_panel.sig_save.connect(self.sig_save_predictions)
        self.results_panel.sig_row_chosen.connect(self._on_result_chosen)
        self.results_panel.sig_index_chosen.connect(self._on_result_index)
        self.results_model = self.results_panel.model
        self.results_view = self.results_panel.table

        result_box = QGroupBox("Result")
        result_layout = self._result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.label_title)
        result_layout.addWidget(self.label_value)
        result_layout.addWidget(self.confidence_label)
        result_layout.addWidget(self.text_echo)
        probabilities = QVBoxLayout()
        probabilities.addWidget(self.probability_title)
        probabilities.addWidget(self.probability_view, 1)
        self._detail = QHBoxLayout()  # the probabilities; an audio file drawn beside them
        self._detail.addLayout(probabilities, 2)
        self._detail.addWidget(self.audio_result, 3)
        result_layout.addLayout(self._detail, 1)
        result_layout.addWidget(self.results_panel, 2)
        self._filler = QWidget()  # takes the space when no table is shown (regression)
        result_layout.addWidget(self._filler, 1)
        self._filler.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.batch_progress)
        layout.addWidget(self.availability_label)
        layout.addWidget(self.pages)
        layout.addWidget(result_box, 1)
        self._image_results: Any = None
        self.set_available(False, "Train a model first (Train tab); then try it here.")

    # -- setup ---------------------------------------------------------------------------

    def set_dataset(self, dataset: Any) -> None:
        """Show the inputs that fit this data's kind."""
        self.dataset = dataset
        kind = dataset.kind
        self.pages.setCurrentIndex(_PAGES.get(kind, TEXT_PAGE))
        self.audio_result.setVisible(kind == "audio")
        self._result_layout.setStretchFactor(self._detail, 3 if kind == "audio" else 1)
        if kind == "tabular":
            self._build_feature_form(dataset)
        elif kind == "npz":
            self.index_spin.setRange(0, max(len(dataset.x) - 1, 0))
            self._show_truth()
        self.label_title.setText(
            "Predicted value" if dataset.task == "regression" else "Predicted label"
        )
        # The stack is as tall as its tallest page; keep just the current page's height.
        page = self.pages.currentWidget()
        page.adjustSize()
        self.pages.setFixedHeight(max(page.sizeHint().height(), 28))

    def _build_feature_form(self, table: Any) -> None:
        while self.feature_form.rowCount():
            self.feature_form.removeRow(0)
        self.feature_edits = {}
        first = table.frame.iloc[0] if len(table.frame) else None
        for column in table.features:
            edit = QLineEdit()
            edit.setObjectName(f"feature_{column}")
            kind = table.feature_types[column]
            if first is not None and first[column] == first[column]:  # not NaN
                edit.setText(_plain(first[column]))
            edit.setPlaceholderText("a number" if kind == "numeric" else "a category")
            edit.setToolTip(f"{column} ({kind}); leave empty for a missing value.")
            edit.returnPressed.connect(self._on_predict_row)
            self.feature_edits[column] = edit
            self.feature_form.addRow(f"{column}:", edit)
        # As tall as the fields, up to about ten of them; more scroll.
        wanted = self.feature_form_holder.sizeHint().height() + 2 * self.feature_scroll.frameWidth()
        self.feature_scroll.setFixedHeight(min(wanted, 300))

    def set_source(self, text: str, tooltip: str = "") -> None:
        """Say at the top which model answers, e.g. "Model: run 3 (trained on imdb.csv,
        2026-12-03 14:05)" or "Model: the model just trained (run 4)"; ``tooltip`` can add
        details (the model file's path). An empty ``text`` hides the line."""
        self.source_label.setText(text)
        self.source_label.setToolTip(tooltip if text else "")
        self.source_label.setVisible(bool(text))

    def source(self) -> str:
        """The model line shown at the top ('' when hidden)."""
        return self.source_label.text() if not self.source_label.isHidden() else ""

    def set_available(self, available: bool, reason: str = "") -> None:
        """Enable the inputs once a trained model exists (and not while one trains)."""
        for widget in (
            self.text_edit,
            self.predict_button,
            self.text_file_button,
            self.row_button,
            self.file_button,
            self.images_button,
            self.index_button,
            self.index_spin,
        ):
            widget.setEnabled(available)
        self.audio_page.set_available(available)
        for edit in self.feature_edits.values():
            edit.setEnabled(available)
        self.availability_label.setText(reason)
        self.availability_label.setVisible(bool(reason))

    # -- results -------------------------------------------------------------------------

    def clear_result(self) -> None:
        """Forget the last answer (it was about other data or another model)."""
        self.banner.clear()
        self.results_panel.clear()
        self.label_value.setText("—")  # as before the first answer
        self.confidence_label.clear()
        self.text_echo.clear()
        self.probability_model.set_probabilities({}, "")
        self.image_model.set_images([], [])
        self._image_results = None
        self.audio_result.clear()

    def show_prediction(self, prediction: Prediction, text: str = "") -> None:
        """Show the label (or value) big and every class probability below it."""
        self.banner.clear()
        regression = prediction.value is not None
        self.label_value.setText(f"{prediction.value:.4g}" if regression else prediction.label)
        if regression:
            target = getattr(self.dataset, "label_column", "") or "the target"
            self.confidence_label.setText(f"Predicted {target}")
        else:
            self.confidence_label.setText(f"Confidence {prediction.confidence:.1%}")
        self.text_echo.setTextFormat(Qt.TextFormat.PlainText)
        self.text_echo.setToolTip("")
        self.text_echo.setText(f"for: “{text}”" if text else "")
        self.probability_model.set_probabilities(prediction.probabilities, prediction.label)
        self.probability_title.setVisible(not regression)
        self.probability_view.setVisible(not regression)
        self._filler.setVisible(regression and self.results_panel.isHidden())

    def show_explanation(self, text: str, weights: list[Any], label: str) -> None:
        """The typed text again, its words coloured by how they moved the answer."""
        from workbench.ui.highlight import LEGEND, highlighted_html

        self.text_echo.setTextFormat(Qt.TextFormat.RichText)
        self.text_echo.setText(f"for: “{highlighted_html(text, weights, label)}”")
        self.text_echo.setToolTip(LEGEND)

    def show_results(self, results: Any) -> None:
        """A file's (or many images') answers: all in the table, the first one big above it.

        ``results`` is a :class:`~workbench.ui.predict.batch.PredictionResults`; images also
        show as thumbnails with their label under each.
        """
        self.results_panel.set_results(results)
        self._filler.hide()
        first = results.prediction(0)
        if results.what == "images":
            self._image_results = results
            paths = [str(p) for p in results.inputs[0]]
            captions = [
                f"{results.label_text(i)}"
                + ("" if results.regression else f" ({results.confidence(i):.0%})")
                for i in range(len(results))
            ]
            self.image_model.set_images(paths, captions)
        self.show_prediction(first, results.where(0))
        if results.what == "audio":
            self.audio_result.show_skipped(results.skipped_files)
            self.show_clip(str(results.inputs[0][0]))

    def results(self) -> Any:
        """The file's answers shown in the table (None when none)."""
        return self.results_panel.results

    def show_error(self, message: str) -> None:
        """A prediction failed: say why in place."""
        self.banner.show_message(message, "error")

    # -- person's actions ----------------------------------------------------------------

    @Slot()
    def _on_predict(self) -> None:
        text = self.text_edit.text().strip()
        if not text:
            self.banner.show_message("Type a text first.", "info")
            return
        if self.predict_button.isEnabled():
            self.sig_predict.emit(text)

    def feature_row(self) -> dict[str, Any] | None:
        """The form's values, numbers parsed; None (with a message) when one is not a number."""
        table = self.dataset
        row: dict[str, Any] = {}
        for column, edit in self.feature_edits.items():
            text = edit.text().strip()
            if table.feature_types.get(column) == "numeric":
                if not text:
                    row[column] = float("nan")
                    continue
                try:
                    row[column] = float(text)
                except ValueError:
                    self.banner.show_message(f"{column!r} needs a number (got {text!r}).", "error")
                    edit.setFocus()
                    return None
            else:
                row[column] = text if text else None
        return row

    @Slot()
    def _on_predict_row(self) -> None:
        if not self.row_button.isEnabled() or self.dataset is None:
            return
        row = self.feature_row()
        if row is not None:
            self.banner.clear()
            self.sig_predict_row.emit(row)

    @Slot()
    def _on_predict_file(self) -> None:
        path = open_file(self, "Predict a file", TABLE_FILTER)
        if path:
            self.sig_predict_file.emit(path)

    @Slot()
    def _on_predict_text_file(self) -> None:
        path = open_file(self, "Predict a file of texts", TEXTS_FILTER)
        if path:
            self.sig_predict_file.emit(path)

    @Slot(object, str)
    def _on_result_chosen(self, prediction: Prediction, echo: str) -> None:
        self.show_prediction(prediction, echo)

    @Slot(int)
    def _on_result_index(self, i: int) -> None:
        results = self.results()
        if results is not None and results.what == "audio":
            self.show_clip(str(results.inputs[0][i]))

    def show_clip(self, path: str) -> None:
        """Draw an audio file beside its answer (asks for it to be decoded)."""
        self.audio_result.show_loading(path)
        self.sig_clip_requested.emit(path)

    @Slot()
    def _on_choose_images(self) -> None:
        paths = open_files(self, "Choose images", IMAGE_FILTER)
        if paths:
            self.sig_predict_images.emit(list(paths))

    @Slot()
    def _on_image_clicked(self, index: Any) -> None:
        row, results = index.row(), self._image_results
        if results is not None and 0 <= row < len(results):
            self.show_prediction(results.prediction(row), results.where(row))

    @Slot()
    def _on_predict_index(self) -> None:
        if self.index_button.isEnabled():
            self._show_truth()
            self.sig_predict_index.emit(self.index_spin.value())

    def _show_truth(self) -> None:
        data = self.dataset
        if data is None or data.kind != "npz":
            return
        i = self.index_spin.value()
        if 0 <= i < len(data.y):
            value = data.y[i]
            self.index_truth.setText(f"Its {data.y_name!r} in the file: {_plain(value)}")


def _plain(value: Any) -> str:
    """A cell as a person would type it (3.0 -> '3', numpy scalars as Python)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
