"""Device placement, mixed precision, the text pipeline split and XLA with its fallback."""

from __future__ import annotations

import json
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.textfixtures import write_csv
from workbench.backend import acceleration, api
from workbench.backend.acceleration import (
    Acceleration,
    Placement,
    accelerated,
    choose_placement,
    choose_xla,
    list_devices,
    split_string_preprocessing,
)
from workbench.backend.adapters import adapter_for
from workbench.core.listener import NullListener
from workbench.core.project import Project
from workbench.core.templates import fit_head, fit_sequence_length
from workbench.core.textdata import load_text_table

HAS_GPU = bool(tf.config.list_logical_devices("GPU"))
cpu_only = pytest.mark.skipif(HAS_GPU, reason="checks the fallbacks of a machine without a GPU")


class Logs(NullListener):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def on_log(self, message: str) -> None:
        self.lines.append(message)


class NoLogPane:
    """A listener from before on_log existed: the trainer must not need it."""

    def on_plan(self, plan) -> None:
        self.plan = plan

    def on_batch(self, epoch, step, logs) -> None:
        pass

    def on_epoch(self, epoch, logs, samples_per_second) -> None:
        self.last = epoch


def text_model(max_tokens: int = 50, length: int = 6) -> tuple[keras.Model, keras.Layer]:
    inputs = keras.Input(shape=(), dtype="string", name="text")
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_sequence_length=length, name="textvectorization_1"
    )
    x = vectorizer(inputs)
    x = keras.layers.Embedding(max_tokens, 4, mask_zero=True, name="embedding_2")(x)
    x = keras.layers.LSTM(4, name="lstm_3")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="dense_4")(x)
    vectorizer.adapt(tf.constant(["good fine nice", "bad awful poor"]))
    return keras.Model(inputs, outputs), vectorizer


# -- devices ------------------------------------------------------------------------------


def test_devices_list_the_cpu_first_with_its_memory() -> None:
    devices = list_devices()
    assert devices[0].kind == "CPU" and devices[0].memory_bytes and devices[0].memory_bytes > 0
    assert all(d.kind in ("CPU", "GPU") for d in devices)
    described = acceleration.describe_devices(devices)
    assert described.startswith("CPU (") and "GiB" in described
    assert devices[0].to_dict()["cores"] == devices[0].cores >= 1


def test_backend_description_names_the_devices() -> None:
    description = api.load()
    assert description.startswith("Keras 3.") and " on CPU (" in description


# -- placement ----------------------------------------------------------------------------


@cpu_only
@pytest.mark.parametrize("device", ["gpu", "all_gpus"])
def test_gpu_settings_fall_back_to_the_cpu_with_a_note(device: str) -> None:
    placement = choose_placement(device)
    assert placement.kind == "cpu" and placement.strategy is None and placement.replicas == 1
    assert placement.notes and "No GPU found" in placement.notes[0]


@cpu_only
def test_mixed_precision_is_refused_on_the_cpu_with_a_note() -> None:
    placement = choose_placement("auto", mixed_precision=True)
    assert not placement.mixed_precision
    assert "Mixed precision needs a GPU" in placement.notes[-1]


def test_unknown_device_is_named() -> None:
    with pytest.raises(ValueError, match="'tpu'"):
        choose_placement("tpu")


@cpu_only
def test_training_on_a_missing_gpu_says_so_in_the_log(tmp_path) -> None:
    table = load_text_table(write_csv(tmp_path / "reviews.csv", n=80))
    project = Project()
    fit_head(project.layers, 2)
    fit_sequence_length(project.layers, table.suggested_sequence_length())
    project.layers[1].params["output_dim"] = 4
    project.layers[2].params["units"] = 4
    project.training.epochs = 1
    project.training.device = "gpu"
    project.training.mixed_precision = True
    logs = Logs()
    outcome, predictor = api.train(project, table, logs)
    assert outcome.epochs_completed == 1
    assert "No GPU found: training on the CPU instead." in logs.lines
    assert any("Mixed precision needs a GPU" in line for line in logs.lines)
    assert any("vectorised in the input pipeline" in line for line in logs.lines)
    # the saved model still reads raw text
    assert len(predictor.predict(["great movie", "awful plot"])) == 2
    # a listener without a log pane trains the same
    quiet = NoLogPane()
    outcome, _ = api.train(project, table, quiet)
    assert outcome.epochs_completed == 1 and quiet.last == 1


def test_mixed_precision_is_set_on_the_training_thread_only_and_reset(monkeypatch) -> None:
    """As on a GPU: float16 compute inside the fit's thread, float32 output, reset after."""
    monkeypatch.setattr(
        acceleration,
        "choose_placement",
        lambda device, mixed: Placement(device, "gpu", mixed_precision=mixed),
    )
    seen: dict[str, object] = {}

    def train_thread() -> None:
        with accelerated("gpu", True, Logs()) as accel:
            seen["inside"] = keras.config.dtype_policy().name
            model, _ = text_model()
            accel.training_model(model)
            seen["lstm"] = model.get_layer("lstm_3").compute_dtype
            seen["head"] = model.get_layer("dense_4").compute_dtype
            seen["weights"] = model.get_layer("lstm_3").variable_dtype
            seen["gui_thread_meanwhile"] = main_policy
        seen["after"] = keras.config.dtype_policy().name

    main_policy = keras.config.dtype_policy().name
    worker = threading.Thread(target=train_thread)
    worker.start()
    worker.join()
    assert seen == {
        "inside": "mixed_float16",
        "lstm": "float16",
        "head": "float32",
        "weights": "float32",
        "gui_thread_meanwhile": "float32",
        "after": "float32",
    }
    assert keras.config.dtype_policy().name == "float32"


# -- the text pipeline --------------------------------------------------------------------


def test_text_models_fit_after_the_vectorizer_with_the_same_weights() -> None:
    model, vectorizer = text_model()
    found, inner = split_string_preprocessing(model)
    assert found is vectorizer
    assert all("string" not in str(t.dtype) for t in inner.inputs)
    assert [id(w) for w in inner.weights] == [id(w) for w in model.weights]
    texts = tf.constant(["good nice", "awful bad poor"])
    np.testing.assert_allclose(
        model.predict(texts, verbose=0), inner.predict(vectorizer(texts), verbose=0), rtol=1e-6
    )


def _two_epochs(tmp_path, monkeypatch, budget: int) -> tuple[list[np.ndarray], int, Logs]:
    """Word indices of two passes over a shuffled training set of 40 texts in batches of
    4, and how many texts the vectorizer tokenised meanwhile."""
    monkeypatch.setattr(acceleration, "CACHE_BUDGET_BYTES", budget)
    table = load_text_table(write_csv(tmp_path / "reviews.csv", n=40))
    model, vectorizer = text_model(length=8)
    vectorizer.adapt(tf.constant(table.texts()))
    logs = Logs()
    accel = Acceleration(Placement("cpu", "cpu"), logs)
    accel.training_model(model)
    tokenised: list[int] = []

    def counting(texts):
        count = tf.numpy_function(
            lambda t: np.int64(tokenised.append(len(t)) or 0), [texts], tf.int64
        )
        with tf.control_dependencies([count]):
            return vectorizer(texts)

    accel.vectorizer = counting
    batches = accel.dataset_for(adapter_for(table), np.arange(40), 4, shuffle_seed=3)
    # a known length: Keras would otherwise try (and count) a step past every epoch's end
    assert int(batches.cardinality()) == 10
    passes = [np.concatenate([x.numpy() for x, _ in batches]) for _ in range(2)]
    return passes, sum(tokenised), logs


def test_texts_are_tokenised_once_and_reshuffled_every_epoch(tmp_path, monkeypatch) -> None:
    (first, second), tokenised, logs = _two_epochs(tmp_path, monkeypatch, budget=2**20)
    assert tokenised == 40  # not 80: the second epoch reads the kept word indices
    assert first.shape == second.shape == (40, 8) and first.max() > 1
    assert sorted(map(tuple, first)) == sorted(map(tuple, second))  # the same texts...
    assert not np.array_equal(first, second)  # ...in a new order
    assert any("tokenised once" in line for line in logs.lines)


def test_texts_too_big_to_keep_are_tokenised_every_epoch(tmp_path, monkeypatch) -> None:
    (first, second), tokenised, logs = _two_epochs(tmp_path, monkeypatch, budget=0)
    assert tokenised == 80
    assert sorted(map(tuple, first)) == sorted(map(tuple, second))
    assert not np.array_equal(first, second)
    assert not any("tokenised once" in line for line in logs.lines)


def test_texts_of_no_fixed_length_are_vectorised_batch_by_batch(tmp_path) -> None:
    """Without an output length each batch is padded to its own longest text: nothing is
    kept, and validation batches too come whole from the strings."""
    table = load_text_table(write_csv(tmp_path / "reviews.csv", n=40))
    model, vectorizer = text_model(length=None)
    vectorizer.adapt(tf.constant(table.texts()))
    logs = Logs()
    accel = Acceleration(Placement("cpu", "cpu"), logs)
    accel.training_model(model)
    for seed in (3, None):
        batches = list(accel.dataset_for(adapter_for(table), np.arange(40), 16, seed))
        assert [len(y) for _, y in batches] == [16, 16, 8]
        assert all(x.shape[1] == int((x.numpy() > 0).sum(axis=1).max()) for x, _ in batches)
    assert not any("tokenised once" in line for line in logs.lines)


def test_models_without_raw_strings_are_fitted_whole() -> None:
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    assert split_string_preprocessing(model) == (None, model)


# -- XLA ----------------------------------------------------------------------------------


def _dense(units: int = 1) -> keras.Model:
    inputs = keras.Input(shape=(4,))
    return keras.Model(inputs, keras.layers.Dense(units, activation="sigmoid")(inputs))


@cpu_only
def test_xla_choice_follows_model_data_and_device(monkeypatch) -> None:
    monkeypatch.delenv("WORKBENCH_XLA", raising=False)
    cpu = Placement("auto", "cpu")
    model, _ = text_model()
    _, inner = split_string_preprocessing(model)
    assert not choose_xla(model, cpu, 10_000).enabled  # raw strings
    assert choose_xla(inner, cpu, 10_000).enabled
    short = choose_xla(inner, cpu, 50)
    assert not short.enabled and "50 training steps" in short.reason
    images = keras.Input(shape=(8, 8, 1))
    conv = keras.Model(images, keras.layers.Conv2D(2, 3)(images))
    assert not choose_xla(conv, cpu, 10_000).enabled
    monkeypatch.setenv("WORKBENCH_XLA", "off")
    assert not choose_xla(inner, cpu, 10_000).enabled
    monkeypatch.setenv("WORKBENCH_XLA", "on")
    assert choose_xla(conv, cpu, 10).enabled


class HostOnly(keras.layers.Layer):
    """Runs numpy on the host: XLA cannot compile it, plain graphs can."""

    def call(self, x):
        y = tf.numpy_function(lambda a: a * 1.0, [x], tf.float32)
        return tf.ensure_shape(y, x.shape)


def test_xla_failure_recompiles_without_it_and_trains_on(monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_XLA", "on")
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(HostOnly()(inputs)))
    logs = Logs()
    accel = Acceleration(Placement("auto", "cpu"), logs)
    fit_model = accel.training_model(model)
    accel.compile(model, fit_model, 100, optimizer="sgd", loss="mse")
    assert accel.xla.enabled
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    history = accel.fit(fit_model, x, y, epochs=3, batch_size=16, verbose=0)
    assert not accel.xla.enabled
    assert any("XLA could not compile this model" in line for line in logs.lines)
    assert len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_cli_lists_devices_as_text_and_json(capsys) -> None:
    from workbench.cli import main

    assert main(["devices", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["backend"].startswith("Keras 3.")
    assert listed["devices"][0]["kind"] == "CPU" and listed["devices"][0]["memory_bytes"] > 0
    assert main(["devices"]) == 0
    text = capsys.readouterr().out
    assert "CPU (" in text and "GiB" in text
    if not HAS_GPU:
        assert "No GPU: training runs on the CPU" in text
