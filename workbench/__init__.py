"""Training Workbench: build, train and use neural networks without writing code."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("training-workbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
