"""Audio from the command line: check-data, train --data FOLDER, predict --input FILE_OR_FOLDER,
and exit 2 with one clear line for folders that cannot train."""

from __future__ import annotations

import csv
import json

import numpy as np
import soundfile

from tests.cli.test_cli import run_cli
from tests.ui.audiofixtures import audio_folder, tone, write_clip


def test_check_data_says_what_the_model_will_hear(tmp_path, capsys):
    root = audio_folder(tmp_path / "tones")
    code, out, _ = run_cli(capsys, "check-data", root)
    assert code == 0
    assert "Kind:       audio" in out
    assert "Rates:      8000 Hz (8), 16000 Hz (1)" in out
    assert "Channels:   1 (8), 2 (1)" in out
    assert "Model input: mono at 16,000 Hz" in out and "the 95th percentile" in out
    assert "Skipped:" in out and "empty.wav: empty file (0 bytes)" in out
    code, out, _ = run_cli(
        capsys, "check-data", root, "--kind", "audio", "--sample-rate", "8000", "--json"
    )
    info = json.loads(out)
    assert code == 0 and info["sample_rate"] == 8000 and info["rows"] == 9
    assert len(info["skipped"]) == 2


def test_train_then_predict_a_file_and_a_folder(tmp_path, capsys):
    root = audio_folder(tmp_path / "tones", per_class=6, bad=False)
    out_dir = tmp_path / "model"
    code, out, err = run_cli(
        capsys, "train", "--data", root, "--epochs", "2", "--output", out_dir, "--json"
    )
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0] == {
        "event": "template",
        "template": "audio-mel-cnn",
        "reason": "audio: a CNN on log-mel spectrograms computed in the model",
    }
    new = write_clip(tmp_path / "new" / "a.ogg", tone(0.3, 22050, 1500, channels=2), 22050)
    (tmp_path / "new" / "broken.wav").write_bytes(b"RIFF")
    code, out, err = run_cli(capsys, "predict", out_dir, "--input", new, "--json")
    answer = json.loads(out)
    assert code == 0 and answer["label"] in ("high", "low")
    assert np.isclose(sum(answer["probabilities"].values()), 1.0)
    table = tmp_path / "p.csv"
    code, out, err = run_cli(
        capsys, "predict", out_dir / "model.keras", "--input", tmp_path / "new", "--output", table
    )
    assert code == 0
    assert "broken.wav" in err and "Skipped" in err
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["input"] for r in rows] == [str(new)]
    assert {"p_high", "p_low"} <= set(rows[0])


def test_folders_that_cannot_train_exit_2_with_the_reason(tmp_path, capsys):
    one = tmp_path / "one"
    write_clip(one / "yes" / "a.wav", tone(0.3, 8000, 400), 8000)
    (one / "no").mkdir()
    soundfile.write(one / "no" / "zero.wav", np.zeros(0, dtype=np.float32), 8000)
    code, _, err = run_cli(capsys, "train", "--data", one, "--epochs", "1")
    assert code == 2
    assert "readable clips in one class (yes)" in err
    assert "zero.wav: a clip of zero length (no samples)" in err
    assert "Traceback" not in err

    empty = tmp_path / "nothing"
    for name in ("a", "b"):
        (empty / name).mkdir(parents=True)
        (empty / name / "x.flac").write_bytes(b"")
    code, _, err = run_cli(capsys, "train", "--data", empty, "--kind", "audio")
    assert code == 2 and "no readable clip" in err

    model_dir = tmp_path / "no-model"
    model_dir.mkdir()
    code, _, err = run_cli(capsys, "predict", model_dir, "--input", one)
    assert code == 2 and "Traceback" not in err
