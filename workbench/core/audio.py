"""Audio folders: one subfolder of clips per class, read through libsndfile.

Plain numpy + soundfile + soxr (no TensorFlow, no Qt), so the Data tab can list a folder and
draw a clip before TensorFlow has loaded, and the trainer, the predictor and the window all
turn a file into the model's input with the one function :func:`read_clip`:

- any sample rate and channel count in, mono at the model's rate out (downmixed, then
  resampled by soxr, a well-kept high-quality resampler);
- padded with silence or cropped to the clip length; a crop keeps the loudest stretch, so a
  word in the middle of a long recording is not cut away;
- at most :data:`READ_LIMIT_SECONDS` of a file are decoded, so a stranger's hour-long (or
  lying) file cannot fill the memory.

Listing a folder reads each file's header only (``soundfile.info``), never the samples.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import DataError

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff"}
#: The model's sample rate unless the person picks another (speech models commonly use 16 kHz).
DEFAULT_RATE = 16000
MIN_RATE, MAX_RATE = 4000, 48000
#: The clip length is this percentile of the durations: most clips fit whole.
CLIP_PERCENTILE = 95
MIN_CLIP_SECONDS, MAX_CLIP_SECONDS = 0.1, 30.0
#: The most of one file that is ever decoded.
READ_LIMIT_SECONDS = 120.0
#: What a real recording's header can say; a stranger's file claiming more is refused
#: before anything is decoded.
MAX_SOURCE_RATE, MAX_CHANNELS = 768_000, 64

Progress = Callable[[float], None]
Cancel = Callable[[], bool]


def _soundfile() -> Any:
    import soundfile  # imported on use: listing a CSV never pays for libsndfile

    return soundfile


def mp3_supported() -> bool:
    """Whether the installed libsndfile decodes MP3 (1.1.0 and later, when built with it)."""
    try:
        return "MP3" in _soundfile().available_formats()
    except OSError:
        return False


@dataclass(frozen=True)
class ClipHeader:
    """What a file's header says, read without decoding it."""

    frames: int
    rate: int
    channels: int
    format: str

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def read_header(path: str | Path) -> ClipHeader | str:
    """The header of an audio file, or the reason (in words) it cannot be used."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if size == 0:
        return "empty file (0 bytes)"
    if path.suffix.lower() == ".mp3" and not mp3_supported():
        return "MP3 is not supported by this libsndfile; convert it to WAV or FLAC"
    sf = _soundfile()
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError, OSError, ValueError) as exc:
        return f"not audio that libsndfile can read ({_reason(exc, path)})"
    if info.samplerate <= 0 or info.channels <= 0:
        return "not audio that libsndfile can read (no sample rate or channels)"
    if info.samplerate > MAX_SOURCE_RATE or info.channels > MAX_CHANNELS:
        return (
            f"a header claiming {info.samplerate:,} Hz and {info.channels} channel(s), more "
            f"than a recording has (at most {MAX_SOURCE_RATE:,} Hz, {MAX_CHANNELS} channels)"
        )
    if info.frames <= 0:
        return "a clip of zero length (no samples)"
    return ClipHeader(int(info.frames), int(info.samplerate), int(info.channels), info.format)


def _reason(exc: BaseException, path: Path) -> str:
    """libsndfile's complaint in a few words, without the path it repeats."""
    text = str(getattr(exc, "error_string", "") or exc).strip()
    if "regular file" in text and path.is_file():
        # what libsndfile's MPEG reader says of a file that only has an audio name
        return f"the content is not {path.suffix.lstrip('.').upper() or 'audio'} audio"
    text = text.split("': ")[-1].rstrip(".").strip()
    return text[:1].lower() + text[1:] if text else type(exc).__name__


def crop_start(wave: np.ndarray, samples: int) -> int:
    """Where the loudest ``samples``-long stretch of a longer clip begins (0 for a short one)."""
    if len(wave) <= samples:
        return 0
    energy = np.concatenate(([0.0], np.cumsum(wave.astype(np.float64) ** 2)))
    return int(np.argmax(energy[samples:] - energy[:-samples]))


def fit_length(wave: np.ndarray, samples: int) -> np.ndarray:
    """Pad with silence at the end, or crop to the loudest ``samples``-long stretch."""
    if len(wave) == samples:
        return wave
    if len(wave) < samples:
        return np.pad(wave, (0, samples - len(wave)))
    start = crop_start(wave, samples)
    return wave[start : start + samples]


def decode(path: str | Path, rate: int) -> np.ndarray:
    """The whole file (up to READ_LIMIT_SECONDS) as float32 mono at ``rate``.

    Raises DataError naming the file when libsndfile cannot decode it.
    """
    sf = _soundfile()
    try:
        with sf.SoundFile(str(path)) as handle:
            if handle.samplerate > MAX_SOURCE_RATE or handle.channels > MAX_CHANNELS:
                raise DataError(f"{path}: {read_header(path)}.")
            limit = int(READ_LIMIT_SECONDS * handle.samplerate)
            frames = min(handle.frames, limit) if handle.frames > 0 else limit
            data = handle.read(frames=frames, dtype="float32", always_2d=True)
            source_rate = int(handle.samplerate)
    except (RuntimeError, sf.LibsndfileError, OSError, ValueError) as exc:
        reason = _reason(exc, Path(path))
        raise DataError(f"{path}: not audio that libsndfile can read ({reason}).") from None
    if not len(data):
        raise DataError(f"{path}: a clip of zero length (no samples).")
    mono = np.nan_to_num(data.mean(axis=1, dtype=np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    if source_rate != rate:
        import soxr

        mono = soxr.resample(mono, source_rate, rate, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)


def read_clip(path: str | Path, rate: int, samples: int) -> np.ndarray:
    """The model's input for one file: float32 mono at ``rate``, exactly ``samples`` long."""
    return fit_length(decode(path, rate), samples)


def clip_seconds_for(durations: np.ndarray) -> float:
    """The CLIP_PERCENTILE-th percentile of the durations, rounded up to 10 ms."""
    if not len(durations):
        return 1.0
    seconds = float(np.percentile(durations, CLIP_PERCENTILE))
    return min(MAX_CLIP_SECONDS, max(MIN_CLIP_SECONDS, math.ceil(seconds * 100 - 1e-6) / 100))


@dataclass
class AudioFolder:
    """A folder with one subfolder of clips per class; headers read, samples not loaded."""

    path: Path
    class_names: list[str]
    files: list[str]
    labels: np.ndarray  # class index per file
    durations: np.ndarray  # seconds per file, from its header
    rates: np.ndarray  # Hz per file
    channels: np.ndarray  # channels per file
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    sample_rate: int = DEFAULT_RATE
    clip_seconds: float = 1.0
    kind: str = "audio"
    task: str = "classification"

    @property
    def auto_seconds(self) -> float:
        """The length the data suggests: CLIP_PERCENTILE of the durations."""
        return clip_seconds_for(self.durations)

    @property
    def clip_samples(self) -> int:
        """Samples per clip the model takes."""
        return max(1, round(self.sample_rate * self.clip_seconds))

    def class_counts(self) -> dict[str, int]:
        """Clips per class."""
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(n) for name, n in zip(self.class_names, counts, strict=True)}

    def with_settings(
        self, sample_rate: int | None = None, clip_seconds: float | None = None
    ) -> AudioFolder:
        """The same files for a model at another rate or clip length (0/None: the default)."""
        rate = int(sample_rate or DEFAULT_RATE)
        if not MIN_RATE <= rate <= MAX_RATE:
            raise DataError(
                f"Sample rate {rate} Hz is outside {MIN_RATE:,}..{MAX_RATE:,} Hz; "
                f"pick a rate such as {DEFAULT_RATE:,}."
            )
        seconds = float(clip_seconds or self.auto_seconds)
        if not MIN_CLIP_SECONDS <= seconds <= MAX_CLIP_SECONDS:
            raise DataError(
                f"Clip length {seconds:g} s is outside {MIN_CLIP_SECONDS:g}..{MAX_CLIP_SECONDS:g}"
                f" s; the clips here last {self.auto_seconds:g} s or less (95%)."
            )
        return replace(self, sample_rate=rate, clip_seconds=round(seconds, 3))

    def summary(self) -> dict[str, Any]:
        """What the loader understood, in numbers the Data tab and check-data print."""
        formats = Counter(Path(f).suffix.lower().lstrip(".") for f in self.files)
        longer = int(np.sum(self.durations > self.clip_seconds + 1e-9))
        return {
            "kind": self.kind,
            "folder": str(self.path),
            "rows": len(self.files),
            "classes": self.class_counts(),
            "sample_rate": self.sample_rate,
            "clip_seconds": self.clip_seconds,
            "clip_seconds_auto": self.auto_seconds,
            "clip_samples": self.clip_samples,
            "cropped": longer,
            "durations": {
                "min": float(self.durations.min()),
                "median": float(np.median(self.durations)),
                f"p{CLIP_PERCENTILE}": float(np.percentile(self.durations, CLIP_PERCENTILE)),
                "max": float(self.durations.max()),
            },
            "rates": {str(k): int(v) for k, v in sorted(Counter(self.rates.tolist()).items())},
            "channels": {
                str(k): int(v) for k, v in sorted(Counter(self.channels.tolist()).items())
            },
            "formats": dict(sorted(formats.items())),
            "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
        }


def _class_folders(root: Path) -> list[Path]:
    if not root.exists():
        raise DataError(f"{root}: folder not found.")
    if not root.is_dir():
        raise DataError(f"{root}: not a folder; an audio dataset is a folder of class folders.")
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except PermissionError:
        raise DataError(f"{root}: the folder cannot be read (permission denied).") from None
    if not folders:
        raise DataError(
            f"{root}: no class folders inside. Put each class's clips in its own subfolder, "
            "e.g. yes/ and no/."
        )
    return folders


def load_audio_folder(
    path: str | Path,
    sample_rate: int | None = None,
    clip_seconds: float | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> AudioFolder:
    """List a folder of class subfolders of clips; skip (and list, with the reason) files
    that are empty, unreadable, not audio or of zero length."""
    root = Path(path)
    folders = _class_folders(root)
    candidates: list[tuple[int, Path]] = []
    skipped: list[tuple[str, str]] = []
    for index, folder in enumerate(folders):
        try:
            entries = sorted(folder.rglob("*"))
        except PermissionError:
            skipped.append((str(folder), "folder cannot be read (permission denied)"))
            continue
        candidates.extend(
            (index, p) for p in entries if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
        )
    found: dict[int, list[tuple[Path, ClipHeader]]] = {}
    for done, (index, file) in enumerate(candidates):
        if cancel is not None and cancel():
            raise DataError(f"{root}: reading the folder was cancelled.")
        header = read_header(file)
        if isinstance(header, str):
            skipped.append((str(file), header))
        else:
            found.setdefault(index, []).append((file, header))
        if progress is not None and done % 200 == 0:
            progress(done / max(1, len(candidates)))
    names = [folders[i].name for i in sorted(found)]
    if len(names) < 2:
        what = "no readable clip" if not names else f"readable clips in one class ({names[0]})"
        raise DataError(
            f"{root}: found {what}; a classifier needs at least two class folders with audio "
            f"({', '.join(sorted(AUDIO_SUFFIXES))})."
            + (
                f" {len(skipped):,} file(s) were skipped, e.g. {_first(skipped)}."
                if skipped
                else ""
            )
        )
    files, labels, headers = [], [], []
    for label, index in enumerate(sorted(found)):
        for file, header in found[index]:
            files.append(str(file))
            labels.append(label)
            headers.append(header)
    durations = np.array([h.seconds for h in headers], dtype=np.float64)
    folder = AudioFolder(
        root,
        names,
        files,
        np.array(labels, dtype=np.int64),
        durations,
        np.array([h.rate for h in headers], dtype=np.int64),
        np.array([h.channels for h in headers], dtype=np.int64),
        skipped,
    )
    if progress is not None:
        progress(1.0)
    return folder.with_settings(sample_rate, clip_seconds)


def _first(skipped: list[tuple[str, str]]) -> str:
    file, reason = skipped[0]
    return f"{Path(file).name}: {reason}"


def looks_like_audio_folder(path: Path) -> bool:
    """Whether the class folders under ``path`` hold audio files (first ones found)."""
    for sub in path.iterdir():
        if sub.is_dir():
            for file in sub.iterdir():
                suffix = file.suffix.lower()
                if suffix in AUDIO_SUFFIXES:
                    return True
    return False


# -- pictures of a clip (the Data and Predict tabs; numpy only) -------------------------------


def _mel_filters(rate: int, fft_length: int, bands: int) -> np.ndarray:
    """Triangular mel filters (HTK mel scale), (fft_length // 2 + 1, bands)."""

    def mel(hz: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    def hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(np.array(20.0)), mel(np.array(rate / 2)), bands + 2))
    freqs = np.linspace(0, rate / 2, fft_length // 2 + 1)
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (freqs[:, None] - lower) / np.maximum(centre - lower, 1e-9)
    falling = (upper - freqs[:, None]) / np.maximum(upper - centre, 1e-9)
    return np.maximum(0.0, np.minimum(rising, falling))


def log_mel(
    wave: np.ndarray, rate: int, bands: int = 64, window_seconds: float = 0.025
) -> np.ndarray:
    """A log-mel spectrogram in dB, (frames, bands), 10 ms apart: for pictures and the
    linear baseline (the model computes its own with a Keras layer)."""
    length = max(16, int(rate * window_seconds))
    fft_length = 1 << (length - 1).bit_length()
    hop = max(1, rate // 100)
    wave = np.asarray(wave, dtype=np.float32)
    if len(wave) < length:
        wave = np.pad(wave, (0, length - len(wave)))
    count = 1 + (len(wave) - length) // hop
    frames = np.lib.stride_tricks.as_strided(
        wave, (count, length), (wave.strides[0] * hop, wave.strides[0]), writeable=False
    )
    power = np.abs(np.fft.rfft(frames * np.hanning(length), n=fft_length)) ** 2
    mel = power @ _mel_filters(rate, fft_length, bands)
    return (10.0 * np.log10(np.maximum(mel, 1e-10))).astype(np.float32)


def mel_summary(wave: np.ndarray, rate: int, bands: int = 40) -> np.ndarray:
    """Mean and standard deviation of each mel band over time: 2 x bands numbers per clip,
    the features of the linear baseline."""
    spec = log_mel(wave, rate, bands)
    return np.concatenate([spec.mean(axis=0), spec.std(axis=0)]).astype(np.float32)
