"""Errors a person can act on; anything else is a bug."""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem with the user's input, worded for the user (the CLI exits 2 on these).

    ``details``: longer text behind the one-line message (``workbench --verbose`` prints it).
    """

    details: str = ""


class DataError(WorkbenchError):
    """A dataset file that cannot be used as asked: names the file, column or row."""


class ModelConfigError(WorkbenchError):
    """A layer stack or training setting that cannot be built or trained."""

    def __init__(self, message: str, layer_index: int | None = None) -> None:
        super().__init__(message)
        self.layer_index = layer_index


class FileRejected(WorkbenchError):
    """A file the workbench read and refused: names the file, the field and the problem.

    Every reader of a stranger's file (project, run, checkpoint, model metadata) raises this,
    so the CLI and the window can say it in one line.
    """

    def __init__(self, path: object, problem: str, field: str = "") -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f"{self.path}: {field}: " if field else f"{self.path}: "
        super().__init__(where + problem)


class SaveFailed(WorkbenchError):
    """A file the workbench could not write (disk full, read-only folder): names the file
    and what to do. Saves are atomic, so the previous version of the file is still there."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
