"""Every template builds for the kinds of data it is offered for."""

import pytest

from workbench.backend import api
from workbench.core.datasets import load_dataset
from workbench.core.samples import SAMPLES
from workbench.core.templates import TEMPLATES, templates_for

DATA = {
    "text": ("wordnet-topics", None),
    "tabular": ("penguins", "species"),
    "images": ("digits", None),
    "npz": ("digits-npz", None),
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


@pytest.mark.parametrize(
    ("template", "kind"),
    [(t.name, kind) for t in TEMPLATES.values() for kind in t.kinds],
)
def test_template_builds_for_its_kinds(tmp_path, template, kind):
    regression = template == "mlp-regressor"
    if kind == "npz" and template.startswith("mlp"):
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


def test_menu_lists_templates_per_kind():
    assert [t.name for t in templates_for("text")] == [
        "text-lstm",
        "text-bigru",
        "text-cnn",
        "text-transformer",
    ]
    assert "image-cnn" in [t.name for t in templates_for("images")]
