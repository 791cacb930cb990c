"""Running an export in its own runtime beside Keras, on the same rows, and timing both.

Inputs arrive as the Keras model takes them (:func:`raw_arrays`); a split export gets them
through its preprocessing.json rules in plain Python first, as a deployment would, so the
check covers the rules as well as the converted network. Latency is the mean of single-row
calls after one warm-up, the way a server or a phone answers one request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.backend.export_formats import RUNTIMES, Written, _litert_interpreter, _litert_name
from workbench.backend.export_graph import serving_function
from workbench.backend.predictor import as_probabilities, chosen_classes
from workbench.backend.runtime import ensure_loaded
from workbench.core.parity import ParityReport, compare
from workbench.core.preprocessing import RULES_FILE, as_text

ensure_loaded()
import tensorflow as tf  # noqa: E402

Arrays = dict[str, np.ndarray]
Runner = Callable[[Arrays], np.ndarray]
#: Rows timed one at a time for the latency (after one warm-up call).
LATENCY_ROWS = 100
BATCH = 64


def raw_arrays(model: Any, inputs: Any) -> Arrays:
    """The Keras model's inputs (a tensor, an array or a dict by input name) as numpy
    arrays by input name; strings become Python str objects."""
    names = [str(t.name) for t in model.inputs]
    if not isinstance(inputs, dict):
        inputs = {names[0]: inputs}
    out = {}
    for name in names:
        value = inputs[name]
        value = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
        if value.dtype.kind in "OSU":
            value = np.vectorize(as_text, otypes=[object])(value) if value.size else value
        out[name] = value
    return out


def keras_runner(model: Any) -> Runner:
    """The model's own traced call (what ``serve`` runs), by input name."""
    function, specs = serving_function(model)

    def run(arrays: Arrays) -> np.ndarray:
        tensors = [tf.constant(arrays[s.name], dtype=s.dtype) for s in specs]
        return function(*tensors)["outputs"].numpy()

    return run


def _savedmodel_runner(written: Written) -> Runner:
    loaded = tf.saved_model.load(str(written.path))
    signature = loaded.signatures["serving_default"]
    dtypes = {k: v.dtype for k, v in signature.structured_input_signature[1].items()}

    def run(arrays: Arrays) -> np.ndarray:
        feed = {name: tf.constant(arrays[name], dtype=dtypes[name]) for name in dtypes}
        return signature(**feed)["outputs"].numpy()

    return run


def _litert_runner(written: Written) -> Runner:
    interpreter = _litert_interpreter(written.path)
    details = interpreter.get_input_details()
    fixed = any(int(d["shape_signature"][0]) == 1 for d in details)
    state = {"rows": None}

    def invoke(arrays: Arrays, rows: int) -> np.ndarray:
        if state["rows"] != rows:
            for d in details:
                shape = list(d["shape_signature"])
                shape[0] = rows
                interpreter.resize_tensor_input(d["index"], [max(1, int(v)) for v in shape])
            interpreter.allocate_tensors()
            state["rows"] = rows
        for d in details:
            value = arrays[_litert_name(d)]
            if d["dtype"] is np.bytes_ or value.dtype == object:
                value = np.array([as_text(v).encode("utf-8") for v in value.reshape(-1)])
                value = value.reshape(arrays[_litert_name(d)].shape)
            interpreter.set_tensor(d["index"], value.astype(d["dtype"], copy=False))
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])

    def run(arrays: Arrays) -> np.ndarray:
        rows = len(next(iter(arrays.values())))
        if not fixed:
            return invoke(arrays, rows)
        parts = [invoke({k: v[i : i + 1] for k, v in arrays.items()}, 1) for i in range(rows)]
        return np.concatenate(parts)

    return run


def _onnx_runner(written: Written) -> Runner:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(written.path), providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    fixed = any(i.shape and i.shape[0] == 1 for i in inputs)
    kinds = {i.name: i.type for i in inputs}

    def once(arrays: Arrays) -> np.ndarray:
        feed = {}
        for name, kind in kinds.items():
            value = arrays[name]
            if kind == "tensor(string)":
                feed[name] = np.vectorize(as_text, otypes=[object])(value)
            else:
                dtype = {"tensor(int64)": np.int64, "tensor(int32)": np.int32}.get(kind, np.float32)
                feed[name] = value.astype(dtype, copy=False)
        return session.run(None, feed)[0]

    def run(arrays: Arrays) -> np.ndarray:
        rows = len(next(iter(arrays.values())))
        if not fixed:
            return once(arrays)
        rows_out = [once({k: v[i : i + 1] for k, v in arrays.items()}) for i in range(rows)]
        return np.concatenate(rows_out)

    return run


def _keras_file_runner(written: Written) -> Runner:
    import keras

    from workbench.backend import custom_layers  # noqa: F401 (what plain Keras imports too)

    return keras_runner(keras.models.load_model(str(written.path), safe_mode=True, compile=False))


RUNNERS = {
    "savedmodel": _savedmodel_runner,
    "litert": _litert_runner,
    "onnx": _onnx_runner,
    "keras": _keras_file_runner,
}


def export_runner(written: Written) -> Runner:
    """The export in its own runtime; a split export runs its rules in Python first."""
    run = RUNNERS[written.format](written)
    rules = written.rules
    if rules is None:
        return run

    def with_rules(arrays: Arrays) -> np.ndarray:
        return run(rules.numeric_inputs(arrays))

    return with_rules


def _batched(run: Runner, arrays: Arrays, rows: int) -> np.ndarray:
    parts = [run({k: v[s : s + BATCH] for k, v in arrays.items()}) for s in range(0, rows, BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, 1))


def _latency_ms(run: Runner, arrays: Arrays, rows: int) -> float:
    count = min(rows, LATENCY_ROWS)
    if count == 0:
        return 0.0
    run({k: v[:1] for k, v in arrays.items()})  # warm-up: tracing, allocation
    start = time.perf_counter()
    for i in range(count):
        run({k: v[i : i + 1] for k, v in arrays.items()})
    return (time.perf_counter() - start) * 1000.0 / count


def check(
    written: Written,
    model: Any,
    meta: dict[str, Any],
    arrays: Arrays,
    row_ids: np.ndarray,
    check_data: str,
    threshold: float,
    timed: bool = True,
) -> ParityReport:
    """Run the export and the Keras model on the same rows; the report judges them."""
    rows = len(row_ids)
    reference, exported = keras_runner(model), export_runner(written)
    keras_out = _batched(reference, arrays, rows)
    runtime_out = _batched(exported, arrays, rows)
    task = str(meta.get("task", "classification"))
    labels = None
    if task != "regression":
        keras_out, runtime_out = as_probabilities(keras_out), as_probabilities(runtime_out)
        labels = (chosen_classes(keras_out, threshold), chosen_classes(runtime_out, threshold))
    result = compare(keras_out, runtime_out, task, labels, row_ids)
    notes = list(written.notes)
    if written.split:
        notes.append(
            f"Latency in the runtime includes the {RULES_FILE} rules run in Python per row."
        )
    return ParityReport(
        format=written.format,
        path=str(written.path),
        rows=rows,
        label_agreement=result["label_agreement"],
        max_abs_diff=result["max_abs_diff"],
        max_rel_diff=result["max_rel_diff"],
        keras_ms_per_row=round(_latency_ms(reference, arrays, rows), 4) if timed else 0.0,
        runtime_ms_per_row=round(_latency_ms(exported, arrays, rows), 4) if timed else 0.0,
        runtime=RUNTIMES[written.format],
        task=task,
        check_data=check_data,
        preprocessing=f"{RULES_FILE}, run in Python" if written.split else "inside the model",
        worst_rows=result["worst"],
        notes=notes,
    )
