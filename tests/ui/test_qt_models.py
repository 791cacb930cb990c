"""Item models over plain data: lazily read cells, marks on bad rows (no TensorFlow)."""

from __future__ import annotations

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from workbench.core.layers import LayerSpec
from workbench.core.summary import LayerSummary, Prediction, StackSummary
from workbench.core.templates import text_classifier
from workbench.ui.data.models import ClassCountsModel
from workbench.ui.item_models import DataFrameModel, FractionRole
from workbench.ui.model.stack_model import ERROR_BACKGROUND, PENDING, LayerStackModel
from workbench.ui.predict.models import ProbabilityModel

DISPLAY = Qt.ItemDataRole.DisplayRole


def cell(model, row: int, column: int, role=DISPLAY):
    return model.data(model.index(row, column), role)


def test_dataframe_model_reads_cells_on_demand(qapp):
    frame = pd.DataFrame(
        {"text": ["short", "x" * 80, None], "label": pd.array([1, 0, pd.NA], dtype="Int64")}
    )
    model = DataFrameModel()
    model.set_frame(frame, "text", "label")
    assert (model.rowCount(), model.columnCount()) == (3, 2)
    assert cell(model, 0, 0) == "short"
    assert cell(model, 0, 1) == "1"
    assert cell(model, 2, 0) == ""  # missing values show empty, not "None" or "<NA>"
    assert cell(model, 2, 1) == ""
    assert cell(model, 1, 0, Qt.ItemDataRole.ToolTipRole) == "x" * 80
    assert cell(model, 0, 0, Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "text  [text]"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "label  [label]"
    assert model.headerData(2, Qt.Orientation.Vertical) == "3"


def test_dataframe_model_remarks_roles_without_reset(qapp):
    frame = pd.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"]})
    model = DataFrameModel()
    model.set_frame(frame, "a", "b")
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_roles("c", "a")
    assert not resets
    assert model.headerData(2, Qt.Orientation.Horizontal) == "c  [text]"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "b"


def test_class_counts_model_gives_share_for_bars(qapp):
    model = ClassCountsModel()
    model.set_counts({"neg": 30, "pos": 10})
    assert model.rowCount() == 2
    assert [cell(model, 0, c) for c in range(3)] == ["neg", "30", "75.0%"]
    assert cell(model, 1, 2, FractionRole) == pytest.approx(0.25)


def test_layer_stack_model_matches_summary_rows_by_uid(qapp):
    layers = text_classifier(2, sequence_length=16)
    model = LayerStackModel()
    model.set_layers(layers)
    assert cell(model, 1, 1) == "Embedding(10000, 64)"
    assert cell(model, 1, 2) == PENDING  # no summary yet
    summary = StackSummary(
        layers=[
            LayerSummary(0, "tv", "(None, 16)", 0),
            LayerSummary(1, "emb", "(None, 16, 64)", 640_000),
            LayerSummary(2, "lstm", "(None, 64)", 33_024),
            LayerSummary(3, "dense", "(None, 1)", 65),
        ],
        total_params=673_089,
    )
    model.set_summary(summary, [layer.uid for layer in layers])
    assert [cell(model, 1, c) for c in range(4)] == [
        "2",
        "Embedding(10000, 64)",
        "(None, 16, 64)",
        "640,000",
    ]
    # A layer inserted since the summary has no numbers yet; the others keep theirs.
    layers.insert(2, LayerSpec("Dropout"))
    model.refresh()
    assert cell(model, 2, 2) == PENDING
    assert cell(model, 3, 3) == "33,024"


def test_layer_stack_model_marks_error_rows(qapp):
    layers = text_classifier(2)
    model = LayerStackModel()
    model.set_layers(layers)
    model.set_errors({2: "LSTM needs a sequence"})
    assert model.row_error(2) == "LSTM needs a sequence"
    assert cell(model, 2, 1, Qt.ItemDataRole.ToolTipRole) == "LSTM needs a sequence"
    assert cell(model, 2, 1, Qt.ItemDataRole.BackgroundRole).color() == ERROR_BACKGROUND
    assert cell(model, 2, 0, Qt.ItemDataRole.DecorationRole) is not None
    assert cell(model, 1, 1, Qt.ItemDataRole.BackgroundRole) is None


def test_probability_model_sorts_most_likely_first(qapp):
    prediction = Prediction("b", {"a": 0.2, "b": 0.7, "c": 0.1})
    model = ProbabilityModel()
    model.set_probabilities(prediction.probabilities, prediction.label)
    assert [cell(model, r, 0) for r in range(3)] == ["b", "a", "c"]
    assert cell(model, 0, 1) == "70.0%"
    assert cell(model, 0, 1, FractionRole) == pytest.approx(0.7)
    assert sum(model.probabilities().values()) == pytest.approx(1.0)
