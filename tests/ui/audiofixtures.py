"""Tiny audio folders for the window's tests: synthetic clips written with soundfile."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def tone(seconds: float, rate: int, hz: float, channels: int = 1, seed: int = 0) -> np.ndarray:
    """A sine at ``hz`` with a little noise, fading in and out; (frames,) or (frames, ch)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) * 20 + 0.05)
    wave = 0.5 * envelope * np.sin(2 * np.pi * hz * t) + 0.01 * rng.standard_normal(len(t))
    wave = wave.astype(np.float32)
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


def write_clip(path: Path, wave: np.ndarray, rate: int) -> Path:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), wave, rate)
    return path


def audio_folder(root: Path, per_class: int = 4, bad: bool = True) -> Path:
    """``root``/high and ``root``/low: tones of 0.2-0.5 s at 8 kHz, one at 16 kHz in
    stereo; with ``bad``, an empty .wav and a .wav of text that the loader skips."""
    for c, (name, hz) in enumerate((("high", 1500.0), ("low", 300.0))):
        for i in range(per_class):
            seconds = 0.2 + 0.1 * (i % 4)
            write_clip(
                root / name / f"{name}_{i}.wav", tone(seconds, 8000, hz, seed=c * 10 + i), 8000
            )
    write_clip(root / "low" / "low_stereo.wav", tone(0.5, 16000, 300.0, channels=2, seed=99), 16000)
    if bad:
        (root / "high" / "empty.wav").write_bytes(b"")
        (root / "low" / "notes.wav").write_text("not audio at all", encoding="utf-8")
    return root
