"""Where a fit runs and how it compiles: the fastest correct choice per model, data and machine.

Three decisions, each said in the log pane in words:

- **Placement** (:func:`choose_placement`): the CPU, the first GPU, or every GPU through
  ``tf.distribute.MirroredStrategy``. Asking for a GPU on a machine without one trains on
  the CPU and says so. Mixed precision (``mixed_float16``) applies on a GPU only.
- **Preprocessing in the pipeline** (:meth:`Acceleration.training_model`): a text model's
  TextVectorization turns strings into word indices. XLA cannot compile string operations
  and, inside the model, vectorising blocks every training step. The trainer therefore fits
  the part of the model after the vectorizer (same layer objects, so the same weights) on
  batches the ``tf.data`` pipeline vectorises in parallel; the saved model still takes raw
  strings.
- **XLA** (:meth:`Acceleration.compile`): ``jit_compile`` where it compiles and pays off.
  On this kind of machine (2 CPU cores) XLA makes the LSTM text model about 1.5x faster per
  step but costs a few seconds to compile, so short fits and models XLA does not speed up
  on a CPU (2-D convolutions, which oneDNN already runs well) keep plain graphs. If the
  compiled step still fails, the model is recompiled without XLA and training goes on
  (:meth:`Acceleration.fit`).

``WORKBENCH_XLA=on|off`` overrides the XLA choice (benchmarks and tests use it).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.backend.adapters import batches
from workbench.backend.log import log
from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

#: Fits shorter than this many steps keep plain graphs on a CPU: XLA's compile time
#: (2-5 s for the text LSTM here) would not be won back.
MIN_STEPS_FOR_XLA_ON_CPU = 300

#: Texts are vectorised this many at a time (one tf.data element per chunk).
VECTORISE_CHUNK = 1024

#: Vectorised texts are kept in memory when they need at most this many bytes.
CACHE_BUDGET_BYTES = 256 * 2**20

#: Layers XLA does not speed up on a CPU (oneDNN's kernels are already fused and fast).
_SLOWER_WITH_XLA_ON_CPU = (
    "Conv2D",
    "SeparableConv2D",
    "DepthwiseConv2D",
    "Conv2DTranspose",
    "Conv3D",
)
#: Random layers draw one number per input value each step, and XLA's random numbers on
#: the CPU are slow: Dropout over a 20,000-wide bag of words took 41 s an epoch with XLA
#: against 1 s without (SMS spam, 4,000 texts). From this many values per sample, no XLA.
WIDE_RANDOM_VALUES = 4096
_RANDOM_LAYERS = ("Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout")


def _cached_bytes(spec: Any, count: int) -> int | None:
    """Bytes ``count`` vectorised texts of this (batched) spec take; None when ragged."""
    per_item = spec.shape[1:]
    if not per_item.is_fully_defined():
        return None
    return int(count * max(1, per_item.num_elements()) * spec.dtype.size)


# -- devices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    """One device TensorFlow can train on."""

    name: str  # "/physical_device:GPU:0"
    kind: str  # "CPU" or "GPU"
    description: str  # "NVIDIA H200" or the CPU model
    memory_bytes: int | None = None  # None where unknown
    cores: int | None = None  # CPUs only

    def label(self) -> str:
        """'CPU (2 cores, 23.4 GiB)' or 'GPU 0: NVIDIA H200 (139.8 GiB)': for the status bar."""
        facts = [f"{self.cores} core{'s' if self.cores != 1 else ''}"] if self.cores else []
        if self.memory_bytes:
            facts.append(f"{self.memory_bytes / 2**30:.1f} GiB")
        shown = f" ({', '.join(facts)})" if facts else ""
        if self.kind == "CPU":
            return f"CPU{shown}"
        return f"{self.kind} {self.name.rsplit(':', 1)[-1]}: {self.description}{shown}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``workbench devices --json``."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "memory_bytes": self.memory_bytes,
            "cores": self.cores,
        }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "CPU"


def _system_memory() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def _gpu_memory() -> list[int]:
    """Total memory per GPU from nvidia-smi when it exists (no TensorFlow context needed)."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return []
    try:
        out = subprocess.run(
            [smi, "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        return [int(float(line)) * 2**20 for line in out.split() if line.strip()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


def list_devices() -> list[DeviceInfo]:
    """The CPU and every GPU, without creating TensorFlow's runtime context.

    ``list_physical_devices`` and ``get_device_details`` only ask the drivers, so listing
    leaves logical-device settings (and GPU memory) untouched for a fit that follows.
    """
    cpu_count = os.cpu_count() or 1
    devices = [
        DeviceInfo("/physical_device:CPU:0", "CPU", _cpu_model(), _system_memory(), cpu_count)
    ]
    gpus = tf.config.list_physical_devices("GPU")
    memory = _gpu_memory() if gpus else []
    for index, gpu in enumerate(gpus):
        try:
            details = tf.config.experimental.get_device_details(gpu)
        except Exception:  # some builds cannot describe a device; the name still helps
            details = {}
        devices.append(
            DeviceInfo(
                gpu.name,
                "GPU",
                str(details.get("device_name", "GPU")),
                memory[index] if index < len(memory) else None,
            )
        )
    return devices


def describe_devices(devices: list[DeviceInfo] | None = None) -> str:
    """'CPU (2 cores, 23.4 GiB)' or 'CPU (…); GPU 0: NVIDIA H200 (139.8 GiB)'."""
    devices = list_devices() if devices is None else devices
    return "; ".join(d.label() for d in devices)


# -- placement -------------------------------------------------------------------------------


@dataclass
class Placement:
    """Where one fit runs, and what was decided on the way (in words, for the log)."""

    requested: str
    kind: str  # "cpu", "gpu" or "mirrored"
    device: str | None = None  # "/CPU:0" or "/GPU:0" for a single device; None: default
    strategy: Any = None  # a tf.distribute.MirroredStrategy for "mirrored"
    mixed_precision: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def replicas(self) -> int:
        """Copies of the model trained in step (1 unless mirrored)."""
        return int(self.strategy.num_replicas_in_sync) if self.strategy is not None else 1

    @property
    def on_gpu(self) -> bool:
        """True when the fit runs on one or more GPUs."""
        if self.kind == "mirrored":
            return any("GPU" in d.upper() for d in self.strategy.extended.worker_devices)
        return self.kind == "gpu"

    def scope(self) -> contextlib.AbstractContextManager:
        """Enter for the whole fit: model building and compiling must happen inside it."""
        if self.strategy is not None:
            return self.strategy.scope()
        if self.device is not None:
            return tf.device(self.device)
        return contextlib.nullcontext()


def choose_placement(device: str = "auto", mixed_precision: bool = False) -> Placement:
    """Resolve a training setting (auto, cpu, gpu, all_gpus) on this machine.

    Without a GPU, ``gpu`` and ``all_gpus`` fall back to the CPU with a note. ``all_gpus``
    mirrors over every GPU; on a machine without one, a process that split its CPU into
    several logical devices (``tf.config.set_logical_device_configuration``, done before
    TensorFlow starts) mirrors over those instead, which is how the strategy is tested.
    """
    gpus = tf.config.list_logical_devices("GPU")
    placement = Placement(device, "cpu")
    if device == "cpu":
        placement.device = "/CPU:0" if gpus else None  # hide the GPUs from this fit
    elif device in ("gpu", "auto"):
        if gpus:
            placement.kind, placement.device = "gpu", gpus[0].name
        elif device == "gpu":
            placement.notes.append("No GPU found: training on the CPU instead.")
    elif device == "all_gpus":
        cpus = tf.config.list_logical_devices("CPU")
        targets = gpus or (cpus if len(cpus) > 1 else [])
        if targets:
            placement.kind = "mirrored"
            placement.strategy = tf.distribute.MirroredStrategy([d.name for d in targets])
            what = "GPU" if gpus else "logical CPU device"
            count = len(targets)
            placement.notes.append(
                f"Training on {count} {what}{'s' if count > 1 else ''} with "
                f"MirroredStrategy ({count} replica{'s' if count > 1 else ''} in step)."
            )
        else:
            placement.notes.append("No GPU found: 'All GPUs' trains on the CPU instead.")
    else:
        raise ValueError(f"Unknown device {device!r}; use auto, cpu, gpu or all_gpus.")
    if mixed_precision:
        if placement.on_gpu:
            placement.mixed_precision = True
            placement.notes.append(
                "Mixed precision: float16 compute, float32 weights and output layer."
            )
        else:
            placement.notes.append(
                "Mixed precision needs a GPU: training in float32 on the CPU (float16 is "
                "slower there)."
            )
    return placement


def keep_output_float32(model: keras.Model) -> None:
    """Under mixed precision, compute the model's last layers in float32.

    The output (a sigmoid or softmax, or the rescaling to target units after a regression
    head) loses too much precision in float16, and the loss should be computed in float32.
    """
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    tail = layers[-1:]
    if tail and tail[0].name == "to_target_units" and len(layers) > 1:
        tail = layers[-2:]
    for layer in tail:
        layer.dtype_policy = keras.DTypePolicy("float32")


# -- compiling and fitting -------------------------------------------------------------------


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    flatten = getattr(model, "_flatten_layers", None)
    if callable(flatten):
        return list(flatten(include_self=False))
    return list(model.layers)


def _string_inputs(model: keras.Model) -> bool:
    return any("string" in str(tensor.dtype) for tensor in model.inputs)


def split_string_preprocessing(model: keras.Model) -> tuple[Any, keras.Model]:
    """(vectorizer, the model after it) for a one-input text model; (None, model) otherwise.

    The part after the vectorizer shares the layer objects (and so the weights) of the
    whole model: fitting it trains the model that is saved.
    """
    if len(model.inputs) != 1 or not _string_inputs(model):
        return None, model
    source = model.inputs[0]
    consumers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
        and any(node_input is source for node_input in _flat(layer.input))
    ]
    if len(consumers) != 1:
        return None, model
    first = consumers[0]
    if "string" in str(first.output.dtype):
        return None, model
    try:
        inner = keras.Model(first.output, model.outputs, name=f"{model.name}_after_{first.name}")
    except Exception:  # another path still needs the raw strings: keep the whole model
        return None, model
    if _string_inputs(inner):
        return None, model
    return first, inner


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _flat(item)]
    if isinstance(value, dict):
        return [x for item in value.values() for x in _flat(item)]
    return [value]


@dataclass(frozen=True)
class XlaChoice:
    """Whether a fit compiles with XLA, and why (said in the log pane)."""

    enabled: bool
    reason: str


def _wide_random(layer: keras.layers.Layer) -> bool:
    """Whether a random layer (Dropout, noise) gets WIDE_RANDOM_VALUES or more per sample
    (False for a layer not connected to an input)."""
    if type(layer).__name__ not in _RANDOM_LAYERS:
        return False
    try:
        dims = layer.input.shape[1:]
    except (AttributeError, ValueError):
        return False
    return math.prod(d or 1 for d in dims) >= WIDE_RANDOM_VALUES


def choose_xla(model: keras.Model, placement: Placement, total_steps: int) -> XlaChoice:
    """XLA where it compiles and is faster, from the model, the data's size and the device."""
    return choose_xla_for(_all_layers(model), placement, total_steps, _string_inputs(model))


def choose_xla_for(
    layers: list[keras.layers.Layer],
    placement: Placement,
    total_steps: int,
    reads_strings: bool = False,
) -> XlaChoice:
    """:func:`choose_xla` from a model's layers (nested ones included), for models not
    built yet (the exported script makes the same choice)."""
    forced = os.environ.get("WORKBENCH_XLA", "").strip().lower()
    if forced in ("on", "1", "true"):
        return XlaChoice(True, "XLA on (WORKBENCH_XLA=on).")
    if forced in ("off", "0", "false"):
        return XlaChoice(False, "XLA off (WORKBENCH_XLA=off).")
    if reads_strings:
        return XlaChoice(False, "No XLA: the model reads raw strings, which XLA cannot compile.")
    blocked = [layer.name for layer in layers if not getattr(layer, "supports_jit", True)]
    if blocked:
        return XlaChoice(False, f"No XLA: {blocked[0]} cannot be compiled by XLA.")
    if placement.strategy is not None:
        return XlaChoice(False, "No XLA with several replicas (Keras runs them without it).")
    if placement.on_gpu:
        return XlaChoice(True, "XLA on: compiled training steps on the GPU.")
    slow = [layer.name for layer in layers if type(layer).__name__ in _SLOWER_WITH_XLA_ON_CPU]
    if slow:
        return XlaChoice(False, f"No XLA: {slow[0]} runs faster without it on the CPU.")
    wide = [layer.name for layer in layers if _wide_random(layer)]
    if wide:
        return XlaChoice(
            False,
            f"No XLA: {wide[0]} draws random numbers for thousands of values per sample, "
            "which XLA does slowly on the CPU.",
        )
    if total_steps < MIN_STEPS_FOR_XLA_ON_CPU:
        return XlaChoice(
            False, f"No XLA: {total_steps} training steps are too few to repay compiling."
        )
    return XlaChoice(True, "XLA on: compiled training steps (compiling takes a few seconds).")


class _FirstStep(keras.callbacks.Callback):
    """Notes whether any training step finished, to tell compile failures from others."""

    def __init__(self) -> None:
        super().__init__()
        self.stepped = False

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self.stepped = True


class Acceleration:
    """The fit-time choices for one run; made by :func:`accelerated`, used by the trainer."""

    def __init__(self, placement: Placement, listener: Any) -> None:
        self.placement = placement
        self.listener = listener
        self.vectorizer: Any = None
        self.xla = XlaChoice(False, "not compiled yet")
        self._compile_options: dict[str, Any] = {}
        self._said_cache = False

    def training_model(self, model: keras.Model) -> keras.Model:
        """The model to fit: the part after a text vectorizer when there is one (the
        pipeline vectorises), else the model itself; output layers float32 under mixed
        precision."""
        if self.placement.mixed_precision:
            keep_output_float32(model)
        self.vectorizer, inner = split_string_preprocessing(model)
        if self.vectorizer is not None:
            log(
                self.listener,
                f"Text is vectorised in the input pipeline, in parallel with training "
                f"({self.vectorizer.name}); the saved model still reads raw text.",
            )
        return inner

    def dataset_for(
        self, adapter: Any, rows: Any, batch_size: int, shuffle_seed: int | None = None
    ) -> Any:
        """Batches as the fitted model takes them.

        With a text vectorizer split off, the texts are vectorised in parallel, in chunks,
        and (when the word indices fit :data:`CACHE_BUDGET_BYTES`) only once: later epochs
        reshuffle cached integers instead of tokenising every string again, which on a
        2-core machine leaves both cores to the training step.
        """
        if self.vectorizer is None:
            return adapter.dataset_for(rows, batch_size, shuffle_seed)
        chunks = adapter.examples(rows).batch(VECTORISE_CHUNK)
        vectorised = chunks.map(self._vectorise, num_parallel_calls=tf.data.AUTOTUNE)
        spec = vectorised.element_spec[0]
        size = _cached_bytes(spec, len(rows))
        if size is None or size > CACHE_BUDGET_BYTES:
            # no fixed length (each batch padded to its longest text), or too big to keep:
            # shuffle the strings and vectorise each batch as it is drawn
            strings = adapter.dataset_for(rows, batch_size, shuffle_seed)
            return strings.map(self._vectorise, num_parallel_calls=tf.data.AUTOTUNE).prefetch(
                tf.data.AUTOTUNE
            )
        # unbatch() forgets the count; Keras then tries one step past the end of every
        # epoch, and that empty step still advances the optimizer's iteration counter
        texts = vectorised.unbatch().apply(tf.data.experimental.assert_cardinality(len(rows)))
        if shuffle_seed is not None and not self._said_cache:
            self._said_cache = True
            log(
                self.listener,
                f"Word indices of the {len(rows)} training texts are kept in memory "
                f"({size / 2**20:.1f} MiB, {spec.shape[1:]} per text): texts are tokenised "
                "once, not every epoch.",
            )
        return batches(texts.cache(), len(rows), batch_size, shuffle_seed)

    def _vectorise(self, inputs: Any, targets: Any) -> tuple[Any, Any]:
        return self.vectorizer(inputs), targets

    def compile(
        self, model: keras.Model, fit_model: keras.Model, total_steps: int, **options: Any
    ) -> None:
        """Compile ``fit_model`` with the XLA choice, and ``model`` (for evaluation and
        prediction on raw inputs) without it when the two differ."""
        self.xla = choose_xla(fit_model, self.placement, total_steps)
        self._compile_options = dict(options)
        fit_model.compile(**options, jit_compile=self.xla.enabled)
        if fit_model is not model:
            model.compile(**{**options, "optimizer": fit_model.optimizer}, jit_compile=False)
        log(self.listener, self.xla.reason)

    def fit(self, fit_model: keras.Model, *args: Any, **kwargs: Any) -> Any:
        """``fit_model.fit``; when XLA was on and no step finished, recompile without it
        and fit again (telling the log why)."""
        if not self.xla.enabled:
            return fit_model.fit(*args, **kwargs)
        probe = _FirstStep()
        kwargs["callbacks"] = [probe, *(kwargs.get("callbacks") or [])]
        try:
            return fit_model.fit(*args, **kwargs)
        except Exception as exc:
            if probe.stepped:
                raise
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            self.xla = XlaChoice(False, "XLA failed; training without it.")
            log(
                self.listener,
                "XLA could not compile this model "
                f"({type(exc).__name__}{': ' + detail if detail else ''}); "
                "recompiling without XLA and training on.",
            )
            fit_model.compile(**self._compile_options, jit_compile=False)
            kwargs["callbacks"] = [c for c in kwargs["callbacks"] if c is not probe]
            return fit_model.fit(*args, **kwargs)


@contextlib.contextmanager
def accelerated(
    device: str = "auto", mixed_precision: bool = False, listener: Any = None
) -> Iterator[Acceleration]:
    """Everything of one fit runs inside: device or strategy scope, dtype policy.

    Keras keeps the dtype policy per thread, so this sets it on the calling (training)
    thread and puts the previous one back afterwards, whatever happens.
    """
    placement = choose_placement(device, mixed_precision)
    for note in placement.notes:
        log(listener, note)
    previous = keras.config.dtype_policy()
    if placement.mixed_precision:
        keras.config.set_dtype_policy("mixed_float16")
    try:
        with placement.scope():
            yield Acceleration(placement, listener)
    finally:
        keras.config.set_dtype_policy(previous)
