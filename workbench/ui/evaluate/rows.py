"""Which rows the Evaluate tab scores, and which rows the baselines learn from.

Plain Python over ``core``: the split is the trainer's own (``core.splits.split_indices``
with the settings the model was trained with), so the test rows are the ones it never saw.
:meth:`Plan.resolve` runs on a worker thread (reading the labels of a big file takes time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.evaluation.sources import (
    NO_TEST_NOTE,
    VALIDATION_NOTE,
    EvalRows,
    held_out_rows,
    split_of,
)
from workbench.core.project import Project, TrainingConfig

__all__ = ["NO_TEST_NOTE", "VALIDATION_NOTE", "EvalRows", "Plan"]


@dataclass(frozen=True)
class Plan:
    """What to evaluate on: ``part`` ('test', 'validation', 'file') of ``dataset``."""

    dataset: Any
    part: str
    config: TrainingConfig | None = None
    #: The model was trained on other data than ``dataset``: every row is new to it.
    other_data: str = ""
    #: For another file: the loaded data the model was trained on, whose training split the
    #: baselines learn from (None: they are cross-fitted on the file).
    train_data: Any = None

    def resolve(self) -> EvalRows:
        """The rows, by the trainer's split (worker thread: reads every label)."""
        config = self.config or TrainingConfig()
        if self.part == "file":
            if self.train_data is None:
                return EvalRows(None, None, "file")
            train = split_of(config, self.train_data).train
            return EvalRows(None, train, "file", train_data=self.train_data)
        if self.other_data:
            note = (
                f"The model was trained on {self.other_data}, not on this file: every row is "
                "scored, and the baselines are cross-fitted on them."
            )
            return EvalRows(None, None, "all", note)
        return held_out_rows(config, self.dataset, self.part)


def training_config(session: Any, store: Any) -> TrainingConfig:
    """The split settings the model was trained with: its run's when it came from a run,
    else the project's."""
    run_id = getattr(session.source, "run_id", None)
    if run_id and store is not None:
        try:
            record = store.get(run_id)
            return Project.from_dict(record.project).training
        except (WorkbenchError, OSError, KeyError, TypeError, ValueError):
            pass
    return session.project.training


def trained_elsewhere(session: Any) -> str:
    """The name of the file the model was trained on when it is not the loaded data."""
    data, trained_on = session.dataset, getattr(session.source, "data_path", "")
    if data is None or not trained_on:
        return ""
    if Path(str(trained_on)) == Path(str(data.path)):
        return ""
    return Path(str(trained_on)).name
