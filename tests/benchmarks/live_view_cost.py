"""What the window's live view costs training, measured epoch by epoch. Prints JSON.

``gui_throughput.py`` compares whole trainings ten seconds apart, and on this machine the
speed drifts more than the 3% it looks for. Here one training in the real window runs
``--epochs`` epochs, and the live view (Train tab shown, plots and progress redrawn by the
window's timer) is on in some epochs and off in others, in ABBA order from epoch 2 (the
first compiles): neighbouring epochs, about a second apart, form each pair. With the view
off, the window sits on the Data tab with its redraw timer stopped, which is what a
headless run adds nothing for; the training thread still feeds the window's progress
recorder, whose own cost per batch is measured separately (``recorder_us_per_batch``)
against the training step.

    DISPLAY=:99 python tests/benchmarks/live_view_cost.py [--epochs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from gui_throughput import run_in_window  # a sibling script: run as python tests/benchmarks/…

SESSION = r"""
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.ui.main_window import DATA_TAB, MainWindow

EPOCHS = int(sys.argv[1])
# epoch 1 compiles; then pairs in ABBA order: on, off, off, on, on, off, ...
pattern = ["on", "off", "off", "on"]
view = {e: pattern[(e - 2) % 4] for e in range(2, EPOCHS + 1)}
view[1] = "on"
app = QApplication([])
w = MainWindow(); w.resize(1400, 900); w.show(); w.start_backend()
w.open_sample(DEFAULT_SAMPLE)
state = {"started": False, "shown": None}

def show_view(on):
    if state["shown"] == on:
        return
    state["shown"] = on
    if on:
        w.tabs.setCurrentWidget(w.train_view); w.redraw_timer.start()
    else:
        w.redraw_timer.stop(); w.tabs.setCurrentIndex(DATA_TAB)

def step():
    if not state["started"]:
        if w.backend_ready and w.dataset is not None and w.train_view.train_button.isEnabled():
            state["started"] = True
            w.tabs.setCurrentWidget(w.train_view)
            cfg = w.train_view.config(); cfg.epochs = EPOCHS; w.train_view.set_config(cfg)
            w.start_training(); state["shown"] = True
    elif w.last_outcome is not None:
        record = w.store.get(w.last_outcome.run_id)
        rates = {h["epoch"]: h["samples_per_second"] for h in record.history}
        print("RESULT " + json.dumps({"rates": rates, "view": view}), flush=True)
        w.close(); app.quit(); return
    elif w._training is not None:
        running = w._training.recorder.snapshot().epochs_done + 1  # the epoch under way
        show_view(view.get(running, "on") == "on")
    QTimer.singleShot(20, step)
step()
app.exec()
"""


def recorder_cost(batches: int = 2000) -> float:
    """Microseconds per batch the window's progress recorder adds to the training thread."""
    from workbench.core.listener import TrainingPlan
    from workbench.ui.train.progress import ProgressRecorder

    recorder = ProgressRecorder()
    recorder.on_plan(TrainingPlan(10, batches // 10, 5000, 1000, ["a", "b"]))
    started = time.perf_counter()
    for index in range(batches):
        recorder.on_batch(index // 200 + 1, index % 200 + 1, {"loss": 0.5, "accuracy": 0.8})
    return (time.perf_counter() - started) / batches * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30, help="epoch 1, then pairs")
    args = parser.parse_args()
    result = run_in_window(SESSION, str(args.epochs))
    rates = {int(k): v for k, v in result["rates"].items()}
    view = {int(k): v for k, v in result["view"].items()}
    ratios = []
    for first in range(2, args.epochs, 2):  # (2,3), (4,5), ...
        pair = {view[e]: rates[e] for e in (first, first + 1) if e in rates}
        if len(pair) == 2:
            ratios.append(pair["on"] / pair["off"])
    on = [rates[e] for e in rates if e > 1 and view.get(e) == "on"]
    off = [rates[e] for e in rates if e > 1 and view.get(e) == "off"]
    med = statistics.median
    ratio = med(ratios)
    step_us = 1e6 / (med(off) / 32)  # time of one batch of 32 with the view off
    per_batch = recorder_cost()
    print(
        json.dumps(
            {
                "display": os.environ.get("DISPLAY") or "offscreen",
                "epochs": args.epochs,
                "samples_per_second_view_on": [round(x) for x in on],
                "samples_per_second_view_off": [round(x) for x in off],
                "pair_ratios": [round(x, 3) for x in ratios],
                "view_on_over_off": round(ratio, 3),
                "view_on_over_off_of_medians": round(med(on) / med(off), 3),
                "recorder_us_per_batch": round(per_batch, 1),
                "batch_us_view_off": round(step_us),
                # the window over headless: the live view's ratio times the recorder's share
                "estimated_gui_over_headless": round(ratio * (1 - per_batch / step_us), 3),
                "target_met": ratio * (1 - per_batch / step_us) >= 0.97,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
