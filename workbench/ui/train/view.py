"""The Train tab: training settings, Train / Pause / Stop / Continue, progress, curves, log."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.epochs import AUTO_MAX_EPOCHS
from workbench.core.listener import TrainingPlan
from workbench.core.project import TrainingConfig
from workbench.ui.train.log_pane import LogPane
from workbench.ui.train.plots import LivePlots
from workbench.ui.train.progress import (
    ProgressSnapshot,
    epoch_text,
    format_duration,
    time_left_text,
)
from workbench.ui.train.settings_form import TrainingSettingsForm
from workbench.ui.widgets import MessageBanner

IDLE, TRAINING, PAUSED, STOPPING = "idle", "training", "paused", "stopping"

#: How often the progress bar moves while training (the text beside it follows every tick).
PROGRESS_BAR_HZ = 5

#: Keyboard shortcuts of the Train tab (active while the tab is shown).
SHORTCUTS = {
    "start": "Ctrl+Return",
    "pause": "Ctrl+P",
    "stop": "Ctrl+.",
    "continue": "Ctrl+Shift+Return",
}


def _native(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


class TrainView(QWidget):
    """Edits a TrainingConfig and shows a run; the window decides what the buttons do."""

    #: Train was clicked (or Ctrl+Return).
    sig_train = Signal()
    #: Pause (True) or Resume (False) was clicked (or Ctrl+P).
    sig_pause = Signal(bool)
    #: Stop was clicked (or Ctrl+.).
    sig_stop = Signal()
    #: A training setting changed.
    sig_config_changed = Signal()
    #: Continue the trained model for this many more epochs (button or Ctrl+Shift+Return).
    sig_continue = Signal(int)
    #: Resume was clicked after settings changed during the pause: {TrainingConfig field:
    #: new value} for learning_rate, epochs, early_stopping_patience. Emitted just before
    #: sig_pause(False), so the window can apply them before training goes on.
    sig_pause_changes = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._train_reason: str | None = "Load a dataset first."
        self._can_continue = False
        self._epoch_now = 0
        self._stats_text = ("", "", "")
        self._bar_moved_at = 0.0  # monotonic time the progress bar last moved

        self.settings = TrainingSettingsForm()
        s = self.settings  # the form's widgets, under the names the window and tests use
        self.optimizer_combo, self.learning_rate_spin = s.optimizer_combo, s.learning_rate_spin
        self.epochs_spin, self.batch_spin = s.epochs_spin, s.batch_spin
        self.validation_spin, self.test_spin = s.validation_spin, s.test_spin
        self.seed_spin, self.momentum_spin = s.seed_spin, s.momentum_spin
        self.schedule_combo, self.patience_spin = s.schedule_combo, s.patience_spin
        self.class_weights_combo, self.clip_spin = s.class_weights_combo, s.clip_spin
        self.loss_combo, self.metric_checks = s.loss_combo, s.metric_checks
        self.nesterov_check, self.monitor_combo = s.nesterov_check, s.monitor_combo
        self.restore_check, self.device_combo = s.restore_check, s.device_combo
        self.mixed_precision_check = s.mixed_precision_check
        self.problems_label, self.help_label = s.problems_label, s.help_label
        s.sig_changed.connect(self._on_config_edited)

        self.start_action = self._action("Train", "start", self._on_start)
        self.pause_action = self._action("Pause / Resume", "pause", self._on_pause_clicked)
        self.stop_action = self._action("Stop", "stop", self.sig_stop)
        self.continue_action = self._action("Continue training", "continue", self._on_continue)

        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.train_button.clicked.connect(self._on_start)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.stop_button.clicked.connect(self.sig_stop)
        self.train_button.setToolTip(
            f"Train a new model from these settings ({_native(SHORTCUTS['start'])})."
        )
        self.pause_button.setToolTip(
            "Hold training after the current batch, keeping the optimizer's state; while "
            "paused, the learning rate, epochs and early-stopping patience can change "
            f"({_native(SHORTCUTS['pause'])})."
        )
        self.stop_button.setToolTip(
            f"End training after the current batch; the model so far is kept "
            f"({_native(SHORTCUTS['stop'])})."
        )
        self.continue_spin = QSpinBox()
        self.continue_spin.setRange(1, 100_000)
        self.continue_spin.setValue(5)
        self.continue_spin.setSuffix(" more epochs")
        self.continue_button = QPushButton("Continue")
        self.continue_button.clicked.connect(self._on_continue)
        tip = (
            "Train the model you just trained for more epochs, from where it stopped "
            f"({_native(SHORTCUTS['continue'])})."
        )
        for widget in (self.continue_spin, self.continue_button):
            widget.setToolTip(tip)
            widget.setStatusTip(tip)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #7a5a00;")

        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.stop_button)
        more = QHBoxLayout()
        more.addWidget(self.continue_spin, 1)
        more.addWidget(self.continue_button)
        run_box = QGroupBox("Run")
        run_layout = QVBoxLayout(run_box)
        run_layout.setContentsMargins(8, 6, 8, 6)
        run_layout.addLayout(buttons)
        run_layout.addLayout(more)
        run_layout.addWidget(self.reason_label)

        scroll = QScrollArea()
        scroll.setWidget(self.settings)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.settings_scroll = scroll

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(run_box)
        left_layout.addWidget(scroll, 1)
        left_layout.addWidget(self.problems_label)
        left_layout.addWidget(self.help_label)
        left.setFixedWidth(330)

        self.banner = MessageBanner()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(14)
        self.progress_label = QLabel("No training run yet.")
        self.speed_label = QLabel()
        self.speed_label.setToolTip(
            "Training samples per second: the last epoch's rate (before the first epoch "
            "ends, an estimate from the batches so far)."
        )
        self.epoch_time_label = QLabel()
        self.epoch_time_label.setToolTip("How long the last epoch took, pauses left out.")
        self.time_left_label = QLabel()
        self.time_left_label.setToolTip(
            "Estimated time to the last epoch, at the rate so far (with epochs auto: to the "
            "most epochs auto may take; it usually stops sooner)."
        )
        for label in (self.speed_label, self.epoch_time_label, self.time_left_label):
            label.setStyleSheet("color: #444;")
            label.hide()  # shown once there is something to say
        # These change several times a second while training. A label whose size can change
        # makes Qt lay out the whole window again at every new text (measured: 40% of the
        # GUI thread's time while training), so each gets a fixed size that fits its
        # longest text.
        cap = AUTO_MAX_EPOCHS
        _fix_size(
            self.progress_label,
            "Epoch 9999/9999 · 99999/99999 batches · paused",
            f"Epoch {cap} (auto, at most {cap}) · batch 9999/9999 · paused",
        )
        _fix_size(self.speed_label, "999,999 samples/s in epoch 9999")
        _fix_size(self.epoch_time_label, "59 min 59 s per epoch")
        _fix_size(self.time_left_label, "at most 99:59:59 left")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.result_label.font()
        font.setBold(True)
        self.result_label.setFont(font)
        self.result_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # The live plots (about 0.1 s to build) are made when the tab first shows.
        self._plots: LivePlots | None = None
        self._metric = "accuracy"
        self._plots_holder = QWidget()
        plots_layout = QVBoxLayout(self._plots_holder)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        self.log_pane = LogPane()

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._plots_holder)
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.setSpacing(2)
        log_title = QLabel("Log")
        log_title.setStyleSheet("color: #555; font-weight: bold;")
        log_layout.addWidget(log_title)
        log_layout.addWidget(self.log_pane)
        splitter.addWidget(log_box)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([600, 110])
        self.splitter = splitter

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(self.banner)
        progress_row = QHBoxLayout()
        progress_row.setSpacing(10)
        progress_row.addWidget(self.progress_label, 0)
        progress_row.addWidget(self.progress_bar, 1)
        right_layout.addLayout(progress_row)
        stats_row = QHBoxLayout()  # its own line: fixed-size labels need not squeeze the bar
        stats_row.setSpacing(16)
        for label in (self.speed_label, self.epoch_time_label, self.time_left_label):
            stats_row.addWidget(label, 0)
        stats_row.addStretch(1)
        right_layout.addLayout(stats_row)
        right_layout.addWidget(self.result_label)
        right_layout.addWidget(splitter, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(left)
        layout.addWidget(right, 1)
        self._show_stats(None)
        self._update_controls()

    def _action(self, text: str, key: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(SHORTCUTS[key]))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # while the tab shows
        action.setToolTip(f"{text} ({_native(SHORTCUTS[key])})")
        action.setStatusTip(f"{text} ({_native(SHORTCUTS[key])})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- settings ------------------------------------------------------------------------

    def config(self) -> TrainingConfig:
        """The settings as a TrainingConfig."""
        return self.settings.config()

    def set_config(self, config: TrainingConfig) -> None:
        """Show a TrainingConfig in the form."""
        self.settings.set_config(config)

    def config_problems(self) -> list[str]:
        """What stops these settings from training (TrainingConfig.problems() and the loss)."""
        return self.settings.problems()

    def set_task(
        self, task: str | None, num_classes: int = 2, class_counts: list[int] | None = None
    ) -> None:
        """The data's task ('classification' or 'regression') and class count: the losses,
        metrics and plotted metric that fit it; the class counts say what auto weights do."""
        self.settings.set_task(task, num_classes)
        self.settings.set_class_counts(class_counts or [])
        if task is not None:
            self._metric = "mae" if task == "regression" else "accuracy"
            if self._plots is not None:
                self._plots.set_metric(self._metric)

    @property
    def plots(self) -> LivePlots:
        """The live curves, built on first use."""
        if self._plots is None:
            self._plots = LivePlots()
            self._plots.sig_exported.connect(self._on_exported)
            self._plots.set_metric(self._metric)
            self._plots_holder.layout().addWidget(self._plots)
        return self._plots

    def showEvent(self, event: QShowEvent) -> None:
        """Build the plots the first time the tab shows."""
        super().showEvent(event)
        _ = self.plots

    def set_devices(self, names: list[str]) -> None:
        """The devices the backend found ('CPU:0', 'GPU:0'): GPU choices need a GPU."""
        self.settings.set_devices(names)

    def pending_changes(self) -> dict[str, Any]:
        """Settings changed during the current pause (see sig_pause_changes)."""
        return self.settings.pending_changes()

    @Slot()
    def _on_config_edited(self) -> None:
        self.sig_config_changed.emit()

    # -- run state -----------------------------------------------------------------------

    def set_train_reason(self, reason: str | None) -> None:
        """None enables Train; a message disables it and says why."""
        self._train_reason = reason
        self._update_controls()

    def set_can_continue(self, can: bool) -> None:
        """Whether a trained model exists that Continue could train further."""
        self._can_continue = can
        self._update_controls()

    def set_state(self, state: str) -> None:
        """idle, training, paused or stopping: which buttons and settings make sense."""
        self.state = state
        self.settings.set_state(state, current_epoch=self._epoch_now)
        self._update_controls()

    def _update_controls(self) -> None:
        idle = self.state == IDLE
        can_train = idle and self._train_reason is None
        self.train_button.setEnabled(can_train)
        self.start_action.setEnabled(can_train)
        running = self.state in (TRAINING, PAUSED)
        for widget in (self.pause_button, self.pause_action, self.stop_button, self.stop_action):
            widget.setEnabled(running)
        self.pause_button.setText("Resume" if self.state == PAUSED else "Pause")
        can_continue = can_train and self._can_continue
        for widget in (self.continue_button, self.continue_spin, self.continue_action):
            widget.setEnabled(can_continue)
        reason = self._train_reason if idle else ""
        if self.state == STOPPING:
            reason = "Stopping after the current batch…"
        elif self.state == PAUSED:
            reason = (
                "Paused. Learning rate, epochs and early-stopping patience can be changed; "
                "they apply on Resume."
            )
        self.reason_label.setText(reason or "")
        self.reason_label.setVisible(bool(reason))

    @Slot()
    def _on_start(self) -> None:
        if self.state == IDLE and self._train_reason is None:
            self.sig_train.emit()

    @Slot()
    def _on_pause_clicked(self) -> None:
        if self.state == TRAINING:
            self.sig_pause.emit(True)
        elif self.state == PAUSED:
            changes = self.settings.pending_changes()
            if changes:
                self.sig_pause_changes.emit(changes)
                self.settings.mark_changes_applied()
            self.sig_pause.emit(False)

    @Slot()
    def _on_continue(self) -> None:
        if self.continue_button.isEnabled():
            self.sig_continue.emit(self.continue_spin.value())

    @Slot(str)
    def _on_exported(self, path: str) -> None:
        self.banner.show_message(f"Saved {path}.", "info")

    # -- progress ------------------------------------------------------------------------

    def start_run(self) -> None:
        """Clear the previous run's curves, log and messages."""
        if self._plots is not None:
            self._plots.clear()
        self.log_pane.reset()
        self.banner.clear()
        self.result_label.clear()
        self.settings.show_epochs_result("")  # the last run's "auto" result no longer applies
        self._epoch_now = 0
        self._show_stats(None)
        self.progress_bar.setRange(0, 0)  # busy until the plan arrives
        self.progress_label.setText("Preparing data and model…")

    def clear_results(self, reason: str = "") -> None:
        """Other data is in use: the last run's curves, log and headline no longer apply."""
        self.start_run()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_label.setText("No run on this data yet.")
        if reason:
            self.banner.show_message(f"{reason} Its run is kept in the Runs tab.", "info")

    def show_progress(self, snapshot: ProgressSnapshot) -> None:
        """Redraw from the recorder (called by the window's timer, not per batch)."""
        self.plots.update_from(snapshot)  # curves throttle themselves
        self.log_pane.update_from(snapshot)
        self._epoch_now = snapshot.epoch
        total = snapshot.total_steps
        if total:
            if self.progress_bar.maximum() != total:
                self.progress_bar.setRange(0, total)
            # QProgressBar repaints at once (not at the next frame) when it moves: ~1 ms
            # of the GUI thread each time, so it moves at most PROGRESS_BAR_HZ times a second.
            now = time.monotonic()
            done = snapshot.steps_done >= total
            if done or now - self._bar_moved_at >= 1.0 / PROGRESS_BAR_HZ:
                self._bar_moved_at = now
                self.progress_bar.setValue(snapshot.steps_done)
        text = snapshot.describe(time_left=False)
        if self.progress_label.text() != text:
            self.progress_label.setText(text)
        self._show_stats(snapshot)

    def _show_stats(self, snapshot: ProgressSnapshot | None, finished: bool = False) -> None:
        """Samples/s, time per epoch, time left (none once ``finished``: an auto run that
        stopped early has steps left in its cap but no time): set only when the text
        changes."""
        speed = epoch = left = ""
        if snapshot is not None:
            if snapshot.samples_per_second:
                speed = f"{snapshot.samples_per_second:,.0f} samples/s"
                if snapshot.samples_per_second_epoch:
                    speed += f" in epoch {snapshot.samples_per_second_epoch}"
            if snapshot.seconds_per_epoch is not None:
                epoch = f"{_seconds(snapshot.seconds_per_epoch)} per epoch"
            if (
                not finished
                and not snapshot.paused
                and snapshot.seconds_left is not None
                and snapshot.steps_done < snapshot.total_steps
            ):
                left = time_left_text(snapshot.seconds_left, snapshot.plan)
        texts = (speed, epoch, left)
        if texts == self._stats_text:
            return
        self._stats_text = texts
        for label, text in zip(
            (self.speed_label, self.epoch_time_label, self.time_left_label), texts, strict=True
        ):
            label.setText(text)
            label.setVisible(bool(text))

    def finish_run(
        self,
        message: str,
        snapshot: ProgressSnapshot | None,
        error: bool,
        stopped: bool = False,
    ) -> None:
        """The run ended: final redraw, the outcome in words. ``stopped``: the person
        stopped it (an auto run that ended by itself shows a full bar, however far below
        its cap it stopped)."""
        if snapshot is not None:
            self.plots.update_from(snapshot, force=True)
            self.log_pane.update_from(snapshot)
            self._show_stats(snapshot, finished=True)
            total = snapshot.total_steps
            auto = snapshot.plan is not None and snapshot.plan.auto_epochs
            if auto and not (error or stopped) and snapshot.steps_done:
                total = snapshot.steps_done  # it is done: early stopping ended it
            if total:
                self.progress_bar.setRange(0, total)
                self.progress_bar.setValue(snapshot.steps_done)
        else:
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)
        if error:
            self.banner.show_message(message, "error")
            self.progress_label.setText("Training failed.")
            self._can_continue = False
        else:
            self.result_label.setText(message)
            self._can_continue = snapshot is not None and snapshot.epochs_done > 0
            if snapshot is not None and snapshot.plan is not None:
                self.progress_label.setText(_ended_text(snapshot, snapshot.plan))
        self._epoch_now = 0
        self.set_state(IDLE)


def _seconds(value: float) -> str:
    """'0.8 s', '12 s', '3:05'."""
    if value < 10:
        return f"{value:.1f} s"
    if value < 60:
        return f"{value:.0f} s"
    return format_duration(value)


def _ended_text(snapshot: ProgressSnapshot, plan: TrainingPlan) -> str:
    """'Epoch 5/5 · 40/40 batches'; an auto run that stopped early counts only the batches
    it trained, as its cap was never a promise."""
    epoch = epoch_text(max(snapshot.epochs_done, snapshot.epoch), plan)
    if plan.auto_epochs:
        return f"{epoch} · {snapshot.steps_done} batches"
    return f"{epoch} · {snapshot.steps_done}/{snapshot.total_steps} batches"


def _fix_size(label: QLabel, *longest: str) -> None:
    """Give a label a fixed size that fits the longest of ``longest``, so new texts never
    relayout."""
    metrics = label.fontMetrics()
    width = max(metrics.horizontalAdvance(text) for text in longest)
    label.setFixedSize(width + 6, label.sizeHint().height())
