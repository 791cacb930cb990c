"""The window's load paths over the hostile corpus: File > Open dataset, File > Open project,
Model > Import Keras model, Runs > Open for prediction, and Paste of layers.

No exception may escape (pytest-qt fails a test on an exception in a slot), no payload may run,
a refused file changes nothing (the layers stay as they were) and the person is told: a message
box, the Data tab's banner, or the Model tab's status line.
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from tests.hostile import corpus
from tests.textfixtures import write_csv
from workbench.ui.main_window import MainWindow

WAIT = 60_000  # ms: TensorFlow on two busy cores


def cases(target: str) -> list[corpus.Case]:
    return [c for c in corpus.by_target(target) if not c.subprocess]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(kind, text) of every message box, recorded instead of blocking."""
    said: list[tuple[str, str]] = []
    for name in ("warning", "critical", "information"):

        def record(*args, _name=name, **kwargs):
            said.append((_name, " ".join(str(a) for a in args[1:])))
            return QMessageBox.StandardButton.Ok

        monkeypatch.setattr(QMessageBox, name, staticmethod(record))
    return said


@pytest.fixture
def window(qtbot, shown) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def idle(qtbot, window: MainWindow) -> None:
    """Wait for every load and task thread to report."""
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=WAIT)


def everything_said(window: MainWindow, shown: list[tuple[str, str]]) -> str:
    return " ".join(
        [
            *(text for _, text in shown),
            window.data_view.banner.text(),
            window.model_view.status_label.text(),
            window.statusBar().currentMessage(),
        ]
    )


def project_is_valid(path: Path) -> bool:
    from workbench.core.errors import WorkbenchError
    from workbench.core.project import Project

    try:
        Project.load(path)
    except WorkbenchError:
        return False
    return True


def usable(window: MainWindow) -> None:
    assert window.isVisible() and window.isEnabled() and not window.shut_down


def no_payload(env: corpus.Env, made: corpus.Made, said: str) -> None:
    assert not env.marker.exists(), "the payload ran"
    assert "Traceback" not in said
    for words in made.must_not_say:
        assert words not in said, f"the window echoes {words!r}"


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("case", cases(corpus.W_DATA), ids=repr)
def test_open_dataset(case, qtbot, window, shown, make_env, tmp_path):
    env = make_env()
    made = case.make(env)
    window.data.open_path(made.path)
    idle(qtbot, window)
    said = everything_said(window, shown)
    no_payload(env, made, said)
    if window.dataset is None:  # refused: the Data tab says why
        assert window.data_view.banner.text(), said
        if made.code == 2:
            assert str(made.path.name) in window.data_view.banner.text()
    else:
        assert made.code != 2, f"{case.id}: the window took a file the CLI refuses"
    usable(window)
    window.data.open_path(write_csv(tmp_path / "after.csv", n=40))  # the next file still opens
    qtbot.waitUntil(lambda: window.dataset is not None and not window.tasks.active, timeout=WAIT)
    assert Path(window.dataset.path).name == "after.csv"


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("case", cases(corpus.W_PROJECT), ids=repr)
def test_open_project(case, qtbot, window, shown, make_env):
    env = make_env()
    made = case.make(env)
    before = copy.deepcopy([layer.to_dict() for layer in window.model_view.layers])
    opened = window.projects.open_project(made.path)
    idle(qtbot, window)
    said = everything_said(window, shown)
    no_payload(env, made, said)
    if not opened:
        assert [layer.to_dict() for layer in window.model_view.layers] == before
        assert any(kind == "warning" for kind, _ in shown), said
        assert "current work is unchanged" in said
        assert len(shown[-1][1]) < 2000  # one message, not the file
    assert opened == project_is_valid(made.path)  # a valid project opens even if its data fails
    usable(window)


@pytest.mark.timeout(180, method="thread")
@pytest.mark.parametrize("case", cases(corpus.W_IMPORT), ids=repr)
def test_import_keras_model(case, qtbot, window, shown, make_env):
    env = make_env()
    made = case.make(env)
    before = [layer.to_dict() for layer in window.model_view.layers]
    window.model.import_model(made.path)
    idle(qtbot, window)
    said = everything_said(window, shown)
    no_payload(env, made, said)
    if made.code == 2:
        assert [layer.to_dict() for layer in window.model_view.layers] == before
        assert any(kind == "warning" for kind, _ in shown), said
        assert len(shown[-1][1].splitlines()) <= 2, shown[-1][1]
    usable(window)


@pytest.mark.timeout(180, method="thread")
@pytest.mark.parametrize("case", cases(corpus.W_RUN_MODEL), ids=repr)
def test_open_a_run_model_for_prediction(case, qtbot, window, shown, make_env):
    env = make_env()
    made = case.make(env)
    record = window.store.create({}, name="hostile")
    record.status = "finished"
    record.save()
    target = record.model_path
    if made.path.is_dir():
        shutil.copytree(made.path, target)
    elif made.path.is_fifo():
        os.mkfifo(target)
    else:
        shutil.copyfile(made.path, target)
    window.runs.open_run_model(record.id)
    idle(qtbot, window)
    said = everything_said(window, shown)
    no_payload(env, made, said)
    if made.code == 2:
        assert window.predictor is None
        assert shown, said
        assert len(shown[-1][1].splitlines()) <= 2, shown[-1][1]
    usable(window)


@pytest.mark.timeout(60, method="thread")
@pytest.mark.parametrize("case", cases(corpus.W_PASTE), ids=repr)
def test_paste_layers(case, qtbot, window, shown, make_env):
    env = make_env()
    made = case.make(env)
    view = window.model_view
    view.select_row(0)
    before = [layer.to_dict() for layer in view.layers]
    QGuiApplication.clipboard().setText(made.text)
    view.paste()
    said = everything_said(window, shown)
    no_payload(env, made, said)
    assert [layer.to_dict() for layer in view.layers] == before
    message = view.status_label.text()
    assert message.startswith(("Not pasted", "The clipboard holds no layers")), message
    assert len(message) < 1000 and "\n" not in message
    usable(window)
