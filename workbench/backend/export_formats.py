"""Writing a model as SavedModel, LiteRT, ONNX or .keras, and running each in its own runtime.

Each writer tries the whole model first. LiteRT and ONNX fall back to the numeric part
(:mod:`workbench.backend.export_graph`) only when the whole model does not convert or its
runtime cannot load the result, and the export then says so. Nothing is written that its
runtime has not opened once here: a file that would need a missing op is refused or split,
never shipped silently.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.backend.export_graph import (
    ExportRefused,
    input_names,
    numeric_part,
    serving_function,
    string_inputs,
)
from workbench.backend.model_file import first_line
from workbench.backend.runtime import ensure_loaded
from workbench.core.exports import FORMATS
from workbench.core.preprocessing import RULES_FILE, Preprocessing

ensure_loaded()
import tensorflow as tf  # noqa: E402

TITLES = {"savedmodel": "SavedModel", "litert": "LiteRT", "onnx": "ONNX", "keras": "Keras"}
RUNTIMES = {
    "savedmodel": "TensorFlow (tf.saved_model.load)",
    "litert": "ai-edge-litert Interpreter",
    "onnx": "onnxruntime",
    "keras": "Keras (load_model, safe mode)",
}
#: The ONNX opset written: onnxruntime 1.17+ and every current runtime reads it.
ONNX_OPSET = 17
EXTRA_HINT = "pip install 'training-workbench[export]'"


@dataclass
class Written:
    """What a writer produced: the model file or folder, its inputs, and how to run it."""

    format: str
    path: Path
    inputs: list[dict[str, Any]]
    rules: Preprocessing | None = None  # set when only the numeric part was exported
    notes: list[str] = field(default_factory=list)
    converter: str = ""  # why the whole model did not convert, in the converter's words

    @property
    def split(self) -> bool:
        """Whether preprocessing runs outside the exported model (preprocessing.json)."""
        return self.rules is not None


def _describe_inputs(specs: list[Any]) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "dtype": s.dtype.name, "shape": [d for d in s.shape.as_list()]}
        for s in specs
    ]


Probe = Callable[["Written"], bool]


def write(
    fmt: str, model: Any, meta: dict[str, Any], folder: Path, source: Path, probe: Probe
) -> Written:
    """Write ``model`` in ``fmt`` into ``folder`` (which exists and is empty). ``probe``
    runs a converted whole model on a few rows: a file that opens but answers otherwise
    (a string op the runtime stubs out) is replaced by the numeric part and its rules."""
    if fmt == "savedmodel":
        return _write_savedmodel(model, folder)
    if fmt == "litert":
        return _write_litert(model, meta, folder, probe)
    if fmt == "onnx":
        return _write_onnx(model, meta, folder, probe)
    if fmt == "keras":
        target = folder / "model.keras"
        shutil.copyfile(source, target)
        _, specs = serving_function(model)
        return Written("keras", target, _describe_inputs(specs))
    raise ExportRefused(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def _archive(model: Any, names: list[str] | None = None, batch: int | None = None) -> Any:
    """A Keras ExportArchive with one ``serving_default`` endpoint on named inputs."""
    import keras

    function, specs = serving_function(model, names, batch)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serving_default", function, input_signature=specs)
    return archive


def _write_savedmodel(model: Any, folder: Path) -> Written:
    """A TF Serving layout: ``folder/1/`` holds the SavedModel, version 1, with a
    ``serving_default`` signature on the raw inputs."""
    target = folder / "1"
    _archive(model).write_out(str(target), verbose=False)
    _, specs = serving_function(model)
    return Written("savedmodel", target, _describe_inputs(specs))


# --- LiteRT ---------------------------------------------------------------------------------


def _write_litert(model: Any, meta: dict[str, Any], folder: Path, probe: Probe) -> Written:
    return _whole_or_split(
        "litert", model, meta, folder / "model.tflite", probe, _convert_litert, _litert_inputs
    )


def _whole_or_split(
    fmt: str,
    model: Any,
    meta: dict[str, Any],
    target: Path,
    probe: Probe,
    convert: Callable[[Any, list[str], Path], str | None],
    inputs_of: Callable[[Path], list[dict[str, Any]]],
) -> Written:
    """The whole model when it converts and (with string inputs) answers like Keras on the
    probe's rows; else the numeric part and its rules; else ExportRefused naming the layer."""
    title = TITLES[fmt]
    whole_problem = convert(model, input_names(model), target)
    if whole_problem is None:
        whole = Written(fmt, target, inputs_of(target))
        if not has_strings(model) or probe(whole):
            return whole
        whole_problem = _DIFFERS.format(runtime=RUNTIMES[fmt])
        target.unlink()
    part = numeric_part(model, meta, fmt)
    problem = convert(part.model, part.input_names, target)
    if problem is not None:
        raise ExportRefused(_layer_message(model, title, problem))
    part.rules.save(target.parent / RULES_FILE)
    written = Written(fmt, target, inputs_of(target), rules=part.rules, notes=[_split_note(title)])
    written.converter = whole_problem
    return written


def _convert_litert(model: Any, names: list[str], target: Path) -> str | None:
    """Convert with LiteRT's built-in ops only (no flex ops the interpreter lacks); any
    batch size first, else a batch of one (recurrent layers need a static shape). None
    when written and opened by the interpreter; else why not, in one line."""
    import tempfile

    problem = ""
    for batch in (None, 1):
        with tempfile.TemporaryDirectory(prefix="workbench-litert-") as scratch:
            # Through a SavedModel, as Keras's own LiteRT export goes: converting the traced
            # function directly loses the Keras 3 variables (every weight reads as zero).
            _archive(model, names, batch).write_out(scratch, verbose=False)
            converter = tf.lite.TFLiteConverter.from_saved_model(
                scratch, signature_keys=["serving_default"]
            )
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
            try:
                data = converter.convert()
            except Exception as exc:  # the converter raises ConverterError and others
                problem = _converter_problem(exc)
                continue
        target.write_bytes(data)
        try:
            interpreter = _litert_interpreter(target)
            interpreter.allocate_tensors()
        except ExportRefused:
            raise
        except Exception as exc:  # the interpreter lacks an op the file needs
            problem = f"the interpreter cannot open it ({first_line(exc)})"
            target.unlink()
            continue
        return None
    return problem or "the converter failed"


#: Where a converter names the op it failed on: "<model>/<layer>_<call>/<op>".
_OP_PATH = re.compile(r"\b[A-Za-z][\w.-]*/[A-Za-z][\w.-]*/[\w./-]+")


def _converter_problem(exc: Exception) -> str:
    """The converter's reason in one line, with the graph path of the op it names (so the
    message can name the Keras layer)."""
    text = str(exc)
    path = _OP_PATH.search(text)
    where = f" (at {path.group(0)[:160]})" if path else ""
    ops = sorted(set(re.findall(r"'(tf\.\w+)' op is neither a custom op nor a flex op", text)))
    if ops:
        return f"TensorFlow ops that are not LiteRT built-ins: {', '.join(ops)}" + where
    for line in text.splitlines():
        if "Unsupported ops" in line or "is not supported" in line:
            return line.strip()[:300] + where
    for line in text.splitlines():
        if "error:" in line:
            return line.split("error:", 1)[1].strip()[:300] + where
    return first_line(exc)[:300] + where


def _litert_interpreter(path: Path) -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        raise ExportRefused(
            f"LiteRT export needs the ai-edge-litert interpreter to check the file: {EXTRA_HINT}."
        ) from None
    return Interpreter(model_path=str(path))


def _litert_name(detail: dict[str, Any]) -> str:
    """'serving_default_text:0' -> 'text'."""
    name = str(detail["name"]).split(":")[0]
    return name.removeprefix("serving_default_")


def _litert_inputs(path: Path) -> list[dict[str, Any]]:
    interpreter = _litert_interpreter(path)
    return [
        {
            "name": _litert_name(d),
            "dtype": np.dtype(d["dtype"]).name if d["dtype"] is not np.bytes_ else "string",
            "shape": [int(v) if v >= 0 else None for v in d["shape_signature"]],
        }
        for d in interpreter.get_input_details()
    ]


# --- ONNX -----------------------------------------------------------------------------------


def _write_onnx(model: Any, meta: dict[str, Any], folder: Path, probe: Probe) -> Written:
    return _whole_or_split(
        "onnx", model, meta, folder / "model.onnx", probe, _convert_onnx, _onnx_inputs
    )


def _onnx_modules() -> tuple[Any, Any]:
    try:
        import onnxruntime
        import tf2onnx
    except ImportError:
        raise ExportRefused(
            f"ONNX export needs tf2onnx, onnx and onnxruntime: {EXTRA_HINT}."
        ) from None
    return tf2onnx, onnxruntime


def _convert_onnx(model: Any, names: list[str], target: Path) -> str | None:
    """Convert with tf2onnx and open the file in onnxruntime; None when both worked.

    Two ways, each with any batch size and then a batch of one: the frozen graph (folds
    the Normalization statistics, which a traced function leaves as unfed inputs), then
    the traced function (recurrent layers' loops survive it where freezing breaks them).
    A way whose graph wants an input other than the model's is not kept."""
    tf2onnx, onnxruntime = _onnx_modules()
    from keras.src.export.tf2onnx_lib import patch_tf2onnx

    with warnings.catch_warnings():  # its np.object probe warns on numpy 2
        warnings.simplefilter("ignore", FutureWarning)
        patch_tf2onnx()  # Keras's own fix of tf2onnx for numpy 2, applied once
    problem = ""
    for way in ("frozen", "traced"):
        for batch in (None, 1):
            try:
                with _quiet("tf2onnx"):
                    proto = _to_onnx(tf2onnx, model, names, batch, way)
            except Exception as exc:  # tf2onnx raises many kinds for an op it cannot map
                problem = problem or f"tf2onnx cannot convert it ({first_line(exc)[:300]})"
                continue
            _drop_constant_inputs(proto)
            extra = sorted({i.name for i in proto.graph.input} - set(names))
            if extra:
                problem = problem or f"the graph wants inputs the model lacks ({extra[0]})"
                continue
            target.write_bytes(proto.SerializeToString())
            try:
                onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
            except Exception as exc:  # INVALID_GRAPH: an op left in TensorFlow's own domain
                problem = problem or _onnx_problem(exc)
                target.unlink()
                continue
            return None
    return problem or "tf2onnx failed"


def _to_onnx(tf2onnx: Any, model: Any, names: list[str], batch: int | None, way: str) -> Any:
    function, specs = serving_function(model, names, batch)
    if way == "traced":
        proto, _ = tf2onnx.convert.from_function(function, input_signature=specs, opset=ONNX_OPSET)
        _rename(proto, {proto.graph.output[0].name: "outputs"})
        return proto
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    frozen = convert_variables_to_constants_v2(function.get_concrete_function())
    ins = [t.name for t in frozen.inputs]
    outs = [t.name for t in frozen.outputs]
    proto, _ = tf2onnx.convert.from_graph_def(
        frozen.graph.as_graph_def(), input_names=ins, output_names=outs, opset=ONNX_OPSET
    )
    _rename(proto, {name: name.split(":")[0] for name in ins} | {outs[0]: "outputs"})
    return proto


@contextlib.contextmanager
def _quiet(logger: str):
    """Keep a converter's tracebacks for ops it cannot map out of the person's terminal."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _rename(proto: Any, names: dict[str, str]) -> None:
    """Give the graph's inputs and output the names a person knows ('text', not 'text:0')."""
    for value in [*proto.graph.input, *proto.graph.output]:
        value.name = names.get(value.name, value.name)
    for node in proto.graph.node:
        node.input[:] = [names.get(n, n) for n in node.input]
        node.output[:] = [names.get(n, n) for n in node.output]


def _drop_constant_inputs(proto: Any) -> None:
    """Initializers listed as graph inputs (old IR style) are constants, not inputs."""
    constants = {i.name for i in proto.graph.initializer}
    keep = [i for i in proto.graph.input if i.name not in constants]
    del proto.graph.input[:]
    proto.graph.input.extend(keep)


def _onnx_problem(exc: Exception) -> str:
    text = str(exc)
    marker = "No Op registered for "
    if marker in text:
        op = text.split(marker, 1)[1].split(" ")[0]
        why = {"RFFT": "the Fourier transform inside MelSpectrogram"}.get(
            op, "a TensorFlow op with no ONNX equivalent"
        )
        return f"onnxruntime has no {op} op ({why})"
    return f"onnxruntime cannot open it ({first_line(exc)[:300]})"


def _onnx_inputs(path: Path) -> list[dict[str, Any]]:
    _, onnxruntime = _onnx_modules()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return [
        {
            "name": i.name,
            "dtype": i.type.removeprefix("tensor(").removesuffix(")"),
            "shape": [d if isinstance(d, int) else None for d in i.shape],
        }
        for i in session.get_inputs()
    ]


_DIFFERS = (
    "the whole model converted, but {runtime} answered differently from Keras on the first "
    "rows, so some string op is not really run there"
)


# --- shared ---------------------------------------------------------------------------------


def _split_note(title: str) -> str:
    return (
        f"{title} cannot run the model's string preprocessing, so this file holds the "
        f"numeric part only: it takes the token ids, multi-hot rows or category columns that "
        f"{RULES_FILE} (beside it) says how to make from the raw inputs. The parity check ran "
        "those rules in Python before the runtime."
    )


def _layer_message(model: Any, title: str, problem: str) -> str:
    """Name the Keras layer a converter error is about, when its text names one."""
    for layer in model.layers:
        if layer.name and f"/{layer.name}" in problem:
            return (
                f"{title} cannot represent layer {layer.name!r} ({type(layer).__name__}): "
                f"{problem}. Export as SavedModel, or replace that layer and retrain."
            )
    return f"{title} cannot represent this model: {problem}. Export as SavedModel instead."


def has_strings(model: Any) -> bool:
    """Whether any input of the model takes strings."""
    return bool(string_inputs(model))
