"""How long the Runs tab takes to re-read the store and refill its table, on the GUI thread.

It refreshes when it is shown after runs were recorded (and only then), so this is the
pause a person sees on switching to the tab. A throwaway store gets ``--runs`` runs of
``--epochs`` epochs each; the reference is reading the same store alone (``RunStore.list``),
which the refresh cannot do without. Medians of ``--repeats``. Prints JSON.

    python tests/benchmarks/runs_refresh.py [--runs 200] [--epochs 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time


def _fill(store, runs: int, epochs: int) -> None:
    from workbench.core.project import Project

    project = Project().to_dict()
    for index in range(runs):
        record = store.create(project, name=f"run {index + 1}")
        record.history = [
            {
                "epoch": epoch,
                "loss": 0.7 / epoch,
                "accuracy": 1 - 0.3 / epoch,
                "val_loss": 0.8 / epoch + 0.001 * index,
                "val_accuracy": 1 - 0.35 / epoch,
                "learning_rate": 0.001,
                "samples_per_second": 5000.0,
            }
            for epoch in range(1, epochs + 1)
        ]
        record.status = "finished"
        record.pid = None
        record.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from workbench.core.runs import RunStore
    from workbench.ui.runs.view import RunsView

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as root:
        store = RunStore(root)
        _fill(store, args.runs, args.epochs)
        view = RunsView(store)
        view.resize(1200, 800)
        view.show()
        app.processEvents()
        refresh, listing = [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            view.refresh()
            refresh.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            store.list()
            listing.append((time.perf_counter() - started) * 1000)
        shown = len(view.records())
        view.close()
    print(
        json.dumps(
            {
                "runs": shown,
                "epochs_per_run": args.epochs,
                "refresh_ms_median": round(statistics.median(refresh), 1),
                "store_list_ms_median": round(statistics.median(listing), 1),
                "refresh_over_list": round(
                    statistics.median(refresh) / statistics.median(listing), 2
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
