"""Every kind of dataset: inference of the kind, checks, roles, tasks, bad inputs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core.datasets import (
    ArrayData,
    ImageFolder,
    TabularTable,
    infer_kind,
    load_dataset,
)
from workbench.core.errors import DataError
from workbench.core.samples import SAMPLES
from workbench.core.splits import split_indices
from workbench.core.templates import default_layers
from workbench.core.textdata import TextTable

PNGS = sorted((SAMPLES["digits"].path / "3").glob("*.png"))


@pytest.mark.parametrize(
    ("name", "kind", "cls"),
    [
        ("wordnet-topics", "text", TextTable),
        ("penguins", "tabular", TabularTable),
        ("digits", "images", ImageFolder),
        ("digits-npz", "npz", ArrayData),
    ],
)
def test_kind_is_inferred_for_every_sample(name, kind, cls):
    sample = SAMPLES[name]
    assert infer_kind(sample.path) == kind
    data = load_dataset(sample.path, label_column=sample.label_column)
    assert isinstance(data, cls) and data.kind == kind
    assert default_layers(data)[-1].kind == "Dense"


def test_penguins_roles_types_and_missing_values():
    table = load_dataset(SAMPLES["penguins"].path, label_column="species")
    assert table.task == "classification"
    assert table.class_counts() == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    assert table.feature_types["island"] == "categorical"
    assert table.feature_types["bill_length_mm"] == "numeric"
    assert table.summary()["missing_values"]["sex"] == 11
    fewer = table.with_settings(roles={"year": "ignore", "island": "categorical"})
    assert "year" not in fewer.features and fewer.ignored == ["year"]
    regression = table.with_settings(label_column="body_mass_g")
    assert regression.task == "regression" and regression.class_names() == []
    assert "2 rows without a 'body_mass_g' value" in regression.notes[0]


def test_task_override_and_bad_regression_target(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,score\n1,x,3\n2,y,4\n3,x,oops\n4,y,5\n")
    table = load_dataset(path, "tabular", label_column="score")
    assert table.task == "classification"  # strings in the target
    with pytest.raises(DataError, match=r"row 4 has 'oops'.*choose classification"):
        table.with_settings(task="regression")
    with pytest.raises(DataError, match="cannot be numeric: row 2 has 'x'"):
        table.with_settings(roles={"b": "numeric"})


def test_single_class_and_empty_target(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,2,k\n3,4,k\n")
    with pytest.raises(DataError, match="single class"):
        load_dataset(path, "tabular", label_column="y")
    path.write_text("a,b,y\n1,2,\n3,4,\n")
    with pytest.raises(DataError, match="empty in every row"):
        load_dataset(path, "tabular", label_column="y")


def write_npz(path: Path, **arrays):
    np.savez(path, **arrays)
    return path


def test_npz_names_lengths_and_objects(tmp_path):
    data = load_dataset(write_npz(tmp_path / "a.npz", x=np.zeros((6, 3)), y=np.arange(6) % 2))
    assert data.summary()["x_shape"] == [6, 3] and data.class_names() == ["0", "1"]
    other = write_npz(tmp_path / "b.npz", feats=np.zeros((6, 3)), target=np.arange(6) % 2)
    with pytest.raises(DataError, match=r"no array named 'x', 'y'.*feats, target"):
        load_dataset(other)
    assert load_dataset(other, x_name="feats", y_name="target").x.shape == (6, 3)
    with pytest.raises(DataError, match="has 6 samples but 'y' has 5"):
        load_dataset(write_npz(tmp_path / "c.npz", x=np.zeros((6, 3)), y=np.arange(5)))
    objects = tmp_path / "d.npz"
    np.savez(objects, x=np.array([{"a": 1}] * 4, dtype=object), y=np.arange(4))
    with pytest.raises(DataError, match="Python objects"):
        load_dataset(objects)
    broken = tmp_path / "e.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match=r"not a readable \.npz"):
        load_dataset(broken)


def make_image_folder(root: Path, classes=("a", "b"), per_class=3) -> Path:
    pngs = PNGS
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            (root / name / f"{i}.png").write_bytes(pngs[i].read_bytes())
    return root


def test_bad_images_are_skipped_and_listed(tmp_path):
    root = make_image_folder(tmp_path / "imgs")
    (root / "a" / "empty.png").write_bytes(b"")
    (root / "b" / "fake.jpg").write_bytes(b"this is text, not a jpeg")
    (root / "b" / "cut.png").write_bytes(PNGS[0].read_bytes()[:60])  # a partial copy
    folder = load_dataset(root)
    assert folder.class_counts() == {"a": 3, "b": 3}
    reasons = dict((Path(f).name, r) for f, r in folder.skipped)
    assert reasons["empty.png"] == "empty file (0 bytes)"
    assert reasons["fake.jpg"] == "not a JPG image"
    assert reasons["cut.png"].startswith("truncated or damaged")
    assert folder.image_size == (32, 32)


def test_image_folder_problems(tmp_path, monkeypatch):
    one = make_image_folder(tmp_path / "one", classes=("only",))
    with pytest.raises(DataError, match="1 class"):
        load_dataset(one)
    (tmp_path / "flat").mkdir()
    with pytest.raises(DataError, match="no class folders"):
        load_dataset(tmp_path / "flat", "images")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(DataError, match="permission denied"):
        load_dataset(one)


def test_text_folder(tmp_path):
    for label, texts in {"pos": ["great film", "loved it"], "neg": ["dull", "awful plot"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    table = load_dataset(tmp_path)
    assert isinstance(table, TextTable)
    assert table.class_counts() == {"neg": 2, "pos": 2}


def test_split_is_stratified_seeded_and_counts_per_class():
    labels = np.array([0] * 80 + [1] * 20)
    split = split_indices(labels, 100, 0.2, seed=1, test_fraction=0.1)
    counts = split.counts(labels, ["a", "b"])
    assert counts["val"]["classes"] == {"a": 16, "b": 4}
    assert counts["test"]["classes"] == {"a": 8, "b": 2}
    assert counts["train"]["rows"] == 70
    assert not set(split.train) & set(split.val) | set(split.train) & set(split.test)
    again = split_indices(labels, 100, 0.2, seed=1, test_fraction=0.1)
    assert np.array_equal(split.val, again.val)
    with pytest.raises(DataError, match="too few"):
        split_indices(np.array([0]), 1, 0.2, seed=1)
    assert len(split_indices(None, 10, 0.3, seed=0).val) == 3


def test_target_guess_prefers_named_columns():
    from workbench.core.datasets import guess_target

    assert guess_target(pd.DataFrame(columns=["a", "Species", "year"])) == "Species"
    assert guess_target(pd.DataFrame(columns=["a", "b"])) == "b"
