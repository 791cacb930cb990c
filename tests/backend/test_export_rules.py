"""preprocessing.json's rules, run in plain Python, give exactly what TextVectorization gives;
a layer whose rules cannot be written out is refused by name; a bad rules file is refused."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from workbench.backend.export_formats import _converter_problem, _layer_message
from workbench.backend.export_graph import ExportRefused, numeric_part
from workbench.backend.text_standardize import standardizer
from workbench.core.errors import FileRejected
from workbench.core.preprocessing import STANDARDIZE, Preprocessing, TextRules

TRICKY = [
    "Hello, World! It's 3.14 at 12:30 -- see https://t.co/AbC?x=1 or www.example.org/a.",
    "@Some_User said: DON'T!!! 1,000,000 isn't 2.",
    "İstanbul ẞtraße ΟΔΟΣ Σ naïve café",
    "a\u00a0b\u2003c\u3000d\ttab\vvt\fff\r\nnew",
    "ＦＵＬＬ width ４２ and ١٢٣ digits",
    "émoji 😀😀 ok",
    "",
    "   ",
    "a--b...c",
    "x\u200by zero width",
]
CORPUS = (
    TRICKY
    + [
        "the cat sat on the mat",
        "The Cat, the hat; the BAT!",
        "numbers 1 22 333 and 4.5",
    ]
    * 3
)


@pytest.mark.parametrize(
    "mode, ngrams, length", [("int", None, 12), ("multi_hot", 2, None), ("count", None, None)]
)
@pytest.mark.parametrize("standardize", list(STANDARDIZE))
def test_python_rules_match_textvectorization(standardize, mode, ngrams, length):
    layer = keras.layers.TextVectorization(
        max_tokens=500,
        standardize=standardizer(None if standardize == "none" else standardize),
        output_mode=mode,
        ngrams=ngrams,
        output_sequence_length=length,
    )
    layer.adapt(CORPUS)
    want = layer(tf.constant(TRICKY)).numpy()
    vocabulary = layer.get_vocabulary(include_special_tokens=True)
    rules = TextRules(
        input="text",
        standardize=standardize,
        split="whitespace",
        ngrams=list(layer._ngrams or []),
        output_mode=mode,
        sequence_length=length,
        width=want.shape[1],
        vocabulary=vocabulary,
        oov_index=vocabulary.index("[UNK]"),
        numeric_input="x",
    )
    np.testing.assert_array_equal(rules.encode(TRICKY), want)


def _text_model(standardize):
    inputs = keras.Input(shape=(), dtype="string", name="text")
    vectorize = keras.layers.TextVectorization(max_tokens=50, standardize=standardize, name="words")
    vectorize.adapt(["a b c", "b c d"])
    x = keras.layers.Embedding(60, 4)(vectorize(inputs))
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling1D()(x))
    return keras.Model(inputs, outputs)


def test_a_custom_standardisation_is_refused_naming_the_layer_and_the_alternative():
    model = _text_model(lambda t: tf.strings.lower(t))
    with pytest.raises(ExportRefused) as caught:
        numeric_part(model, {}, "onnx")
    message = str(caught.value)
    assert "'words'" in message and "ONNX" in message and "SavedModel" in message


def test_the_numeric_part_answers_as_the_whole_model():
    model = _text_model("lower_and_strip_punctuation")
    part = numeric_part(model, {}, "litert")
    texts = ["A b, C!", "d d unknown"]
    ids = part.rules.numeric_inputs({"text": np.array(texts, dtype=object)})["token_ids"]
    np.testing.assert_allclose(
        part.model.predict(ids, verbose=0),
        model.predict(tf.constant(texts), verbose=0),
        atol=1e-6,
    )


def test_a_bad_rules_file_is_refused_naming_the_field(tmp_path):
    model = _text_model("lower")
    rules = numeric_part(model, {}, "onnx").rules
    good = rules.save(tmp_path / "preprocessing.json")
    assert Preprocessing.load(good) == rules
    data = json.loads(good.read_text())
    data["text"]["standardize"] = "__import__('os').system('x')"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(FileRejected, match=r"text\.standardize"):
        Preprocessing.load(bad)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(FileRejected, match="nested"):
        Preprocessing.load(deep)


def test_a_converter_failure_names_the_keras_layer_and_the_alternative():
    model = _text_model("lower")
    failure = RuntimeError(
        'loc(callsite("functional_1/words_1/StaticRegexReplace@__inference_call")): '
        "error: failed to legalize operation 'tf.StaticRegexReplace'"
    )
    message = _layer_message(model, "LiteRT", _converter_problem(failure))
    assert "layer 'words' (TextVectorization)" in message
    assert "tf.StaticRegexReplace" in message and "SavedModel" in message
