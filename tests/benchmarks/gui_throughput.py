"""Training throughput in the window (plots visible) against the same training headless.

Each trial is a fresh process training the default text template on the bundled sample
for 3 epochs: ``gui`` opens the real window (on $DISPLAY if set, else offscreen), shows the
Train tab and trains with live plots; ``headless`` calls the same backend with no Qt. The two
alternate so machine noise hits both. Prints JSON with medians and their ratio.

    DISPLAY=:99 python tests/benchmarks/gui_throughput.py [--trials 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

GUI = r"""
import os
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.ui.main_window import MainWindow
app = QApplication([])
w = MainWindow(); w.resize(1400, 900); w.show(); w.start_backend()
w.open_sample(DEFAULT_SAMPLE)
state = {"started": False}
def step():
    if not state["started"]:
        if w.backend_ready and w.dataset is not None and w.train_view.train_button.isEnabled():
            state["started"] = True
            w.tabs.setCurrentWidget(w.train_view)
            cfg = w.train_view.config(); cfg.epochs = 3; w.train_view.set_config(cfg)
            w.start_training()
    elif w.last_outcome is not None:
        print("RATE", w.last_outcome.samples_per_second, flush=True)
        w.close(); app.quit(); return
    QTimer.singleShot(50, step)
step()
app.exec()
"""

HEADLESS = r"""
from workbench.backend import api
from workbench.core.datasets import load_dataset
from workbench.core.listener import NullListener
from workbench.core.project import Project
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.core.templates import default_layers
data = load_dataset(DEFAULT_SAMPLE.path, "text")
project = Project(layers=default_layers(data)); project.training.epochs = 3
outcome, _ = api.train(project, data, NullListener())
print("RATE", outcome.samples_per_second, flush=True)
"""


def trial(code: str) -> float:
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    ).stdout
    return float(next(line for line in out.splitlines() if line.startswith("RATE")).split()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    gui, headless = [], []
    for _ in range(args.trials):
        gui.append(trial(GUI))
        headless.append(trial(HEADLESS))
    med = statistics.median
    print(
        json.dumps(
            {
                "display": os.environ.get("DISPLAY") or "offscreen",
                "trials": args.trials,
                "gui_samples_per_second": [round(x) for x in gui],
                "headless_samples_per_second": [round(x) for x in headless],
                "gui_over_headless": round(med(gui) / med(headless), 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
