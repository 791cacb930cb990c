"""The session model: one place that changes, events the tabs follow; no Qt, no TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.session import ModelSource, Session, same_inputs


@dataclass
class _Data:
    path: str
    kind: str = "text"
    task: str = "classification"
    text_column: str = "text"
    label_column: str = "label"
    feature_types: dict = field(default_factory=dict)


def _summary(classes: dict[str, int] | None = None) -> dict:
    return {"rows": 10, "classes": classes or {"a": 6, "b": 4}}


def test_new_file_drops_the_model_and_clears_the_results():
    session = Session()
    events: list[tuple] = []
    session.data_changed.connect(lambda data, summary: events.append(("data", data.path)))
    session.predictor_changed.connect(lambda p, source: events.append(("model", p)))
    session.results_cleared.connect(lambda reason: events.append(("cleared", reason)))

    assert session.set_dataset(_Data("/d/first.csv"), _summary()) is True
    session.set_predictor("model", ModelSource("run 1", "r1", "/d/first.csv"))
    assert session.last_run_id == "r1"
    events.clear()

    assert session.set_dataset(_Data("/d/second.csv"), _summary({"x": 1, "y": 1, "z": 1}))
    assert session.predictor is None and session.source == ModelSource()
    assert events == [
        ("model", None),
        ("cleared", "The last results belong to first.csv."),
        ("data", "/d/second.csv"),
    ]
    assert session.num_classes == 3
    assert session.project.dataset.path == "/d/second.csv"
    assert session.class_counts() == {"x": 1, "y": 1, "z": 1}


def test_the_same_file_with_the_same_inputs_keeps_the_model():
    session = Session()
    session.set_dataset(_Data("/d/a.csv"), _summary())
    session.set_predictor("model", ModelSource("run 1", "r1", "/d/a.csv"))
    cleared: list[str] = []
    session.results_cleared.connect(cleared.append)
    assert session.set_dataset(_Data("/d/a.csv"), _summary()) is False
    assert session.predictor == "model" and cleared == []
    # Other columns of the same file are other inputs: the model no longer answers for them.
    session.set_dataset(_Data("/d/a.csv", kind="tabular", feature_types={"x": "numeric"}), {})
    assert session.predictor is None


def test_same_inputs_compares_what_the_model_takes():
    table = _Data("/t.csv", kind="tabular", feature_types={"a": "numeric"})
    assert same_inputs(table, _Data("/t.csv", kind="tabular", feature_types={"a": "numeric"}))
    assert not same_inputs(table, _Data("/t.csv", kind="tabular", feature_types={"b": "numeric"}))
    assert not same_inputs(None, table)
    assert not same_inputs(_Data("/a"), _Data("/a", task="regression"))


def test_training_changes_are_told_once_and_the_source_describes_itself():
    session = Session()
    seen: list[bool] = []
    session.training_changed.connect(seen.append)
    session.set_training(True)
    session.set_training(True)
    session.set_training(False)
    assert seen == [True, False]
    assert ModelSource("run 3", "r3", "/x/imdb.csv").describe() == "run 3 (trained on imdb.csv)"
    assert ModelSource().describe() == ""
    assert session.data_matches({"kind": "text", "path": "/x"}) is False
    session.set_dataset(_Data("/x/a.csv"), _summary())
    assert session.data_matches({"kind": "text", "path": str(Path("/x/a.csv"))})


def test_the_session_imports_neither_qt_nor_tensorflow():
    code = (
        "import sys, workbench.core.session;"
        "bad = [m for m in ('tensorflow', 'keras', 'PySide6', 'pandas') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
