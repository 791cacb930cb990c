"""Importing TensorFlow once, quietly, with the settings the app relies on."""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_description: str | None = None


def ensure_loaded() -> str:
    """Import TensorFlow and Keras (thread-safe, idempotent); return 'Keras x (TensorFlow y)'."""
    global _description
    with _lock:
        if _description is None:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            import keras
            import tensorflow as tf

            tf.get_logger().setLevel("ERROR")
            _description = f"Keras {keras.__version__} (TensorFlow {tf.__version__})"
        return _description
