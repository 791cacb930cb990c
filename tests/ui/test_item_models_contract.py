"""Every Qt item model of the ui keeps Qt's model contract (pytest-qt's ``qtmodeltester``).

Each model is filled with what the window really shows (a frame with gaps and long text,
image files and one that is not an image, a layer stack with a summary and errors, recorded
runs), then changed the ways its view changes it, with the tester watching every signal.
Both testers run: Qt's own ``QAbstractItemModelTester`` (its complaints are Qt warnings, which
fail the test under ``qt_log_level_fail = WARNING``) and pytest-qt's Python port, which also
checks the types ``data()`` returns per role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt

from workbench.core.layers import LayerSpec
from workbench.core.project import Project
from workbench.core.runs import RunRecord, RunStore
from workbench.core.summary import LayerSummary, StackSummary
from workbench.core.templates import image_cnn, text_classifier
from workbench.ui.clip_view import SkippedModel
from workbench.ui.data.audio_panel import ClipTableModel
from workbench.ui.data.models import ClassCountsModel
from workbench.ui.evaluate.confusion_model import ROW_SHARE, ClassScoresModel, ConfusionModel
from workbench.ui.evaluate.samples import SampleInputs, SamplesModel
from workbench.ui.evaluate.tables import FeatureImportanceModel, WorstErrorsModel
from workbench.ui.item_models import DataFrameModel, ImageListModel
from workbench.ui.model.stack_model import LayerStackModel
from workbench.ui.predict.batch import PredictionResults
from workbench.ui.predict.models import PredictionTableModel, ProbabilityModel
from workbench.ui.runs.models import RunsTableModel, SettingsDiffModel

DIGITS = Path(__file__).resolve().parents[2] / "resources" / "samples" / "digits"
ROLES = [*range(0, 14), int(Qt.ItemDataRole.UserRole) + 1, int(Qt.ItemDataRole.UserRole) + 2]
ROLES += [int(Qt.ItemDataRole.UserRole) + 3, int(Qt.ItemDataRole.UserRole) + 4]
ROLES += [int(Qt.ItemDataRole.UserRole) + 5]


def read_everything(model: QAbstractItemModel) -> None:
    """Ask for every cell and header in every role, as views, delegates and proxies do."""
    rows = model.rowCount(QModelIndex())
    # a list model's columnCount is private in PySide6; it has the one column
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
    for row in range(rows):
        for column in range(columns):
            index = model.index(row, column)
            assert index.isValid()
            assert not index.parent().isValid()
            assert model.rowCount(index) == 0  # a table: no children under a cell
            model.flags(index)
            for role in ROLES:
                model.data(index, role)
    for section in range(columns):
        for role in ROLES:
            model.headerData(section, Qt.Orientation.Horizontal, role)
    for section in range(rows):
        for role in ROLES:
            model.headerData(section, Qt.Orientation.Vertical, role)
    assert not model.index(rows, 0).isValid()
    assert not model.index(0, columns).isValid()
    assert model.data(QModelIndex()) is None


# -- realistic content -----------------------------------------------------------------------


def reviews_frame() -> pd.DataFrame:
    """What a CSV of reviews becomes: text with gaps, nullable ints, floats with NaN, dates."""
    n = 40
    return pd.DataFrame(
        {
            "review": [
                None if i == 3 else f"review {i}: " + "a rather long sentence " * (i % 5)
                for i in range(n)
            ],
            "sentiment": pd.array([i % 2 if i != 7 else pd.NA for i in range(n)], dtype="Int64"),
            "score": [np.nan if i == 5 else i / 7 for i in range(n)],
            "when": pd.to_datetime(["2024-01-02"] * (n - 1) + [None]),
            "stars": pd.array(["★" * (i % 5 + 1) for i in range(n)], dtype="string"),
        }
    )


def digit_files() -> tuple[list[str], list[str]]:
    files = sorted(str(p) for p in DIGITS.glob("*/*.png"))[:12]
    return files, [Path(f).parent.name for f in files]


def stack_summary(layers: list[LayerSpec]) -> StackSummary:
    rows = [
        LayerSummary(0, "text_vectorization", "(None, 16)", 0),
        LayerSummary(1, "embedding", "(None, 16, 64)", 640_000),
        LayerSummary(2, "lstm", "?", 0, note="a GPU would be faster with the cuDNN kernel"),
        LayerSummary(3, "dense", "(None, 1)", 65),
    ]
    return StackSummary(layers=rows[: len(layers)], total_params=640_065)


def recorded_runs(folder: Path) -> list[RunRecord]:
    """Runs as the trainer records them: finished, failed, a regression, one never started."""
    store = RunStore(folder)
    runs = []
    for name, lr, units, losses, accuracies in [
        ("alpha", 0.001, 64, [0.6, 0.5], [0.70, 0.75]),
        ("beta", 0.01, 16, [0.55, 0.45], [0.72, 0.74]),
        ("gamma", 0.1, 9, [0.9, float("nan")], [0.60, 0.80]),
    ]:
        project = Project()
        project.training.learning_rate = lr
        project.layers[2].params["units"] = units
        run = store.create(project.to_dict(), name=name)
        run.history = [
            {"loss": v + 0.1, "val_loss": v, "accuracy": a - 0.05, "val_accuracy": a}
            for v, a in zip(losses, accuracies, strict=True)
        ]
        run.status = "finished"
        run.samples_per_second = 1000.0 * units
        run.pid = None
        runs.append(run)
    runs[2].status, runs[2].message = "failed", "loss became NaN at epoch 2"
    runs[1].metrics = {"val_loss": 0.45, "test_accuracy": 0.71, "test_loss": 0.52}  # a test part
    regression = Project()
    regression.dataset.task = "regression"
    runs.append(store.create(regression.to_dict(), name="mae run"))
    runs[-1].history = [{"loss": 3.0, "mae": 1.4, "val_loss": 3.5, "val_mae": 1.6}]
    runs.append(RunRecord(id="empty", name="", created=0.0))  # a run.json with nothing in it
    return runs


# -- each model, filled and changed --------------------------------------------------------


def dataframe_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = DataFrameModel()
    yield model
    model.set_frame(reviews_frame(), "review", "sentiment")
    yield model
    model.set_roles("score", "stars")
    yield model
    model.set_frame(pd.DataFrame({"only": [1.5, 2.5]}), "only", "")
    yield model
    model.set_frame(pd.DataFrame(columns=["text", "label"]), "text", "label")  # header, no rows
    yield model


def image_list_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = ImageListModel()
    yield model
    files, captions = digit_files()
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("this is not a PNG")
    model.set_images([*files, str(not_an_image), str(tmp_path / "gone.png")], [*captions, "?", ""])
    yield model
    model.set_images(files[:1], ["7 (92%)"])
    yield model
    model.set_images([], [])
    yield model


def class_counts_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = ClassCountsModel()
    yield model
    model.set_counts({"pos": 61, "neg": 58, "neutral": 1})
    yield model
    model.set_counts({"only": 0})
    yield model
    model.set_counts({})
    yield model


def layer_stack_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = LayerStackModel()
    yield model
    layers = text_classifier(2, sequence_length=16)
    model.set_layers(layers)
    yield model
    model.set_summary(stack_summary(layers), [layer.uid for layer in layers])
    yield model
    model.set_errors({2: "LSTM needs a sequence: put it after an Embedding"})
    yield model
    layers.insert(2, LayerSpec("Dropout"))
    model.refresh()
    model.refresh_row(2)
    model.refresh_row(99)  # a stale row number from a finished edit: ignored
    yield model
    del layers[1:]
    model.refresh()
    yield model
    model.set_layers(image_cnn(10))
    model.set_summary(None, [])
    yield model
    model.set_layers([])
    model.set_errors({})
    yield model


def probability_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = ProbabilityModel()
    yield model
    model.set_probabilities({"pos": 0.7, "neg": 0.2, "neutral": 0.1}, "pos")
    yield model
    model.set_probabilities({str(d): 0.1 for d in range(10)}, "3")
    yield model
    model.set_probabilities({})
    yield model


def prediction_table_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = PredictionTableModel()
    yield model
    n = 30
    probabilities = np.random.default_rng(0).dirichlet([1, 1, 1], n).astype(np.float32)
    texts = np.array(["a rather long review … " * (i % 4) for i in range(n)], dtype=object)
    classes = ["pos", "neg", "neutral"]
    model.set_results(
        PredictionResults(
            "reviews.csv",
            ["review"],
            [texts],
            np.arange(1, n + 1),
            classes,
            probabilities.argmax(axis=1),
            probabilities,
            what="texts",
        )
    )
    yield model
    for column in range(model.columnCount()):  # what clicking each title does
        model.sort(column, Qt.SortOrder.DescendingOrder)
    yield model
    files = np.array([str(tmp_path / f"{i}.png") for i in range(4)], dtype=object)
    model.set_results(
        PredictionResults(
            "4 images",
            ["file"],
            [files],
            np.array([1, 2, 4, 5]),
            ["0", "1"],
            np.array([0, 1, 1, 0]),
            np.full((4, 2), 0.5, np.float32),
            skipped=1,
            what="images",
        )
    )
    yield model
    keys = [np.array(["a", "b"], dtype=object), np.array(["x", ""], dtype=object)]
    model.set_results(
        PredictionResults(
            "rows.csv",
            ["id", "name"],
            keys,
            np.array([1, 2]),
            values=np.array([1.5, -2.0]),
            what="rows",
        )
    )  # regression: values, no classes
    model.sort(2)
    yield model
    model.set_results(None)
    yield model


def runs_table_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = RunsTableModel()
    yield model
    runs = recorded_runs(tmp_path / "runs")
    model.set_runs(runs, interrupted={runs[0].id})
    yield model
    model.set_metric("val_accuracy")
    yield model
    model.set_runs(runs[3:4], metric="val_mae")  # a column title changes with the metric
    yield model  # (and the Test column goes: no run here held a test part out)
    model.set_runs(runs[1:2])  # it comes back
    yield model
    model.set_runs([])
    yield model


def settings_diff_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = SettingsDiffModel()
    yield model
    runs = recorded_runs(tmp_path / "runs")
    model.set_runs(runs[0], runs[1])
    yield model
    model.set_only_differences(True)
    yield model
    model.set_runs(runs[1], runs[4])  # against a run with no settings at all
    yield model
    model.set_only_differences(False)
    model.set_runs(runs[0], None)
    yield model


def _classification(classes: list[str], n: int = 40, seed: int = 0):
    from workbench.core.evaluation.metrics import evaluate_classification

    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(len(classes)), size=n)
    return evaluate_classification(rng.integers(0, len(classes), n), proba, classes)


class _Texts:
    """A text data set as the samples model reads it."""

    kind = "text"

    text_column = "review"

    def __init__(self, n: int) -> None:
        import pandas as pd

        texts = [f"review {i}: " + "a rather long sentence " * (i % 5) for i in range(n)]
        self.frame = pd.DataFrame({"review": texts})

    def texts(self) -> list[str]:
        return self.frame["review"].tolist()


def confusion_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = ConfusionModel()
    yield model
    two = _classification(["neg", "pos"])
    model.set_evaluation(two)
    yield model
    model.set_mode(ROW_SHARE)
    model.set_evaluation(two.with_threshold(0.9))  # same classes: cells change in place
    yield model
    model.set_evaluation(_classification(["a", "b", "c", "d"], n=3))  # absent classes
    yield model
    model.set_evaluation(None)
    yield model


def class_scores_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = ClassScoresModel()
    yield model
    two = _classification(["neg", "pos"])
    model.set_evaluation(two)
    yield model
    model.set_evaluation(two.with_threshold(0.2))
    yield model
    model.set_evaluation(_classification([str(d) for d in range(10)], n=25))
    yield model
    model.set_evaluation(None)
    yield model


def samples_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = SamplesModel()
    yield model
    ev = _classification(["neg", "pos"])
    inputs = SampleInputs(_Texts(40))
    model.set_samples(ev, ev.cell_rows(0, 1), inputs, "neg as pos")
    yield model
    model.set_weights({int(p): [("review", 0, 6, 0.3), ("a", 11, 12, -0.1)] for p in ev.rows})
    yield model
    model.relabel(ev.with_threshold(0.7))
    yield model
    files, _ = digit_files()
    paths = [files[i % len(files)] for i in range(39)] + [str(tmp_path / "gone.png")]
    images = type("Images", (), {"kind": "images", "files": paths})
    model.set_samples(ev, ev.confident_mistakes()[:5], SampleInputs(images()), "mistakes")
    yield model
    model.clear()
    yield model


def worst_errors_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    from workbench.core.evaluation.metrics import evaluate_regression

    model = WorstErrorsModel()
    yield model
    rng = np.random.default_rng(0)
    actual = rng.normal(size=300)
    model.set_evaluation(evaluate_regression(actual, actual + rng.normal(size=300)))
    yield model
    texts = SampleInputs(_Texts(3))
    model.set_evaluation(evaluate_regression([1.0, 2.0, 3.0], [1.5, 2.0, -1.0]), texts)
    yield model
    model.set_evaluation(None)
    yield model


def feature_importance_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = FeatureImportanceModel()
    yield model
    model.set_importance({"age": 0.12, "income": 0.3, "noise": -0.01})
    yield model
    model.set_importance({"only": 0.0})
    yield model
    model.set_importance({})
    yield model


def clip_table_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    from tests.ui.audiofixtures import audio_folder
    from workbench.core.audio import load_audio_folder

    folder = load_audio_folder(audio_folder(tmp_path / "tones"))
    model = ClipTableModel()
    yield model
    model.set_folder(folder)
    yield model
    model.sort(2, Qt.SortOrder.DescendingOrder)  # by duration, longest first
    yield model
    model.sort(0)
    yield model
    model.set_folder(None)
    yield model


def skipped_model(tmp_path: Path) -> Iterator[QAbstractItemModel]:
    model = SkippedModel()
    yield model
    model.set_skipped([(str(tmp_path / "a" / "x.wav"), "empty file (0 bytes)")], tmp_path)
    yield model
    model.set_skipped([("/elsewhere/y.mp3", "MP3 is not supported"), ("z.wav", "gone")])
    yield model
    model.set_skipped([])
    yield model


MODELS: dict[str, Callable[[Path], Iterator[QAbstractItemModel]]] = {
    "ClipTableModel": clip_table_model,
    "SkippedModel": skipped_model,
    "DataFrameModel": dataframe_model,
    "ImageListModel": image_list_model,
    "ClassCountsModel": class_counts_model,
    "LayerStackModel": layer_stack_model,
    "PredictionTableModel": prediction_table_model,
    "ProbabilityModel": probability_model,
    "RunsTableModel": runs_table_model,
    "SettingsDiffModel": settings_diff_model,
    "ConfusionModel": confusion_model,
    "ClassScoresModel": class_scores_model,
    "SamplesModel": samples_model,
    "WorstErrorsModel": worst_errors_model,
    "FeatureImportanceModel": feature_importance_model,
}


@pytest.mark.parametrize("tester", ["qt", "python"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_keeps_qt_contract(qapp, qtmodeltester, tmp_path, name, tester):
    steps = MODELS[name](tmp_path)
    model = next(steps)
    qtmodeltester.check(model, force_py=tester == "python")
    read_everything(model)
    for model in steps:  # each step changed the model under the tester's eyes
        read_everything(model)


def test_every_item_model_of_the_ui_is_covered():
    """A new model class in workbench/ui joins MODELS (or this test says which is missing)."""
    import ast

    ui = Path(__file__).resolve().parents[2] / "workbench" / "ui"
    bases = {"QAbstractTableModel", "QAbstractListModel", "QAbstractItemModel"}
    bases |= {"TitledColumnsModel", "QStandardItemModel"}
    found = set()
    for path in ui.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if names & bases and node.name != "TitledColumnsModel":
                    found.add(node.name)
    assert found <= set(MODELS), sorted(found - set(MODELS))
