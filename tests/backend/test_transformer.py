"""The Transformer encoder and position embedding: registered Keras layers that skip
padding, train on text, and survive a save/load in safe mode."""

import keras
import numpy as np
import tensorflow as tf

from tests.textfixtures import write_csv
from workbench.backend import api
from workbench.backend.custom_layers import PositionEmbedding, TransformerEncoder
from workbench.backend.export import load_model_with_meta
from workbench.core.datasets import load_dataset
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import text_transformer


def test_padding_never_changes_what_the_real_words_become():
    tokens = keras.Input((6,), dtype="int64")
    embedding = keras.layers.Embedding(20, 8, mask_zero=True)
    encoder = TransformerEncoder(num_heads=2, key_dim=4, ff_dim=16, dropout=0.0)
    model = keras.Model(tokens, encoder(PositionEmbedding()(embedding(tokens))))
    batch = np.array([[5, 3, 7, 0, 0, 0]])
    before = np.asarray(model(batch))
    table = embedding.get_weights()[0]
    table[0] = np.random.default_rng(0).normal(size=8) * 10  # what padding looks like
    embedding.set_weights([table])
    after = np.asarray(model(batch))
    assert np.allclose(before[0, :3], after[0, :3], atol=1e-5)
    assert not np.allclose(before[0, 3:], after[0, 3:])  # the padding itself did change
    assert model.layers[-1].compute_mask(None, mask=np.array([True])) is not None


def test_transformer_trains_on_text_and_reloads_in_safe_mode(tmp_path):
    data = load_dataset(write_csv(tmp_path / "reviews.csv", n=160))
    layers = text_transformer(2, data.suggested_sequence_length())
    for layer in layers:  # tiny, so it trains in seconds
        if layer.kind == "Embedding":
            layer.params.update(input_dim=200, output_dim=16)
        if layer.kind == "TextVectorization":
            layer.params["max_tokens"] = 200
        if layer.kind == "TransformerEncoder":
            layer.params.update(num_heads=2, key_dim=8, ff_dim=16)
    project = Project(DatasetSpec(kind="text"), layers)
    project.training.epochs = 8
    project.training.learning_rate = 3e-3
    outcome, predictor = api.train(project, data, NullListener(), output_dir=tmp_path / "run")
    assert outcome.best_metrics["val_accuracy"] >= 0.8  # two classes: chance is 0.5

    texts = tf.constant(["a wonderful happy day", "an awful boring dull movie"])
    expected = np.asarray(predictor.model.predict(texts, verbose=0))
    plain = keras.models.load_model(outcome.model_path, safe_mode=True)
    assert isinstance(plain.get_layer("transformerencoder_4"), TransformerEncoder)
    assert plain.get_layer("transformerencoder_4").get_config()["key_dim"] == 8
    assert np.allclose(plain.predict(texts, verbose=0), expected, atol=1e-5)
    model, meta = load_model_with_meta(outcome.model_path)
    assert meta["kind"] == "text" and model.count_params() == plain.count_params()
    imported = api.import_keras(outcome.model_path)
    assert [s.kind for s in imported.layers] == [s.kind for s in layers]
    assert imported.complete
