"""Every template builds for the kinds of data it is offered for."""

import pytest

from workbench.backend import api
from workbench.core.datasets import load_dataset
from workbench.core.samples import SAMPLES
from workbench.core.templates import TEMPLATES, template_for, templates_for

DATA = {
    "text": ("wordnet-topics", None),
    "tabular": ("penguins", "species"),
    "images": ("digits", None),
    "npz": ("digits-npz", None),
    "audio": ("spoken-digits", None),
}


def sample(kind, task=None):
    name, label = DATA[kind]
    return load_dataset(SAMPLES[name].path, kind, label_column=label, task=task)


def vectors(tmp_path, regression):
    """An .npz of plain feature vectors (the MLP templates' kind of arrays)."""
    import numpy as np

    x = np.random.default_rng(0).normal(size=(60, 5))
    y = x[:, 0] * 3.5 if regression else (x[:, 0] > 0).astype(int)
    np.savez(tmp_path / "v.npz", x=x, y=y)
    return load_dataset(tmp_path / "v.npz")


CASES = [(t.name, kind, False) for t in TEMPLATES.values() for kind in t.kinds]
CASES += [("mlp", "tabular", True), ("mlp", "npz", True)]


@pytest.mark.parametrize(("template", "kind", "regression"), CASES)
def test_template_builds_for_its_kinds(tmp_path, template, kind, regression):
    if kind == "npz" and template == "mlp":
        data = vectors(tmp_path, regression)
    elif regression:
        data = load_dataset(SAMPLES["penguins"].path, kind, label_column="body_mass_g")
    else:
        data = sample(kind)
    assert data.task == ("regression" if regression else "classification")
    layers = TEMPLATES[template].build(data)
    summary = api.summarize(layers, dataset=data)
    assert summary.ok, summary.errors
    assert summary.total_params > 0
    if regression:
        assert layers[-1].params["activation"] == "linear"


def test_menu_lists_templates_per_kind():
    assert [t.name for t in templates_for("text")] == [
        "bow",
        "seed-lstm",
        "bigru",
        "text-cnn",
        "transformer",
    ]
    assert "image-cnn" in [t.name for t in templates_for("images")]
    assert TEMPLATES["seed-lstm"].title.startswith("Seed LSTM (masked)")


def test_template_names_and_old_aliases():
    assert template_for("text-lstm", "text").name == "seed-lstm"
    assert template_for("mlp-regressor", "tabular").name == "mlp"
    with pytest.raises(ValueError, match="No template 'lstm'; for text data choose one of: bow"):
        template_for("lstm", "text")
    with pytest.raises(ValueError, match="'image-cnn' is for images, npz data, not text"):
        template_for("image-cnn", "text")


def test_bag_of_ngrams_shape_and_summary():
    data = sample("text")
    layers = TEMPLATES["bow"].build(data)
    first = layers[0].params
    assert first["output_mode"] == "multi_hot" and first["ngrams"] == 2
    summary = api.summarize(layers, dataset=data)
    assert summary.ok, summary.errors
    assert summary.layers[0].output_shape == f"(None, {first['max_tokens']})"
    # a hidden layer of 64 over the n-grams, then the one-unit head
    assert summary.total_params == (first["max_tokens"] + 1) * 64 + 65
