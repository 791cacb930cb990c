"""Time to first window: ``workbench``'s main window vs. an empty QMainWindow, same run.

Each trial starts a fresh Python process (offscreen Qt), which prints when the window has
been shown and painted once; the parent measures from process launch to that line. Trials
alternate between the workbench and the reference so machine noise hits both alike.
Also reports when the backend (TensorFlow) is ready behind the window. Prints JSON.

    python tests/benchmarks/startup.py [--trials 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WORKBENCH = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from workbench.ui.main_window import MainWindow
app = QApplication([])
w = MainWindow(); w.show(); app.processEvents()
print("shown", flush=True)
w.start_backend()
def poll():
    if w.backend_ready:
        print("ready", flush=True); w.close(); app.quit()
    else:
        QTimer.singleShot(20, poll)
poll()
app.exec()
"""

REFERENCE = r"""
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents()
print("shown", flush=True)
"""


def trial(code: str) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    times = {}
    for line in proc.stdout:
        times[line.strip()] = time.perf_counter() - start
    proc.wait(120)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    ours, ref, ready = [], [], []
    for _ in range(args.trials):
        t = trial(WORKBENCH)
        ours.append(t["shown"])
        ready.append(t.get("ready", float("nan")))
        ref.append(trial(REFERENCE)["shown"])
    med = statistics.median
    print(
        json.dumps(
            {
                "trials": args.trials,
                "first_window_s_median": round(med(ours), 3),
                "reference_empty_qmainwindow_s_median": round(med(ref), 3),
                "ratio_to_reference": round(med(ours) / med(ref), 2),
                "backend_ready_s_median": round(med(ready), 2),
                "first_window_s_runs": [round(x, 3) for x in ours],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
