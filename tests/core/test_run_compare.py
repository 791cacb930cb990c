"""Comparing runs: best run by metric, settings diff with layers, history of all runs as CSV."""

from __future__ import annotations

import csv
import math

import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.run_compare import (
    best_run,
    best_runs,
    curve,
    data_key,
    data_name,
    data_path,
    history_csv,
    kept_epoch,
    kept_value,
    metric_names,
    settings_diff,
    stack_text,
    write_history_csv,
)
from workbench.core.runs import RunRecord, RunStore


@pytest.fixture
def store(tmp_path) -> RunStore:
    store = RunStore(tmp_path / "runs")
    first = Project()
    a = store.create(first.to_dict(), name="small lr")
    a.history = [
        {"loss": 0.7, "accuracy": 0.5, "val_loss": 0.65, "val_accuracy": 0.55},
        {"loss": 0.5, "accuracy": 0.7, "val_loss": 0.55, "val_accuracy": 0.71},
    ]
    a.status = "finished"
    a.save()
    second = Project()
    second.training.learning_rate = 0.01
    second.layers[2].params["units"] = 16
    b = store.create(second.to_dict(), name="big lr")
    b.history = [
        {"loss": 0.6, "accuracy": 0.6, "val_loss": 0.50, "val_accuracy": 0.69},
        {"loss": 0.4, "accuracy": 0.8, "val_loss": float("nan"), "val_accuracy": 0.68},
    ]
    b.status = "stopped"
    b.save()
    return store


def test_best_run_by_loss_or_accuracy(store) -> None:
    a, b = store.list()
    # Old run.json files (no best_epoch): the kept epoch is the lowest val_loss one.
    assert kept_value(a, "val_loss") == 0.55
    assert kept_value(b, "val_loss") == 0.50  # NaN epochs are ignored
    assert kept_value(b, "val_accuracy") == 0.69  # epoch 1's, not a max over epochs
    assert best_run(store.list()) == b.id  # lowest val_loss
    assert best_run(store.list(), "val_accuracy") == a.id  # highest accuracy
    assert best_run(store.list(), "val_auc") is None
    assert best_run([]) is None


def test_metrics_and_curves(store) -> None:
    a, b = store.list()
    assert metric_names([a, b]) == ["val_accuracy", "val_loss", "accuracy", "loss"]
    assert curve(a, "val_loss") == ([1.0, 2.0], [0.65, 0.55])


def test_metric_names_count_a_metric_some_epochs_report_but_not_text_or_flags() -> None:
    run = RunRecord(id="r", name="", created=0.0)
    run.history = [
        {"epoch": 1, "loss": 0.7, "note": "warm-up", "flag": True},
        {"epoch": 2, "loss": 0.6, "val_auc": 0.8, "note": "x", "flag": False},
    ]
    assert metric_names([run]) == ["val_auc", "loss"]
    assert metric_names([RunRecord(id="empty", name="", created=0.0)]) == []


def test_diff_marks_only_differing_settings_layers_included(store) -> None:
    a, b = store.list()
    rows = settings_diff(a, b)
    differing = {row.name: (row.left, row.right) for row in rows if row.differs}
    assert differing == {"learning rate": ("0.001", "0.01"), "layer 3 units": ("64", "16")}
    names = [row.name for row in rows]
    assert "layer 3" in names and "batch size" in names
    assert stack_text(b) == "Embedding(10000, 64) → LSTM(16) → Dense(1, sigmoid)"


def test_diff_of_different_stacks_shows_missing_layers(store) -> None:
    a, _ = store.list()
    longer = Project()
    longer.layers.append(longer.layers[-1].copy())
    c = store.create(longer.to_dict(), name="longer")
    rows = {row.name: row for row in settings_diff(a, c)}
    assert rows["layer 5"].left == "—" and rows["layer 5"].right == "Dense"
    assert rows["layer 5"].differs


def test_history_csv_has_one_row_per_run_and_epoch(store, tmp_path) -> None:
    runs = store.list()
    path = write_history_csv(runs, tmp_path / "out" / "history.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["run_name"] for r in rows] == ["small lr", "small lr", "big lr", "big lr"]
    assert [r["epoch"] for r in rows] == ["1", "2", "1", "2"]
    assert rows[0]["run_id"] == runs[0].id and rows[2]["status"] == "stopped"
    assert float(rows[1]["val_accuracy"]) == 0.71
    assert math.isnan(float(rows[3]["val_loss"]))
    columns = list(rows[0])
    assert columns[:5] == ["run_id", "run_name", "status", "parent", "epoch"]
    assert columns[-4:] == ["val_accuracy", "val_loss", "accuracy", "loss"]
    assert (
        rows[0]["setting_learning_rate"] == "0.001" and rows[2]["setting_learning_rate"] == "0.01"
    )
    assert rows[2]["setting_layers"] == "Embedding(10000, 64) → LSTM(16) → Dense(1, sigmoid)"
    assert rows[0]["setting_metrics"] == "" and rows[0]["parent"] == ""
    assert history_csv([]).strip() == "run_id,run_name,status,parent,epoch"


def test_unwritable_csv_path_is_a_clear_error(store, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WorkbenchError, match="could not write the runs' history"):
        write_history_csv(store.list(), blocker / "history.csv")


def test_delete_removes_a_run_but_not_one_training_here(store) -> None:
    a, b = store.list()
    store.delete(a.id)
    assert [r.id for r in store.list()] == [b.id] and not a.path.exists()
    live = store.create(Project().to_dict(), name="live")  # running, by this process
    with pytest.raises(WorkbenchError, match="live is still training"):
        store.delete(live.id)
    assert live.path.exists()


def finished_run(store: RunStore, name: str, history, *, best_epoch=None, data="imdb.csv", **train):
    project = Project()
    project.dataset.path = data
    for key, value in train.items():
        setattr(project.training, key, value)
    run = store.create(project.to_dict(), name=name)
    run.history = [{"epoch": n, **entry} for n, entry in enumerate(history, start=1)]
    run.best_epoch = best_epoch
    run.status = "finished"
    run.save()
    return store.get(run.id)


# Epoch 2 has the lowest val_loss (its weights are kept); epoch 3 the highest val_accuracy.
WALKTHROUGH = [
    {"loss": 0.60, "val_loss": 0.52, "val_accuracy": 0.760},
    {"loss": 0.40, "val_loss": 0.43, "val_accuracy": 0.806},
    {"loss": 0.30, "val_loss": 0.47, "val_accuracy": 0.8072},
]


def test_best_is_the_kept_epoch_not_the_max_over_epochs(tmp_path) -> None:
    store = RunStore(tmp_path / "runs")
    run = finished_run(store, "walk", WALKTHROUGH, best_epoch=2)
    kept = kept_epoch(run)
    assert kept.number == 2 and not kept.inferred
    # The Train headline's 80.6% (epoch 2), never epoch 3's 0.8072.
    assert kept_value(run, "val_accuracy") == 0.806
    assert kept_value(run, "val_loss") == 0.43
    assert kept_value(run, "val_auc") is None
    # A run whose accuracy peaks higher but whose kept epoch is lower loses on accuracy.
    other = finished_run(store, "other", [{"val_loss": 0.45, "val_accuracy": 0.803}], best_epoch=1)
    assert best_run([run, other], "val_accuracy") == run.id
    assert best_run([run, other], "val_loss") == run.id
    other.history[0]["val_accuracy"] = 0.8071  # above the kept 0.806, below the peak 0.8072
    assert best_run([run, other], "val_accuracy") == other.id


def test_kept_epoch_follows_the_record(tmp_path) -> None:
    store = RunStore(tmp_path / "runs")
    # Restore best weights off: the last epoch's weights are kept, whatever best_epoch says.
    last = finished_run(store, "last", WALKTHROUGH, best_epoch=2, restore_best_weights=False)
    assert kept_epoch(last).number == 3 and not kept_epoch(last).inferred
    assert kept_value(last, "val_loss") == 0.47
    # An older run.json watching val_accuracy: its best epoch by that, and said so.
    old = finished_run(store, "old", WALKTHROUGH, early_stopping_monitor="val_accuracy")
    kept = kept_epoch(old)
    assert kept.number == 3 and kept.inferred and "highest val_accuracy" in kept.note
    old_loss = finished_run(store, "old loss", WALKTHROUGH)
    kept = kept_epoch(old_loss)
    assert kept.number == 2 and "older run" in kept.note and "lowest val_loss" in kept.note
    # Epochs numbered across a resume: best_epoch names the epoch, not the position.
    resumed = finished_run(store, "resumed", WALKTHROUGH, best_epoch=5)
    for n, entry in enumerate(resumed.history, start=4):
        entry["epoch"] = n
    assert kept_value(resumed, "val_accuracy") == 0.806
    # No epoch finished, or a metric only scored at the end (the test part).
    empty = RunRecord(id="e", name="", created=0.0, metrics={"test_accuracy": 0.7})
    assert kept_epoch(empty).number is None and kept_value(empty, "val_loss") is None
    assert kept_value(empty, "test_accuracy") == 0.7
    no_val = RunRecord(id="n", name="", created=0.0, history=[{"loss": 0.5}, {"loss": 0.4}])
    assert kept_epoch(no_val).number == 2 and "lowest loss" in kept_epoch(no_val).note


def test_best_runs_ranks_only_runs_on_the_same_data(tmp_path) -> None:
    store = RunStore(tmp_path / "runs")
    imdb = finished_run(store, "imdb", WALKTHROUGH, best_epoch=2, data="/data/imdb.csv")
    imdb_worse = finished_run(
        store,
        "imdb 2",
        [{"val_loss": 0.5, "val_accuracy": 0.7}],
        best_epoch=1,
        data="/data/./imdb.csv",
    )
    easy = finished_run(
        store,
        "easy",
        [{"val_loss": 0.1, "val_accuracy": 0.99}],
        best_epoch=1,
        data="/data/spam/",
    )
    unknown = RunRecord(id="u", name="", created=0.0, history=[{"val_loss": 0.01}])
    runs = [imdb, imdb_worse, easy, unknown]
    assert best_run(runs) == unknown.id  # best_run compares whatever it is given
    assert best_runs(runs) == {"/data/imdb.csv": imdb.id, "/data/spam": easy.id}
    assert best_runs(runs, "val_accuracy") == {"/data/imdb.csv": imdb.id, "/data/spam": easy.id}
    assert data_key(imdb) == data_key(imdb_worse) == "/data/imdb.csv"
    assert data_name(imdb) == "imdb.csv" and data_name(easy) == "spam"
    assert data_path(easy) == "/data/spam/"
    assert data_name(unknown) == data_key(unknown) == data_path(unknown) == ""


def test_held_out_score_is_accuracy_else_mae_else_loss():
    from workbench.core.run_compare import held_out_score

    run = RunRecord(id="r", name="r", created=0.0)
    assert held_out_score(run) is None  # no test part held out
    run.metrics = {"val_accuracy": 0.9, "test_loss": 0.34}
    assert held_out_score(run) == ("test_loss", 0.34)
    run.metrics.update(test_mae=2.5)
    assert held_out_score(run) == ("test_mae", 2.5)
    run.metrics.update(test_accuracy=0.871)
    assert held_out_score(run) == ("test_accuracy", 0.871)
    run.metrics = {"test_accuracy": math.nan, "test_loss": 0.5}  # a diverged score is skipped
    assert held_out_score(run) == ("test_loss", 0.5)


def test_settings_diff_and_csv_say_auto_for_the_test_fraction(tmp_path):
    store = RunStore(tmp_path / "runs")
    auto = store.create(Project().to_dict(), name="auto")
    auto.history = [{"loss": 0.5, "val_loss": 0.6}]
    explicit = Project()
    explicit.training.test_fraction = 0.0
    none = store.create(explicit.to_dict(), name="none")
    (row,) = [r for r in settings_diff(auto, none) if r.name == "test fraction"]
    assert (row.left, row.right, row.differs) == ("auto", "0", True)
    rows = list(csv.DictReader(history_csv([auto]).splitlines()))
    assert rows[0]["setting_test_fraction"] == "auto"
