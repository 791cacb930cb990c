"""Warnings about the data before training: gaps, repeats, leakage, split counts."""

import numpy as np

from workbench.core.checks import data_checks, label_indices, split_report
from workbench.core.datasets import load_dataset
from workbench.core.project import TrainingConfig
from workbench.core.samples import SAMPLES


def test_repeated_texts_are_reported_as_duplicates_and_leakage(tmp_path):
    rows = [f"text number {i},{'a' if i % 2 else 'b'}" for i in range(40)]
    rows += ["the same words again,a"] * 10
    path = tmp_path / "t.csv"
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    warnings, facts, split = data_checks(load_dataset(path), TrainingConfig(seed=3))
    text = " ".join(warnings)
    assert "9 duplicate rows" in text
    assert "Leakage:" in text and "validation texts also occur in the training part" in text
    assert "No missing values." in facts
    assert len(split.val) == 10


def test_clean_data_gives_facts_not_warnings(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,label\n" + "\n".join(f"row {i},{i % 2}" for i in range(20)) + "\n")
    warnings, facts, _ = data_checks(load_dataset(path), TrainingConfig())
    assert warnings == []
    assert "No texts shared between training and validation." in facts


def test_penguins_missing_values_and_split_counts_per_class():
    data = load_dataset(SAMPLES["penguins"].path, label_column="species")
    warnings, _, counts = split_report(data, TrainingConfig(test_fraction=0.1))
    assert any(w.startswith("Missing values — ") and "sex: 11" in w for w in warnings)
    assert sum(part["rows"] for part in counts.values()) == 344
    assert counts["test"]["classes"]["Chinstrap"] == 7  # 10% of 68, stratified


def test_label_indices_follow_the_class_order_for_every_kind():
    images = load_dataset(SAMPLES["digits"].path)
    assert np.array_equal(label_indices(images), images.labels)
    arrays = load_dataset(SAMPLES["digits-npz"].path)
    assert label_indices(arrays).tolist()[:3] == [0, 1, 2]
    regression = load_dataset(SAMPLES["penguins"].path, label_column="body_mass_g")
    assert label_indices(regression) is None
