"""The stack diagram draws what the summary says, and clicks select layers."""

from workbench.core.summary import LayerSummary, StackSummary
from workbench.core.templates import text_classifier
from workbench.ui.model.diagram import StackDiagram


def test_boxes_shapes_errors_and_clicks(qtbot):
    view = StackDiagram()
    qtbot.addWidget(view)
    layers = text_classifier(2, sequence_length=16)
    summary = StackSummary(
        layers=[
            LayerSummary(0, "tv", "(None, 16)"),
            LayerSummary(1, "emb", "(None, 16, 64)"),
            LayerSummary(2, "lstm", "(None, 64)", error="boom"),
            LayerSummary(3, "dense", "?"),
        ],
        input_shape="(None,)",
    )
    view.show_stack(layers, summary)
    assert view.box_titles() == ["Input", *[layer.describe() for layer in layers], "Output"]
    texts = {i.text() for i in view.scene().items() if hasattr(i, "text")}
    assert {"(None,)", "(None, 16)", "(None, 16, 64)", "(None, 64)", "?"} <= texts  # arrows
    assert "640,000 params" not in texts and "0 params" in texts
    assert view.error_rows() == [2]
    with qtbot.waitSignal(view.sig_row_clicked) as clicked:
        boxes = [i for i in view.scene().items() if getattr(i, "row", -1) == 1]
        boxes[0].setSelected(True)
    assert clicked.args == [1]
    view.show_stack(layers, None)  # no summary yet: shapes unknown, nothing breaks
    assert len(view.box_titles()) == 6
