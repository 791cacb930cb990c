"""Fixtures for the GUI tests: windows with and without the TensorFlow backend, small files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.textfixtures import write_csv
from workbench.ui.main_window import MainWindow

LONG = 60_000  # ms: generous, for TensorFlow on 2 busy cores


@pytest.fixture(autouse=True)
def _answer_yes_to_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question would block an offscreen test forever; answer Yes."""
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )


@pytest.fixture
def make_window(qtbot) -> Callable[..., MainWindow]:
    """Build MainWindows; pytest-qt closes each after the test (closeEvent joins threads)."""

    def make(backend: bool = False) -> MainWindow:
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        if backend:
            window.start_backend()
        return window

    return make


@pytest.fixture
def window(make_window) -> MainWindow:
    """A window that never loads TensorFlow."""
    return make_window(backend=False)


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    """120 short reviews in two classes: columns review, sentiment."""
    return write_csv(tmp_path / "reviews.csv", n=120)


@pytest.fixture
def three_class_csv(tmp_path: Path) -> Path:
    """90 reviews in three classes."""
    return write_csv(tmp_path / "three.csv", n=90, classes=("pos", "neg", "neutral"))


def load(qtbot, window: MainWindow, path: Path | str) -> None:
    """Open a file as File > Open would, and wait until the table is shown."""
    before = window.table
    window.data.open_path(path)
    qtbot.waitUntil(lambda: window.table is not before and window.table is not None, timeout=LONG)
