"""The Predict tab: type a text, get the label and every class probability."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.summary import Prediction
from workbench.ui.qt_models import ProbabilityModel
from workbench.ui.widgets import BarDelegate, MessageBanner


class PredictView(QWidget):
    """Asks for a prediction of one text; disabled until a model has been trained."""

    #: Predict was clicked or Enter pressed: (text).
    sig_predict = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = MessageBanner()
        self.availability_label = QLabel("Train a model first (Train tab); then try it here.")
        self.availability_label.setWordWrap(True)
        self.availability_label.setStyleSheet("color: #7a5a00;")

        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Type a text to classify and press Enter")
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.returnPressed.connect(self._on_predict)
        self.predict_button = QPushButton("Predict")
        self.predict_button.clicked.connect(self._on_predict)
        input_row = QHBoxLayout()
        input_row.addWidget(QLabel("Text:"))
        input_row.addWidget(self.text_edit, 1)
        input_row.addWidget(self.predict_button)

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

        result_box = QGroupBox("Result")
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.label_title)
        result_layout.addWidget(self.label_value)
        result_layout.addWidget(self.confidence_label)
        result_layout.addWidget(self.text_echo)
        result_layout.addWidget(QLabel("Probability of every class:"))
        result_layout.addWidget(self.probability_view, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.availability_label)
        layout.addLayout(input_row)
        layout.addWidget(result_box, 1)
        self.set_available(False, "Train a model first (Train tab); then try it here.")

    def set_available(self, available: bool, reason: str = "") -> None:
        """Enable the input once a trained model exists (and not while one trains)."""
        self.text_edit.setEnabled(available)
        self.predict_button.setEnabled(available)
        self.availability_label.setText(reason)
        self.availability_label.setVisible(bool(reason))

    def show_prediction(self, prediction: Prediction, text: str = "") -> None:
        """Show the label big and every class probability below it."""
        self.banner.clear()
        self.label_value.setText(prediction.label)
        self.confidence_label.setText(f"Confidence {prediction.confidence:.1%}")
        self.text_echo.setText(f"for: “{text}”" if text else "")
        self.probability_model.set_probabilities(prediction.probabilities, prediction.label)

    def show_error(self, message: str) -> None:
        """A prediction failed: say why in place."""
        self.banner.show_message(message, "error")

    @Slot()
    def _on_predict(self) -> None:
        text = self.text_edit.text().strip()
        if not text:
            self.banner.show_message("Type a text first.", "info")
            return
        if self.predict_button.isEnabled():
            self.sig_predict.emit(text)
