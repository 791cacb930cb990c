"""``workbench evaluate``: every number agrees with scikit-learn computed from the model's own
predictions, on data the model never saw; bad input exits 2 with one line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from tests.textfixtures import make_texts
from workbench.cli import main


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_texts(path, n, classes, seed):
    rows = make_texts(n, classes, seed=seed)
    pd.DataFrame(rows, columns=["review", "sentiment"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def text_models(tmp_path_factory):
    """A two-class and a three-class text model, each trained once (a few seconds)."""
    root = tmp_path_factory.mktemp("evaluate")
    models = {}
    for name, classes in {"binary": ("pos", "neg"), "multi": ("pos", "neg", "neutral")}.items():
        data = write_texts(root / f"{name}-train.csv", 240, classes, seed=0)
        out = root / name
        code = main(
            [
                "train", "--data", str(data), "--text-column", "review",
                "--label-column", "sentiment", "--epochs", "3", "--batch-size", "16",
                "--learning-rate", "0.01", "--test-fraction", "0", "--output", str(out),
            ]
        )  # fmt: skip
        assert code == 0
        models[name] = out / "model.keras"
    return models


def sklearn_scores(model_path, texts, labels):
    """What scikit-learn says of the model's own predict() outputs."""
    from workbench.backend.api import Predictor

    predictor = Predictor.load(model_path)
    names = predictor.class_names
    proba = np.array([[p.probabilities[c] for c in names] for p in predictor.predict(texts)])
    y = np.array([names.index(label) for label in labels])
    return names, proba, y


@pytest.mark.parametrize("kind", ["binary", "multi"])
def test_evaluate_agrees_with_scikit_learn_on_unseen_texts(tmp_path, capsys, text_models, kind):
    classes = ("pos", "neg") if kind == "binary" else ("pos", "neg", "neutral")
    unseen = write_texts(tmp_path / "unseen.csv", 90, classes, seed=7)
    code, out, err = run_cli(capsys, "evaluate", text_models[kind], "--data", unseen, "--json")
    assert code == 0, err
    got = json.loads(out)
    frame = pd.read_csv(unseen)
    names, proba, y = sklearn_scores(text_models[kind], frame.review.tolist(), frame.sentiment)
    predicted = (proba[:, 1] >= 0.5).astype(int) if len(names) == 2 else proba.argmax(1)

    assert got["task"] == "classification" and got["rows"] == 90 and got["classes"] == names
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, predicted))
    labels = list(range(len(names)))
    assert got["confusion_matrix"] == skm.confusion_matrix(y, predicted, labels=labels).tolist()
    p, r, f, s = skm.precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
    for i, name in enumerate(names):
        row = got["per_class"][name]
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((p[i], r[i], f[i]))
        assert row["support"] == s[i]
    assert got["macro_f1"] == pytest.approx(skm.f1_score(y, predicted, average="macro"))
    assert got["weighted_f1"] == pytest.approx(skm.f1_score(y, predicted, average="weighted"))
    if len(names) == 2:
        auc = skm.roc_auc_score(y, proba[:, 1])
        ap = skm.average_precision_score(y, proba[:, 1])
        assert got["threshold"] == 0.5
    else:
        auc = skm.roc_auc_score(y, proba / proba.sum(1, keepdims=True), multi_class="ovr")
        ap = np.mean([skm.average_precision_score(y == c, proba[:, c]) for c in labels])
        assert got["threshold"] is None
    assert got["roc_auc"] == pytest.approx(auc, abs=1e-6)
    assert got["average_precision"] == pytest.approx(ap, abs=1e-6)
    unit_rows = proba / proba.sum(1, keepdims=True)  # float32 softmax rows, off by ~1e-7
    assert got["log_loss"] == pytest.approx(skm.log_loss(y, unit_rows, labels=labels), abs=1e-5)
    assert 0.0 <= got["ece"] <= 1.0
    # baselines learn from the training split of the project saved beside the model
    assert got["baseline"]["name"] == "TF-IDF word n-grams + logistic regression"
    assert [b["name"] for b in got["baselines"]] == ["majority class", got["baseline"]["name"]]
    assert "training split" in got["baselines_trained_on"]


def test_plain_output_names_the_scores_and_the_baselines(tmp_path, capsys, text_models):
    unseen = write_texts(tmp_path / "unseen.csv", 60, ("pos", "neg"), seed=3)
    code, out, err = run_cli(capsys, "evaluate", text_models["binary"], "--data", unseen)
    assert code == 0, err
    assert "Accuracy:" in out and "Confusion matrix" in out and "precision" in out
    assert "majority class baseline" in out and "logistic regression baseline" in out


def test_a_saved_threshold_is_what_evaluate_and_predict_decide_by(tmp_path, capsys, text_models):
    import shutil

    from workbench.backend.api import Predictor, save_threshold

    model = tmp_path / "m.keras"
    shutil.copy(text_models["binary"], model)
    meta = save_threshold(model, 0.9)
    assert meta["threshold"] == 0.9 and Predictor.load(model).meta["threshold"] == 0.9
    unseen = write_texts(tmp_path / "unseen.csv", 60, ("pos", "neg"), seed=5)
    code, out, err = run_cli(capsys, "evaluate", model, "--data", unseen, "--json")
    assert code == 0, err
    got = json.loads(out)
    frame = pd.read_csv(unseen)
    _, proba, y = sklearn_scores(model, frame.review.tolist(), frame.sentiment)
    predicted = (proba[:, 1] >= 0.9).astype(int)
    assert got["threshold"] == 0.9
    assert got["confusion_matrix"] == skm.confusion_matrix(y, predicted).tolist()
    # a model file on its own: nothing says what it trained on, so the baselines are
    # cross-fitted on the evaluated file
    assert "cross-fitting" in got["baselines_trained_on"]


def test_regression_agrees_with_scikit_learn(tmp_path, capsys):
    from workbench.backend.api import Predictor
    from workbench.core.samples import SAMPLES

    out_dir = tmp_path / "m"
    code, _, err = run_cli(
        capsys, "train", "--sample", "penguins-mass", "--epochs", "2", "--output", out_dir
    )
    assert code == 0, err
    source = SAMPLES["penguins-mass"].path
    code, out, err = run_cli(
        capsys, "evaluate", out_dir / "model.keras", "--data", source, "--json"
    )
    assert code == 0, err
    got = json.loads(out)
    frame = pd.read_csv(source)
    target = SAMPLES["penguins-mass"].label_column
    frame = frame[pd.to_numeric(frame[target], errors="coerce").notna()]
    values = [p.value for p in Predictor.load(out_dir / "model.keras").predict_table(frame)]
    y = frame[target].astype(float).to_numpy()
    assert got["task"] == "regression" and got["rows"] == len(frame)
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y, values), rel=1e-6)
    assert got["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, values)), rel=1e-6)
    assert got["r2"] == pytest.approx(skm.r2_score(y, values), rel=1e-6)
    # trained in a recorded run: the baselines learn from that run's training split
    assert "training split" in got["baselines_trained_on"]
    assert got["baseline"]["name"].startswith("ridge regression")


@pytest.fixture
def bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("review,sentiment\n", encoding="utf-8")
    unseen = tmp_path / "unseen-labels.csv"
    rows = make_texts(20, ("pos", "neg"), seed=2)
    pd.DataFrame(
        [(t, "maybe" if i % 4 == 0 else label) for i, (t, label) in enumerate(rows)],
        columns=["review", "sentiment"],
    ).to_csv(unseen, index=False)
    table = tmp_path / "table.csv"
    pd.DataFrame({"height": [1.0, 2.0, 3.0], "sentiment": ["pos", "neg", "pos"]}).to_csv(
        table, index=False
    )
    return {"empty": empty, "unseen": unseen, "table": table, "missing": tmp_path / "nope.csv"}


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("empty", "no"),
        ("unseen", "never seen"),
        ("table", "review"),
        ("missing", "not found"),
    ],
)
def test_bad_data_exits_2_with_one_line(capsys, text_models, bad_files, case, says):
    code, out, err = run_cli(capsys, "evaluate", text_models["binary"], "--data", bad_files[case])
    assert code == 2, (out, err)
    assert err.startswith("workbench: error:") and says in err and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_report_writes_an_offline_page_and_the_json(tmp_path, capsys, text_models):
    unseen = write_texts(tmp_path / "unseen.csv", 60, ("pos", "neg"), seed=4)
    report = tmp_path / "report"
    code, out, err = run_cli(
        capsys, "evaluate", text_models["binary"], "--data", unseen, "--report", report, "--json"
    )
    assert code == 0, err
    printed = json.loads(out)
    written = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    for key in ("accuracy", "confusion_matrix", "per_class", "roc_auc", "ece"):
        assert written[key] == printed[key]
    assert written["baseline"]["name"] == printed["baseline"]["name"]
    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 4 and "<script" not in page and "https://" not in page
