"""Whether an exported model answers as the Keras model does: the verdict and its report.

The backend runs both on the same rows; this module judges them. A classifier passes when
at least 99.5% of the predicted labels agree and no class probability differs by more than
1e-3. A regressor has no labels: it passes when every value is within 1e-3 of Keras's,
relative to the value's size (a value of 4,000 grams may differ by 4 g, one of 0.5 by 0.001).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MIN_AGREEMENT = 0.995
MAX_DIFF = 1e-3
PARITY_FILE = "parity.json"


@dataclass
class ParityReport:
    """One export's check: what ran, on how many rows, and how close it came."""

    format: str
    path: str
    rows: int
    label_agreement: float | None  # None for regression
    max_abs_diff: float
    keras_ms_per_row: float
    runtime_ms_per_row: float
    runtime: str
    task: str
    check_data: str
    preprocessing: str  # "inside the model" or "preprocessing.json, run in Python"
    max_rel_diff: float = 0.0
    worst_rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Labels agree on >= 99.5% of rows and outputs within 1e-3 (relative for values)."""
        if self.rows == 0:
            return False
        if self.task == "regression":
            return self.max_rel_diff <= MAX_DIFF
        agreement = self.label_agreement if self.label_agreement is not None else 0.0
        return agreement >= MIN_AGREEMENT and self.max_abs_diff <= MAX_DIFF

    def to_json(self) -> dict[str, Any]:
        """The issue's object (format, path, rows, label_agreement, max_abs_diff, both
        latencies, notes) plus the verdict and what it was measured on."""
        return {
            "format": self.format,
            "path": self.path,
            "rows": self.rows,
            "label_agreement": self.label_agreement,
            "max_abs_diff": self.max_abs_diff,
            "keras_ms_per_row": self.keras_ms_per_row,
            "runtime_ms_per_row": self.runtime_ms_per_row,
            "notes": list(self.notes),
            "passed": self.passed,
            "max_rel_diff": self.max_rel_diff,
            "runtime": self.runtime,
            "task": self.task,
            "check_data": self.check_data,
            "preprocessing": self.preprocessing,
            "worst_rows": list(self.worst_rows),
            "limits": {"min_label_agreement": MIN_AGREEMENT, "max_diff": MAX_DIFF},
        }

    def summary(self) -> str:
        """One line a person reads: the verdict and the numbers behind it."""
        verdict = "passed" if self.passed else "FAILED"
        if self.task == "regression":
            closeness = f"values within {self.max_abs_diff:.2g} (relative {self.max_rel_diff:.2g})"
        else:
            agreement = self.label_agreement or 0.0
            closeness = (
                f"labels agree on {agreement:.1%}, probabilities within {self.max_abs_diff:.2g}"
            )
        return (
            f"Parity {verdict} on {self.rows:,} rows ({self.check_data}): {closeness}; "
            f"{self.runtime_ms_per_row:.3g} ms per row in {self.runtime} against "
            f"{self.keras_ms_per_row:.3g} ms in Keras."
        )

    def failure(self) -> str:
        """Why the check failed, naming the format and the worst rows."""
        rows = ", ".join(
            f"row {w['row']} (Keras {w['keras']}, export {w['runtime']})"
            for w in self.worst_rows[:3]
        )
        limit = (
            f"values within {MAX_DIFF:g} relative"
            if self.task == "regression"
            else f"labels agree on {MIN_AGREEMENT:.1%} and probabilities within {MAX_DIFF:g}"
        )
        return (
            f"The {self.format} export at {self.path} failed its parity check (needs {limit}). "
            f"{self.summary()} Worst rows: {rows or 'none'}. Do not deploy it; export as "
            "SavedModel, or report the model and this file."
        )


def compare(
    keras_out: np.ndarray,
    runtime_out: np.ndarray,
    task: str,
    labels: tuple[np.ndarray, np.ndarray] | None,
    row_ids: np.ndarray,
) -> dict[str, Any]:
    """Agreement, differences and the five rows that differ most, from two output arrays
    (classification: probabilities per class; regression: values)."""
    a = np.asarray(keras_out, dtype=np.float64)
    b = np.asarray(runtime_out, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the export returned shape {b.shape}, Keras {a.shape}")
    if a.size == 0:
        return {"label_agreement": None, "max_abs_diff": 0.0, "max_rel_diff": 0.0, "worst": []}
    diff = np.abs(a - b).reshape(len(a), -1).max(axis=1)
    rel = diff / np.maximum(1.0, np.abs(a).reshape(len(a), -1).max(axis=1))
    diff = np.where(np.isfinite(diff), diff, np.inf)
    agreement = None
    order = np.argsort(-diff, kind="stable")
    if labels is not None:
        agree = labels[0] == labels[1]
        agreement = float(agree.mean())
        order = np.lexsort((-diff, agree))  # disagreeing rows first, then the largest diff
    worst = []
    for i in order[:5]:
        if labels is not None:
            keras_says = f"{int(labels[0][i])} p={a[i].max():.4f}"
            runtime_says = f"{int(labels[1][i])} p={b[i].max():.4f}"
        else:
            keras_says, runtime_says = f"{a[i].reshape(-1)[0]:.6g}", f"{b[i].reshape(-1)[0]:.6g}"
        worst.append(
            {
                "row": int(row_ids[i]),
                "keras": keras_says,
                "runtime": runtime_says,
                "diff": float(diff[i]),
            }
        )
    return {
        "label_agreement": agreement,
        "max_abs_diff": float(diff.max()),
        "max_rel_diff": float(rel.max()),
        "worst": worst,
    }
