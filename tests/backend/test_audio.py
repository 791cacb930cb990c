"""Audio through Keras: the streamed pipeline, augmentation in training only, the
spectrogram inside the model, and a saved model that plain Keras runs on raw waveforms."""

from __future__ import annotations

import json
import zipfile

import keras
import numpy as np
import pytest

from tests.ui.audiofixtures import audio_folder, tone, write_clip
from workbench.backend import api
from workbench.backend.adapters import adapter_for
from workbench.backend.model_builder import make_layer
from workbench.core.audio import load_audio_folder, read_clip
from workbench.core.layers import LayerSpec
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import (
    TEMPLATES,
    audio_mel_cnn,
    default_template,
    fit_sample_rate,
    mel_frontend,
)


@pytest.fixture
def folder(tmp_path):
    return load_audio_folder(audio_folder(tmp_path / "tones", per_class=6))


def test_the_pipeline_streams_the_clips_read_clip_makes_with_their_labels(folder):
    adapter = adapter_for(folder)
    rows = np.arange(len(folder.files))
    got = list(adapter.dataset_for(rows, 4).unbatch().as_numpy_iterator())
    waves = np.stack([w for w, _ in got])
    want = np.stack([read_clip(f, folder.sample_rate, folder.clip_samples) for f in folder.files])
    np.testing.assert_array_equal(waves, want)
    assert [int(y) for _, y in got] == folder.labels.tolist()


def test_augmentation_changes_training_clips_only(folder):
    rows = np.arange(len(folder.files))
    plain = np.stack([w for w, _ in adapter_for(folder).examples(rows).as_numpy_iterator()])
    augmented = adapter_for(folder, augment=True)
    val = np.stack([w for w, _ in augmented.examples(rows).as_numpy_iterator()])
    np.testing.assert_array_equal(val, plain)  # validation and evaluation: untouched
    train = list(augmented.dataset_for(rows, 64, shuffle_seed=1).unbatch().as_numpy_iterator())
    assert all(w.shape == (folder.clip_samples,) for w, _ in train)
    by_label = {tuple(np.round(p[:50], 3)) for p in plain}
    assert not any(tuple(np.round(w[:50], 3)) in by_label for w, _ in train)


def test_a_clips_spectrogram_does_not_depend_on_its_batch():
    layer = make_layer(LayerSpec("MelSpectrogram", mel_frontend(16000)))
    quiet = 0.001 * tone(0.5, 16000, 300)
    loud = np.ones(8000, dtype=np.float32)
    alone = np.asarray(layer(quiet[None]))
    beside = np.asarray(layer(np.stack([quiet, loud])))[:1]
    np.testing.assert_allclose(alone, beside, rtol=1e-5, atol=1e-4)


def test_the_spectrogram_must_read_the_datas_rate(folder):
    layers = audio_mel_cnn(2, 16000)
    data = folder.with_settings(8000)
    summary = api.summarize(layers, dataset=data)
    assert not summary.ok
    assert "sample rate is 16,000 Hz but the clips are 8,000 Hz" in summary.first_error()
    assert fit_sample_rate(layers, 8000)
    mel = layers[0].params
    assert (mel["sampling_rate"], mel["sequence_length"], mel["sequence_stride"]) == (8000, 200, 80)
    assert mel["fft_length"] >= mel["sequence_length"]
    assert api.summarize(layers, dataset=data).ok
    assert not fit_sample_rate(layers, 8000)


def test_mel_settings_that_cannot_work_are_named(folder):
    spec = LayerSpec("MelSpectrogram", {**mel_frontend(16000), "fft_length": 256})
    assert "FFT length 256 is shorter than the window (400 samples)" in spec.problems()[0]
    twice = [LayerSpec("MelSpectrogram"), LayerSpec("MelSpectrogram")]
    summary = api.summarize(twice, dataset=folder)
    assert summary.errors[0][0] == 1
    assert "MelSpectrogram reads raw waveforms" in " ".join(m for _, m in summary.errors)


@pytest.mark.parametrize("template", ["audio-mel-cnn", "audio-wave-cnn"])
def test_each_template_trains_and_saves_a_model_plain_keras_runs_on_waveforms(
    tmp_path, folder, template
):
    assert default_template(folder)[0] == "audio-mel-cnn"
    layers = TEMPLATES[template].build(folder)
    project = Project(DatasetSpec(kind="audio", augment=True), layers)
    project.training.epochs = 2
    outcome, predictor = api.train(project, folder, NullListener(), output_dir=tmp_path)
    assert outcome.epochs_completed == 2 and outcome.model_path

    plain = keras.models.load_model(outcome.model_path)  # no workbench objects needed
    samples = folder.clip_samples
    assert tuple(plain.inputs[0].shape) == (None, samples)
    out = plain.predict(np.zeros((3, samples), "float32"), verbose=0)
    assert out.shape == (3, 1)  # two classes: one sigmoid unit
    with zipfile.ZipFile(outcome.model_path) as archive:
        meta = json.loads(archive.read("workbench.json"))
    assert (meta["kind"], meta["sample_rate"], meta["clip_samples"]) == ("audio", 16000, samples)

    # a file at another rate, in stereo and another format reads as in training
    other = write_clip(tmp_path / "new.flac", tone(0.4, 44100, 1500, channels=2), 44100)
    answers, used, skipped = predictor.predict_audio([other, tmp_path / "missing.wav"])
    assert used == [str(other)] and len(skipped) == 1
    wave = read_clip(other, 16000, samples)
    p = float(plain.predict(wave[None], verbose=0)[0, 0])
    assert answers[0].probabilities[predictor.class_names[1]] == pytest.approx(p, abs=1e-5)


def test_the_normalization_after_the_spectrogram_is_adapted_on_the_training_split(tmp_path, folder):
    project = Project(DatasetSpec(kind="audio"), audio_mel_cnn(2, folder.sample_rate))
    project.training.epochs = 1
    _, predictor = api.train(project, folder, NullListener(), output_dir=tmp_path)
    norm = next(layer for layer in predictor.model.layers if layer.name.startswith("normaliz"))
    # log-mel values are in dB: far from the unadapted mean 0 and variance 1
    assert float(np.ravel(norm.mean)[0]) < -10.0
    assert float(np.ravel(norm.variance)[0]) > 10.0


def test_augmentation_is_the_same_every_run_and_new_every_epoch(folder):
    rows = np.arange(len(folder.files))

    def epochs(count):
        data = adapter_for(folder, augment=True).dataset_for(rows, 64, shuffle_seed=7)
        return [np.concatenate([w for w, _ in data.as_numpy_iterator()]) for _ in range(count)]

    first, second = epochs(2)
    again = epochs(1)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)
