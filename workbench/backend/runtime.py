"""Importing TensorFlow once, quietly, with the settings the app relies on."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_description: str | None = None
# Native start-up chatter that TF_CPP_MIN_LOG_LEVEL does not silence (it predates absl setup).
_NOISE = re.compile(r"absl::InitializeLog|oneDNN custom operations|cuda|TensorRT|cpu_feature_guard")


@contextlib.contextmanager
def _filtered_native_stderr() -> Iterator[None]:
    """Capture fd 2 while TensorFlow's C++ side starts; replay everything but known noise."""
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (e.g. a frozen GUI app): nothing to filter
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as capture:
        sys.stderr.flush()
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode("utf-8", "replace").splitlines():
                if line.strip() and not _NOISE.search(line):
                    print(line, file=sys.stderr)


def ensure_loaded() -> str:
    """Import TensorFlow and Keras (thread-safe, idempotent); return 'Keras x (TensorFlow y)'."""
    global _description
    with _lock:
        if _description is None:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            with _filtered_native_stderr():
                import keras
                import tensorflow as tf

            tf.get_logger().setLevel("ERROR")
            _description = f"Keras {keras.__version__} (TensorFlow {tf.__version__})"
        return _description
