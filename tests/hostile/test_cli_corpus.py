"""Every CLI entry point over the hostile corpus: exit 0, or exit 2 with exactly one line on
stderr starting "workbench: error:"; never a traceback, an internal error, a hang or a payload
that ran. ``WORKBENCH_DEBUG=1`` makes an internal error print its traceback, so it shows."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.hostile import corpus
from workbench.cli import main

CLI_CASES = [c for c in corpus.CASES if any(t.startswith("cli:") for t in c.targets)]


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")


def run(case: corpus.Case, made: corpus.Made, capsys) -> tuple[int, str, str]:
    if case.subprocess:
        result = subprocess.run(
            [sys.executable, "-m", "workbench", *made.argv],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stdout, result.stderr
    capsys.readouterr()
    code = main(list(made.argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_outcome(case: corpus.Case, made: corpus.Made, code: int, out: str, err: str) -> None:
    said = out + err
    assert "Traceback" not in said and "internal error" not in said, said[-3000:]
    assert code in (0, 2), (code, said[-3000:])
    if made.code is not None:
        assert code == made.code, (code, said[-3000:])
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 2:
        assert len(lines) == 1, err[-3000:]
        assert lines[0].startswith("workbench: error:"), lines[0]
    elif made.stderr_lines is not None:
        assert len(lines) == made.stderr_lines, err[-3000:]
    for words in made.must_say:
        assert words in said, (words, said[-2000:])
    for words in made.must_not_say:
        assert words not in said, f"{case.id}: the output echoes {words!r}"


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("case", CLI_CASES, ids=repr)
def test_cli_over_the_corpus(case: corpus.Case, make_env, capsys) -> None:
    env = make_env()
    made = case.make(env)
    code, out, err = run(case, made, capsys)
    check_outcome(case, made, code, out, err)
    assert not env.marker.exists(), f"{case.id}: the payload ran"


def test_250000_layers_are_refused_before_any_layer_is_checked(make_env, monkeypatch) -> None:
    """A hang refused fast: the layer count is read before the schema looks at one layer
    (25,000 layers took 58 s to export before). Checked by what runs, not by a clock."""
    from workbench.core import project as project_module
    from workbench.core.errors import FileRejected

    def no_validation(*args, **kwargs):
        raise AssertionError("the schema ran on a project that the layer count refuses")

    monkeypatch.setattr(project_module, "_validated", no_validation)
    env = make_env()
    made = next(c for c in corpus.CASES if c.id == "project with 250,000 layers").make(env)
    with pytest.raises(FileRejected, match="250000 layers"):
        project_module.Project.load(made.path)


def test_the_corpus_is_big_enough() -> None:
    assert len(corpus.CASES) >= 50
    assert len({c.id for c in corpus.CASES}) == len(corpus.CASES)


def test_the_payloads_are_real(make_env) -> None:
    """Without the workbench's guards the payloads do run: the Lambda model outside safe mode
    and the pickle when unpickled each create the marker, so the corpus tests something."""
    import pickle

    import keras
    import numpy as np

    env = make_env()
    path = env.models.folder / "lambda.keras"
    model = keras.models.load_model(path, safe_mode=False, compile=False)
    env.marker.unlink(missing_ok=True)  # loading traced the function once
    model.predict(np.zeros((1, 4)), verbose=0)
    assert env.marker.exists()
    env.marker.unlink()
    pickle.loads(corpus.payload_pickle(env.marker))
    assert env.marker.exists()


EXPORT_CASES = [c for c in CLI_CASES if corpus.CLI_PREDICT in c.targets and not c.subprocess]


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("case", EXPORT_CASES, ids=repr)
def test_export_formats_refuse_the_models_predict_refuses(case, make_env, capsys) -> None:
    """`export --format` opens a model as predict does: a hostile model is refused in one
    line before anything is converted, and no export folder appears."""
    env = make_env()
    made = case.make(env)
    if made.argv[0] != "predict":
        return  # the case's file is data, not a model: nothing for export to open
    output = env.folder / "exported"
    export = corpus.Made(["export", made.argv[1], "--format", "onnx", "--output", str(output)])
    code, out, err = run(case, export, capsys)
    check_outcome(case, export, code, out, err)
    # No run or project beside these models: even a healthy one is refused (--check needed).
    assert code == 2 and not output.exists()
    healthy = {
        str(p) for p in (env.models.npz, env.models.image, env.models.text, env.models.plain)
    }
    if made.argv[1] not in healthy and run(case, made, capsys)[0] == 2:
        assert "--check" not in err, err  # a model predict refuses: the loader refuses it
    assert not env.marker.exists(), f"{case.id}: the payload ran"
