"""A stand-in for ``workbench sweep --spec FILE --json`` that needs no Ray (run as a script).

``python fake_sweep.py MODE SPEC``. It speaks the child's protocol: JSON events on stdout
(the first line split in two writes, as a pipe may deliver it), trials written into the run
store as they go, ``cancel`` on stdin, ``workbench: error: ...`` on stderr with exit code 2.

MODE: ``ok`` (two trials; the first is named best, though the second scores higher),
``error`` (exit 2 before any trial), ``cancel`` (one trial that runs until cancel arrives),
``stubborn`` (ignores cancel and sleeps).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> int:
    mode, spec_path = sys.argv[1], Path(sys.argv[2])
    spec = json.loads(spec_path.read_text())
    sweep, metric = spec["sweep_id"], "val_accuracy"
    out = sys.stdout

    def emit(event: dict) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    if mode == "error":
        sys.stderr.write("2026-01-01 ray: some noise\n")
        sys.stderr.write(
            "workbench: error: Cannot reach a Ray cluster at 10.9.9.9:6379: Connection refused."
            " Start one with `ray start --head` on the head node, or check the address and "
            "firewall.\n"
        )
        return 2
    if mode == "stubborn":
        emit({"event": "start", "sweep": sweep, "trials": 2, "cluster": "local"})
        time.sleep(120)
        return 0

    from workbench.core.runs import RunStore

    store = RunStore(spec["store"])
    start = json.dumps({"event": "start", "sweep": sweep, "trials": 2, "parallel": 2,
                        "search": "random", "cluster": "local", "metric": metric})  # fmt: skip
    out.write('{"event": "template", "template": "bow"}\n' + start[:20])
    out.flush()
    time.sleep(0.2)
    out.write(start[20:] + "\nnot json, ignored\n")
    out.flush()
    trials = 1 if mode == "cancel" else 2
    records = []
    for number in range(1, trials + 1):
        record = store.create(spec["project"], name=f"trial {number}/2: lr 0.00{number}",
                              run_id=f"{sweep}-t{number}")  # fmt: skip
        record.sweep, record.trial_params = sweep, {"learning_rate": number / 1000}
        record.save()
        records.append(record)
    for epoch in (1, 2):
        time.sleep(1.5)
        for number, record in enumerate(records, start=1):
            entry = {"epoch": epoch, "loss": 1.0 / epoch, metric: 0.5 + 0.1 * number * epoch}
            record.history.append({**entry, "val_loss": 1.0 / (epoch * number)})
            record.epochs_completed = epoch
            record.save()
    if mode == "cancel":
        for line in sys.stdin:
            if line.strip() == "cancel":
                break
        records[0].status, records[0].message = "stopped", "Cancelled with the search."
        records[0].save()
        emit({"event": "trial", "trial": 1, "status": "stopped", "run_id": records[0].id})
        emit({"event": "done", "sweep": sweep, "best": None, "metric": metric, "trials": 1,
              "finished": 0, "stopped": 1, "failed": 0, "cancelled": True})  # fmt: skip
        return 0
    for number, record in enumerate(records, start=1):
        record.status = "finished"
        record.metrics = {metric: record.history[-1][metric]}
        record.save()
        emit({"event": "trial", "trial": number, "status": "finished", "run_id": record.id,
              metric: record.metrics[metric]})  # fmt: skip
    best = records[0]  # the search's own pick: not the highest last epoch (trial 2)
    pick = {"run_id": best.id, "name": best.name, metric: best.metrics[metric]}
    emit({"event": "done", "sweep": sweep, "metric": metric, "trials": 2, "finished": 2,
          "stopped": 0, "failed": 0, "cancelled": False, "best": pick})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
