"""WORKBENCH_SMOKE_TEST=1: the hidden start-up check that packaging/smoke_test.py relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from workbench.ui.app import SMOKE_ENV, SmokeTest


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"smoke"')]


def test_backend_ready_reports_and_closes_the_window(qtbot, window, capsys) -> None:
    quit_codes: list[int] = []
    smoke = SmokeTest(window, quit_codes.append)
    window.backend.sig_ready.emit("Keras (test)")
    qtbot.waitUntil(lambda: not window.isVisible())
    events = _events(capsys.readouterr().out)
    assert [e["smoke"] for e in events] == ["window_shown", "backend_ready", "closed"]
    assert events[1]["backend"] == "Keras (test)"
    assert events[0]["time"] <= events[1]["time"] <= events[2]["time"]
    assert smoke.exit_code == 0
    assert quit_codes == [0]


def test_backend_failure_reports_and_exits_with_1(qtbot, window, capsys) -> None:
    quit_codes: list[int] = []
    smoke = SmokeTest(window, quit_codes.append)
    window.backend.sig_load_failed.emit("no module named tensorflow")
    qtbot.waitUntil(lambda: not window.isVisible())
    events = _events(capsys.readouterr().out)
    assert [e["smoke"] for e in events] == ["window_shown", "backend_failed", "closed"]
    assert events[1]["error"] == "no module named tensorflow"
    assert smoke.exit_code == 1
    assert quit_codes == [1]


def test_workbench_with_the_variable_loads_tensorflow_and_quits(tmp_path) -> None:
    """The real entry point: window, TensorFlow on its thread, clean exit code 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_HOME=str(tmp_path))
    env[SMOKE_ENV] = "1"
    code = "import sys; from workbench.cli import main; sys.exit(main([]))"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = _events(proc.stdout)
    assert [e["smoke"] for e in events] == ["window_shown", "backend_ready", "closed"]
    assert "TensorFlow" in events[1]["backend"]
    assert "Traceback" not in proc.stderr
    assert "QThread: Destroyed" not in proc.stderr
