"""Do the default text template's choices matter? Prints one JSON object.

Trains, on the shipped sample and on identical stratified splits for several seeds:
  - ``tfidf``: TF-IDF (1-2 grams) + logistic regression, the classical reference;
  - ``naive``: the seed model as written naively in Keras 3 (sequence length 100,
    post-padding, no masking);
  - ``default``: the workbench's "Seed LSTM (masked)" template (masking, sequence length
    suggested from the data), default training settings but 5 epochs like the seed.
Reports medians of the validation accuracy and the default template's gap to TF-IDF.

    python tests/benchmarks/text_defaults.py [--seeds 3] [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from workbench.backend import api
from workbench.backend.adapters import adapter_for
from workbench.core.listener import NullListener
from workbench.core.project import Project
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.core.templates import fit_head, fit_sequence_length
from workbench.core.textdata import load_text_table


def tfidf_accuracy(table, seed: int) -> float:
    adapter = adapter_for(table)  # the same stratified split the trainer makes
    split = adapter.split(0.2, seed)
    texts, labels = adapter.train_texts(split.train), adapter.targets()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    model = LogisticRegression(C=4, max_iter=2000)
    model.fit(vectorizer.fit_transform(texts), labels[split.train])
    val = vectorizer.transform(adapter.train_texts(split.val))
    return float(model.score(val, labels[split.val]))


def keras_accuracy(table, seed: int, naive: bool) -> tuple[float, float]:
    project = Project()  # the Seed LSTM (masked) template's stack
    project.training.epochs = 5  # the seed script's fixed length, for both
    project.training.seed = seed
    project.training.test_fraction = 0.0  # the 80/20 split TF-IDF gets (auto would hold 10% out)
    fit_head(project.layers, len(table.class_names()))
    if naive:
        project.layers[1].params["mask_zero"] = False  # sequence length stays 100
    else:
        fit_sequence_length(project.layers, table.suggested_sequence_length())
    started = time.perf_counter()
    outcome, _ = api.train(project, table, NullListener())
    return outcome.best_metrics["val_accuracy"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data", default=str(DEFAULT_SAMPLE.path))
    args = parser.parse_args()
    table = load_text_table(args.data)
    majority = max(table.class_counts().values()) / len(table.frame)
    runs = {"tfidf": [], "naive": [], "default": []}
    seconds = {"naive": [], "default": []}
    for seed in range(args.seeds):
        runs["tfidf"].append(tfidf_accuracy(table, seed))
        for name in ("naive", "default"):
            acc, took = keras_accuracy(table, seed, naive=name == "naive")
            runs[name].append(acc)
            seconds[name].append(took)
    med = {name: statistics.median(values) for name, values in runs.items()}
    print(
        json.dumps(
            {
                "data": args.data,
                "rows": len(table.frame),
                "majority_class": round(majority, 4),
                "seeds": args.seeds,
                "val_accuracy_median": {k: round(v, 4) for k, v in med.items()},
                "val_accuracy_runs": {k: [round(x, 4) for x in v] for k, v in runs.items()},
                "default_minus_tfidf": round(med["default"] - med["tfidf"], 4),
                "default_over_tfidf_ratio": round(med["default"] / med["tfidf"], 4),
                "naive_minus_majority": round(med["naive"] - majority, 4),
                "train_seconds_median": {
                    k: round(statistics.median(v), 1) for k, v in seconds.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
