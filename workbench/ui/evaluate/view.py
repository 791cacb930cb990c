"""The Evaluate tab: how good the current model is on rows it did not learn from.

A header names the model and the data the results belong to; a source choice picks the
held-out test split (the default), the validation split or another file. Classification
shows the accuracy against the baselines, a confusion matrix whose cells list their samples
(with the words that drove each answer highlighted, or an image's saliency), per-class
scores, ROC / precision-recall curves and a reliability diagram; two classes get a live
decision threshold. Regression shows MAE, RMSE and R², predicted against actual, the
residuals and the worst errors. Tables get permutation feature importance.

The view only shows and asks: the controller (``controller.py``) runs the work. Plots are
built the first time their page is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.evaluate.confusion_model import (
    COUNTS,
    ROW_SHARE,
    ClassScoresModel,
    ConfusionModel,
)
from workbench.ui.evaluate.delegates import HtmlDelegate
from workbench.ui.evaluate.samples import PositionRole, SamplesModel
from workbench.ui.evaluate.tables import FeatureImportanceModel, WorstErrorsModel
from workbench.ui.widgets import BarDelegate, MessageBanner

EMPTY_PAGE, CLASSIFICATION_PAGE, REGRESSION_PAGE = range(3)
SOURCES = (("Test split", "test"), ("Validation split", "validation"), ("Another file…", "file"))
SALIENCY_SIZE = 192


def _table(model: Any, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(24)
    # Fixed row heights, and columns sized from the first rows only: a cell of 40,000
    # samples must not have every row measured when it is listed.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setResizeContentsPrecision(64)
    return view


def _big(label: QLabel, scale: float = 1.8) -> QLabel:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def _wrapping() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class EvaluateView(QWidget):
    """Shows an evaluation; asks the controller for work through its signals."""

    #: Evaluate was clicked.
    sig_evaluate = Signal()
    #: Another source was chosen: ("test", "validation" or "file").
    sig_source_changed = Signal(str)
    #: Cancel was clicked.
    sig_cancel = Signal()
    #: A confusion-matrix cell was selected: (true class, predicted class).
    sig_cell_selected = Signal(int, int)
    #: "Most confident mistakes" was clicked.
    sig_mistakes = Signal()
    #: "Export samples…" was clicked.
    sig_export_samples = Signal()
    #: The threshold slider moved: (threshold 0..1).
    sig_threshold = Signal(float)
    #: "Save threshold to model" was clicked.
    sig_save_threshold = Signal()
    #: A listed sample was selected: (position in the evaluation).
    sig_sample_selected = Signal(int)
    #: The feature-importance page was shown for the first time since the last results.
    sig_importance_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header_label = QLabel()
        self.header_label.setObjectName("evaluateHeader")
        self.header_label.setWordWrap(True)
        self.header_label.setTextFormat(Qt.TextFormat.PlainText)
        self.header_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.header_label.font()
        font.setBold(True)
        self.header_label.setFont(font)
        self.banner = MessageBanner()
        self.note_banner = MessageBanner()

        self.source_combo = QComboBox()
        for text, key in SOURCES:
            self.source_combo.addItem(text, key)
        self.source_combo.setToolTip(
            "Which rows to score: the test split the model never saw (default), the "
            "validation split, or every row of another file."
        )
        self.source_combo.activated.connect(self._on_source_activated)
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.clicked.connect(self.sig_evaluate)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.sig_cancel)
        self.busy_label = QLabel()
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Evaluate on:"))
        controls.addWidget(self.source_combo)
        controls.addWidget(self.evaluate_button)
        controls.addWidget(self.progress)
        controls.addWidget(self.cancel_button)
        controls.addWidget(self.busy_label, 1)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #5f6368; font-size: 13pt;")

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self._build_classification())
        self.pages.addWidget(self._build_regression())

        layout = QVBoxLayout(self)
        layout.addWidget(self.header_label)
        layout.addWidget(self.banner)
        layout.addLayout(controls)
        layout.addWidget(self.note_banner)
        layout.addWidget(self.pages, 1)
        self.curves: Any = None  # plots.CurvesPanel, built on first show
        self.regression_plots: Any = None  # plots.RegressionPlots, built on first show
        self._classification: Any = None
        self._regression: Any = None
        self._importance_asked = False
        self.set_busy(None)
        self.show_empty("")

    # -- construction --------------------------------------------------------------------

    def _build_classification(self) -> QWidget:
        page = QWidget()
        self.accuracy_label = _big(QLabel("—"))
        self.accuracy_label.setObjectName("evaluateAccuracy")
        self.metrics_label = _wrapping()
        self.metrics_label.setStyleSheet("color: #5f6368;")
        self.baseline_label = _wrapping()
        self.baseline_label.setObjectName("evaluateBaseline")
        summary = QVBoxLayout()
        summary.addWidget(self.accuracy_label)
        summary.addWidget(self.baseline_label)
        summary.addWidget(self.metrics_label)

        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(0, 100)
        self.threshold_slider.setSingleStep(1)
        self.threshold_slider.setPageStep(5)
        self.threshold_slider.setValue(50)
        self.threshold_slider.setMinimumWidth(220)
        self.threshold_slider.valueChanged.connect(self._on_slider)
        self.threshold_title = QLabel("Threshold:")
        self.threshold_value = QLabel("0.50")
        self.threshold_value.setMinimumWidth(36)
        self.save_threshold_button = QPushButton("Save threshold to model")
        self.save_threshold_button.clicked.connect(self.sig_save_threshold)
        self.threshold_note = _wrapping()
        self.threshold_note.setStyleSheet("color: #5f6368;")
        self.threshold_box = QWidget()
        threshold_row = QHBoxLayout()
        threshold_row.setContentsMargins(0, 0, 0, 0)
        threshold_row.addWidget(self.threshold_title)
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_value)
        threshold_row.addWidget(self.save_threshold_button)
        threshold_layout = QVBoxLayout(self.threshold_box)
        threshold_layout.setContentsMargins(0, 0, 0, 0)
        threshold_layout.addLayout(threshold_row)
        threshold_layout.addWidget(self.threshold_note)

        # Confusion matrix (left) and the selected cell's samples (right).
        self.confusion_model = ConfusionModel(self)
        self.matrix_view = _table(self.confusion_model, page)
        self.matrix_view.setObjectName("confusionMatrix")
        self.matrix_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.matrix_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix_view.selectionModel().selectionChanged.connect(self._on_cell_selection)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("Counts", COUNTS)
        self.mode_combo.addItem("Row %", ROW_SHARE)
        self.mode_combo.currentIndexChanged.connect(
            lambda _i: self.confusion_model.set_mode(self.mode_combo.currentData())
        )
        matrix_box = QWidget()
        matrix_layout = QVBoxLayout(matrix_box)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        mode_row = QHBoxLayout()
        mode_row.addWidget(QLabel("Rows: true class · columns: predicted class"))
        mode_row.addStretch(1)
        mode_row.addWidget(self.mode_combo)
        matrix_layout.addLayout(mode_row)
        matrix_layout.addWidget(self.matrix_view, 1)

        self.samples_model = SamplesModel(self)
        self.samples_view = _table(self.samples_model, page)
        self.samples_view.setObjectName("evaluateSamples")
        self.samples_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.samples_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.samples_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.samples_view.setItemDelegateForColumn(SamplesModel.INPUT, HtmlDelegate(self))
        self.samples_view.verticalHeader().hide()
        header = self.samples_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SamplesModel.INPUT, QHeaderView.ResizeMode.Stretch)
        self.samples_view.selectionModel().currentRowChanged.connect(self._on_sample_row)
        self.samples_title = QLabel("Click a cell of the matrix to list its samples.")
        self.samples_title.setWordWrap(True)
        self.mistakes_button = QPushButton("Most confident mistakes")
        self.mistakes_button.setToolTip("Every wrong answer, the most confident first.")
        self.mistakes_button.clicked.connect(self._on_mistakes)
        self.export_button = QPushButton("Export samples…")
        self.export_button.setToolTip("Write the listed samples to a CSV file.")
        self.export_button.clicked.connect(self.sig_export_samples)
        self.detail_label = _wrapping()
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.detail_label.setObjectName("sampleDetail")
        self.detail_label.setMaximumHeight(160)
        self.saliency_label = QLabel()
        self.saliency_label.setFixedSize(SALIENCY_SIZE, SALIENCY_SIZE)
        self.saliency_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.saliency_label.hide()
        samples_box = QWidget()
        samples_layout = QVBoxLayout(samples_box)
        samples_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.samples_title, 1)
        buttons.addWidget(self.mistakes_button)
        buttons.addWidget(self.export_button)
        samples_layout.addLayout(buttons)
        samples_layout.addWidget(self.samples_view, 1)
        detail_row = QHBoxLayout()
        detail_row.addWidget(self.detail_label, 1)
        detail_row.addWidget(self.saliency_label)
        samples_layout.addLayout(detail_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(matrix_box)
        splitter.addWidget(samples_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)

        self.scores_model = ClassScoresModel(self)
        self.scores_view = _table(self.scores_model, page)
        self.scores_view.verticalHeader().hide()
        for column in (1, 2, 3):
            self.scores_view.setItemDelegateForColumn(column, BarDelegate(self.scores_view))
        self.scores_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.curves_holder = QWidget()
        QVBoxLayout(self.curves_holder).setContentsMargins(0, 0, 0, 0)
        self.importance_model = FeatureImportanceModel(self)
        self.importance_page, self.importance_note = self._importance_page(page)

        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.sections.addTab(splitter, "Confusion matrix")
        self.sections.addTab(self.scores_view, "Per class")
        self.curves_index = self.sections.addTab(self.curves_holder, "Curves")
        self.importance_index = self.sections.addTab(self.importance_page, "Feature importance")
        self.sections.currentChanged.connect(self._on_section)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(summary)
        layout.addWidget(self.threshold_box)
        layout.addWidget(self.sections, 1)
        return page

    def _importance_page(self, parent: QWidget) -> tuple[QWidget, QLabel]:
        view = _table(self.importance_model, parent)
        view.verticalHeader().hide()
        view.setItemDelegateForColumn(1, BarDelegate(view))
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        note = _wrapping()
        note.setText(
            "Permutation importance: how much accuracy (or R²) drops when one column's values "
            "are shuffled among the evaluated rows."
        )
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(note)
        layout.addWidget(view, 1)
        return page, note

    def _build_regression(self) -> QWidget:
        page = QWidget()
        self.regression_label = _big(QLabel("—"), 1.5)
        self.regression_label.setObjectName("evaluateRegression")
        self.regression_baseline_label = _wrapping()
        self.worst_model = WorstErrorsModel(self)
        self.worst_view = _table(self.worst_model, page)
        self.worst_view.verticalHeader().hide()
        header = self.worst_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.regression_plots_holder = QWidget()
        QVBoxLayout(self.regression_plots_holder).setContentsMargins(0, 0, 0, 0)
        self.regression_importance_page, self.regression_importance_note = self._importance_page(
            page
        )
        self.regression_sections = QTabWidget()
        self.regression_sections.setDocumentMode(True)
        self.regression_sections.addTab(self.regression_plots_holder, "Plots")
        self.regression_sections.addTab(self.worst_view, "Worst errors")
        self.regression_importance_index = self.regression_sections.addTab(
            self.regression_importance_page, "Feature importance"
        )
        self.regression_sections.currentChanged.connect(self._on_regression_section)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.regression_label)
        layout.addWidget(self.regression_baseline_label)
        layout.addWidget(self.regression_sections, 1)
        return page

    # -- state ---------------------------------------------------------------------------

    def set_header(self, text: str) -> None:
        """Which model and data the shown results (or the next evaluation) are about."""
        self.header_label.setText(text)

    def source(self) -> str:
        """The chosen source: 'test', 'validation', 'file' or 'loaded'."""
        return str(self.source_combo.currentData())

    def set_source(self, key: str, file_name: str = "") -> None:
        """Select a source; 'loaded' shows the loaded file's name as its own entry."""
        loaded = self.source_combo.findData("loaded")
        if key == "loaded":
            text = f"File: {file_name}"
            if loaded < 0:
                self.source_combo.addItem(text, "loaded")
            else:
                self.source_combo.setItemText(loaded, text)
        elif loaded >= 0 and key != "loaded":
            self.source_combo.removeItem(loaded)
        self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(key)))

    def set_available(self, available: bool, reason: str = "") -> None:
        """Evaluate on only with a model and data (and no run training)."""
        self.evaluate_button.setEnabled(available)
        self.source_combo.setEnabled(available)
        if not available and self.pages.currentIndex() == EMPTY_PAGE:
            self.show_empty(reason)

    def set_busy(self, text: str | None, progress: float | None = None) -> None:
        """Work under way ('Evaluating…') with its progress, or idle (None)."""
        busy = text is not None
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.busy_label.setText(text or "")
        if progress is None:
            self.progress.setRange(0, 0 if busy else 1000)  # 0..0: an indefinite bar
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(1000 * min(max(progress, 0.0), 1.0)))

    def show_empty(self, text: str) -> None:
        """No results: say what to do."""
        self.pages.setCurrentIndex(EMPTY_PAGE)
        self.empty_label.setText(text or "Click Evaluate to score the model on held-out rows.")

    def clear(self, message: str = "") -> None:
        """Forget the results (other data or another model)."""
        self._classification = self._regression = None
        self._importance_asked = False
        self.note_banner.clear()
        self.banner.clear()
        self.confusion_model.set_evaluation(None)
        self.scores_model.set_evaluation(None)
        self.samples_model.clear()
        self.importance_model.set_importance({})
        self.worst_model.set_evaluation(None)
        self.baseline_label.clear()
        self.regression_baseline_label.clear()
        self.detail_label.clear()
        self.saliency_label.clear()
        self.saliency_label.hide()
        self.samples_title.setText("Click a cell of the matrix to list its samples.")
        if self.curves is not None:
            self.curves.clear()
        if self.regression_plots is not None:
            self.regression_plots.clear()
        self.show_empty(message)

    def show_note(self, text: str) -> None:
        """A caveat about the shown rows (e.g. validation rows standing in for a test split)."""
        if text:
            self.note_banner.show_message(text, "warning")
        else:
            self.note_banner.clear()

    def show_error(self, text: str) -> None:
        """A failure, in words."""
        self.banner.show_message(text, "error")

    # -- classification ------------------------------------------------------------------

    def show_classification(self, evaluation: Any, table_data: bool) -> None:
        """A classifier's results (the threshold slider shows for two classes)."""
        self._classification = evaluation
        self._importance_asked = False
        self.pages.setCurrentIndex(CLASSIFICATION_PAGE)
        two = len(evaluation.class_names) == 2
        self.threshold_box.setVisible(two)
        if two:
            self.threshold_title.setText(f"Threshold for {evaluation.class_names[1]}:")
            self.threshold_slider.blockSignals(True)
            self.threshold_slider.setValue(round(float(evaluation.threshold) * 100))
            self.threshold_slider.blockSignals(False)
            self.threshold_value.setText(f"{evaluation.threshold:.2f}")
        self.sections.setTabVisible(self.importance_index, table_data)
        self.importance_model.set_importance({})
        self.update_classification(evaluation)
        parts = []
        for name, value in (
            ("ROC AUC", evaluation.roc_auc()),
            ("average precision", evaluation.average_precision()),
            ("log loss", evaluation.log_loss()),
            ("ECE", evaluation.ece()),
        ):
            if value is not None:
                parts.append(f"{name} {value:.3f}")
        self.metrics_label.setText(" · ".join(parts))
        if self.curves is not None:
            self.curves.set_evaluation(evaluation)
        self._on_section(self.sections.currentIndex())

    def update_classification(self, evaluation: Any) -> None:
        """What follows the threshold: accuracy, matrix, per-class scores, samples."""
        self._classification = evaluation
        self.accuracy_label.setText(f"Accuracy {evaluation.accuracy:.1%}")
        self.accuracy_label.setToolTip(f"{evaluation.size:,} rows")
        self.confusion_model.set_evaluation(evaluation)
        self.scores_model.set_evaluation(evaluation)
        self.matrix_view.resizeRowsToContents()

    def set_threshold_value(self, threshold: float) -> None:
        """Show ``threshold`` next to the slider."""
        self.threshold_value.setText(f"{threshold:.2f}")

    def set_baseline_text(self, text: str) -> None:
        """The verdict against the baselines ('fitting baselines…' meanwhile)."""
        self.baseline_label.setText(text)
        self.regression_baseline_label.setText(text)

    def select_cell(self, true_class: int, predicted_class: int) -> None:
        """Select a matrix cell as a click would."""
        self.matrix_view.setCurrentIndex(self.confusion_model.index(true_class, predicted_class))

    def selected_cell(self) -> tuple[int, int] | None:
        """The selected matrix cell, if any."""
        rows = self.matrix_view.selectionModel().selectedIndexes()
        return (rows[0].row(), rows[0].column()) if rows else None

    def show_samples(self, title: str) -> None:
        """Say what the samples table lists (the model was filled by the controller)."""
        self.samples_title.setText(title)
        self.detail_label.clear()
        self.saliency_label.hide()

    def show_detail(self, html: str) -> None:
        """The selected sample in full (rich text)."""
        self.detail_label.setText(html)

    def show_saliency(self, path: str, heat: Any) -> None:
        """An image with a red overlay where the pixels drove the answer (``heat`` 0..1)."""
        import numpy as np

        base = QPixmap(path)
        if base.isNull():
            self.saliency_label.hide()
            return
        size = SALIENCY_SIZE
        base = base.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        heat = np.clip(np.asarray(heat, dtype=np.float32), 0.0, 1.0)
        h, w = heat.shape[:2]
        rgba = np.zeros((h, w, 4), dtype=np.uint8)
        rgba[..., 0] = 230
        rgba[..., 3] = (heat * 170).astype(np.uint8)
        overlay = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        overlay = overlay.scaled(
            base.size(), transformMode=Qt.TransformationMode.SmoothTransformation
        )
        painter = QPainter(base)
        painter.drawImage(0, 0, overlay)
        painter.end()
        self.saliency_label.setPixmap(base)
        self.saliency_label.setToolTip("Red: the pixels that moved the answer most.")
        self.saliency_label.show()

    # -- regression ----------------------------------------------------------------------

    def show_regression(self, evaluation: Any, inputs: Any, table_data: bool) -> None:
        """A regressor's results."""
        self._regression = evaluation
        self._importance_asked = False
        self.pages.setCurrentIndex(REGRESSION_PAGE)
        r2 = "—" if evaluation.r2 is None else f"{evaluation.r2:.3f}"
        self.regression_label.setText(
            f"MAE {evaluation.mae:.4g} · RMSE {evaluation.rmse:.4g} · R² {r2}"
        )
        self.regression_label.setToolTip(f"{evaluation.size:,} rows")
        self.worst_model.set_evaluation(evaluation, inputs)
        self.regression_sections.setTabVisible(self.regression_importance_index, table_data)
        self.importance_model.set_importance({})
        if self.regression_plots is not None:
            self.regression_plots.set_evaluation(evaluation)
        self._on_regression_section(self.regression_sections.currentIndex())

    # -- lazily built pages --------------------------------------------------------------

    def ensure_curves(self) -> Any:
        """Build the ROC / PR / reliability plots (first call only)."""
        if self.curves is None:
            from workbench.ui.evaluate.plots import CurvesPanel

            self.curves = CurvesPanel()
            self.curves_holder.layout().addWidget(self.curves)
            if self._classification is not None:
                self.curves.set_evaluation(self._classification)
        return self.curves

    def ensure_regression_plots(self) -> Any:
        """Build the scatter and histogram (first call only)."""
        if self.regression_plots is None:
            from workbench.ui.evaluate.plots import RegressionPlots

            self.regression_plots = RegressionPlots()
            self.regression_plots_holder.layout().addWidget(self.regression_plots)
            if self._regression is not None:
                self.regression_plots.set_evaluation(self._regression)
        return self.regression_plots

    @Slot(int)
    def _on_section(self, index: int) -> None:
        if self.pages.currentIndex() != CLASSIFICATION_PAGE:
            return
        if index == self.curves_index:
            self.ensure_curves()
        elif index == self.importance_index:
            self._want_importance()

    @Slot(int)
    def _on_regression_section(self, index: int) -> None:
        if self.pages.currentIndex() != REGRESSION_PAGE:
            return
        if index == 0:
            self.ensure_regression_plots()
        elif index == self.regression_importance_index:
            self._want_importance()

    def _want_importance(self) -> None:
        if not self._importance_asked:
            self._importance_asked = True
            self.sig_importance_wanted.emit()

    def set_importance_note(self, text: str) -> None:
        """'Computing…', or what the numbers mean."""
        self.importance_note.setText(text)
        self.regression_importance_note.setText(text)

    # -- person's actions ----------------------------------------------------------------

    @Slot(int)
    def _on_source_activated(self, _index: int) -> None:
        self.sig_source_changed.emit(self.source())

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        threshold = value / 100
        self.threshold_value.setText(f"{threshold:.2f}")
        self.sig_threshold.emit(threshold)

    @Slot(QItemSelection, QItemSelection)
    def _on_cell_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.sig_cell_selected.emit(indexes[0].row(), indexes[0].column())

    @Slot()
    def _on_mistakes(self) -> None:
        self.matrix_view.selectionModel().clearSelection()
        self.sig_mistakes.emit()

    def _on_sample_row(self, current: Any, _previous: Any) -> None:
        if current.isValid():
            self.sig_sample_selected.emit(int(current.data(PositionRole)))
