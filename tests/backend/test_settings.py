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
