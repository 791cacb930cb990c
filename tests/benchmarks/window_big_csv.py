"""Open a big CSV in the real window (offscreen) as a person would; prints one JSON object.

Measures the time until the first rows show, until the whole file is loaded and shown, 40
jumps between the top and bottom of the table, and how long the GUI event loop was blocked
meanwhile (a 10 ms heartbeat timer: the longest and the 99th-percentile gap).

    python tests/benchmarks/big_csv.py            # makes /tmp/workbench-benchmarks/big_*.csv
    python tests/benchmarks/window_big_csv.py /tmp/workbench-benchmarks/big_1000000_seed0.csv
"""

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from workbench.ui.main_window import MainWindow

path = sys.argv[1]
app = QApplication([])
w = MainWindow()
w.show()
app.processEvents()
gaps, last = [], [time.perf_counter()]


def beat():
    now = time.perf_counter()
    gaps.append(now - last[0])
    last[0] = now


hb = QTimer()
hb.timeout.connect(beat)
hb.start(10)
t0 = time.perf_counter()
marks = {}
w.open_path(path)


def poll():
    rows = w.data_view.frame_model.rowCount() if hasattr(w.data_view, "frame_model") else 0
    if "preview" not in marks and rows > 0:
        marks["preview"] = time.perf_counter() - t0
    if w.dataset is not None and "loaded" not in marks:
        marks["loaded"] = time.perf_counter() - t0
        marks["rows_shown"] = w.data_view.frame_model.rowCount()
        # scroll to the end and back: the model serves rows lazily
        s = time.perf_counter()
        view = w.data_view.table_view if hasattr(w.data_view, "table_view") else None
        if view is not None:
            for _ in range(20):
                view.scrollToBottom()
                app.processEvents()
                view.scrollToTop()
                app.processEvents()
        marks["scroll_40_jumps_s"] = time.perf_counter() - s
        QTimer.singleShot(1500, finish)
        return
    QTimer.singleShot(5, poll)


def finish():
    hb.stop()
    g = sorted(gaps)
    marks["event_loop_max_gap_ms"] = round(1000 * g[-1], 1)
    marks["event_loop_p99_gap_ms"] = round(1000 * g[int(0.99 * (len(g) - 1))], 1)
    print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in marks.items()}))
    w.close()
    app.quit()


poll()
app.exec()
