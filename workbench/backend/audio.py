"""Audio for Keras: clips decoded for tf.data, augmented for training, turned into inputs.

The model takes raw mono waveforms at its sample rate (``clip_samples`` float32 values per
clip), so a saved model works in plain Keras on ``np.zeros((n, samples), "float32")``; the
spectrogram and its normalisation are layers of the person's stack (MelSpectrogram,
Normalization adapted on the training split). Files are decoded by
:func:`workbench.core.audio.read_clip` on tf.data's parallel map, a batch at a time, so a
folder of any size trains in bounded memory. Augmentation (a time shift, a gain and a little
noise) is applied in the training pipeline only: validation, evaluation, prediction and the
saved model never see it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.backend.runtime import ensure_loaded
from workbench.core.audio import read_clip
from workbench.core.errors import DataError

ensure_loaded()
import tensorflow as tf  # noqa: E402

#: Training augmentation: shifts of up to this share of the clip, gains within +-GAIN_DB, and
#: noise between NOISE_SNR_DB (signal-to-noise, dB).
SHIFT_SHARE = 0.1
GAIN_DB = 6.0
NOISE_SNR_DB = (20.0, 40.0)


def clip_or_silence(path: str | bytes, rate: int, samples: int) -> np.ndarray:
    """One file for the pipeline. A file that passed the header check but will not decode
    gives silence, so the rows stay aligned with their labels (prediction names such files)."""
    try:
        return read_clip(path.decode() if isinstance(path, bytes) else path, rate, samples)
    except DataError:
        return np.zeros(samples, dtype=np.float32)


def augment(wave: Any, samples: int, seed: Any) -> Any:
    """A random time shift (silence fills the gap), gain and noise: the same word said a
    little earlier, louder or in a noisier room.

    Stateless random ops keyed by ``seed`` (one int64 per clip, from a seeded stream), so a
    run augments the same way however tf.data's threads interleave.
    """

    def key(part: int) -> Any:
        return tf.stack([seed, tf.constant(part, tf.int64)])

    most = max(1, int(samples * SHIFT_SHARE))
    shift = tf.random.stateless_uniform((), key(1), -most, most + 1, dtype=tf.int32)
    padded = tf.pad(wave, [[most, most]])
    wave = padded[most - shift : most - shift + samples]
    gain_db = tf.random.stateless_uniform((), key(2), -GAIN_DB, GAIN_DB)
    wave = wave * tf.pow(10.0, gain_db / 20.0)
    rms = tf.sqrt(tf.reduce_mean(tf.square(wave)) + 1e-12)
    snr = tf.random.stateless_uniform((), key(3), *NOISE_SNR_DB)
    noise = tf.random.stateless_normal((samples,), key(4)) * rms / tf.pow(10.0, snr / 20.0)
    return tf.ensure_shape(wave + noise, (samples,))


def clip_inputs(
    meta: dict[str, Any], paths: list[str | Path]
) -> tuple[np.ndarray, list[str], list[tuple[str, str]]]:
    """Decode files as the model takes them: (batch, the files used, (file, why) skipped)."""
    rate, samples = int(meta["sample_rate"]), int(meta["clip_samples"])
    waves, used, skipped = [], [], []
    for path in paths:
        try:
            waves.append(read_clip(path, rate, samples))
            used.append(str(path))
        except DataError as exc:
            skipped.append((str(path), str(exc)))
    if not waves:
        if len(paths) == 1:
            raise DataError(skipped[0][1] if skipped else f"{paths[0]}: not audio.")
        raise DataError(
            f"None of the {len(paths)} files could be read as audio (the first: {skipped[0][1]})"
        )
    return np.stack(waves), used, skipped
