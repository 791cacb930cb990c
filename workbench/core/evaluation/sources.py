"""Which rows a model is evaluated on, and which rows its baselines learn from.

By default a model is scored on the test part of the split it was trained with (the run's
own settings, so the rows are the ones it never saw). Without a test part the validation
rows stand in, and the person is told why those scores flatter the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.checks import label_indices, row_count
from workbench.core.errors import WorkbenchError
from workbench.core.project import TrainingConfig
from workbench.core.runs import MODEL_FILE, RUN_FILE, RunRecord, RunStore
from workbench.core.splits import Split, split_indices

NO_TEST_NOTE = (
    "No test split: these are the validation rows, which chose the kept epoch, so the "
    "scores flatter the model. Set a test share under Train ▸ Split for an unbiased score."
)
VALIDATION_NOTE = (
    "These are the validation rows, which chose the kept epoch, so the scores flatter the model."
)


PART_NAMES = {
    "test": "test split",
    "validation": "validation split",
    "all": "all rows",
    "file": "all rows",
}


@dataclass(frozen=True)
class EvalRows:
    """Rows to score (None: all), rows the baselines learn from (None: cross-fitted on the
    scored rows), what the rows are, and a caveat to show with the results."""

    rows: np.ndarray | None
    train_rows: np.ndarray | None
    part: str  # "test", "validation", "all" or "file"
    note: str = ""
    #: The data the baselines learn from (None: the scored data itself).
    train_data: Any = None

    @property
    def part_name(self) -> str:
        """'test split', 'validation split', 'all rows'."""
        return PART_NAMES.get(self.part, self.part)


def split_of(config: TrainingConfig, dataset: Any) -> Split:
    """The train / validation / test split the trainer makes with these settings."""
    return split_indices(
        label_indices(dataset),
        row_count(dataset),
        config.validation_fraction,
        config.seed,
        config.test_fraction,
    )


def held_out_rows(config: TrainingConfig, dataset: Any, part: str = "test") -> EvalRows:
    """The test rows (or, asked for or when there is no test part, the validation rows)."""
    split = split_of(config, dataset)
    if part == "test" and len(split.test):
        return EvalRows(split.test, split.train, "test")
    note = NO_TEST_NOTE if part == "test" else VALIDATION_NOTE
    return EvalRows(split.val, split.train, "validation", note)


def run_of_model(path: str | Path) -> RunRecord | None:
    """The recorded run a model file belongs to (``runs/<id>/model.keras``), or None."""
    path = Path(path)
    if path.name != MODEL_FILE or not (path.parent / RUN_FILE).is_file():
        return None
    try:
        return RunStore(path.parent.parent).get(path.parent.name)
    except (WorkbenchError, OSError):
        return None
