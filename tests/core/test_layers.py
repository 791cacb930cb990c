"""The layer catalog and parameter validation."""

import pytest

from workbench.core.layers import CATALOG, LayerSpec, layer_type

PALETTE = {
    "Embedding",
    "LSTM",
    "GRU",
    "Bidirectional",
    "Conv1D",
    "GlobalMaxPooling1D",
    "GlobalAveragePooling1D",
    "Flatten",
    "Dense",
    "Dropout",
    "TextVectorization",
}


def test_palette_has_every_required_layer():
    assert set(CATALOG) >= PALETTE


def test_defaults_fill_missing_params_and_keep_given_ones():
    layer = LayerSpec("Dense", {"units": 3})
    assert layer.params == {"units": 3, "activation": "relu"}
    assert layer.describe() == "Dense(3, relu)"


@pytest.mark.parametrize(
    ("kind", "params", "fragment"),
    [
        ("Dense", {"units": 0}, "Units must be at least 1"),
        ("Dense", {"units": 2.5}, "whole number"),
        ("Dropout", {"rate": 1.5}, "at most 0.95"),
        ("Dense", {"activation": "magic"}, "must be one of"),
        ("Embedding", {"mask_zero": "yes"}, "on or off"),
    ],
)
def test_bad_values_are_reported_in_words(kind, params, fragment):
    problems = LayerSpec(kind, params).problems()
    assert any(fragment in p for p in problems), problems


def test_unknown_layer_type_names_the_known_ones():
    with pytest.raises(KeyError, match="known types: TextVectorization"):
        layer_type("Transformer")


def test_round_trip_and_copy_are_independent():
    layer = LayerSpec("LSTM", {"units": 8})
    clone = LayerSpec.from_dict(layer.to_dict())
    assert clone == layer and clone.uid != layer.uid
    other = layer.copy()
    other.params["units"] = 9
    assert layer.params["units"] == 8
