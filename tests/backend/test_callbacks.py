"""The trainer's callbacks: their order, their state in checkpoints, each one's job."""

import math

import keras
import numpy as np
import pytest

from workbench.backend.callbacks import (
    BestEpoch,
    EarlyStopping,
    FitCallbacks,
    FitPosition,
    NaNGuard,
)
from workbench.backend.checkpoints import Checkpoint, CheckpointState
from workbench.core.listener import NullListener, TrainingControl, TrainingPlan
from workbench.core.project import TrainingConfig

PLAN = TrainingPlan(5, 4, 64, 16, ["a", "b"])


class Lines(NullListener):
    def __init__(self):
        self.lines = []
        self.epochs = []

    def on_log(self, message):
        self.lines.append(message)

    def on_epoch(self, epoch, logs, samples_per_second):
        self.epochs.append((epoch, logs))


def callbacks_for(cfg=None, plan=PLAN, **kwargs):
    return FitCallbacks(Lines(), TrainingControl(), plan, cfg or TrainingConfig(), **kwargs)


def names(fit):
    return [type(c).__name__ for c in fit.callbacks]


def test_the_order_keras_calls_them_in():
    everything = callbacks_for(TrainingConfig(schedule="plateau"), on_epoch=lambda r, c: None)
    assert names(everything) == [
        "LearningRateLog",  # first: everyone after sees learning_rate in the logs
        "BestEpoch",  # before the listener hears of the epoch
        "ProgressRelay",
        "NaNGuard",  # before a pause could block a diverged training
        "PauseBetweenBatches",
        "LiveSettings",  # settings changed while paused apply before a stop
        "StopOnRequest",
        "EarlyStopping",
        "ReduceOnPlateau",
        "EpochTarget",
        "EpochCheckpoint",  # last: after every counter moved
    ]
    plain = names(callbacks_for())
    assert "ReduceOnPlateau" not in plain and "EpochCheckpoint" not in plain


def test_the_checkpoint_state_is_the_callbacks_state_and_comes_back():
    fit = callbacks_for()
    state = fit.state()
    assert set(state) | {"epoch"} == set(CheckpointState.model_fields)
    CheckpointState.model_validate({**state, "epoch": 0})

    fit.best.best_epoch, fit.best.best_value, fit.best.best_logs = 2, 0.5, {"val_loss": 0.5}
    fit.early_stopping.wait = 1
    fit.plateau.best, fit.plateau.wait = 0.5, 1
    fit.progress.history = [{"epoch": 1, "val_loss": 0.7}, {"epoch": 2, "val_loss": 0.5}]
    fit.position.epochs_completed = 3
    saved = fit.state()
    again = callbacks_for(start=Checkpoint(3, [], [], None, saved))
    assert again.state() == saved
    assert again.position.epoch_index == 4
    assert again.progress.last_logs == {"val_loss": 0.5}
    record = again.record()
    assert (record.epoch, record.best_epoch, record.kept_epoch) == (3, 2, 2)
    assert record.kept_metrics == {"val_loss": 0.5}


def test_best_epoch_follows_the_monitors_direction_and_early_stopping_counts():
    listener, position = Lines(), FitPosition(target_epochs=10)
    best = BestEpoch(listener, position, "val_accuracy", restore_best_weights=False)
    stopping = EarlyStopping(listener, position, best, patience=2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    for callback in (best, stopping):
        callback.set_model(model)
    for epoch, accuracy in enumerate((0.5, 0.7, 0.6, 0.7)):
        logs = {"val_accuracy": accuracy, "val_loss": 1.0}
        best.on_epoch_end(epoch, logs)
        stopping.on_epoch_end(epoch, logs)
    assert best.best_epoch == 2 and best.best_value == 0.7  # the first of equals
    assert stopping.wait == 2 and stopping.stopped_early and model.stop_training
    assert listener.lines == [
        "Early stopping after epoch 4: val_accuracy has not improved for 2 epoch(s); "
        "the best was epoch 2."
    ]


def test_an_unmeasured_monitor_falls_back_to_val_loss_and_says_so_once():
    listener = Lines()
    best = BestEpoch(listener, FitPosition(target_epochs=3), "val_accuracy", False)
    for epoch, loss in enumerate((1.0, 0.5)):
        best.on_epoch_end(epoch, {"val_loss": loss, "val_mae": 1.0})
    assert best.best_epoch == 2
    assert listener.lines == [
        "val_accuracy is not measured for this model; the best epoch and early stopping "
        "follow val_loss instead."
    ]


def test_a_nan_loss_stops_at_once_and_puts_back_the_start_weights():
    listener, position = Lines(), FitPosition(target_epochs=3)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    best = BestEpoch(listener, position, "val_loss", restore_best_weights=True)
    guard = NaNGuard(listener, position, best)
    guard.set_model(model)
    guard.on_train_begin()
    start = [w.copy() for w in model.get_weights()]
    model.set_weights([np.full_like(w, 9.0) for w in start])
    guard.on_train_batch_end(4, {"loss": math.nan})
    assert guard.diverged_at == (1, 5) and model.stop_training and position.stopped_mid_epoch
    guard.restore_good_weights()
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), start, strict=True))
    assert "the weights training started with are kept" in listener.lines[0]


def test_a_small_fit_records_history_with_the_learning_rate():
    saved = []
    fit = callbacks_for(
        TrainingConfig(epochs=2, batch_size=16),
        TrainingPlan(2, 3, 48, 16, []),
        on_epoch=lambda r, c: saved.append((r, c)),
    )
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 2))
    model.fit(x, x[:, :1], validation_split=0.25, epochs=10, verbose=0, callbacks=fit.callbacks)
    fit.finish()
    record = fit.record()
    assert record.epoch == 2 and [e["epoch"] for e in record.history] == [1, 2]
    assert record.history[0]["learning_rate"] == pytest.approx(0.01)
    assert [r.epoch for r, _ in saved] == [1, 2]
    assert saved[-1][1].state["history"] == record.history
    assert len(saved[-1][1].optimizer) == len(model.optimizer.variables)
