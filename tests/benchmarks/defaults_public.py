"""Do the workbench's defaults reach a simple baseline on public data? Prints JSON.

For each data set, the workbench trains exactly as ``workbench train --data F`` does
(the default template for the data, every setting at its default, epochs "auto"), each
in its own process. In the same process and on the same split, the majority-class (or
mean) baseline and the linear baseline (TF-IDF + logistic regression for text;
standardised / one-hot + logistic or ridge regression for tables; pixels + logistic
regression for images) are fitted on the training rows and scored on the validation and
test rows the model was scored on; for tables scikit-learn's gradient boosting too.

    python tests/benchmarks/defaults_public.py [--data DIR] [--only NAME ...]
        [--template NAME] [--set key=value ...] [--table]

Without ``--data`` only the bundled samples run. ``--data DIR`` adds every
``text_*.csv`` (columns text, label) and ``table_*.csv`` (target column ``label`` or
``target``) in DIR: public data sets kept outside the repository (see README.md,
"Defaults that reach the baseline", for the ones measured and where they come from).
The public sets measured for README.md were fetched once from public repositories
(kept outside the repository; one CSV each, rows and labels as published):

- text_sms_spam: UCI SMS Spam Collection (Almeida & Hidalgo 2011), CC BY 4.0; copy in
  github.com/hamzaaacodes/sms-spam-collection @ f3e73e1e.
- text_sentences: UCI Sentiment Labelled Sentences (Kotzias et al. 2015), CC BY 4.0;
  github.com/Shubhammawa/Sentiment-analysis-cnn @ a698f984.
- text_trec: TREC question classification, 5,452 training questions, 6 coarse classes
  (Li & Roth 2002), research use; github.com/architrathore/QueClassifier @ 71866121.
- text_movie_reviews: movie-review polarity v2.0 (Pang & Lee 2004), research use;
  github.com/jbrownlee/Datasets @ d20fcb64.
- text_tweets_airline: Twitter US Airline Sentiment (Crowdflower / Kaggle), CC BY-NC-SA
  4.0; github.com/Ramlah0/Twitter-US-Airline-Sentiment-Analysis @ b485e56d.
- text_tweets_offensive: OLID offensive tweets as packaged by TweetEval (Barbieri et al.
  2020; train + validation + test); github.com/cardiffnlp/tweeteval @ 4fbd22cd.
- table_spambase (and table_spambase6: its last six columns): UCI Spambase, CC BY 4.0;
  github.com/SoeLinPaing/STP-530-Spam-Filter @ 84f6c266.
- table_banknote, table_wine_quality (label: quality >= 6, red and white with a `type`
  column), table_abalone (target: rings): UCI, CC BY 4.0; github.com/jbrownlee/Datasets
  @ d20fcb64.
- table_breast_cancer, table_diabetes: scikit-learn's bundled copies
  (``load_breast_cancer``, ``load_diabetes(scaled=False)``).

``--set`` changes a training setting or a first-layer parameter for a study, e.g.
``--set standardize=lower`` or ``--set epochs=5``. ``--table`` also prints a Markdown
table of the results.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"


def _jobs(data_dir: Path | None) -> list[dict]:
    jobs = [
        {
            "name": "wordnet-topics (sample)",
            "path": str(SAMPLES / "wordnet_topics.csv"),
            "kind": "text",
        },
        {
            "name": "penguins (sample)",
            "path": str(SAMPLES / "penguins.csv"),
            "kind": "tabular",
            "label": "species",
        },
        {
            "name": "penguins-mass (sample)",
            "path": str(SAMPLES / "penguins.csv"),
            "kind": "tabular",
            "label": "body_mass_g",
            "task": "regression",
        },
        {"name": "digits images (sample)", "path": str(SAMPLES / "digits"), "kind": "images"},
        {"name": "digits npz (sample)", "path": str(SAMPLES / "digits.npz"), "kind": "npz"},
    ]
    if data_dir is not None:
        for path in sorted(data_dir.glob("text_*.csv")):
            jobs.append(
                {
                    "name": path.stem,
                    "path": str(path),
                    "kind": "text",
                    "text": "text",
                    "label": "label",
                }
            )
        for path in sorted(data_dir.glob("table_*.csv")):
            import pandas as pd

            columns = pd.read_csv(path, nrows=1).columns
            label = "label" if "label" in columns else "target"
            task = "classification" if label == "label" else "regression"
            jobs.append(
                {
                    "name": path.stem,
                    "path": str(path),
                    "kind": "tabular",
                    "label": label,
                    "task": task,
                }
            )
    return jobs


def _value(text: str) -> object:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None, "auto": None}.get(text.lower(), text)


def run_one(job: dict, template: str | None, settings: dict) -> dict:
    """Train the default (or ``template``) on one data set; baselines on the same split."""
    import numpy as np

    from workbench.backend import api
    from workbench.backend.trainer import Trainer
    from workbench.core import templates
    from workbench.core.datasets import load_dataset
    from workbench.core.listener import NullListener, TrainingControl
    from workbench.core.project import DatasetSpec, Project, TrainingConfig

    data = load_dataset(
        job["path"],
        job["kind"],
        text_column=job.get("text"),
        label_column=job.get("label"),
        task=job.get("task"),
    )
    name, why = (template, "--template") if template else templates.default_template(data)
    layers = templates.template_for(name, data.kind).build(data)
    training = TrainingConfig()
    for key, value in settings.items():
        if hasattr(training, key):
            setattr(training, key, value)
        else:
            layers[0].params[key] = value
    project = Project(DatasetSpec(job["path"], kind=data.kind, task=data.task), layers, training)
    trainer = Trainer(project, data)
    start = time.perf_counter()
    outcome = trainer.run(NullListener(), TrainingControl())
    seconds = time.perf_counter() - start
    split, predictor = trainer.split, trainer.predictor()
    score = "accuracy" if data.task == "classification" else "mae"
    out = {
        "data": job["name"],
        "rows": int(len(split.train) + len(split.val) + len(split.test)),
        "template": name,
        "why": why,
        "metric": score,
        "seconds": round(seconds, 1),
        "epochs": outcome.epochs_completed,
        "best_epoch": outcome.best_epoch,
        "epochs_text": outcome.epochs_text(),
        "model_val": round(float(outcome.best_metrics.get(f"val_{score}", np.nan)), 4),
    }
    if outcome.test_metrics:
        out["model_test"] = round(float(outcome.test_metrics.get(f"test_{score}", np.nan)), 4)
    parts = {"val": split.val, **({"test": split.test} if len(split.test) else {})}
    for part, rows in parts.items():
        for base in api.fit_baselines(predictor, data, split.train, rows):
            key = "majority" if base.name.startswith(("majority", "mean")) else "linear"
            out[f"{key}_{part}"] = round(float(getattr(base.evaluation, score)), 4)
        if data.kind == "tabular":
            out[f"boosting_{part}"] = round(_boosting(data, split.train, rows, score), 4)
    return out


def _boosting(data, train, rows, score: str) -> float:
    """scikit-learn's histogram gradient boosting on the raw columns (categories native)."""
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import accuracy_score, mean_absolute_error

    frame = data.frame[list(data.features)].copy()
    for column in frame.columns:
        if data.feature_types.get(column) == "categorical":
            frame[column] = frame[column].astype(str).astype("category")  # a gap: "nan"
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    labels = data.frame[data.label_column]
    y = np.asarray(labels.astype(str) if score == "accuracy" else data.targets())
    model = (
        HistGradientBoostingClassifier if score == "accuracy" else HistGradientBoostingRegressor
    )(categorical_features="from_dtype", random_state=0)
    model.fit(frame.iloc[train], y[train])
    predicted = model.predict(frame.iloc[rows])
    if score == "accuracy":
        return float(accuracy_score(y[rows], predicted))
    return float(mean_absolute_error(y[rows], predicted))


def _table(results: list[dict]) -> str:
    lines = [
        "| data | rows | metric | majority/mean | linear | boosting | **workbench default** "
        "| template | epochs | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['data']} | error: {r['error']} |")
            continue
        lines.append(
            f"| {r['data']} | {r['rows']:,} | val {r['metric']} | {r.get('majority_val', '')} | "
            f"{r.get('linear_val', '')} | {r.get('boosting_val', '')} | **{r['model_val']}** | "
            f"{r['template']} | {r['epochs_text']} | {r['seconds']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a folder of text_*.csv and table_*.csv")
    parser.add_argument("--only", nargs="*", default=[], help="data sets whose name has these")
    parser.add_argument("--template", help="train this template instead of the default")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--table", action="store_true", help="also print a Markdown table")
    parser.add_argument("--job", help=argparse.SUPPRESS)  # one job, in a child process
    args = parser.parse_args()
    settings = {k: _value(v) for k, v in (item.split("=", 1) for item in args.set)}
    if args.job:
        print(json.dumps(run_one(json.loads(args.job), args.template, settings)))
        return
    results = []
    for job in _jobs(args.data):
        if args.only and not any(part in job["name"] for part in args.only):
            continue
        command = [sys.executable, __file__, "--job", json.dumps(job), "--set", *args.set]
        if args.template:
            command += ["--template", args.template]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            result = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            result = {"data": job["name"], "error": done.stderr.strip().splitlines()[-1:]}
        results.append(result)
        print(json.dumps(result), flush=True)
    if args.table:
        print(_table(results))


if __name__ == "__main__":
    main()
