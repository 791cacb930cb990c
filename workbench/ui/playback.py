"""Playing a clip through the sound card, where there is one.

``sounddevice`` (PortAudio) is imported on first use, never with the window: on a machine
without the PortAudio library its import raises OSError, and a machine with the library may
still have no output device (a server, a container). :func:`output` says which, in words a
person can act on, and every Play button is disabled with that sentence as its tooltip.
Nothing here raises: a failed play returns the reason.

``sounddevice.play`` hands the samples to PortAudio's own thread and returns at once, so
the GUI thread never waits for a clip to end.

Example::

    reason = playback.unavailable()
    if not reason:
        playback.play(wave, 16000)
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

NO_PORTAUDIO = (
    "No sound output: the PortAudio library is not installed "
    "(Debian/Ubuntu: apt install libportaudio2; Fedora: dnf install portaudio)."
)
NO_SOUNDDEVICE = (
    "No sound output: the sounddevice package is not installed (pip install sounddevice)."
)
NO_DEVICE = "No sound output: this computer has no audio output device."

_lock = threading.Lock()
_state: tuple[Any, str] | None = None  # (sounddevice module or None, reason it is missing)


def _probe() -> tuple[Any, str]:
    try:
        import sounddevice
    except OSError as exc:  # "PortAudio library not found"
        log.info("no sound output: %s", exc)
        return None, NO_PORTAUDIO
    except ImportError:
        return None, NO_SOUNDDEVICE
    try:
        device = sounddevice.query_devices(kind="output")
    except Exception as exc:  # PortAudioError: no default output device
        log.info("no sound output device: %s", exc)
        return None, NO_DEVICE
    if not device or int(dict(device).get("max_output_channels", 0)) < 1:
        return None, NO_DEVICE
    return sounddevice, ""


def output() -> tuple[Any, str]:
    """(the sounddevice module, '') when clips can be played, else (None, the reason in
    words). Probed once per process (from any thread; the first caller pays the import)."""
    global _state
    with _lock:
        if _state is None:
            _state = _probe()
        return _state


def unavailable() -> str:
    """'' when clips can be played, else why not (a sentence for a tooltip or a label)."""
    return output()[1]


def play(wave: np.ndarray, rate: int) -> str:
    """Start playing ``wave`` (float32 mono, -1..1) at ``rate`` Hz and return at once;
    '' when it plays, else the reason it does not. Whatever played before stops."""
    device, reason = output()
    if device is None:
        return reason
    samples = np.clip(np.asarray(wave, dtype=np.float32), -1.0, 1.0)
    try:
        device.play(samples, int(rate))
    except Exception as exc:  # a device that went away, a rate the card refuses
        log.warning("could not play a clip", exc_info=exc)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"Could not play the clip: {detail}"
    return ""


def stop() -> None:
    """Stop what is playing (nothing happens when nothing plays or sound never loaded)."""
    device = _state[0] if _state is not None else None
    if device is None:
        return
    try:
        device.stop()
    except Exception:  # stopping must never take the window down
        log.debug("could not stop playback", exc_info=True)


def reset() -> None:
    """Probe again on next use (tests swap the sounddevice module)."""
    global _state
    with _lock:
        _state = None
