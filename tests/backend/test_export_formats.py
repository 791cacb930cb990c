"""Every bundled kind of data exports to every format, and each export proves itself.

The models are trained as a person would (``workbench train --sample``); each export runs
in its own runtime (TensorFlow, the ai-edge-litert interpreter, onnxruntime, Keras) against
the Keras model on the validation split. Fresh processes then load the files without the
workbench, as a deployment would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from workbench.backend import api, parity
from workbench.cli import main
from workbench.core.exports import FORMATS
from workbench.core.parity import MAX_DIFF, MIN_AGREEMENT
from workbench.core.preprocessing import Preprocessing

SAMPLES = ("wordnet-topics", "penguins", "penguins-mass", "digits", "digits-npz")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """One quickly trained model per bundled sample (the CLI's train, one or two epochs)."""
    root = tmp_path_factory.mktemp("export-models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_HOME", str(root / "home"))
        for sample in SAMPLES:
            epochs = "2" if sample.startswith("penguins") else "1"
            code = main(
                ["train", "--sample", sample, "--epochs", epochs, "--output", str(root / sample)]
            )
            assert code == 0, sample
        code = main(
            [
                "train",
                "--sample",
                "wordnet-topics",
                "--template",
                "seed-lstm",
                "--epochs",
                "1",
                "--output",
                str(root / "seed-lstm"),
            ]
        )
        assert code == 0
    return root


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("sample", SAMPLES)
def test_each_kind_exports_to_each_format_and_passes_parity(models, tmp_path, sample, fmt):
    out = tmp_path / "export"
    result = api.export_model(models / sample, fmt, out, rows=200)
    report = result.report
    assert report.passed and report.rows > 0
    assert report.max_abs_diff <= MAX_DIFF or report.max_rel_diff <= MAX_DIFF
    if report.task == "classification":
        assert report.label_agreement >= MIN_AGREEMENT
    assert report.keras_ms_per_row > 0 and report.runtime_ms_per_row > 0
    written = json.loads((out / "parity.json").read_text())
    assert written == report.to_json() and written["path"] == str(result.model_path)
    assert {
        "format",
        "path",
        "rows",
        "label_agreement",
        "max_abs_diff",
        "keras_ms_per_row",
        "runtime_ms_per_row",
        "notes",
    } <= set(written)
    card = (out / "MODEL_CARD.md").read_text()
    facts = json.loads((out / "model.json").read_text())
    assert facts["format"] == fmt and facts["training_data"]["sha256"]
    assert "validation" in facts["scores"] and facts["scores"]["baselines"]
    assert "Parity with Keras" in card and "baseline" in card and "passed" in card
    split = (out / "preprocessing.json").exists()
    # Text has string ops in both LiteRT and ONNX; a table's category lookups in ONNX.
    expect_split = (sample == "wordnet-topics" and fmt in ("litert", "onnx")) or (
        sample.startswith("penguins") and fmt == "onnx"
    )
    assert split == expect_split
    assert (report.preprocessing != "inside the model") == split
    if split:
        assert report.notes and "numeric part" in report.notes[0]
        assert "outside the model" in card
    if fmt == "savedmodel":
        assert (out / "1" / "saved_model.pb").is_file()


@pytest.mark.parametrize("fmt", ["litert", "onnx"])
def test_a_masked_lstm_exports_its_numeric_part(models, tmp_path, fmt):
    result = api.export_model(models / "seed-lstm", fmt, tmp_path / "x", rows=100)
    assert result.report.passed
    rules = Preprocessing.load(tmp_path / "x" / "preprocessing.json")
    assert rules.text.output_mode == "int" and rules.text.numeric_input == "token_ids"


def _run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_onnx_text_export_runs_with_onnxruntime_and_the_rules_alone(models, tmp_path):
    out = tmp_path / "onnx"
    api.export_model(models / "wordnet-topics", "onnx", out, rows=50)
    texts = ["a feeling of deep regret", "a letter sent by post", "zzqx unknown words"]
    expected = api.Predictor.load(models / "wordnet-topics" / "model.keras").predict(texts)
    got = _run(f"""
        import json, sys
        import numpy as np, onnxruntime
        from workbench.core.preprocessing import Preprocessing
        rules = Preprocessing.load({str(out / "preprocessing.json")!r})
        feed = rules.numeric_inputs({{"text": np.array({texts!r}, dtype=object)}})
        session = onnxruntime.InferenceSession({str(out / "model.onnx")!r})
        p = session.run(None, feed)[0].reshape(-1).tolist()
        print(json.dumps({{"p": p, "tf": "tensorflow" in sys.modules}}))
    """)
    assert got["tf"] is False  # the deployment needs neither TensorFlow nor Keras
    positive = expected[0].probabilities
    name = list(positive)[1]
    np.testing.assert_allclose(got["p"], [e.probabilities[name] for e in expected], atol=1e-5)


def test_savedmodel_serves_raw_strings_in_plain_tensorflow(models, tmp_path):
    out = tmp_path / "sm"
    api.export_model(models / "wordnet-topics", "savedmodel", out, rows=50)
    texts = ["a feeling of deep regret", "a letter sent by post"]
    expected = api.Predictor.load(models / "wordnet-topics" / "model.keras").predict(texts)
    got = _run(f"""
        import json
        import tensorflow as tf
        serve = tf.saved_model.load({str(out / "1")!r}).signatures["serving_default"]
        p = serve(text=tf.constant({texts!r}))["outputs"].numpy().reshape(-1).tolist()
        print(json.dumps({{"p": p}}))
    """)
    name = list(expected[0].probabilities)[1]
    np.testing.assert_allclose(got["p"], [e.probabilities[name] for e in expected], atol=1e-6)


def test_litert_table_takes_named_columns_in_the_interpreter(models, tmp_path):
    out = tmp_path / "lite"
    api.export_model(models / "penguins", "litert", out, rows=20)
    got = _run(f"""
        import json
        import numpy as np
        from ai_edge_litert.interpreter import Interpreter
        it = Interpreter(model_path={str(out / "model.tflite")!r})
        names = sorted(d["name"] for d in it.get_input_details())
        print(json.dumps({{"names": names}}))
    """)
    names = got["names"]
    assert any("island" in n for n in names) and any("bill_length_mm" in n for n in names)


def test_a_failed_parity_check_exits_2_naming_the_format_and_worst_rows(
    models, tmp_path, capsys, monkeypatch
):
    real = parity.RUNNERS["onnx"]

    def off_by_a_bit(written):
        run = real(written)
        return lambda arrays: run(arrays) + 0.01  # every probability moved

    monkeypatch.setitem(parity.RUNNERS, "onnx", off_by_a_bit)
    out = tmp_path / "bad"
    code = main(
        [
            "export",
            str(models / "digits-npz"),
            "--format",
            "onnx",
            "--output",
            str(out),
            "--json",
            "--rows",
            "30",
        ]
    )
    stdout, stderr = capsys.readouterr()
    assert code == 2
    assert "onnx export" in stderr and "failed its parity check" in stderr and "row " in stderr
    report = json.loads(stdout)
    assert report["passed"] is False and report["worst_rows"]
    assert json.loads((out / "parity.json").read_text())["passed"] is False
    assert "FAILED" in (out / "MODEL_CARD.md").read_text()


def test_cli_json_is_one_object_with_the_issue_keys(models, tmp_path, capsys):
    code = main(
        [
            "export",
            str(models / "penguins" / "model.keras"),
            "--format",
            "keras",
            "--output",
            str(tmp_path / "k"),
            "--json",
            "--rows",
            "10",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    report = json.loads(out)
    assert report["format"] == "keras" and report["rows"] == 10 and report["passed"] is True


def test_existing_output_and_non_models_are_refused_in_one_line(models, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    code = main(["export", str(models / "penguins"), "--format", "onnx", "--output", str(taken)])
    _, err = capsys.readouterr()
    assert code == 2 and "already exists" in err and str(taken) in err
    assert (taken / "keep.txt").read_text() == "mine"
    fake = tmp_path / "fake.keras"
    fake.write_text("species,island\nAdelie,Biscoe\n")
    code = main(["export", str(fake), "--format", "onnx", "--output", str(tmp_path / "o")])
    _, err = capsys.readouterr()
    assert code == 2 and "fake.keras" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_model_without_its_run_needs_check_data(models, tmp_path, capsys):
    lone = tmp_path / "lone.keras"
    lone.write_bytes((models / "penguins" / "model.keras").read_bytes())
    code = main(["export", str(lone), "--format", "keras", "--output", str(tmp_path / "a")])
    _, err = capsys.readouterr()
    assert code == 2 and "--check" in err
    assert not (tmp_path / "a").exists()
    from workbench.core.samples import SAMPLES as BUNDLED

    data = BUNDLED["penguins"].path
    code = main(
        [
            "export",
            str(lone),
            "--format",
            "litert",
            "--output",
            str(tmp_path / "b"),
            "--check",
            str(data),
            "--rows",
            "40",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and "Parity passed on 40 rows" in out
    facts = json.loads((tmp_path / "b" / "model.json").read_text())
    assert facts["scores"] == {}  # no run: the card says the scores are not known
    assert "Not known" in (tmp_path / "b" / "MODEL_CARD.md").read_text()
