"""Epochs "auto" and the settings changed while paused: a number typed into an auto run
becomes its length; "auto" itself is never an update (the run goes on as it was)."""

from __future__ import annotations

import keras

from workbench.backend.callbacks import FitCallbacks
from workbench.backend.callbacks.live_settings import LiveSettings
from workbench.core.listener import NullListener, TrainingControl, TrainingPlan
from workbench.core.project import TrainingConfig

AUTO_PLAN = TrainingPlan(300, 4, 64, 16, ["a", "b"], auto_epochs=True)


class Heard(NullListener):
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.plans: list[TrainingPlan] = []

    def on_log(self, message: str) -> None:
        self.lines.append(message)

    def on_plan(self, plan: TrainingPlan) -> None:
        self.plans.append(plan)


def live_settings(
    auto_patience: bool = False, patience: int = 0
) -> tuple[LiveSettings, FitCallbacks, Heard, list]:
    heard, changes = Heard(), []
    # the trainer hands the callbacks the settings with auto resolved to its cap (and, when
    # the person set no patience, auto's own)
    cfg = TrainingConfig(epochs=300, early_stopping_patience=20 if auto_patience else patience)
    fit = FitCallbacks(
        heard,
        TrainingControl(),
        AUTO_PLAN,
        cfg,
        on_change=changes.append,
        auto_patience=auto_patience,
    )
    (live,) = [c for c in fit.callbacks if isinstance(c, LiveSettings)]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    live.set_model(model)
    return live, fit, heard, changes


def test_epochs_none_is_no_change():
    live, fit, heard, changes = live_settings()
    live.apply({"epochs": None, "learning_rate": 0.01})
    assert fit.position.target_epochs == 300
    assert heard.plans == [] and changes == [{"learning_rate": 0.01}]


def test_a_number_typed_into_an_auto_run_becomes_its_length():
    live, fit, heard, changes = live_settings()
    live.apply({"epochs": 40})
    assert fit.position.target_epochs == 40
    (plan,) = heard.plans
    assert (plan.epochs, plan.auto_epochs) == (40, False)  # a length now, not a cap
    assert changes == [{"epochs": 40}]
    assert "Epochs changed from auto (at most 300) to 40." in heard.lines


def test_a_typed_number_ends_autos_own_early_stopping_but_not_the_persons():
    live, fit, _, _ = live_settings(auto_patience=True)
    assert fit.early_stopping.patience == 20
    live.apply({"epochs": 40})
    assert fit.early_stopping.patience == 0  # exactly 40 epochs, as typed
    live, fit, _, _ = live_settings(auto_patience=False, patience=4)  # the person's own
    live.apply({"epochs": 40})
    assert fit.early_stopping.patience == 4
