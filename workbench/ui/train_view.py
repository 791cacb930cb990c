"""The Train tab: training settings, Train / Pause / Stop, progress and live curves."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.project import CLASS_WEIGHTS, OPTIMIZERS, SCHEDULES, TrainingConfig
from workbench.ui.plots import LivePlots
from workbench.ui.progress import ProgressSnapshot
from workbench.ui.widgets import MessageBanner

IDLE, TRAINING, PAUSED, STOPPING = "idle", "training", "paused", "stopping"


class TrainView(QWidget):
    """Edits a TrainingConfig and shows a run; the window decides what the buttons do."""

    #: Train was clicked.
    sig_train = Signal()
    #: Pause (True) or Resume (False) was clicked.
    sig_pause = Signal(bool)
    #: Stop was clicked.
    sig_stop = Signal()
    #: A training setting changed.
    sig_config_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._train_reason: str | None = "Load a dataset first."

        self.optimizer_combo = QComboBox()
        self.optimizer_combo.addItems(list(OPTIMIZERS))
        self.optimizer_combo.setToolTip("adam works for most problems.")
        self.learning_rate_spin = QDoubleSpinBox()
        self.learning_rate_spin.setDecimals(6)
        self.learning_rate_spin.setRange(0.0, 100.0)
        self.learning_rate_spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.learning_rate_spin.setToolTip("Step size of the optimizer; 0.001 suits adam.")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 100_000)
        self.epochs_spin.setToolTip("Passes over the training split.")
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1_000_000)
        self.batch_spin.setToolTip("Texts per gradient step.")
        self.validation_spin = _share_spin(
            0.95,
            "Share of the data held out to measure the model on samples it did not learn from.",
        )
        self.test_spin = _share_spin(
            0.9, "Share held out from training and validation, scored once at the end (0: none)."
        )
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Same seed, same split and same starting weights.")
        self.momentum_spin = _share_spin(
            0.99, "sgd only: keeps part of the last step (0.9 is common)."
        )
        self.schedule_combo = QComboBox()
        self.schedule_combo.addItems(list(SCHEDULES))
        self.schedule_combo.setToolTip(
            "How the learning rate changes: constant; cosine decay to zero over the run; "
            "step (halved every quarter); plateau (halved when val_loss stalls for 2 epochs)."
        )
        self.patience_spin = QSpinBox()
        self.patience_spin.setRange(0, 1000)
        self.patience_spin.setSpecialValueText("off")
        self.patience_spin.setToolTip(
            "Early stopping: end training after this many epochs without a better val_loss "
            "(the best epoch's weights are kept either way)."
        )
        self.class_weights_combo = QComboBox()
        self.class_weights_combo.addItems(list(CLASS_WEIGHTS))
        self.class_weights_combo.setToolTip(
            "balanced: errors on rare classes count more, so an imbalanced set is not "
            "learnt as 'always the common class'."
        )
        self.clip_spin = QDoubleSpinBox()
        self.clip_spin.setDecimals(2)
        self.clip_spin.setRange(0.0, 1000.0)
        self.clip_spin.setSpecialValueText("off")
        self.clip_spin.setToolTip("Clip each gradient to this norm; steadies recurrent models.")
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e;")
        self.problems_label.hide()

        settings = QGroupBox("Training settings")
        form = QFormLayout(settings)
        form.addRow("Optimizer:", self.optimizer_combo)
        form.addRow("Learning rate:", self.learning_rate_spin)
        form.addRow("Epochs:", self.epochs_spin)
        form.addRow("Batch size:", self.batch_spin)
        form.addRow("Validation fraction:", self.validation_spin)
        form.addRow("Test fraction:", self.test_spin)
        form.addRow("Seed:", self.seed_spin)
        form.addRow("Momentum (sgd):", self.momentum_spin)
        form.addRow("LR schedule:", self.schedule_combo)
        form.addRow("Early stopping:", self.patience_spin)
        form.addRow("Class weights:", self.class_weights_combo)
        form.addRow("Clip gradients:", self.clip_spin)
        form.addRow(self.problems_label)
        self.set_config(TrainingConfig())
        for spin in (self.momentum_spin, self.clip_spin, self.patience_spin):
            spin.valueChanged.connect(self._on_config_edited)
        self.schedule_combo.currentTextChanged.connect(self._on_config_edited)
        self.class_weights_combo.currentTextChanged.connect(self._on_config_edited)
        for spin in (self.learning_rate_spin, self.validation_spin, self.test_spin):
            spin.valueChanged.connect(self._on_config_edited)
        for spin in (self.epochs_spin, self.batch_spin, self.seed_spin):
            spin.valueChanged.connect(self._on_config_edited)
        self.optimizer_combo.currentTextChanged.connect(self._on_config_edited)

        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.train_button.clicked.connect(self.sig_train)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.stop_button.clicked.connect(self.sig_stop)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #7a5a00;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.stop_button)

        run_box = QGroupBox("Run")
        run_layout = QVBoxLayout(run_box)
        run_layout.addLayout(buttons)
        run_layout.addWidget(self.reason_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(settings)
        left_layout.addWidget(run_box)
        left_layout.addStretch(1)
        left.setFixedWidth(320)

        self.banner = MessageBanner()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(14)
        self.progress_label = QLabel("No training run yet.")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.result_label.font()
        font.setBold(True)
        self.result_label.setFont(font)
        self.plots = LivePlots()

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.banner)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label, 0)
        progress_row.addWidget(self.progress_bar, 1)
        right_layout.addLayout(progress_row)
        right_layout.addWidget(self.result_label)
        right_layout.addWidget(self.plots, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(left)
        layout.addWidget(right, 1)
        self._update_controls()

    # -- settings ------------------------------------------------------------------------

    def config(self) -> TrainingConfig:
        """The settings as a TrainingConfig."""
        return TrainingConfig(
            optimizer=self.optimizer_combo.currentText(),
            learning_rate=round(self.learning_rate_spin.value(), 8),
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            validation_fraction=round(self.validation_spin.value(), 4),
            seed=self.seed_spin.value(),
            test_fraction=round(self.test_spin.value(), 4),
            momentum=round(self.momentum_spin.value(), 4),
            schedule=self.schedule_combo.currentText(),
            early_stopping_patience=self.patience_spin.value(),
            class_weights=self.class_weights_combo.currentText(),
            clip_norm=round(self.clip_spin.value(), 4),
        )

    def set_config(self, config: TrainingConfig) -> None:
        """Show a TrainingConfig in the form."""
        widgets = (
            self.optimizer_combo,
            self.learning_rate_spin,
            self.epochs_spin,
            self.batch_spin,
            self.validation_spin,
            self.test_spin,
            self.seed_spin,
            self.momentum_spin,
            self.schedule_combo,
            self.patience_spin,
            self.class_weights_combo,
            self.clip_spin,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.optimizer_combo.setCurrentText(config.optimizer)
        self.learning_rate_spin.setValue(config.learning_rate)
        self.epochs_spin.setValue(config.epochs)
        self.batch_spin.setValue(config.batch_size)
        self.validation_spin.setValue(config.validation_fraction)
        self.test_spin.setValue(config.test_fraction)
        self.seed_spin.setValue(config.seed)
        self.momentum_spin.setValue(config.momentum)
        self.schedule_combo.setCurrentText(config.schedule)
        self.patience_spin.setValue(config.early_stopping_patience)
        self.class_weights_combo.setCurrentText(config.class_weights)
        self.clip_spin.setValue(config.clip_norm)
        self.momentum_spin.setEnabled(config.optimizer == "sgd")
        for widget in widgets:
            widget.blockSignals(False)
        self._show_problems()

    def config_problems(self) -> list[str]:
        """What TrainingConfig.problems() says about the form."""
        return self.config().problems()

    @Slot()
    def _on_config_edited(self, *_args: object) -> None:
        self._update_controls()  # momentum only applies to sgd
        self._show_problems()
        self.sig_config_changed.emit()

    def _show_problems(self) -> None:
        problems = self.config_problems()
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))

    # -- run state -----------------------------------------------------------------------

    def set_train_reason(self, reason: str | None) -> None:
        """None enables Train; a message disables it and says why."""
        self._train_reason = reason
        self._update_controls()

    def set_state(self, state: str) -> None:
        """idle, training, paused or stopping: which buttons make sense."""
        self.state = state
        self._update_controls()

    def _update_controls(self) -> None:
        idle = self.state == IDLE
        self.train_button.setEnabled(idle and self._train_reason is None)
        self.pause_button.setEnabled(self.state in (TRAINING, PAUSED))
        self.pause_button.setText("Resume" if self.state == PAUSED else "Pause")
        self.stop_button.setEnabled(self.state in (TRAINING, PAUSED))
        for widget in (
            self.optimizer_combo,
            self.learning_rate_spin,
            self.epochs_spin,
            self.batch_spin,
            self.validation_spin,
            self.test_spin,
            self.seed_spin,
            self.schedule_combo,
            self.patience_spin,
            self.class_weights_combo,
            self.clip_spin,
        ):
            widget.setEnabled(idle)
        self.momentum_spin.setEnabled(idle and self.optimizer_combo.currentText() == "sgd")
        reason = self._train_reason if idle else ""
        if self.state == STOPPING:
            reason = "Stopping after the current batch…"
        self.reason_label.setText(reason or "")
        self.reason_label.setVisible(bool(reason))

    @Slot()
    def _on_pause_clicked(self) -> None:
        self.sig_pause.emit(self.state == TRAINING)

    # -- progress ------------------------------------------------------------------------

    def start_run(self) -> None:
        """Clear the previous run's curves and messages."""
        self.plots.clear()
        self.banner.clear()
        self.result_label.clear()
        self.progress_bar.setRange(0, 0)  # busy until the plan arrives
        self.progress_label.setText("Preparing data and model…")

    def show_progress(self, snapshot: ProgressSnapshot) -> None:
        """Redraw from the recorder (called by the window's timer, not per batch)."""
        self.plots.update_from(snapshot)  # curves throttle themselves
        total = snapshot.total_steps
        if total:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(snapshot.steps_done)
        self.progress_label.setText(snapshot.describe())

    def finish_run(self, message: str, snapshot: ProgressSnapshot | None, error: bool) -> None:
        """The run ended: final redraw, the outcome in words."""
        if snapshot is not None:
            self.plots.update_from(snapshot, force=True)
            if snapshot.total_steps:
                self.progress_bar.setRange(0, snapshot.total_steps)
                self.progress_bar.setValue(snapshot.steps_done)
        else:
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)
        if error:
            self.banner.show_message(message, "error")
            self.progress_label.setText("Training failed.")
        else:
            self.result_label.setText(message)
            if snapshot is not None and snapshot.plan is not None:
                self.progress_label.setText(
                    f"Epoch {max(snapshot.epochs_done, snapshot.epoch)}/{snapshot.plan.epochs}"
                    f" · {snapshot.steps_done}/{snapshot.total_steps} batches"
                )
        self.set_state(IDLE)


def _share_spin(maximum: float, tip: str) -> QDoubleSpinBox:
    """A 0..maximum spin box in steps of 0.05 (fractions of the data, momentum)."""
    spin = QDoubleSpinBox()
    spin.setDecimals(2)
    spin.setRange(0.0, maximum)
    spin.setSingleStep(0.05)
    spin.setToolTip(tip)
    return spin
