"""The export formats, in words, and what one export produced (no TensorFlow here).

The CLI's ``--format`` choices, the window's Export dialog and the backend's writers all
read :data:`FORMATS`, so a format added in one place appears in all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.parity import ParityReport

#: format -> (title, what it is for, the runtime its parity check uses)
FORMATS: dict[str, tuple[str, str, str]] = {
    "savedmodel": (
        "SavedModel",
        "TensorFlow Serving and TensorFlow programs; raw inputs, preprocessing inside",
        "TensorFlow",
    ),
    "litert": (
        "LiteRT (.tflite)",
        "phones and edge devices; text is split into rules + numeric part",
        "ai-edge-litert",
    ),
    "onnx": (
        "ONNX",
        "onnxruntime and other runtimes; string preprocessing is split into rules",
        "onnxruntime",
    ),
    "keras": ("Keras (.keras)", "Keras and the workbench; the model as trained", "Keras"),
}
DEFAULT_CHECK_ROWS = 500


class ParityFailed(WorkbenchError):
    """An export whose runtime does not answer as Keras does; carries the report."""

    def __init__(self, report: ParityReport) -> None:
        self.report = report
        super().__init__(report.failure())


@dataclass
class ExportResult:
    """What one export wrote (folder, files) and how its parity check went."""

    format: str
    folder: Path
    model_path: Path
    report: ParityReport
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The parity object with the files written."""
        return {**self.report.to_json(), "files": [str(p) for p in self.files]}
