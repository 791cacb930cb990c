"""Training Workbench: build, train and use neural networks without writing code."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__`` from the installed metadata, read when first asked for: importing
    importlib.metadata costs 20-30 ms that the window's start need not pay."""
    if name != "__version__":
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("training-workbench")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0"
    globals()["__version__"] = found
    return found
