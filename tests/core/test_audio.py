"""Audio folders without TensorFlow: listing, skipped files, the clip length, and read_clip."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from tests.ui.audiofixtures import audio_folder, tone, write_clip
from workbench.core.audio import (
    AudioFolder,
    crop_start,
    fit_length,
    load_audio_folder,
    log_mel,
    mel_summary,
    mp3_supported,
    read_clip,
    read_header,
)
from workbench.core.datasets import infer_kind, load_dataset
from workbench.core.errors import DataError, FileRejected
from workbench.core.model_meta import read_meta


def _peak_hz(wave: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(wave))
    return float(np.argmax(spectrum) * rate / len(wave))


def test_mixed_rates_channels_and_formats_are_listed_from_headers(tmp_path):
    root = tmp_path / "words"
    write_clip(root / "yes" / "a.wav", tone(0.5, 8000, 400), 8000)
    write_clip(root / "yes" / "b.flac", tone(0.6, 22050, 400, channels=2), 22050)
    write_clip(root / "no" / "c.ogg", tone(0.7, 44100, 900), 44100)
    formats = {".wav", ".flac", ".ogg"}
    if mp3_supported():
        soundfile.write(root / "no" / "d.mp3", tone(0.8, 16000, 900), 16000, format="MP3")
        formats.add(".mp3")
    assert infer_kind(root) == "audio"
    data = load_dataset(root)
    assert isinstance(data, AudioFolder)
    assert data.class_names == ["no", "yes"]
    assert sorted({f[f.rfind(".") :] for f in data.files}) == sorted(formats)
    summary = data.summary()
    assert summary["rates"]["22050"] == 1 and summary["channels"]["2"] == 1
    assert data.sample_rate == 16000
    assert data.clip_seconds == pytest.approx(np.percentile(data.durations, 95), abs=0.011)
    assert data.clip_samples == round(16000 * data.clip_seconds)
    json.dumps(summary)  # check-data --json prints it


def test_bad_files_are_skipped_with_their_reason(tmp_path):
    root = audio_folder(tmp_path / "tones")
    soundfile.write(root / "low" / "zero.wav", np.zeros(0, dtype=np.float32), 8000)
    (root / "low" / "fake.mp3").write_text("not an mp3", encoding="utf-8")
    data = load_audio_folder(root)
    reasons = {name.rsplit("/", 1)[-1]: why for name, why in data.skipped}
    assert reasons["empty.wav"] == "empty file (0 bytes)"
    assert reasons["notes.wav"].startswith("not audio that libsndfile can read")
    assert reasons["zero.wav"] == "a clip of zero length (no samples)"
    assert "not MP3 audio" in reasons["fake.mp3"] or "MP3 is not supported" in reasons["fake.mp3"]
    assert all(f.rsplit("/", 1)[-1] not in reasons for f in data.files)


def test_one_class_or_no_readable_clip_is_refused_in_words(tmp_path):
    one = tmp_path / "one"
    write_clip(one / "yes" / "a.wav", tone(0.3, 8000, 400), 8000)
    (one / "no").mkdir()
    (one / "no" / "b.wav").write_bytes(b"")
    with pytest.raises(DataError, match=r"readable clips in one class \(yes\).*b\.wav: empty"):
        load_audio_folder(one)
    none = tmp_path / "none"
    for name in ("a", "b"):
        (none / name).mkdir(parents=True)
        (none / name / "x.wav").write_text("text", encoding="utf-8")
    with pytest.raises(DataError, match="no readable clip"):
        load_audio_folder(none)
    with pytest.raises(DataError, match="no class folders"):
        load_audio_folder(tmp_path / "one" / "yes")


def test_settings_are_checked(tmp_path):
    data = load_audio_folder(audio_folder(tmp_path / "t", bad=False))
    assert data.with_settings(8000, 0.25).clip_samples == 2000
    assert data.with_settings(None, None).clip_seconds == data.auto_seconds
    with pytest.raises(DataError, match="Sample rate 100 Hz is outside"):
        data.with_settings(100)
    with pytest.raises(DataError, match="Clip length 99 s is outside"):
        data.with_settings(16000, 99)
    with pytest.raises(DataError, match="Sample rate 500 Hz"):
        load_dataset(tmp_path / "t", sample_rate=500)


def test_read_clip_downmixes_resamples_and_pads(tmp_path):
    left = tone(0.5, 8000, 500)
    stereo = np.stack([left, 0.5 * left], axis=1)
    path = write_clip(tmp_path / "s.flac", stereo, 8000)
    clip = read_clip(path, 16000, 16000)
    assert clip.dtype == np.float32 and clip.shape == (16000,)
    assert np.all(clip[8100:] == 0.0)  # 0.5 s of sound, then silence
    assert _peak_hz(clip[:8000], 16000) == pytest.approx(500, abs=5)
    # the mean of the channels: 0.75 of the left one's loudness
    ratio = np.abs(clip[:8000]).max() / np.abs(left).max()
    assert ratio == pytest.approx(0.75, abs=0.05)


def test_a_long_clip_is_cropped_to_its_loudest_stretch():
    wave = np.zeros(10_000, dtype=np.float32)
    wave[6000:7000] = 1.0
    assert crop_start(wave, 2000) in range(5000, 6001)
    part = fit_length(wave, 2000)
    assert part.shape == (2000,) and part.sum() == 1000.0
    assert crop_start(wave[:100], 2000) == 0
    assert fit_length(wave[:100], 2000).shape == (2000,)


def test_read_clip_names_a_file_it_cannot_decode(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("hello", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.wav: not audio that libsndfile can read"):
        read_clip(bad, 16000, 100)
    assert read_header(bad).startswith("not audio")


def test_pictures_and_baseline_features_have_the_expected_shape():
    wave = tone(1.0, 16000, 440)
    spec = log_mel(wave, 16000)
    assert spec.shape == (1 + (16000 - 400) // 160, 64)
    assert np.isfinite(spec).all()
    assert mel_summary(wave, 16000).shape == (80,)
    # the 440 Hz tone is loudest in a low band
    assert int(np.argmax(spec.mean(axis=0))) < 20


def test_audio_model_metadata_is_validated():
    good = {"kind": "audio", "class_names": ["a", "b"], "sample_rate": 16000, "clip_samples": 8}
    assert read_meta(json.dumps(good).encode(), "m")["clip_samples"] == 8
    for bad in (
        {**good, "sample_rate": None},
        {**good, "sample_rate": 10},
        {**good, "clip_samples": 10**9},
    ):
        with pytest.raises(FileRejected):
            read_meta(json.dumps({k: v for k, v in bad.items() if v is not None}).encode(), "m")


def test_a_header_that_lies_is_refused_before_decoding(tmp_path):
    import struct

    path = tmp_path / "lie.wav"
    soundfile.write(path, np.zeros(100, np.int16), 8000, subtype="PCM_16")
    raw = bytearray(path.read_bytes())
    raw[24:28] = struct.pack("<I", 2_000_000_000)  # the sample rate field
    path.write_bytes(bytes(raw))
    assert "more than a recording has" in read_header(path)
    with pytest.raises(DataError, match=r"lie\.wav: a header claiming 2,000,000,000 Hz"):
        read_clip(path, 16000, 1000)
    longer = tmp_path / "long.wav"
    soundfile.write(longer, np.zeros(100, np.int16), 8000, subtype="PCM_16")
    raw = bytearray(longer.read_bytes())
    raw[40:44] = struct.pack("<I", 0xFFFFFFF0)  # a data chunk "longer" than the file
    longer.write_bytes(bytes(raw))
    assert read_clip(longer, 16000, 1000).shape == (1000,)
