"""Time to first window: ``workbench`` vs. an empty PySide6 + pyqtgraph window, same run.

Each trial starts a fresh Python process and the parent times it from outside: from launch
to the line the child prints once its window is shown and painted (``app.processEvents()``
after ``show()``). Three kinds of process, interleaved so machine noise hits all alike:

- ``workbench``: the real entry point, ``workbench.cli.main([])`` (the system-library check,
  the cli's imports, ``ui.app.run``), with WORKBENCH_SMOKE_TEST=1, which prints
  ``window_shown`` at that moment and ``backend_ready`` once TensorFlow has loaded behind the
  window (skip waiting for it with ``--no-backend``).
- ``floor``: ``import pyqtgraph``, an empty 1280x800 QMainWindow: what any PySide6 +
  pyqtgraph app pays before it shows anything. The goal is ``workbench`` <= floor + 0.30 s.
- ``qt_only``: the same window without importing pyqtgraph.

The platform is X11 when DISPLAY is set (start one with
``Xvfb :99 -noreset -screen 0 1400x900x24 &`` and ``DISPLAY=:99``), else offscreen;
``--platform`` picks. A first, untimed round warms the file cache. Prints JSON: medians, the
difference to the floor (of the medians, and of the fastest runs), every run.

    python tests/benchmarks/startup.py [--trials 7] [--platform xcb|offscreen] [--no-backend]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOAL_OVER_FLOOR_S = 0.30

WORKBENCH = "import sys; from workbench.cli import main; sys.exit(main([]))"

FLOOR = r"""
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents()
print("shown", flush=True)
"""

QT_ONLY = FLOOR.replace("import pyqtgraph\n", "")


def trial(code: str, env: dict[str, str], wait_backend: bool) -> dict[str, float]:
    """Seconds from launch to each marker line the child prints."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    times: dict[str, float] = {}
    for line in proc.stdout:
        now = time.perf_counter() - start
        marker = line.strip()
        if marker.startswith('{"smoke"'):
            marker = json.loads(marker)["smoke"]
        marker = {"window_shown": "shown", "backend_ready": "ready"}.get(marker, marker)
        times[marker] = now
        if marker == "shown" and not wait_backend:
            proc.kill()
            break
    proc.wait(300)
    if "shown" not in times:
        raise SystemExit(f"no window from: {code[:60]}... (exit {proc.returncode})")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=7)
    parser.add_argument("--platform", choices=("xcb", "offscreen"))
    parser.add_argument(
        "--no-backend", action="store_true", help="stop at the window, skip TensorFlow"
    )
    args = parser.parse_args()
    platform = args.platform or ("xcb" if os.environ.get("DISPLAY") else "offscreen")
    home = tempfile.mkdtemp(prefix="workbench-startup-")
    env = dict(os.environ, QT_QPA_PLATFORM=platform, WORKBENCH_HOME=home)
    env["WORKBENCH_SMOKE_TEST"] = "1"
    wait = not args.no_backend
    kinds = {"workbench": WORKBENCH, "floor": FLOOR, "qt_only": QT_ONLY}
    for code in kinds.values():  # warm the file cache; not timed
        trial(code, env, wait_backend=False)
    shown: dict[str, list[float]] = {kind: [] for kind in kinds}
    ready: list[float] = []
    for n in range(args.trials):
        order = list(kinds) if n % 2 == 0 else list(reversed(kinds))
        for kind in order:
            times = trial(kinds[kind], env, wait_backend=wait and kind == "workbench")
            shown[kind].append(times["shown"])
            if kind == "workbench" and wait:
                ready.append(times.get("ready", float("nan")))
    med = {kind: statistics.median(values) for kind, values in shown.items()}
    over = med["workbench"] - med["floor"]
    result = {
        "platform": platform,
        "trials": args.trials,
        "workbench_first_window_s_median": round(med["workbench"], 3),
        "floor_pyside6_pyqtgraph_window_s_median": round(med["floor"], 3),
        "qt_only_window_s_median": round(med["qt_only"], 3),
        "workbench_over_floor_s": round(over, 3),
        # the fastest run of each: less sensitive to other work on the machine
        "workbench_over_floor_s_min": round(min(shown["workbench"]) - min(shown["floor"]), 3),
        "goal_over_floor_s": GOAL_OVER_FLOOR_S,
        "within_goal": over <= GOAL_OVER_FLOOR_S,
        "backend_ready_s_median": round(statistics.median(ready), 2) if ready else None,
        "runs_s": {kind: [round(x, 3) for x in values] for kind, values in shown.items()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
