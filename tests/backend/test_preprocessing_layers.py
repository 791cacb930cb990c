"""Layers that learn from data (lookups, normalisation) adapt on the training split only,
wherever they sit in the stack, and impossible settings are explained on the layer."""

import keras
import numpy as np
import pandas as pd
import pytest

from tests.textfixtures import write_csv
from workbench.backend.adapters import adapter_for
from workbench.backend.model_builder import build_model, summarize_stack
from workbench.core.datasets import load_dataset
from workbench.core.layers import LayerSpec


def _text_data(tmp_path):
    return load_dataset(write_csv(tmp_path / "reviews.csv", n=60))


def _built(layers, data):
    adapter = adapter_for(data)
    split = adapter.split(0.25, 0)
    model = build_model(layers, adapter, split.train)
    adapter.after_build(model, split.train)
    return adapter, split, model


def test_integer_lookup_after_the_vectorizer_learns_the_training_word_indices(tmp_path):
    data = _text_data(tmp_path)
    layers = [
        LayerSpec("TextVectorization", {"max_tokens": 50, "output_sequence_length": 8}),
        LayerSpec("IntegerLookup", {"max_tokens": 30, "output_mode": "multi_hot"}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ]
    adapter, split, model = _built(layers, data)
    vectorizer = model.get_layer("textvectorization_1")
    lookup = model.get_layer("integerlookup_2")
    # Its vocabulary is made of the vectorizer's outputs for the training texts.
    train_ids = set(np.asarray(vectorizer(adapter.features(split.train))).ravel().tolist())
    vocabulary = [v for v in lookup.get_vocabulary() if v != -1]
    assert vocabulary and set(vocabulary) <= train_ids
    assert model.output_shape == (None, 1)


def test_normalization_in_the_middle_uses_training_statistics_only(tmp_path):
    frame = pd.DataFrame({"x": np.arange(40, dtype=float), "label": ["a", "b"] * 20})
    path = tmp_path / "numbers.csv"
    frame.to_csv(path, index=False)
    data = load_dataset(path, "tabular", label_column="label")
    layers = [
        LayerSpec("Dense", {"units": 3, "activation": "linear"}),
        LayerSpec("Normalization"),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ]
    adapter, split, model = _built(layers, data)
    before = model.get_layer("normalization_2").input
    upstream = keras.Model(model.inputs, before)
    train_out = np.asarray(upstream(adapter.features(split.train)))
    norm = model.get_layer("normalization_2")
    assert np.allclose(np.asarray(norm.mean).ravel(), train_out.mean(axis=0), atol=1e-4)
    all_out = np.asarray(upstream(adapter.features(np.arange(40))))
    assert not np.allclose(train_out.mean(axis=0), all_out.mean(axis=0), atol=1e-4)


def test_string_lookup_reads_each_text_as_a_category(tmp_path):
    data = _text_data(tmp_path)
    layers = [
        LayerSpec("StringLookup", {"max_tokens": 100}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ]
    adapter, split, model = _built(layers, data)
    lookup = model.get_layer("stringlookup_1")
    vocabulary = set(lookup.get_vocabulary()[1:])
    train = set(adapter.train_texts(split.train).astype(str))
    assert vocabulary and vocabulary <= train


_FLAT_64 = [  # 8 words x 8 numbers each, flattened: 64 values per sample
    LayerSpec("TextVectorization", {"output_sequence_length": 8}),
    LayerSpec("Embedding", {"output_dim": 8, "mask_zero": False}),
    LayerSpec("Flatten"),
]


@pytest.mark.parametrize(
    ("layers", "row", "words"),
    [
        (
            [*_FLAT_64, LayerSpec("Reshape", {"target_shape": [3, 3]})],
            3,
            "needs 9 values per sample, but its input (None, 64) has 64",
        ),
        (
            [*_FLAT_64, LayerSpec("Reshape", {"target_shape": [-1, 5]})],
            3,
            "64 is not a multiple of 5",
        ),
        (
            [LayerSpec("TextVectorization"), LayerSpec("StringLookup")],
            1,
            "StringLookup reads text but gets whole numbers",
        ),
        (
            [LayerSpec("TextVectorization"), LayerSpec("Embedding"), LayerSpec("IntegerLookup")],
            2,
            "IntegerLookup needs whole numbers",
        ),
    ],
)
def test_impossible_settings_are_explained_on_the_layer(layers, row, words):
    summary = summarize_stack(layers, num_classes=2)
    assert words in (summary.layers[row].error or "")
    assert not summary.ok


def test_reshape_turns_a_vector_into_a_sequence_for_a_recurrent_layer():
    layers = [
        LayerSpec("TextVectorization", {"output_sequence_length": 12}),
        LayerSpec("Normalization"),
        LayerSpec("Reshape", {"target_shape": [-1, 1]}),
        LayerSpec("LSTM", {"units": 4}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ]
    summary = summarize_stack(layers, num_classes=2)
    assert summary.ok, summary.errors
    assert summary.layers[2].output_shape == "(None, 12, 1)"
