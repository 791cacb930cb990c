"""The training settings form: every TrainingConfig field, grouped, each with a one-line help.

The help of a field shows in one place: the help box under the form, while the field (or its
caption) is hovered or has the keyboard focus, so a new user never has to guess what a number
does. It is also the field's What's This text (Shift+F1), shown only when asked for. No
tooltip or status tip repeats it.

The choices of the combo boxes and the metric checks come from their tables in
:mod:`workbench.core.options`: each item shows the option's label and holds its name.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.epochs import AUTO_EPOCHS_HELP
from workbench.core.options import (
    CLASS_WEIGHTS,
    LOSSES,
    METRICS,
    MONITORS,
    OPTIMIZERS,
    SCHEDULES,
    OptionTable,
)
from workbench.core.project import (
    DEVICES,
    TrainingConfig,
    imbalance,
    loss_problem,
    resolve_class_weights,
    resolve_loss,
    resolve_metrics,
)
from workbench.core.splits import AUTO_TEST_HELP, describe_auto_test, held_out_rows
from workbench.ui.widgets import HeldOutSpin

CAPTION_WIDTH = 84  # the same for every group, so the fields line up
#: Settings that may change while training is paused (they take effect on resume).
PAUSE_EDITABLE = ("learning_rate", "epochs", "early_stopping_patience")

DEVICE_NAMES = {"auto": "auto", "cpu": "CPU", "gpu": "GPU", "all_gpus": "all GPUs"}
HELP = {
    "optimizer": "How the weights move along the gradient; adam suits most problems.",
    "learning_rate": "Size of each optimizer step: too big diverges (NaN), too small crawls; "
    "0.001 suits adam. Editable while paused.",
    "momentum": "sgd only: keeps part of the previous step to roll through flat spots (0.9 is "
    "common).",
    "nesterov": "sgd only: takes the gradient a step ahead along the momentum; often a little "
    "faster.",
    "clip_norm": "Caps the length of each gradient; steadies recurrent models. off: no cap.",
    "epochs": f"Passes over the training split. {AUTO_EPOCHS_HELP} A number trains exactly that "
    "many epochs (early stopping, if on, may end it sooner). Editable while paused.",
    "batch_size": "Samples per gradient step: bigger is faster per sample but needs more memory.",
    "schedule": "How the learning rate changes: constant; cosine decay to zero over the run; "
    "step (halved every quarter); plateau (halved when the watched number stalls for 2 epochs).",
    "loss": "The number training makes smaller; auto picks the usual one for the task and "
    "label count.",
    "metrics": "Extra numbers measured and plotted each epoch; they do not change training.",
    "class_weights": "balanced: mistakes on rare classes count more, so an imbalanced set is not "
    "learnt as 'always the common class'; auto: balanced when the largest class has 1.5x the "
    "rows of the smallest or more (the choice shows what auto does for this data, and the "
    "largest-to-smallest ratio).",
    "early_stopping_monitor": "The number early stopping watches (val_loss: loss on the held-out "
    "validation part).",
    "early_stopping_patience": "Stop after this many epochs without a better watched number; "
    "off: run every epoch (with epochs Auto, off lets auto pick the patience). Editable while "
    "paused.",
    "restore_best_weights": "At the end keep the weights of the best epoch, not the last one.",
    "validation_fraction": "Share of the data held out to measure the model on samples it did "
    "not learn from.",
    "test_fraction": "Share held out from training and validation, scored once at the end "
    f"(0: none). {AUTO_TEST_HELP}",
    "seed": "Same seed, same split and same starting weights: runs can be repeated exactly.",
    "device": "Where to train: auto takes a GPU when there is one; all GPUs splits each batch "
    "over every GPU.",
    "mixed_precision": "GPU only: computes in float16 with float32 weights; often about 2x faster.",
}


def _share_spin(maximum: float) -> QDoubleSpinBox:
    """A 0..maximum spin box in steps of 0.05 (fractions of the data, momentum)."""
    spin = QDoubleSpinBox()
    spin.setDecimals(2)
    spin.setRange(0.0, maximum)
    spin.setSingleStep(0.05)
    return spin


def _option_combo(table: OptionTable) -> QComboBox:
    """A combo box of a setting's options: each shows its label and holds its name."""
    combo = QComboBox()
    for option in table:
        combo.addItem(option.label, option.name)
    return combo


def _select(combo: QComboBox, name: str) -> None:
    """Show the item holding ``name`` (the first item when none does)."""
    combo.setCurrentIndex(max(0, combo.findData(name)))


def _set_item_enabled(combo: QComboBox, index: int, enabled: bool) -> None:
    model = combo.model()
    if isinstance(model, QStandardItemModel):
        item = model.item(index)
        if item is not None:
            item.setEnabled(enabled)


class EpochsSpin(QSpinBox):
    """Epochs: "Auto" (None) at the lowest step, else a number of at least a floor.

    "Auto" always sits at ``minimum()``: at 0 while idle; while an auto run is paused during
    epoch e, at e - 1, so the numbers offered start at the epoch under way. When auto is
    not allowed (a paused run that was given a number) there is no "Auto" at all.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._floor = 1
        self._auto_allowed = True
        self.setRange(0, 100_000)
        self.setSpecialValueText("Auto")
        self.setValue(0)

    @property
    def auto_allowed(self) -> bool:
        """Whether "Auto" is one of the values (not while a fixed-length run is paused)."""
        return self._auto_allowed

    def epochs(self) -> int | None:
        """The number shown, or None for "Auto"."""
        if self._auto_allowed and self.value() == self.minimum():
            return None
        return self.value()

    def set_epochs(self, epochs: int | None) -> None:
        """Show a number (raised to the floor), or "Auto" for None (the floor when auto is
        not allowed)."""
        self.setValue(self.minimum() if epochs is None else max(int(epochs), self._floor))

    def set_floor(self, floor: int, auto: bool) -> None:
        """Offer numbers from ``floor`` up, and "Auto" below them when ``auto``; what was
        shown stays (raised to the floor), without valueChanged."""
        shown = self.epochs()
        blocked = self.blockSignals(True)
        self._floor = max(1, int(floor))
        self._auto_allowed = auto
        self.setSpecialValueText("Auto" if auto else "")
        self.setMinimum(self._floor - 1 if auto else self._floor)
        self.set_epochs(shown)
        self.blockSignals(blocked)


class TrainingSettingsForm(QWidget):
    """Edits a TrainingConfig; locks itself while a run trains (all but three while paused).

    ``problems_label`` and ``help_label`` are not in the form's layout: the owner puts them
    where they stay visible however the form is scrolled.
    """

    #: A setting was edited by the user.
    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: str | None = None
        self._num_classes = 2
        self._gpus: list[str] | None = None  # None: devices not known yet
        self._metrics: set[str] = set()
        self._state = "idle"
        self._paused_from: TrainingConfig | None = None
        self._help_of: dict[QObject, tuple[str, str]] = {}

        self.optimizer_combo = _option_combo(OPTIMIZERS)
        self.learning_rate_spin = QDoubleSpinBox()
        self.learning_rate_spin.setDecimals(6)
        self.learning_rate_spin.setRange(0.0, 100.0)
        self.learning_rate_spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.momentum_spin = _share_spin(0.99)
        self.nesterov_check = QCheckBox("Nesterov momentum")
        self.clip_spin = QDoubleSpinBox()
        self.clip_spin.setDecimals(2)
        self.clip_spin.setRange(0.0, 1000.0)
        self.clip_spin.setSpecialValueText("off")

        self.epochs_spin = EpochsSpin()  # its lowest step is "Auto"
        # What the last run's "auto" came to, under the field; hidden until a run ends.
        self.epochs_result_label = QLabel()
        self.epochs_result_label.setWordWrap(True)
        self.epochs_result_label.setStyleSheet("color: #666; font-size: 8pt;")
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1_000_000)
        self.schedule_combo = _option_combo(SCHEDULES)

        self.loss_combo = QComboBox()
        self.metric_checks = {option.name: QCheckBox(option.label) for option in METRICS}
        self.class_weights_combo = _option_combo(CLASS_WEIGHTS)
        self._class_counts: list[int] = []

        self.monitor_combo = _option_combo(MONITORS)
        self.patience_spin = QSpinBox()
        self.patience_spin.setRange(0, 1000)
        self.patience_spin.setSpecialValueText("off")
        self.restore_check = QCheckBox("Keep the best epoch's weights")

        self.validation_spin = _share_spin(0.95)
        self.test_spin = HeldOutSpin(0.9)  # its lowest step is "Auto"
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)

        self.device_combo = QComboBox()
        for name in DEVICES:
            self.device_combo.addItem(DEVICE_NAMES[name], name)
        self.mixed_precision_check = QCheckBox("Mixed precision (float16)")
        self.devices_label = QLabel("Devices: known once TensorFlow has loaded.")
        self.devices_label.setWordWrap(True)
        self.devices_label.setStyleSheet("color: #666;")

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e;")
        self.problems_label.hide()
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.help_label.setTextFormat(Qt.TextFormat.RichText)
        self.help_label.setStyleSheet(
            "color: #333; background: #f3f6fa; border: 1px solid #d5dde8; padding: 4px;"
        )
        self.help_label.setMinimumHeight(48)
        self.help_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._show_help(None)

        optimizer = self._group("Optimizer")
        self._row(optimizer, "Optimizer", self.optimizer_combo, "optimizer")
        self._row(optimizer, "Learning rate", self.learning_rate_spin, "learning_rate")
        self._row(optimizer, "Momentum", self.momentum_spin, "momentum")
        self._row(optimizer, "", self.nesterov_check, "nesterov")
        self._row(optimizer, "Clip gradients", self.clip_spin, "clip_norm")
        schedule = self._group("Length and schedule")
        self._row(schedule, "Epochs", self.epochs_spin, "epochs")
        self._schedule_form = schedule.layout()
        assert isinstance(self._schedule_form, QFormLayout)
        self._schedule_form.addRow("", self.epochs_result_label)
        self.show_epochs_result("")
        self._row(schedule, "Batch size", self.batch_spin, "batch_size")
        self._row(schedule, "LR schedule", self.schedule_combo, "schedule")
        loss = self._group("Loss and metrics")
        self._row(loss, "Loss", self.loss_combo, "loss")
        metrics_box = QWidget()
        grid = QGridLayout(metrics_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        for index, (name, check) in enumerate(self.metric_checks.items()):
            grid.addWidget(check, index // 2, index % 2)
            self._describe(check, name, METRICS[name].help)
        self._row(loss, "Metrics", metrics_box, "metrics")
        self._row(loss, "Class weights", self.class_weights_combo, "class_weights")
        stopping = self._group("Early stopping")
        self._row(stopping, "Patience", self.patience_spin, "early_stopping_patience")
        self._row(stopping, "Watch", self.monitor_combo, "early_stopping_monitor")
        self._row(stopping, "", self.restore_check, "restore_best_weights")
        split = self._group("Data split")
        self._row(split, "Validation", self.validation_spin, "validation_fraction")
        self._row(split, "Test", self.test_spin, "test_fraction")
        self._row(split, "Seed", self.seed_spin, "seed")
        hardware = self._group("Hardware")
        self._row(hardware, "Device", self.device_combo, "device")
        self._row(hardware, "", self.mixed_precision_check, "mixed_precision")
        hardware.layout().addRow(self.devices_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for group in (optimizer, schedule, loss, stopping, split, hardware):
            layout.addWidget(group)
        # problems_label and help_label are placed by the owner, outside any scroll area.

        self.set_task(None, 2)
        self.set_config(TrainingConfig())
        for combo in (
            self.optimizer_combo,
            self.schedule_combo,
            self.loss_combo,
            self.class_weights_combo,
            self.monitor_combo,
            self.device_combo,
        ):
            combo.currentIndexChanged.connect(self._on_edited)
        for spin in (
            self.learning_rate_spin,
            self.momentum_spin,
            self.clip_spin,
            self.epochs_spin,
            self.batch_spin,
            self.patience_spin,
            self.validation_spin,
            self.test_spin,
            self.seed_spin,
        ):
            spin.valueChanged.connect(self._on_edited)
        for check in (self.nesterov_check, self.restore_check, self.mixed_precision_check):
            check.toggled.connect(self._on_edited)
        for check in self.metric_checks.values():
            check.toggled.connect(self._on_metric_toggled)
        self.epochs_spin.valueChanged.connect(self._on_epochs_edited)
        self._name_patience_off()

    # -- building ------------------------------------------------------------------------

    def _group(self, title: str) -> QGroupBox:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(4)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return group

    def _row(self, group: QGroupBox, label: str, widget: QWidget, key: str) -> None:
        form = group.layout()
        assert isinstance(form, QFormLayout)
        title = label or (widget.text() if isinstance(widget, QCheckBox) else key)
        self._describe(widget, title, HELP[key])
        if isinstance(widget, QComboBox):  # long item texts must not widen the panel
            widget.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            widget.setMinimumContentsLength(8)
        if label:
            caption = QLabel(f"{label}:")
            caption.setMinimumWidth(CAPTION_WIDTH)
            caption.setBuddy(widget)
            self._describe(caption, title, HELP[key])
            form.addRow(caption, widget)
        else:
            form.addRow(widget)

    def _describe(self, widget: QWidget, title: str, text: str) -> None:
        """The help box's text for one field (and its What's This), shown on hover or focus;
        not a tooltip or status tip as well, so the help appears once."""
        widget.setWhatsThis(text)
        self._help_of[widget] = (title, text)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Show the help of the field under the mouse or with the focus."""
        kind = event.type()
        if kind in (QEvent.Type.Enter, QEvent.Type.FocusIn) and watched in self._help_of:
            self._show_help(watched)
        elif kind == QEvent.Type.Leave and watched in self._help_of:
            focused = self.focusWidget()
            self._show_help(focused if focused in self._help_of else None)
        return super().eventFilter(watched, event)

    def _show_help(self, widget: QObject | None) -> None:
        if widget is None:
            self.help_label.setText(
                "<span style='color:#666'>Point at a setting (or tab to it) to see what it "
                "does.</span>"
            )
            return
        title, text = self._help_of[widget]
        self.help_label.setText(f"<b>{title.rstrip(':')}</b>: {text}")

    def help_text(self, widget: QWidget) -> str:
        """The one-line help of a field (for tests and the What's This mode)."""
        return self._help_of[widget][1]

    # -- the data it edits ---------------------------------------------------------------

    def set_class_counts(self, counts: list[int]) -> None:
        """Say what 'auto' class weights will do for these label counts."""
        self._class_counts = [int(c) for c in counts]
        text = "auto"
        if len(self._class_counts) >= 2:
            ratio = imbalance(self._class_counts)
            if resolve_class_weights("auto", self._class_counts) == "balanced":
                text = f"auto → balanced ({ratio:.1f}x)"
            else:
                text = f"auto → none ({ratio:.1f}x)"
        self.class_weights_combo.setItemText(0, text)

    def set_task(self, task: str | None, num_classes: int = 2) -> None:
        """Offer the losses and metrics that fit the data ('classification'/'regression')."""
        current = self.loss_combo.currentData() or "auto"
        self._task = task
        self._num_classes = max(1, int(num_classes))
        self._fill_losses(current)
        for name, check in self.metric_checks.items():
            check.setVisible(METRICS[name].fits(task))
        self._show_metric_checks()
        self._update_enabled()
        self._show_problems()

    def _fill_losses(self, current: str) -> None:
        names = LOSSES.names_for(self._task)
        if self._task is None:
            auto = "picked for the data"
        else:
            classes = self._num_classes if self._task == "classification" else 1
            auto = LOSSES.label(resolve_loss("auto", classes, self._task))
        self.loss_combo.blockSignals(True)
        self.loss_combo.clear()
        for name in names:
            label = f"auto ({auto})" if name == "auto" else LOSSES.label(name)
            self.loss_combo.addItem(label, name)
        if current not in names and current in LOSSES:
            self.loss_combo.addItem(f"{LOSSES.label(current)} (does not fit this data)", current)
        self.loss_combo.setCurrentIndex(max(0, self.loss_combo.findData(current)))
        self.loss_combo.blockSignals(False)

    def set_data_rows(self, sizes: list[int] | None) -> None:
        """The loaded data's rows per class (one size without classes; None: no data), so
        "Auto" in the test field says what it holds out: 'Auto (10%: 1,234 rows)'."""
        held_out = None if sizes is None else held_out_rows(sizes, None)
        self.test_spin.show_auto(describe_auto_test(held_out))

    def show_epochs_result(self, text: str) -> None:
        """Under Epochs, what the last run's "auto" came to ('auto: stopped at epoch 9
        (best 6)'); '' hides it (a new run, other data, epochs edited)."""
        self.epochs_result_label.setText(text)
        self._schedule_form.setRowVisible(self.epochs_result_label, bool(text))

    def epochs_result(self) -> str:
        """The text under Epochs ('' when none is shown)."""
        return self.epochs_result_label.text()

    def set_devices(self, names: list[str]) -> None:
        """What the backend found ('CPU:0', 'GPU:0', …): GPU choices need a GPU."""
        self._gpus = [name for name in names if "GPU" in name.upper()]
        gpus = len(self._gpus)
        _set_item_enabled(self.device_combo, DEVICES.index("gpu"), gpus >= 1)
        _set_item_enabled(self.device_combo, DEVICES.index("all_gpus"), gpus >= 2)
        found = ", ".join(names) if names else "no devices"
        note = "" if gpus else " Mixed precision needs a GPU."
        self.devices_label.setText(f"Found: {found}.{note}")
        self._update_enabled()

    def config(self) -> TrainingConfig:
        """The settings as a TrainingConfig."""
        return TrainingConfig(
            optimizer=self.optimizer_combo.currentData() or "adam",
            learning_rate=round(self.learning_rate_spin.value(), 8),
            epochs=self.epochs_spin.epochs(),
            batch_size=self.batch_spin.value(),
            validation_fraction=round(self.validation_spin.value(), 4),
            seed=self.seed_spin.value(),
            test_fraction=self.test_spin.fraction(),
            momentum=round(self.momentum_spin.value(), 4),
            schedule=self.schedule_combo.currentData() or "constant",
            early_stopping_patience=self.patience_spin.value(),
            class_weights=self.class_weights_combo.currentData() or "auto",
            clip_norm=round(self.clip_spin.value(), 4),
            loss=self.loss_combo.currentData() or "auto",
            metrics=[name for name in METRICS.names if name in self._metrics],
            nesterov=self.nesterov_check.isChecked(),
            early_stopping_monitor=self.monitor_combo.currentData() or "val_loss",
            restore_best_weights=self.restore_check.isChecked(),
            device=self.device_combo.currentData() or "auto",
            mixed_precision=self.mixed_precision_check.isChecked(),
        )

    def set_config(self, config: TrainingConfig) -> None:
        """Show a TrainingConfig (no sig_changed)."""
        widgets = self._inputs()
        for widget in widgets:
            widget.blockSignals(True)
        if config.epochs != self.epochs_spin.epochs():
            self.show_epochs_result("")  # it told of a run with other epochs
        _select(self.optimizer_combo, config.optimizer)
        self.learning_rate_spin.setValue(config.learning_rate)
        self.epochs_spin.set_epochs(config.epochs)  # within the floor of a pause
        self._name_patience_off()
        self.batch_spin.setValue(config.batch_size)
        self.validation_spin.setValue(config.validation_fraction)
        self.test_spin.set_fraction(config.test_fraction)
        self.seed_spin.setValue(config.seed)
        self.momentum_spin.setValue(config.momentum)
        _select(self.schedule_combo, config.schedule)
        self.patience_spin.setValue(config.early_stopping_patience)
        _select(self.class_weights_combo, config.class_weights)
        self.clip_spin.setValue(config.clip_norm)
        self._fill_losses(config.loss)
        self._metrics = {name for name in config.metrics if name in METRICS}
        self.nesterov_check.setChecked(config.nesterov)
        _select(self.monitor_combo, config.early_stopping_monitor)
        self.restore_check.setChecked(config.restore_best_weights)
        _select(self.device_combo, config.device)
        self.mixed_precision_check.setChecked(config.mixed_precision)
        for widget in widgets:
            widget.blockSignals(False)
        self._show_metric_checks()
        self._update_enabled()
        self._show_problems()

    def _inputs(self) -> list[QWidget]:
        return [
            self.optimizer_combo,
            self.learning_rate_spin,
            self.momentum_spin,
            self.nesterov_check,
            self.clip_spin,
            self.epochs_spin,
            self.batch_spin,
            self.schedule_combo,
            self.loss_combo,
            *self.metric_checks.values(),
            self.class_weights_combo,
            self.monitor_combo,
            self.patience_spin,
            self.restore_check,
            self.validation_spin,
            self.test_spin,
            self.seed_spin,
            self.device_combo,
            self.mixed_precision_check,
        ]

    def _show_metric_checks(self) -> None:
        """Checked: chosen, or always measured for this task (then not uncheckable)."""
        always = set(resolve_metrics([], self._task)) if self._task else set()
        for name, check in self.metric_checks.items():
            check.blockSignals(True)
            check.setChecked(name in self._metrics or name in always)
            check.blockSignals(False)
            check.setProperty("always", name in always)

    def problems(self) -> list[str]:
        """What would stop these settings from training this data, worded for the user."""
        config = self.config()
        found = config.problems()
        if self._task is not None:
            problem = loss_problem(config.loss, self._num_classes, self._task)
            if problem:
                found.append(problem)
            monitor = config.early_stopping_monitor
            if monitor in MONITORS and not MONITORS[monitor].fits(self._task):
                found.append(
                    f"Early stopping watches {monitor}, but a {self._task} has no "
                    f"{monitor.removeprefix('val_')}; choose val_loss (Early stopping > Watch)."
                )
        return found

    def _show_problems(self) -> None:
        problems = self.problems()
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))

    @Slot()
    def _on_edited(self, *_args: object) -> None:
        self._update_enabled()
        self._show_problems()
        self.sig_changed.emit()

    @Slot(int)
    def _on_epochs_edited(self, value: int) -> None:
        self.show_epochs_result("")  # it told of the last run's epochs, not these
        self._name_patience_off(value)

    def _name_patience_off(self, _value: int = 0) -> None:
        """Patience 0 under epochs Auto is auto's own patience, not "no early stopping"."""
        auto = self.epochs_spin.epochs() is None  # "Auto" is the lowest step, 0 or a floor
        self.patience_spin.setSpecialValueText("auto" if auto else "off")

    @Slot(bool)
    def _on_metric_toggled(self, checked: bool) -> None:
        check = self.sender()
        name = next((n for n, c in self.metric_checks.items() if c is check), None)
        if name is None:
            return
        if checked:
            self._metrics.add(name)
        else:
            self._metrics.discard(name)
        self._on_edited()

    # -- locking -------------------------------------------------------------------------

    def set_state(self, state: str, current_epoch: int = 0) -> None:
        """idle: all editable; paused: only PAUSE_EDITABLE; training/stopping: nothing.

        Entering a pause remembers the settings, so :meth:`pending_changes` can say what the
        user changed; a number of epochs cannot go below the epoch being trained. A run
        paused at "Auto" may stay auto or be given a number; one given a number keeps one
        (the trainer cannot turn a fixed run into an auto one).
        """
        if state == "paused" and self._state != "paused":
            self._paused_from = self.config()
            auto = self._paused_from.epochs is None
            self.epochs_spin.set_floor(max(1, current_epoch), auto=auto)
        elif state != "paused":
            self._paused_from = None
            self.epochs_spin.set_floor(1, auto=True)
        self._state = state
        self._update_enabled()

    def pending_changes(self) -> dict[str, Any]:
        """Settings changed since the pause began: {TrainingConfig field: new value}.

        Epochs left at (or set back to) "Auto" are no change: the run goes on as it was.
        """
        if self._paused_from is None:
            return {}
        now = self.config()
        return {
            name: getattr(now, name)
            for name in PAUSE_EDITABLE
            if getattr(now, name) is not None
            and getattr(now, name) != getattr(self._paused_from, name)
        }

    def mark_changes_applied(self) -> None:
        """The window applied the pending changes: later ones count from here."""
        if self._paused_from is not None:
            self._paused_from = self.config()

    def _update_enabled(self) -> None:
        idle = self._state == "idle"
        paused = self._state == "paused"
        pause_fields = (self.learning_rate_spin, self.epochs_spin, self.patience_spin)
        for widget in self._inputs():
            widget.setEnabled(idle or (paused and widget in pause_fields))
        own = OPTIMIZERS[self.optimizer_combo.currentData() or "adam"].settings  # sgd's
        self.momentum_spin.setEnabled(idle and "momentum" in own)
        self.nesterov_check.setEnabled(idle and "nesterov" in own)
        for check in self.metric_checks.values():
            check.setEnabled(idle and not check.property("always"))
        gpu_known = bool(self._gpus)
        on_cpu = self.device_combo.currentData() == "cpu"
        self.mixed_precision_check.setEnabled(idle and gpu_known and not on_cpu)
