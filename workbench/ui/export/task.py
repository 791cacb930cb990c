"""The one export the dialog asks for, run on a worker thread, and what it gives back.

The backend's ``export_model`` blocks for seconds and reports ``progress(fraction, words)``
from its own thread. :class:`ProgressRelay` turns each report into a queued signal, so only
the GUI thread ever touches a widget. A failed parity check is not an error here: the folder
was written (marked FAILED) and its report is what the person needs to read, so
:func:`run_export` hands it back as an outcome like a passed one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.core.exports import FORMATS, ParityFailed
from workbench.ui import workers


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog asks for: which model, as what, where, checked on which rows."""

    model_path: Path
    fmt: str
    output: Path
    check: Path | None  # None: the validation split of the model's own training data
    rows: int

    def describe(self) -> str:
        """'exporting model.keras as ONNX' (for a message about this export)."""
        return f"exporting {self.model_path.name} as {FORMATS[self.fmt][0]}"


@dataclass
class ExportOutcome:
    """What one export wrote and how its parity check went (passed or not)."""

    fmt: str
    folder: Path
    report: Any  # a core.parity.ParityReport
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: str = ""  # the check's failure message; "" when it passed

    @property
    def passed(self) -> bool:
        """True when the export answers as the Keras model does."""
        return not self.failure and bool(self.report.passed)


def run_export(
    request: ExportRequest, progress: Callable[[float, str], None] | None = None
) -> ExportOutcome:
    """Worker thread: export, and turn a failed parity check into an outcome to show."""
    try:
        result = workers.export_model(
            str(request.model_path),
            request.fmt,
            str(request.output),
            str(request.check) if request.check is not None else None,
            request.rows,
            progress,
        )
    except ParityFailed as exc:
        folder = request.output
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        return ExportOutcome(request.fmt, folder, exc.report, files, [], str(exc))
    return ExportOutcome(
        result.format, Path(result.folder), result.report, list(result.files), list(result.notes)
    )


def suggest_output(model_path: Path, fmt: str) -> Path:
    """``<model folder>/export-<fmt>``, or -2, -3, … when that name is taken."""
    base = model_path.parent / f"export-{fmt}"
    candidate, n = base, 2
    while candidate.exists() or candidate.is_symlink():
        candidate = base.with_name(f"{base.name}-{n}")
        n += 1
    return candidate


class ProgressRelay(QObject):
    """Carries the backend's progress from the worker thread to the GUI as a signal."""

    #: Progress of the running export: (fraction 0..1, what it is doing, in words).
    sig_progress = Signal(float, str)

    def report(self, fraction: float, words: str) -> None:
        """Worker thread: emit; receivers in the GUI thread get it queued."""
        self.sig_progress.emit(float(fraction), str(words))
