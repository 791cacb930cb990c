"""Shape and parameter inference, and errors marked on the layer that causes them."""

import pytest

from workbench.backend.api import summarize
from workbench.core.layers import LayerSpec
from workbench.core.templates import text_classifier


def test_seed_stack_matches_keras_summary():
    summary = summarize(text_classifier(2), num_classes=2)
    assert summary.ok, summary.errors
    rows = [(r.output_shape, r.params) for r in summary.layers]
    assert rows == [
        ("(None, 100)", 0),
        ("(None, 100, 64)", 640_000),
        ("(None, 64)", 4 * (64 * 64 + 64 * 64 + 64)),
        ("(None, 1)", 65),
    ]
    assert summary.total_params == 640_000 + 33_024 + 65


def test_every_palette_layer_builds_in_a_sensible_stack():
    layers = text_classifier(3, sequence_length=20, max_tokens=500)
    layers[2:3] = [
        LayerSpec("Conv1D", {"filters": 8, "kernel_size": 3}),
        LayerSpec("Bidirectional", {"layer": "GRU", "units": 4, "return_sequences": True}),
        LayerSpec("GRU", {"units": 4, "return_sequences": True}),
        LayerSpec("LSTM", {"units": 4, "return_sequences": True}),
        LayerSpec("GlobalAveragePooling1D"),
        LayerSpec("Dropout", {"rate": 0.2}),
        LayerSpec("Dense", {"units": 8}),
    ]
    summary = summarize(layers, num_classes=3)
    assert summary.ok, summary.errors
    assert summary.layers[2].output_shape == "(None, 18, 8)"  # valid conv of width 3
    assert summary.layers[3].output_shape == "(None, 18, 8)"  # two directions of 4
    assert "mask" in summary.layers[2].note  # Conv1D drops the Embedding's padding mask
    assert summary.layers[-1].output_shape == "(None, 3)"
    flat = text_classifier(2, sequence_length=10, max_tokens=100)
    flat[2:3] = [LayerSpec("Flatten"), LayerSpec("GlobalMaxPooling1D")]
    assert not summarize(flat, 2).ok  # pooling after Flatten has no sequence to pool


@pytest.mark.parametrize(
    ("mutate", "bad_index", "fragment"),
    [
        (lambda s: s.insert(2, LayerSpec("GlobalMaxPooling1D")), 3, "needs a sequence"),
        (lambda s: s[1].params.update(input_dim=500), 1, "smaller than the vectorizer"),
        (lambda s: s[2].params.update(return_sequences=True), 3, "one vector per sample"),
        (lambda s: s[3].params.update(units=3), 3, "must be Dense(1, sigmoid)"),
        (lambda s: s[2].params.update(units=0), 2, "at least 1"),
        (lambda s: s.pop(1), 1, "Put an Embedding layer before it"),
        (lambda s: s.insert(2, LayerSpec("TextVectorization")), 2, "must be the first"),
        (lambda s: s.insert(2, LayerSpec("Conv2D")), 2, "needs images (batch, height"),
    ],
)
def test_errors_are_marked_on_the_offending_layer(mutate, bad_index, fragment):
    layers = text_classifier(2)
    mutate(layers)
    summary = summarize(layers, num_classes=2)
    assert not summary.ok
    row = summary.layers[bad_index]
    assert row.error and fragment in row.error, [r.error for r in summary.layers]
    assert summary.first_error().startswith(f"Layer {bad_index + 1}:")


def test_empty_stack_and_unknown_class_count():
    assert not summarize([], 2).ok
    assert summarize(text_classifier(5), None).ok  # no data yet: head is not judged
