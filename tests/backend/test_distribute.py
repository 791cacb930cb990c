"""'All GPUs' through MirroredStrategy, tested on a CPU split into two logical devices.

Logical devices must be configured before TensorFlow initialises its runtime, which the
test process has long done, so the training runs in a fresh Python process that configures
two logical CPUs first and then trains through the workbench's own Trainer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.textfixtures import write_csv

SCRIPT = r"""
import json, sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)

from workbench.backend.trainer import Trainer
from workbench.core.listener import NullListener, TrainingControl
from workbench.core.project import Project
from workbench.core.templates import fit_head, fit_sequence_length
from workbench.core.textdata import load_text_table

table = load_text_table(sys.argv[1])
project = Project()
fit_head(project.layers, len(table.class_names()))
fit_sequence_length(project.layers, table.suggested_sequence_length())
project.layers[1].params["output_dim"] = 8
project.layers[2].params["units"] = 8
project.training.epochs = 4
project.training.batch_size = 16
project.training.learning_rate = 0.01
project.training.device = "all_gpus"


class Listener(NullListener):
    def __init__(self):
        self.logs, self.losses = [], []

    def on_log(self, message):
        self.logs.append(message)

    def on_epoch(self, epoch, logs, samples_per_second):
        self.losses.append(logs["loss"])


listener = Listener()
trainer = Trainer(project, table)
outcome = trainer.run(listener, TrainingControl())
placement = trainer.acceleration.placement
variable = trainer.model.trainable_weights[0].value  # the Embedding table
copies = getattr(variable, "values", (variable,))
print("RESULT " + json.dumps({
    "kind": placement.kind,
    "replicas": placement.strategy.num_replicas_in_sync,
    "copies_on": sorted({c.device.rsplit("/", 1)[-1] for c in copies}),
    "losses": listener.losses,
    "logs": listener.logs,
    "val_accuracy": outcome.best_metrics.get("val_accuracy"),
    "epochs_completed": outcome.epochs_completed,
}))
"""


def test_all_gpus_mirrors_over_two_logical_cpus_and_learns(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "reviews.csv", n=320)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "WORKBENCH_XLA": ""}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    assert result["kind"] == "mirrored"
    assert result["replicas"] == 2
    # each replica holds its own copy of the weights, one per logical device
    assert result["copies_on"] == ["device:CPU:0", "device:CPU:1"]
    assert any("MirroredStrategy (2 replicas in step)" in m for m in result["logs"])
    assert result["epochs_completed"] == 4
    losses = result["losses"]
    assert losses[-1] < losses[0] * 0.8, losses
