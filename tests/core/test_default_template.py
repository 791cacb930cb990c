"""The default model is chosen from the data, and says why."""

import pandas as pd

from workbench.core.datasets import load_dataset
from workbench.core.samples import SAMPLES
from workbench.core.templates import default_layers, default_template


def _texts(tmp_path, rows, words):
    texts = [" ".join(f"w{(i + j) % 50}" for j in range(words)) for i in range(rows)]
    frame = pd.DataFrame({"text": texts, "label": ["a", "b"] * (rows // 2)})
    frame.to_csv(tmp_path / "t.csv", index=False)
    return load_dataset(tmp_path / "t.csv", "text")


def test_short_texts_get_the_bag_of_ngrams(tmp_path):
    name, why = default_template(_texts(tmp_path, 2000, 12))
    assert name == "bow"
    assert why.startswith("2,000 texts of 12 words (median): 167 texts per word, under 1,500")


def test_many_texts_per_word_get_the_sequence_model(tmp_path):
    name, why = default_template(_texts(tmp_path, 16000, 4))
    assert name == "seed-lstm"
    assert "4,000 texts per word, 1,500 or more" in why


def test_other_kinds_and_the_layers_follow_the_choice(tmp_path):
    penguins = load_dataset(SAMPLES["penguins"].path, "tabular", label_column="species")
    assert default_template(penguins)[0] == "mlp"
    digits = load_dataset(SAMPLES["digits-npz"].path)
    assert default_template(digits)[0] == "image-cnn"
    layers = default_layers(_texts(tmp_path, 2000, 12))
    assert layers[0].params["output_mode"] == "multi_hot"
