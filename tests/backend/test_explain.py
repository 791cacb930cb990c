"""Explanations of tiny trained models: the decisive word, pixel or column comes out on top."""

import random

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tests.backend.test_training import tiny_project
from workbench.backend import api
from workbench.backend.explain import image_saliency, permutation_importance, text_importance
from workbench.core.datasets import load_dataset
from workbench.core.errors import DataError
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.tables import LoadCancelled
from workbench.core.templates import default_layers
from workbench.core.textdata import load_text_table

FILLER = ["the", "a", "movie", "was", "it", "really", "and", "plot", "very", "day", "of", "to"]


def project_for(data, epochs):
    """The kind's default template, trained for ``epochs``."""
    project = Project(DatasetSpec(kind=data.kind, task=data.task), default_layers(data))
    project.training.epochs = epochs
    return project


@pytest.fixture(scope="module")
def text_predictor(tmp_path_factory):
    """A text model where only "good" (pos) or "bad" (neg) decides the label."""
    rng = random.Random(0)
    lines = ["review,sentiment"]
    for i in range(240):
        label = ("pos", "neg")[i % 2]
        words = [*rng.sample(FILLER, 6), "good" if label == "pos" else "bad"]
        rng.shuffle(words)
        lines.append(f"{' '.join(words)},{label}")
    path = tmp_path_factory.mktemp("text") / "reviews.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_text_table(path)
    project = tiny_project(table, epochs=4)
    project.training.learning_rate = 0.01
    _outcome, predictor = api.train(project, table, NullListener())
    return predictor


def test_the_decisive_word_weighs_most_and_spans_index_the_original(text_predictor):
    texts = ["Honestly, the movie was GOOD -- really!", "It's a BAD plot; don't watch it."]
    results = text_importance(text_predictor, texts)
    assert len(results) == 2
    for text, words in zip(texts, results, strict=True):
        assert all(text[start:end] == word for word, start, end, _ in words)
        assert all(np.isfinite(weight) for *_, weight in words)
    top = [max(words, key=lambda w: w[3])[0] for words in results]
    assert top == ["GOOD", "BAD"]
    assert [w[0] for w in results[1]] == ["It's", "a", "BAD", "plot", "don't", "watch", "it"]

    # For a fixed class, the word for the other class pulls the answer away from it.
    pos = text_predictor.class_names.index("pos")
    against = {w: x for w, _, _, x in text_importance(text_predictor, texts[1:], pos)[0]}
    assert against["BAD"] == min(against.values()) and against["BAD"] < 0


def test_texts_are_predicted_in_a_few_batches_not_one_per_word(text_predictor, monkeypatch):
    model = text_predictor.model
    calls = []
    predict = model.predict

    def counting(x, *args, **kwargs):
        calls.append(len(x))
        return predict(x, *args, **kwargs)

    monkeypatch.setattr(model, "predict", counting)
    rng = random.Random(1)
    texts = [" ".join(rng.choices([*FILLER, "good", "bad"], k=30)) for _ in range(50)]
    results = text_importance(text_predictor, [*texts, "", "!!!"], batch_size=256)
    assert [len(r) for r in results] == [30] * 50 + [0, 0]
    assert sum(calls) == 50 * 31 + 2 and len(calls) == 7  # ceil(1552 / 256)


def test_text_importance_cancels_between_batches(text_predictor):
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) > 1

    with pytest.raises(LoadCancelled):
        text_importance(text_predictor, ["good day"] * 40, batch_size=16, cancel=cancel)
    assert len(polls) == 2


def _corner_images(root, per_class=40, side=32):
    """Noise in 0..100 everywhere; class "tl" has a white square top-left, "br" bottom-right."""
    rng = np.random.default_rng(0)
    square = side // 4
    for name in ("tl", "br"):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            image = rng.integers(0, 100, size=(side, side, 3)).astype(np.uint8)
            if name == "tl":
                image[:square, :square] = 255
            else:
                image[-square:, -square:] = 255
            png = tf.io.encode_png(tf.constant(image)).numpy()
            (root / name / f"{i}.png").write_bytes(png)
    return root


@pytest.fixture(scope="module")
def image_case(tmp_path_factory):
    root = _corner_images(tmp_path_factory.mktemp("images") / "corners")
    data = load_dataset(root)
    _outcome, predictor = api.train(project_for(data, 3), data, NullListener())
    return data, predictor


def test_saliency_is_a_unit_map_of_the_image_size_and_finds_the_corner(image_case, tmp_path):
    data, predictor = image_case
    files = {name: [f for f in data.files if f"/{name}/" in f][:4] for name in ("tl", "br")}
    paths = files["tl"] + files["br"]
    maps = image_saliency(predictor, paths, steps=8)
    height, width = predictor.meta["image_size"]
    assert len(maps) == len(paths)
    for heat in maps:
        assert heat.shape == (height, width)
        assert np.all(np.isfinite(heat)) and heat.min() >= 0.0 and heat.max() == pytest.approx(1)
    q = height // 4
    for heat, name in zip(maps, ["tl"] * 4 + ["br"] * 4, strict=True):
        top_left, bottom_right = heat[:q, :q].sum(), heat[-q:, -q:].sum()
        mine, other = (top_left, bottom_right) if name == "tl" else (bottom_right, top_left)
        assert mine > other, (name, top_left, bottom_right)

    # A fixed class gives a map too; an unreadable file is named.
    assert image_saliency(predictor, paths[:1], class_index=1, steps=4)[0].shape == (height, width)
    with pytest.raises(DataError, match=r"missing\.png"):
        image_saliency(predictor, [paths[0], str(tmp_path / "missing.png")])


def _signal_table(tmp_path, n=400, regression=False):
    rng = np.random.default_rng(0)
    signal = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "label": 3.0 * signal + 10.0 if regression else np.where(signal > 0, "yes", "no"),
        }
    )
    path = tmp_path / "signal.csv"
    frame.to_csv(path, index=False)
    task = "regression" if regression else "classification"
    return load_dataset(path, "tabular", label_column="label", task=task)


@pytest.mark.parametrize("regression", [False, True])
def test_the_deciding_column_matters_more_than_noise(tmp_path, regression):
    data = _signal_table(tmp_path, regression=regression)
    _outcome, predictor = api.train(project_for(data, 15), data, NullListener())
    frame = data.frame.drop(columns="label")
    if regression:
        y = data.targets()
    else:
        y = data.frame["label"].map(predictor.class_names.index).to_numpy()
    fractions = []
    importance = permutation_importance(predictor, frame, y, progress=fractions.append)
    assert next(iter(importance)) == "signal"
    assert set(importance) == {"signal", "noise", "colour"}
    assert importance["signal"] > 0.3 and abs(importance["noise"]) < 0.1
    assert list(importance.values()) == sorted(importance.values(), reverse=True)
    assert fractions == pytest.approx([1 / 3, 2 / 3, 1.0])
    if not regression:  # label names work as well as indices, and give the same answer
        by_name = permutation_importance(predictor, frame, data.frame["label"].to_numpy())
        assert by_name == pytest.approx(importance)
    with pytest.raises(LoadCancelled):
        permutation_importance(predictor, frame, y, cancel=lambda: True)


def test_saliency_works_on_a_sequential_model_without_an_input_layer(tmp_path):
    """A model made in code (no keras.Input, built by its first call) explains as well;
    a one-unit sigmoid head answers for either class, and a wrong class is refused."""
    import keras

    from workbench.backend.predictor import Predictor

    model = keras.Sequential(
        [keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(1, "sigmoid")]
    )
    model(tf.zeros((1, 16, 16, 3)))
    image = np.zeros((16, 16, 3), np.uint8)
    image[4:8, 4:8] = 200
    path = tmp_path / "one.png"
    path.write_bytes(tf.io.encode_png(tf.constant(image)).numpy())
    predictor = Predictor(
        model, {"kind": "images", "image_size": [16, 16], "class_names": ["a", "b"]}
    )
    for class_index in (None, 0, 1):
        (heat,) = image_saliency(predictor, [str(path)], class_index=class_index, steps=4)
        assert heat.shape == (16, 16) and heat.max() == pytest.approx(1.0)
        assert heat[:4].sum() == 0.0  # black pixels carry nothing against a black baseline
    with pytest.raises(ValueError, match="class_index"):
        image_saliency(predictor, [str(path)], class_index=2)
