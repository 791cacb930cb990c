"""Errors a person can act on; anything else is a bug."""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem with the user's input, worded for the user (the CLI exits 2 on these)."""


class DataError(WorkbenchError):
    """A dataset file that cannot be used as asked: names the file, column or row."""


class ModelConfigError(WorkbenchError):
    """A layer stack or training setting that cannot be built or trained."""

    def __init__(self, message: str, layer_index: int | None = None) -> None:
        super().__init__(message)
        self.layer_index = layer_index
