"""The hostile corpus's shared fixtures: tiny healthy models built once per session.

They are built in a child process, so no test process imports TensorFlow on its main thread
while a window's worker threads import other libraries (the window's own way is a worker).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import corpus

ROOT = Path(__file__).resolve().parents[2]
BUILD = "import sys; from pathlib import Path; from tests.hostile.corpus import build_models; "
BUILD += "build_models(Path(sys.argv[1]))"


@pytest.fixture(scope="session")
def hostile_models(tmp_path_factory: pytest.TempPathFactory) -> corpus.Models:
    folder = tmp_path_factory.mktemp("hostile-models")
    result = subprocess.run(
        [sys.executable, "-c", BUILD, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return corpus.models_in(folder)


@pytest.fixture
def make_env(tmp_path: Path, hostile_models: corpus.Models, monkeypatch: pytest.MonkeyPatch):
    """A fresh folder and marker for one case (WORKBENCH_HOME is already per test)."""

    def make() -> corpus.Env:
        folder = tmp_path / "case"
        folder.mkdir()
        marker = tmp_path / "PAYLOAD-RAN"
        monkeypatch.setenv(corpus.MARKER_VARIABLE, str(marker))  # the Lambda model's target
        home = Path(os.environ["WORKBENCH_HOME"])
        return corpus.Env(folder, marker, hostile_models, home)

    return make
