"""Many trainings in one process do not pile up memory (TensorFlow issue 61791)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from tests.textfixtures import write_csv
    from workbench.backend import api
    from workbench.core.datasets import load_dataset
    from workbench.core.listener import NullListener
    from workbench.core.project import Project
    from workbench.core.templates import TEMPLATES

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    data = load_dataset(write_csv(__import__("pathlib").Path(sys.argv[1]) / "r.csv", n=200))
    readings = []
    for run in range(20):
        project = Project(layers=TEMPLATES["seed-lstm"].build(data))
        project.layers[1].params["output_dim"] = 16
        project.layers[2].params["units"] = 8
        project.training.epochs = 1
        api.train(project, data, NullListener())
        readings.append(rss_mb())
    print(json.dumps(readings))
    """
)


def test_twenty_runs_grow_memory_by_less_than_200_mb(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    readings = json.loads(result.stdout.strip().splitlines()[-1])
    growth = readings[-1] - readings[0]  # after the first run everything is warmed up
    assert growth < 200, readings
