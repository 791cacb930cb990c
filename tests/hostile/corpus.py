"""A corpus of hostile files, generated at test time (no binary blobs are committed).

Each :class:`Case` has an id, the entry points it targets and a ``make`` function that writes
its files into a fresh folder and returns what to run (:class:`Made`). Where a file carries a
payload (a Lambda layer, a module gadget, a pickle, an injection string), the payload would
create ``env.marker``; the tests assert that file never appears.

Entry points (``targets``):
  cli:predict, cli:export, cli:runs, cli:resume, cli:check-data  -- ``workbench.cli.main``
  window:data, window:project, window:import, window:run-model, window:paste  -- MainWindow
"""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tests.textfixtures import write_csv

CLI_PREDICT, CLI_EXPORT, CLI_RUNS = "cli:predict", "cli:export", "cli:runs"
CLI_RESUME, CLI_CHECK = "cli:resume", "cli:check-data"
W_DATA, W_PROJECT, W_IMPORT = "window:data", "window:project", "window:import"
W_RUN_MODEL, W_PASTE = "window:run-model", "window:paste"


@dataclass
class Models:
    """Small healthy .keras files built once per session, to be copied and mutated."""

    npz: Path  # Input (4,) -> Dense(2, softmax); metadata kind npz, x_shape [4]
    image: Path  # Input (8, 8, 3) -> Flatten -> Dense(2); metadata kind images
    text: Path  # Input string -> TextVectorization -> ... -> Dense(1, sigmoid); kind text
    plain: Path  # the npz network with no workbench.json

    @property
    def folder(self) -> Path:
        return self.npz.parent


def models_in(folder: Path) -> Models:
    names = ("npz", "image", "text", "plain")
    return Models(*(folder / f"{name}.keras" for name in names))


# The Lambda model's function opens the file named by this variable (each test sets its own
# marker), so the model is built once a session.
MARKER_VARIABLE = "WORKBENCH_HOSTILE_MARKER"
LAMBDA = (
    f"lambda x: (open(__import__('os').environ.get({MARKER_VARIABLE!r}, '/dev/null'), 'w')"
    ".close(), x)[1]"
)


@dataclass
class Env:
    folder: Path  # this case's own folder
    marker: Path  # a payload would create this file
    models: Models
    home: Path  # WORKBENCH_HOME


@dataclass
class Made:
    """What to run: ``argv`` for the CLI, ``path`` for the window, and what must hold."""

    argv: list[str]
    path: Path | None = None
    text: str = ""  # window:paste: the clipboard's text
    code: int | None = None  # the exit code required (None: 0 or 2)
    stderr_lines: int | None = None  # on exit 0, lines required on stderr (runs: one per damage)
    must_say: list[str] = field(default_factory=list)  # in the output
    must_not_say: list[str] = field(default_factory=list)  # e.g. "root:" from /etc/passwd
    run_id: str = ""  # window:run-model


@dataclass(frozen=True)
class Case:
    id: str
    targets: tuple[str, ...]
    make: Callable[[Env], Made]
    subprocess: bool = False  # run `python -m workbench` (a crash must only kill a child)

    def __repr__(self) -> str:
        return self.id


CASES: list[Case] = []


def case(id: str, *targets: str, subprocess: bool = False):
    def register(make: Callable[[Env], Made]) -> Callable[[Env], Made]:
        CASES.append(Case(id, targets, make, subprocess))
        return make

    return register


def touch_payload(marker: Path) -> str:
    return f"__import__('pathlib').Path({str(marker)!r}).touch()"


# -- the session's healthy models ------------------------------------------------------------


def build_models(folder: Path) -> Models:
    """Three tiny networks saved the workbench's way (one second or two, once a session)."""
    import keras

    from workbench.backend.export import save_model_with_meta

    folder.mkdir(parents=True, exist_ok=True)
    inp = keras.Input(shape=(4,), name="x")
    npz_model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
    npz = save_model_with_meta(
        npz_model,
        {"kind": "npz", "task": "classification", "class_names": ["a", "b"], "x_shape": [4]},
        folder / "npz.keras",
    )
    plain = folder / "plain.keras"
    npz_model.save(plain)

    pixels = keras.Input(shape=(8, 8, 3))
    hidden = keras.layers.Flatten()(pixels)
    image_model = keras.Model(pixels, keras.layers.Dense(2, activation="softmax")(hidden))
    image = save_model_with_meta(
        image_model,
        {"kind": "images", "image_size": [8, 8], "class_names": ["cat", "dog"]},
        folder / "image.keras",
    )

    words = keras.Input(shape=(), dtype="string")
    vectorize = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(["good film", "bad film", "fine"])
    x = keras.layers.Embedding(20, 2)(vectorize(words))
    x = keras.layers.GlobalAveragePooling1D()(x)
    text_model = keras.Model(words, keras.layers.Dense(1, activation="sigmoid")(x))
    text = save_model_with_meta(
        text_model, {"kind": "text", "class_names": ["neg", "pos"]}, folder / "text.keras"
    )

    os.environ.pop(MARKER_VARIABLE, None)  # building traces the function once: /dev/null
    inp = keras.Input(shape=(4,))
    lambda_model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Lambda(eval(LAMBDA))(inp)))
    meta = {"kind": "npz", "class_names": ["a", "b"], "x_shape": [4]}
    save_model_with_meta(lambda_model, meta, folder / "lambda.keras")
    return Models(npz=npz, image=image, text=text, plain=plain)


# -- helpers ---------------------------------------------------------------------------------


def rewrite_zip(
    source: Path,
    target: Path,
    replace: dict[str, bytes | None] | None = None,
    add: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> Path:
    """A copy of a zip with entries replaced (None: removed) and entries added."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in replace:
                data = replace[info.filename]
                if data is not None:
                    new.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
            else:
                new.writestr(info, old.read(info.filename))
        for name, data in add:
            new.writestr(name, data, zipfile.ZIP_DEFLATED)
    return target


def model_config(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def with_config(env: Env, name: str, change: Callable[[dict[str, Any]], Any]) -> Path:
    """The npz model with its config.json changed by ``change`` (which edits in place or
    returns a new config)."""
    config = model_config(env.models.npz)
    changed = change(config)
    config = config if changed is None else changed
    return rewrite_zip(
        env.models.npz, env.folder / name, {"config.json": json.dumps(config).encode()}
    )


def dense_layer(config: dict[str, Any]) -> dict[str, Any]:
    return next(item for item in config["config"]["layers"] if item["class_name"] == "Dense")


def with_meta(env: Env, name: str, meta: bytes | None, source: Path | None = None) -> Path:
    return rewrite_zip(source or env.models.npz, env.folder / name, {"workbench.json": meta})


def good_arrays(env: Env, shape: tuple[int, ...] = (3, 4)) -> Path:
    path = env.folder / f"x{'x'.join(map(str, shape))}.npz"
    np.savez(path, x=np.zeros(shape, dtype=np.float32))
    return path


def predict_npz(env: Env, model: Path, **made: Any) -> Made:
    return Made(["predict", str(model), "--input", str(good_arrays(env))], model, **made)


class _Touch:
    """Unpickling calls pathlib.Path(marker).touch()."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        from pathlib import Path as P

        return (P.touch, (P(self.marker),))


def payload_pickle(marker: Path) -> bytes:
    return pickle.dumps(_Touch(marker))


# -- Keras models ----------------------------------------------------------------------------

KERAS = (CLI_PREDICT, W_IMPORT, W_RUN_MODEL)


@case("healthy npz model", *KERAS)
def _(env: Env) -> Made:
    return predict_npz(env, env.models.npz, code=0)


@case("healthy text model", CLI_PREDICT, W_IMPORT)
def _(env: Env) -> Made:
    return Made(["predict", str(env.models.text), "--text", "good film"], env.models.text, code=0)


@case("lambda layer writing a file", *KERAS)
def _(env: Env) -> Made:
    return predict_npz(env, env.models.folder / "lambda.keras", code=2, must_say=["Lambda"])


def _gadget(module: str, class_name: str, config: Any, registered: str | None = None):
    def change(env: Env) -> Made:
        def edit(cfg: dict[str, Any]) -> None:
            layer = dense_layer(cfg)
            layer["module"], layer["class_name"] = module, class_name
            layer["config"] = config(env.marker) if callable(config) else config
            layer["registered_name"] = registered

        return predict_npz(env, with_config(env, "g.keras", edit), code=2)

    return change


def _touch_command(marker: Path) -> dict[str, str]:
    return {"command": f"touch {marker}", "name": "dense"}


for _module, _class, _config, _registered in [
    ("os", "system", _touch_command, None),
    ("os", "system", _touch_command, "os>system"),
    ("builtins", "eval", lambda m: touch_payload(m), None),
    ("builtins", "exec", lambda m: {"source": touch_payload(m), "name": "dense"}, None),
    ("subprocess", "Popen", lambda m: {"args": ["touch", str(m)], "name": "dense"}, None),
    ("mypackage.layers", "EvilDense", {"units": 2, "name": "dense"}, "Custom>EvilDense"),
]:
    case(f"module gadget {_module}.{_class} ({_registered})", *KERAS)(
        _gadget(_module, _class, _config, _registered)
    )


@case("whole config is builtins.eval", *KERAS)
def _(env: Env) -> Made:
    path = with_config(
        env,
        "e.keras",
        lambda _: {"module": "builtins", "class_name": "eval", "config": touch_payload(env.marker)},
    )
    return predict_npz(env, path, code=2)


@case("activation is a function from os", *KERAS)
def _(env: Env) -> Made:
    def edit(cfg: dict[str, Any]) -> None:
        dense_layer(cfg)["config"]["activation"] = {
            "module": "os",
            "class_name": "function",
            "config": "system",
            "registered_name": "function",
        }

    return predict_npz(env, with_config(env, "f.keras", edit), code=2)


@case("unknown layer class", *KERAS)
def _(env: Env) -> Made:
    def edit(cfg: dict[str, Any]) -> None:
        dense_layer(cfg)["class_name"] = "NoSuchLayer"

    return predict_npz(env, with_config(env, "u.keras", edit), code=2, must_say=["NoSuchLayer"])


@case("config.json is not JSON", *KERAS)
def _(env: Env) -> Made:
    path = rewrite_zip(env.models.npz, env.folder / "c.keras", {"config.json": b'{"module": '})
    return predict_npz(env, path, code=2)


@case("config.json is a list", *KERAS)
def _(env: Env) -> Made:
    path = with_config(env, "cl.keras", lambda _: [1, 2])
    return predict_npz(env, path, code=2, must_say=["not a Keras model configuration"])


@case("config.json nested 100k levels", *KERAS)
def _(env: Env) -> Made:
    deep = b"[" * 100_000 + b"]" * 100_000
    path = rewrite_zip(env.models.npz, env.folder / "d.keras", {"config.json": deep})
    return predict_npz(env, path, code=2, must_say=["config.json", "nested"])


@case("config.json missing", *KERAS)
def _(env: Env) -> Made:
    path = rewrite_zip(env.models.npz, env.folder / "m.keras", {"config.json": None})
    return predict_npz(env, path, code=2)


@case("reduce pickle renamed .keras", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "p.keras"
    path.write_bytes(payload_pickle(env.marker))
    return predict_npz(env, path, code=2)


@case("pickle instead of the weights", *KERAS)
def _(env: Env) -> Made:
    path = rewrite_zip(
        env.models.npz,
        env.folder / "pw.keras",
        {"model.weights.h5": payload_pickle(env.marker)},
    )
    return predict_npz(env, path, code=2)


@case("pickle entry beside the model", *KERAS)
def _(env: Env) -> Made:
    path = rewrite_zip(
        env.models.npz, env.folder / "pe.keras", add=[("payload.pkl", payload_pickle(env.marker))]
    )
    return predict_npz(env, path)


@case("zip entry ../evil", *KERAS)
def _(env: Env) -> Made:
    path = rewrite_zip(env.models.npz, env.folder / "t.keras", add=[("../evil", b"x")])
    return predict_npz(env, path, code=2, must_say=["outside"])


@case("zip entry /abs/evil", *KERAS)
def _(env: Env) -> Made:
    path = rewrite_zip(env.models.npz, env.folder / "a.keras", add=[("/abs/evil", b"x")])
    return predict_npz(env, path, code=2, must_say=["outside"])


@case("decompression bomb config.json", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "bomb.keras"
    rewrite_zip(env.models.npz, path, {"config.json": None})
    spaces = b" " * 2**20
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        handle = archive.open("config.json", "w", force_zip64=True)
        with handle:
            handle.write(json.dumps(model_config(env.models.npz)).encode())
            for _ in range(210):
                handle.write(spaces)
    return predict_npz(env, path, code=2, must_say=["decompression bomb"])


@case("bomb with a lying size in its directory", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "liar.keras"
    rewrite_zip(env.models.npz, path, {"config.json": None})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("config.json")
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b" " * (8 * 2**20))
    raw = bytearray(path.read_bytes())
    # The central directory's record of config.json: claim 100 bytes instead of 8 MiB.
    at = raw.rfind(b"config.json") - 46
    raw[at + 24 : at + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    return predict_npz(env, path, code=2, must_say=["damaged"])


@case("truncated .keras", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "half.keras"
    path.write_bytes(env.models.npz.read_bytes()[: env.models.npz.stat().st_size // 2])
    return predict_npz(env, path, code=2)


@case("empty .keras", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "empty.keras"
    path.write_bytes(b"")
    return predict_npz(env, path, code=2)


@case("folder named x.keras", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "x.keras"
    path.mkdir()
    (path / "config.json").write_text("{}")
    return predict_npz(env, path, code=2, must_say=["is a folder"])


@case("named pipe as .keras", *KERAS)
def _(env: Env) -> Made:
    path = env.folder / "pipe.keras"
    os.mkfifo(path)
    return predict_npz(env, path, code=2, must_say=["not a regular file"])


@case("too many zip entries", *KERAS)
def _(env: Env) -> Made:
    extra = [(f"e{i}", b"") for i in range(1200)]
    return predict_npz(env, rewrite_zip(env.models.npz, env.folder / "n.keras", add=extra), code=2)


# -- workbench.json metadata -----------------------------------------------------------------


def _meta_case(id: str, meta: bytes | Callable[[Env], bytes | None], **made: Any) -> None:
    @case(f"metadata {id}", CLI_PREDICT, W_RUN_MODEL)
    def _(env: Env) -> Made:
        raw = meta(env) if callable(meta) else meta
        made.setdefault("code", 2)
        return predict_npz(env, with_meta(env, "meta.keras", raw), **made)


_meta_case("invalid JSON", b'{"kind": "npz", ')
_meta_case("a list", b'["npz"]')
_meta_case("wrong types", json.dumps({"kind": "npz", "class_names": 5, "x_shape": "4"}).encode())
_meta_case("an unknown kind", json.dumps({"kind": "pickle", "x_shape": [4]}).encode())
_meta_case("deep nesting", b'{"fill": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
_meta_case("not UTF-8", b'{"kind": "\xff\xfe"}')
_meta_case(
    "class_names do not match the network",
    json.dumps({"kind": "npz", "class_names": ["a", "b", "c"], "x_shape": [4]}).encode(),
    must_say=["3 classes"],
)
_meta_case(
    "injection in class names",
    lambda env: json.dumps(
        {"kind": "npz", "class_names": [touch_payload(env.marker), "b"], "x_shape": [4]}
    ).encode(),
    code=None,
)
_meta_case("missing for an array model", None, must_say=["no Training Workbench metadata"])
_meta_case(
    "x_shape lies about the network",
    json.dumps({"kind": "npz", "class_names": ["a", "b"], "x_shape": [7]}).encode(),
    must_say=["x_shape", "belongs to another model"],
)


@case("metadata image_size lies about the network", CLI_PREDICT, W_RUN_MODEL)
def _(env: Env) -> Made:
    meta = json.dumps({"kind": "images", "image_size": [32, 32], "class_names": ["c", "d"]})
    model = with_meta(env, "img.keras", meta.encode(), env.models.image)
    picture = env.folder / "p.png"
    _write_png(picture)
    argv = ["predict", str(model), "--input", str(picture)]
    return Made(argv, model, code=2, must_say=["image_size", "belongs to another model"])


def _write_png(path: Path, size: int = 8) -> None:
    """A black RGB PNG, written by hand (no TensorFlow in the test process for this)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00" * 3 * size for _ in range(size))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    path.write_bytes(png + chunk(b"IEND", b""))


@case("metadata x_shape lies and arrays follow it", CLI_PREDICT)
def _(env: Env) -> Made:
    meta = json.dumps({"kind": "npz", "class_names": ["a", "b"], "x_shape": [7]}).encode()
    model = with_meta(env, "lie.keras", meta)
    argv = ["predict", str(model), "--input", str(good_arrays(env, (2, 7)))]
    return Made(argv, code=2, must_say=["x_shape"])


@case("metadata: a table model without features", CLI_PREDICT)
def _(env: Env) -> Made:
    meta = json.dumps({"kind": "tabular", "class_names": ["a", "b"]}).encode()
    return predict_npz(env, with_meta(env, "tab.keras", meta), code=2)


# -- inputs that do not fit the model --------------------------------------------------------


@case("npz model given arrays of another shape", CLI_PREDICT)
def _(env: Env) -> Made:
    argv = ["predict", str(env.models.npz), "--input", str(good_arrays(env, (3, 5)))]
    return Made(argv, code=2, must_say=["shape"])


@case("npz model given 1-d arrays", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "flat.npz"
    np.savez(path, x=np.zeros(5))
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2)


@case("npz model given strings", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "s.npz"
    np.savez(path, x=np.array([["a", "b", "c", "d"]]))
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2)


@case("npz model given an array named otherwise", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "o.npz"
    np.savez(path, features=np.zeros((2, 4)))
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2)


@case("text passed to an image model", CLI_PREDICT)
def _(env: Env) -> Made:
    return Made(["predict", str(env.models.image), "--text", "a cat"], code=2)


@case("a text file passed to an image model", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "notes.txt"
    path.write_text("not an image\n")
    argv = ["predict", str(env.models.image), "--input", str(path)]
    return Made(argv, code=2, must_say=[str(path)])


@case("garbage .png passed to an image model", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "fake.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    return Made(["predict", str(env.models.image), "--input", str(path)], code=2)


@case("pickled .npz for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "objects.npz"
    np.savez(path, x=np.array([_Touch(env.marker)], dtype=object))
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2, must_say=["pickl"])


@case("raw pickle named .npz for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "raw.npz"
    path.write_bytes(payload_pickle(env.marker))
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2)


@case("pickled .npy named .npz for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "raw.npz"
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Touch(env.marker)], dtype=object), allow_pickle=True)
    path.write_bytes(buffer.getvalue())
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2)


@case("truncated .npz for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    whole = good_arrays(env, (50, 4))
    path = env.folder / "cut.npz"
    path.write_bytes(whole.read_bytes()[:300])
    return Made(["predict", str(env.models.npz), "--input", str(path)], code=2)


@case("non-UTF-8 .txt for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "latin.txt"
    path.write_bytes("café olé\n".encode("latin-1"))
    return Made(["predict", str(env.models.text), "--input", str(path)], code=2, must_say=["UTF-8"])


@case("named pipe .txt for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "pipe.txt"
    os.mkfifo(path)
    argv = ["predict", str(env.models.text), "--input", str(path)]
    return Made(argv, code=2, must_say=["not a regular file"])


@case("named pipe .npz for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "pipe.npz"
    os.mkfifo(path)
    argv = ["predict", str(env.models.npz), "--input", str(path)]
    return Made(argv, code=2, must_say=["not a regular file"])


@case("binary garbage .csv for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    path = env.folder / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 40)
    return Made(["predict", str(env.models.text), "--input", str(path)])


@case("/etc/shadow for predict --input", CLI_PREDICT)
def _(env: Env) -> Made:
    argv = ["predict", str(env.models.text), "--input", "/etc/shadow", "--output", "/dev/null"]
    return Made(argv, must_not_say=["root:"])


# -- projects (export, File > Open project) --------------------------------------------------

PROJECT = (CLI_EXPORT, W_PROJECT)


def base_project(env: Env) -> dict[str, Any]:
    from workbench.core.project import DatasetSpec, Project

    data = write_csv(env.folder / "reviews.csv", n=40)
    spec = DatasetSpec(path=str(data), text_column="review", label_column="sentiment")
    return Project(spec).to_dict()


def _project_case(id: str, edit: Callable[[dict[str, Any], Env], Any], **made: Any) -> None:
    @case(f"project {id}", *PROJECT)
    def _(env: Env) -> Made:
        project = base_project(env)
        changed = edit(project, env)
        project = project if changed is None else changed
        path = env.folder / "project.json"
        path.write_text(json.dumps(project) if not isinstance(project, str) else project)
        made.setdefault("code", 2)
        return Made(["export", str(path), "--python", str(env.folder / "train.py")], path, **made)


def _set(section: str, key: str, value: Any) -> Callable[[dict[str, Any], Env], None]:
    def edit(project: dict[str, Any], env: Env) -> None:
        target = project[section] if section != "layer" else project["layers"][-1]["params"]
        target[key] = value(env) if callable(value) else value

    return edit


_project_case("healthy", lambda p, e: None, code=0)
_project_case("nested 100k levels", lambda p, e: "[" * 100_000 + "]" * 100_000)
_project_case("a list", lambda p, e: [p])
_project_case("a number", lambda p, e: "12")
_project_case("invalid JSON", lambda p, e: '{"schema_version": 1, "layers": [')
_project_case("dataset is a list", lambda p, e: {**p, "dataset": []})
_project_case("layers is an object", lambda p, e: {**p, "layers": {"kind": "Dense"}})
_project_case("training is a string", lambda p, e: {**p, "training": "fast"})
_project_case("a layer is a string", lambda p, e: {**p, "layers": ["Dense"]})
_project_case("schema_version a string", lambda p, e: {**p, "schema_version": "1"})
_project_case("schema_version from the future", lambda p, e: {**p, "schema_version": 99})
_project_case("epochs ten", _set("training", "epochs", "ten"))
_project_case("units -5", _set("layer", "units", -5))
_project_case(
    "learning_rate 1e309",
    lambda p, e: json.dumps(p).replace('"learning_rate": 0.001', '"learning_rate": 1e309'),
)
_project_case(
    "learning_rate NaN",
    lambda p, e: json.dumps(p).replace('"learning_rate": 0.001', '"learning_rate": NaN'),
)
_project_case("batch_size true", _set("training", "batch_size", True))
_project_case("epochs 10**30", _set("training", "epochs", 10**30))
_project_case("unknown layer kind", lambda p, e: {**p, "layers": [{"kind": "os.system"}]})
_project_case("unknown field", lambda p, e: {**p, "payload": "x"})
_project_case("unknown training field", _set("training", "callbacks", ["x"]))
_project_case("a string 1 MB long", _set("dataset", "text_column", "x" * 2**20))
_project_case(
    "injection in dataset path", _set("dataset", "path", lambda e: touch_payload(e.marker))
)
_project_case(
    "injection in text_column", _set("dataset", "text_column", lambda e: touch_payload(e.marker))
)
_project_case(
    "injection in label_column",
    _set("dataset", "label_column", lambda e: "');" + touch_payload(e.marker) + "#"),
)
_project_case(
    "injection in activation",
    _set("layer", "activation", lambda e: "sigmoid'); " + touch_payload(e.marker) + "#"),
)
_project_case(
    "injection in a layer name",
    lambda p, e: {**p, "layers": [{"kind": "Dense')\n" + touch_payload(e.marker) + "#"}]},
)
_project_case("injection in a metric", _set("training", "metrics", ["accuracy'," + "x" * 10]))
_project_case(
    "injection in standardize",
    lambda p, e: _first_layer(p, "standardize", 'lower"+' + touch_payload(e.marker) + '+"'),
)
_project_case(
    "data path /etc/passwd",
    _set("dataset", "path", "/etc/passwd"),
    must_not_say=["root:"],
    code=None,
)
_project_case(
    "data path /etc/shadow",
    _set("dataset", "path", "/etc/shadow"),
    must_not_say=["root:"],
    code=None,
)
_project_case("data path a folder", _set("dataset", "path", lambda e: str(e.folder)), code=None)
_project_case("data path missing", _set("dataset", "path", lambda e: str(e.folder / "gone.csv")))
_project_case("data path /dev/zero", _set("dataset", "path", "/dev/zero"))


def _first_layer(project: dict[str, Any], key: str, value: Any) -> None:
    project["layers"][0]["params"][key] = value


@case("project with 250,000 layers", *PROJECT)
def _(env: Env) -> Made:
    path = env.folder / "many.json"
    layer = "{}"  # 750 KB in all: under the size limit, so the layer count is what refuses
    path.write_text('{"schema_version": 1, "layers": [' + ",".join([layer] * 250_000) + "]}")
    return Made(["export", str(path), "--python", str(env.folder / "t.py")], path, code=2)


@case("project of 10 MB", *PROJECT)
def _(env: Env) -> Made:
    path = env.folder / "big.json"
    path.write_text('{"schema_version": 1, "pad": "' + "x" * 10_000_000 + '"}')
    return Made(["export", str(path), "--python", str(env.folder / "t.py")], path, code=2)


@case("project that is a folder", *PROJECT)
def _(env: Env) -> Made:
    path = env.folder / "p.json"
    path.mkdir()
    return Made(["export", str(path), "--python", str(env.folder / "t.py")], path, code=2)


@case("project that is a named pipe", *PROJECT)
def _(env: Env) -> Made:
    path = env.folder / "pipe.json"
    os.mkfifo(path)
    return Made(["export", str(path), "--python", str(env.folder / "t.py")], path, code=2)


@case("project that is binary", *PROJECT)
def _(env: Env) -> Made:
    path = env.folder / "bin.json"
    path.write_bytes(os.urandom(2000))
    return Made(["export", str(path), "--python", str(env.folder / "t.py")], path, code=2)


# -- clipboard (window:paste) ----------------------------------------------------------------


def _paste_case(id: str, text: Callable[[Env], str]) -> None:
    @case(f"clipboard {id}", W_PASTE)
    def _(env: Env) -> Made:
        return Made([], text=text(env))

    return None


_paste_case("deep nesting", lambda e: '{"workbench-layers": ' + "[" * 100_000 + "]" * 100_000 + "}")
_paste_case("a list", lambda e: "[1, 2]")
_paste_case("layers an object", lambda e: '{"workbench-layers": {"kind": "Dense"}}')
_paste_case(
    "units -5",
    lambda e: json.dumps({"workbench-layers": [{"kind": "Dense", "params": {"units": -5}}]}),
)
_paste_case("unknown kind", lambda e: json.dumps({"workbench-layers": [{"kind": "Evil"}]}))
_paste_case(
    "injection in activation",
    lambda e: json.dumps(
        {
            "workbench-layers": [
                {"kind": "Dense", "params": {"units": 2, "activation": touch_payload(e.marker)}}
            ]
        }
    ),
)
_paste_case(
    "250,000 layers", lambda e: json.dumps({"workbench-layers": [{"kind": "Dense"}] * 250_000})
)
_paste_case("not JSON", lambda e: "\x00\xff garbage {")
_paste_case(
    "NaN rate", lambda e: '{"workbench-layers": [{"kind": "Dropout", "params": {"rate": NaN}}]}'
)


# -- run folders (runs) ----------------------------------------------------------------------


def _healthy_run(env: Env, name: str = "healthy") -> Any:
    from workbench.core.project import Project
    from workbench.core.runs import default_store

    run = default_store().create(Project().to_dict(), name=name)
    run.status = "finished"
    run.history = [{"epoch": 1, "loss": 0.5}]
    run.save()
    return run


def _run_case(id: str, damage: Callable[[Path], None]) -> None:
    @case(f"run.json {id}", CLI_RUNS)
    def _(env: Env) -> Made:
        healthy = _healthy_run(env)
        broken = _healthy_run(env, "broken")
        damage(broken.path / "run.json")
        return Made(
            ["runs"],
            code=0,
            stderr_lines=1,
            must_say=[healthy.id, f"run {broken.id}:"],
        )


_run_case("a list", lambda p: p.write_text("[1, 2]"))
_run_case(
    "strings for numbers",
    lambda p: p.write_text(
        json.dumps({**json.loads(p.read_text()), "created": "today", "best_epoch": "one"})
    ),
)
_run_case("invalid JSON", lambda p: p.write_text('{"id": '))
_run_case(
    "deep nesting", lambda p: p.write_text('{"history": ' + "[" * 100_000 + "]" * 100_000 + "}")
)
_run_case("huge (sparse, 65 MiB)", lambda p: os.truncate(p, 65 * 2**20))
_run_case("missing", lambda p: p.unlink())
_run_case("a folder", lambda p: (p.unlink(), p.mkdir()))
_run_case("a named pipe", lambda p: (p.unlink(), os.mkfifo(p)))
_run_case("binary", lambda p: p.write_bytes(os.urandom(500)))
_run_case(
    "history of strings",
    lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "history": ["x"]})),
)
_run_case(
    "injected id",
    lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "id": "../../etc"})),
)


@case("runs --json and --csv beside damaged runs", CLI_RUNS)
def _(env: Env) -> Made:
    healthy = _healthy_run(env)
    broken = _healthy_run(env, "broken")
    (broken.path / "run.json").write_text("[]")
    csv = env.folder / "h.csv"
    return Made(
        ["runs", "--csv", str(csv), "--json"], code=0, stderr_lines=1, must_say=[healthy.id]
    )


# -- checkpoints (train --resume) ------------------------------------------------------------


def _interrupted(env: Env) -> Any:
    from tests.cli.test_cli_runs import interrupted_run

    x = np.random.default_rng(4).normal(size=(40, 4))
    vectors = env.folder / "v.npz"
    np.savez(vectors, x=x, y=(x[:, 0] > 0).astype(int))
    return interrupted_run(vectors)


def _epoch(run: Any) -> Path:
    return run.checkpoint_path / "epoch-00001"


def _resume_case(id: str, damage: Callable[[Any, Env], None]) -> None:
    @case(f"checkpoint {id}", CLI_RESUME)
    def _(env: Env) -> Made:
        run = _interrupted(env)
        damage(run, env)
        return Made(["train", "--resume", run.id], code=2, must_say=[str(run.path)])


_resume_case("state.json a list", lambda r, e: (_epoch(r) / "state.json").write_text("[1]"))
_resume_case(
    "state.json wrong types",
    lambda r, e: (_epoch(r) / "state.json").write_text(
        json.dumps({**json.loads((_epoch(r) / "state.json").read_text()), "epoch": "one"})
    ),
)
_resume_case(
    "state.json deep",
    lambda r, e: (_epoch(r) / "state.json").write_text("[" * 100_000 + "]" * 100_000),
)
_resume_case(
    "truncated weights.npz",
    lambda r, e: (_epoch(r) / "weights.npz").write_bytes(
        (_epoch(r) / "weights.npz").read_bytes()[:100]
    ),
)
_resume_case(
    "weights.npz with pickled objects",
    lambda r, e: np.savez(_epoch(r) / "weights.npz", np.array([_Touch(e.marker)], dtype=object)),
)
_resume_case(
    "weights.npz a raw pickle",
    lambda r, e: (_epoch(r) / "weights.npz").write_bytes(payload_pickle(e.marker)),
)
_resume_case(
    "run.json project epochs ten",
    lambda r, e: (r.path / "run.json").write_text(
        json.dumps(
            {
                **json.loads((r.path / "run.json").read_text()),
                "project": {"schema_version": 1, "training": {"epochs": "ten"}},
            }
        )
    ),
)


@case("resume of a run id with ../", CLI_RESUME)
def _(env: Env) -> Made:
    return Made(["train", "--resume", "../../etc"], code=2)


# -- data files (check-data, File > Open dataset) --------------------------------------------

DATA = (CLI_CHECK, W_DATA)


def _data_case(id: str, name: str, content: bytes | Callable[[Env, Path], None], **made: Any):
    @case(f"data {id}", *DATA, subprocess=made.pop("subprocess", False))
    def _(env: Env) -> Made:
        path = env.folder / name  # an absolute name stays as it is
        if callable(content):
            content(env, path)
        else:
            path.write_bytes(content)
        made.setdefault("code", 2)
        return Made(["check-data", str(path)], path, **made)


_data_case(
    "deep JSON-lines",
    "deep.jsonl",
    b'{"text": "a", "label": 0}\n' + b"[" * 1_000_000 + b"\n",
    subprocess=True,
)
_data_case(
    "non-UTF-8 CSV", "latin.csv", "text,label\ncafé olé,1\nnaïve,0\n".encode("latin-1"), code=None
)
_data_case("binary garbage", "garbage.csv", bytes(range(256)) * 64, code=None)
_data_case("empty CSV", "empty.csv", b"")
_data_case("one-column CSV", "one.csv", b"text\nhello\nworld\n")
_data_case("header-only CSV", "header.csv", b"text,label\n")
_data_case("duplicate columns", "dup.csv", b"text,text,label\na,b,1\nc,d,0\n", code=None)
_data_case(
    "npz with pickled objects",
    "objects.npz",
    lambda e, p: np.savez(p, x=np.array([_Touch(e.marker)] * 4, dtype=object), y=np.arange(4)),
)
_data_case("raw pickle named .npz", "raw.npz", lambda e, p: p.write_bytes(payload_pickle(e.marker)))
_data_case(
    "truncated npz",
    "cut.npz",
    lambda e, p: (
        np.savez(p, x=np.zeros((50, 4)), y=np.zeros(50)),
        p.write_bytes(p.read_bytes()[:300]),
    ),
)
_data_case(
    "npz x and y of different lengths",
    "len.npz",
    lambda e, p: np.savez(p, x=np.zeros((5, 4)), y=np.zeros(3)),
)
_data_case("npz without x", "nox.npz", lambda e, p: np.savez(p, a=np.zeros((5, 4))))
_data_case("JSON that is a number", "n.json", b"12")
_data_case("JSON-lines of lists", "l.jsonl", b"[1, 2]\n[3, 4]\n", code=None)
_data_case(
    "a folder of fake images",
    "images",
    lambda e, p: (
        p.mkdir(),
        (p / "a").mkdir(),
        (p / "a" / "x.png").write_bytes(b"not a png"),
        (p / "b").mkdir(),
        (p / "b" / "y.jpg").write_bytes(b""),
    ),
    code=None,
)
_data_case("an empty folder", "nothing", lambda e, p: p.mkdir())
_data_case("/etc/passwd", "/etc/passwd", lambda e, p: None, code=None, must_not_say=["root:"])
_data_case(
    "injection in a column name",
    "inj.csv",
    lambda e, p: p.write_text(f'"{touch_payload(e.marker)}",label\na,1\nb,0\n'),
    code=None,
)
_data_case("a missing file", "gone.csv", lambda e, p: None)
_data_case("a named pipe", "pipe.csv", lambda e, p: os.mkfifo(p))
_data_case("a named pipe .npz", "pipe.npz", lambda e, p: os.mkfifo(p), must_say=["not a regular"])


def by_target(target: str) -> list[Case]:
    return [c for c in CASES if target in c.targets]
