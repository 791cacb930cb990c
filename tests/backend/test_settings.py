"""Training settings: every optimizer, schedules, early stopping, class weights, clipping."""

import numpy as np
import pytest

from tests.backend.test_training import Recorder
from workbench.backend import api
from workbench.backend.trainer import balanced_weights, make_optimizer
from workbench.core.datasets import load_dataset
from workbench.core.errors import ModelConfigError
from workbench.core.project import OPTIMIZERS, DatasetSpec, Project, TrainingConfig
from workbench.core.templates import default_layers


@pytest.fixture
def vectors(tmp_path):
    x = np.random.default_rng(0).normal(size=(160, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.8).astype(int)  # about one in five positive
    np.savez(tmp_path / "v.npz", x=x, y=y)
    return load_dataset(tmp_path / "v.npz")


def project_for(data, **settings):
    project = Project(DatasetSpec(kind="npz"), default_layers(data))
    project.training.epochs = 2
    for key, value in settings.items():
        setattr(project.training, key, value)
    return project


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains(vectors, optimizer):
    outcome, _ = api.train(project_for(vectors, optimizer=optimizer), vectors, Recorder())
    assert outcome.epochs_completed == 2 and np.isfinite(outcome.best_metrics["val_loss"])


def test_schedules_clipping_and_momentum_reach_the_optimizer():
    cosine = make_optimizer(TrainingConfig(schedule="cosine", epochs=4), steps_per_epoch=10)
    assert float(cosine.learning_rate) == pytest.approx(1e-3)  # starts at the set rate
    assert cosine._learning_rate.decay_steps == 40
    sgd = make_optimizer(TrainingConfig(optimizer="sgd", momentum=0.9, clip_norm=1.0), 10)
    assert sgd.momentum == 0.9 and sgd.clipnorm == 1.0


def test_plateau_and_step_schedules_train(vectors):
    for schedule in ("plateau", "step"):
        outcome, _ = api.train(project_for(vectors, schedule=schedule), vectors, Recorder())
        assert outcome.epochs_completed == 2


def test_early_stopping_ends_when_validation_stops_improving(vectors):
    # A learning rate this small cannot improve val_loss by much: patience 1 ends it early.
    project = project_for(vectors, epochs=30, early_stopping_patience=1, learning_rate=1e-9)
    outcome, _ = api.train(project, vectors, Recorder())
    assert outcome.epochs_completed < 30 and not outcome.stopped


def test_balanced_class_weights():
    weights = balanced_weights(np.array([0, 0, 0, 1]), 2)
    assert weights == {0: pytest.approx(4 / 6), 1: pytest.approx(2.0)}


def test_balanced_weights_train_on_imbalanced_labels(vectors):
    outcome, _ = api.train(project_for(vectors, class_weights="balanced"), vectors, Recorder())
    assert outcome.epochs_completed == 2


def test_bad_settings_are_named():
    bad = TrainingConfig(schedule="wild", class_weights="some", momentum=1.5, clip_norm=-1)
    with pytest.raises(ModelConfigError) as info:
        bad.check()
    for words in ("schedule", "Class weights", "Momentum", "clipping"):
        assert words in str(info.value)


def test_nesterov_reaches_sgd():
    sgd = make_optimizer(TrainingConfig(optimizer="sgd", momentum=0.9, nesterov=True), 10)
    assert sgd.nesterov and sgd.momentum == 0.9
    assert not make_optimizer(TrainingConfig(optimizer="sgd"), 10).nesterov


def test_best_epoch_follows_the_monitor_and_its_direction(vectors):
    for monitor, pick in (("val_accuracy", max), ("loss", min), ("val_loss", min)):
        recorder = Recorder()
        project = project_for(vectors, epochs=4, learning_rate=0.05, early_stopping_monitor=monitor)
        outcome, _ = api.train(project, vectors, recorder)
        values = [logs[monitor] for _, logs, _ in recorder.epochs]
        assert values[outcome.best_epoch - 1] == pick(values), monitor
        assert values.index(pick(values)) == outcome.best_epoch - 1  # the first of equals


def test_restore_best_weights_decides_which_weights_are_kept(vectors, tmp_path):
    from workbench.backend.checkpoints import latest_checkpoint
    from workbench.core.runs import RunStore

    store = RunStore(tmp_path / "runs")
    # val_accuracy cannot change at this rate, so epoch 1 stays the best of 3.
    settings = dict(
        epochs=3, optimizer="sgd", learning_rate=1e-6, early_stopping_monitor="val_accuracy"
    )
    for restore in (True, False):
        project = project_for(vectors, restore_best_weights=restore, **settings)
        outcome, predictor = api.train(project, vectors, Recorder(), store=store)
        # "best" is the epoch whose weights are kept: epoch 1, or the last without restore
        assert outcome.best_epoch == (1 if restore else 3)
        checkpoint = latest_checkpoint(store.get(outcome.run_id).checkpoint_path)
        kept = predictor.model.get_weights()
        expected = checkpoint.best_weights if restore else checkpoint.weights
        assert all(np.array_equal(a, b) for a, b in zip(kept, expected, strict=True))
        last_differs = any(
            not np.array_equal(a, b) for a, b in zip(kept, checkpoint.weights, strict=True)
        )
        assert last_differs == restore


def test_reduce_on_plateau_halves_the_rate_and_says_so():
    import keras

    from workbench.backend.callbacks import FitPosition, ReduceOnPlateau

    listener = _Log()
    plateau = ReduceOnPlateau(listener, FitPosition(target_epochs=10))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    plateau.set_model(model)
    for val_loss in (1.0, 0.9, 0.95, 0.91):  # better, then two epochs without improvement
        plateau.update(val_loss)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.005)
    assert listener.lines == [
        "Learning rate reduced from 0.01 to 0.005: val_loss has not improved for 2 epochs."
    ]
    assert plateau.state() == {"plateau_best": 0.9, "plateau_wait": 0}


def test_a_listener_without_on_log_still_trains(vectors):
    class Minimal:
        def __init__(self):
            self.epochs = 0

        def on_plan(self, plan):
            pass

        def on_batch(self, epoch, step, logs):
            pass

        def on_epoch(self, epoch, logs, samples_per_second):
            self.epochs += 1

    listener = Minimal()
    outcome, _ = api.train(project_for(vectors, schedule="plateau"), vectors, listener)
    assert listener.epochs == 2 and outcome.epochs_completed == 2


def test_tensorboard_event_files_only_when_the_package_is_there(vectors, tmp_path):
    import importlib.util

    from workbench.core.runs import RunStore

    store = RunStore(tmp_path / "runs")
    outcome, _ = api.train(project_for(vectors), vectors, Recorder(), store=store)
    record = store.get(outcome.run_id)
    events = list((record.path / "tensorboard").rglob("events.out.tfevents.*"))
    assert record.status == "finished"
    assert bool(events) == (importlib.util.find_spec("tensorboard") is not None)


class _Log(Recorder):
    def __init__(self):
        super().__init__()
        self.lines = []

    def on_log(self, message):
        self.lines.append(message)


def test_auto_class_weights_balance_imbalanced_labels_and_say_so(vectors, tmp_path):
    assert TrainingConfig().class_weights == "auto"  # the default
    x = np.random.default_rng(2).normal(size=(440, 4))
    np.savez(tmp_path / "rare.npz", x=x, y=(np.arange(440) % 22 == 0).astype(int))  # 20:1
    rare = load_dataset(tmp_path / "rare.npz")
    listener = _Log()
    outcome, _ = api.train(project_for(rare), rare, listener)
    assert outcome.epochs_completed == 2
    chosen = [line for line in listener.lines if line.startswith("Balanced class weights")]
    assert len(chosen) == 1 and "chosen automatically" in chosen[0]
    listener = _Log()
    api.train(project_for(vectors), vectors, listener)  # about 4:1: left as it is
    assert not [line for line in listener.lines if "class weights" in line.lower()]

    x = np.random.default_rng(1).normal(size=(160, 4))
    np.savez(tmp_path / "even.npz", x=x, y=(x[:, 0] > 0).astype(int))  # about 1:1
    even = load_dataset(tmp_path / "even.npz")
    listener = _Log()
    api.train(project_for(even), even, listener)
    assert not [line for line in listener.lines if "class weights" in line.lower()]
    listener = _Log()
    api.train(project_for(vectors, class_weights="none"), vectors, listener)
    assert not [line for line in listener.lines if "class weights" in line.lower()]


def test_exported_script_decides_auto_weights_like_the_workbench(vectors):
    from workbench.backend.codegen import keras_script

    script = keras_script(project_for(vectors), vectors)
    assert "if imbalance(labels[train_rows]) >= 20.0 else None" in script
    none = keras_script(project_for(vectors, class_weights="none"), vectors)
    assert "class_weight=None" in none and ">= 20.0 else None" not in none
