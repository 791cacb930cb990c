"""Log lines for a listener: what the backend decided or noticed, in words."""

from __future__ import annotations

from typing import Any


def log(listener: Any, message: str) -> None:
    """Send a log line to listeners that take them (third-party ones may lack ``on_log``).

    Example: ``log(listener, "Learning rate changed from 0.001 to 0.0005.")``.
    """
    on_log = getattr(listener, "on_log", None)
    if callable(on_log):
        on_log(message)
