"""Training through the shared Trainer: results, stop, pause, saved models."""

import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.textfixtures import write_csv
from workbench.backend import api
from workbench.core.listener import NullListener, TrainingControl
from workbench.core.project import Project
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.core.templates import fit_head, fit_sequence_length
from workbench.core.textdata import load_text_table


class Recorder(NullListener):
    """Keeps what the trainer reported and can act at a given batch."""

    def __init__(self, at_batch=None, action=None):
        self.batches, self.epochs, self.plan = [], [], None
        self.at_batch, self.action = at_batch, action

    def on_plan(self, plan):
        self.plan = plan

    def on_batch(self, epoch, step, logs):
        self.batches.append((epoch, step))
        if self.at_batch == (epoch, step) and self.action:
            self.action()

    def on_epoch(self, epoch, logs, samples_per_second):
        self.epochs.append((epoch, logs, samples_per_second))


def tiny_project(table, epochs=3, units=8):
    project = Project()
    fit_head(project.layers, len(table.class_names()))
    fit_sequence_length(project.layers, table.suggested_sequence_length())
    project.layers[1].params["output_dim"] = 8
    project.layers[2].params["units"] = units
    project.training.epochs = epochs
    project.training.batch_size = 16
    return project


@pytest.fixture
def binary_table(tmp_path):
    return load_text_table(write_csv(tmp_path / "reviews.csv"))


def test_train_reports_every_epoch_and_learns(binary_table, tmp_path):
    recorder = Recorder()
    project = tiny_project(binary_table, epochs=4)
    project.training.learning_rate = 0.01
    outcome, predictor = api.train(project, binary_table, recorder, output_dir=tmp_path / "out")
    assert recorder.plan.steps_per_epoch == 12 and recorder.plan.validation_samples == 48
    assert [e for e, _, _ in recorder.epochs] == [1, 2, 3, 4]
    assert set(recorder.epochs[0][1]) == {
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "learning_rate",
    }
    assert recorder.epochs[0][1]["learning_rate"] == pytest.approx(0.01)
    assert not outcome.stopped and outcome.epochs_completed == 4
    assert outcome.best_metrics["val_accuracy"] >= 0.9
    assert outcome.samples_per_second > 0
    result = predictor.predict(["a superb and lovely plot", "an awful boring day"])
    assert [r.label for r in result] == ["pos", "neg"]
    assert sum(result[0].probabilities.values()) == pytest.approx(1.0)

    # The saved file is a plain .keras model that takes raw strings.
    plain = keras.models.load_model(outcome.model_path)
    probs = plain.predict(tf.constant(["superb lovely", "awful boring"]), verbose=0)
    assert probs.shape == (2, 1) and probs[0, 0] > 0.5 > probs[1, 0]  # classes sorted: neg, pos
    reopened = api.Predictor.load(outcome.model_path)
    assert reopened.class_names == ["neg", "pos"]


def test_stop_mid_epoch_ends_within_one_batch_and_keeps_the_model(binary_table):
    control = TrainingControl()
    recorder = Recorder(at_batch=(1, 3), action=control.request_stop)
    outcome, predictor = api.train(
        tiny_project(binary_table, epochs=5), binary_table, recorder, control
    )
    assert recorder.batches[-1] == (1, 3)  # no batch ran after the stop request
    assert outcome.stopped and outcome.epochs_completed == 0
    assert len(predictor.predict(["lovely"])) == 1


def test_pause_holds_training_until_resumed(binary_table):
    control = TrainingControl()
    paused_at = threading.Event()

    def pause():
        control.pause()
        paused_at.set()

    recorder = Recorder(at_batch=(1, 2), action=pause)
    done = []
    thread = threading.Thread(
        target=lambda: done.append(
            api.train(tiny_project(binary_table, epochs=1), binary_table, recorder, control)
        )
    )
    thread.start()
    assert paused_at.wait(60)
    seen = len(recorder.batches)
    thread.join(0.5)
    assert thread.is_alive() and len(recorder.batches) == seen  # held at the pause
    control.resume()
    thread.join(60)
    assert done and done[0][0].epochs_completed == 1 and not done[0][0].stopped


def test_three_classes_use_a_softmax_head(tmp_path):
    table = load_text_table(
        write_csv(tmp_path / "three.csv", n=300, classes=("pos", "neg", "neutral"))
    )
    project = tiny_project(table, epochs=2)
    assert project.layers[-1].params == {"units": 3, "activation": "softmax"}
    _outcome, predictor = api.train(project, table, Recorder())
    probs = predictor.predict(["a table by the river"])[0].probabilities
    assert set(probs) == {"neg", "neutral", "pos"}
    assert sum(probs.values()) == pytest.approx(1.0)


def test_vocabulary_is_adapted_on_the_training_split_only(binary_table):
    from workbench.backend.trainer import Trainer

    trainer = Trainer(tiny_project(binary_table, epochs=1), binary_table)
    trainer.run(NullListener(), TrainingControl())
    vocab = set(trainer.model.layers[1].get_vocabulary())
    train_texts = trainer.adapter.train_texts(trainer.split.train)
    train_words = {w for t in train_texts for w in t.split()}
    assert vocab - {"", "[UNK]"} <= train_words


def test_default_template_learns_the_shipped_sample():
    """The default text template beats the majority class by a clear margin, untuned."""
    table = load_text_table(DEFAULT_SAMPLE.path)
    project = Project()
    fit_sequence_length(project.layers, table.suggested_sequence_length())
    project.training.epochs = 2
    outcome, _ = api.train(project, table, NullListener())
    majority = max(table.class_counts().values()) / len(table.frame)
    assert outcome.best_metrics["val_accuracy"] >= majority + 0.15, (outcome, majority)
    assert np.isfinite(outcome.best_metrics["val_loss"])
