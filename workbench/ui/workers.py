"""Everything that runs off the GUI thread; the only ui module that reaches into the backend.

``workbench.backend.api`` is imported lazily inside worker methods, on worker threads, so the
window shows before TensorFlow loads. Three kinds of workers:

- :class:`CallThread` runs one plain function (reading a CSV with pandas: no TensorFlow).
- :class:`BackendClient` owns one long-lived thread with a :class:`BackendWorker` on it: it
  loads TensorFlow first, then serves model summaries, predictions and exports in order.
- :class:`TrainingThread` runs one ``api.train`` call; progress goes into a
  :class:`~workbench.ui.train.progress.ProgressRecorder` that the GUI polls from a timer.

Results travel back by signals whose receivers live in the GUI thread (queued connections);
exceptions become a message string, never a traceback shown to the person.
"""

from __future__ import annotations

import copy
import gc
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.listener import TrainingControl
from workbench.core.project import Project
from workbench.core.runs import RunStore
from workbench.ui.train.progress import ProgressRecorder

if TYPE_CHECKING:  # pandas loads on the loader thread, not with the window
    from workbench.core.textdata import TextTable

log = logging.getLogger(__name__)


def describe_exception(what: str, exc: BaseException) -> str:
    """A one-paragraph message for the person; the traceback goes to the log only."""
    if isinstance(exc, WorkbenchError):
        return str(exc)
    log.error("Unexpected error while %s", what, exc_info=exc)
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"Unexpected error while {what}: {name}{': ' + detail if detail else ''}"


# -- plain calls (data loading) ----------------------------------------------------------------


def load_table(
    path: str, text_column: str | None = None, label_column: str | None = None
) -> tuple[TextTable, dict[str, Any]]:
    """Read a text table and summarise it: pandas only, safe before TensorFlow is loaded."""
    from workbench.core.textdata import load_text_table

    table = load_text_table(path, text_column, label_column)
    return table, table.summary()


def load_any(path: str, kind: str | None = None, **options: Any) -> tuple[Any, dict[str, Any]]:
    """Any kind of dataset (``load_dataset``), and its summary; no TensorFlow."""
    from workbench.core.datasets import load_dataset

    dataset = load_dataset(path, kind, **{k: v for k, v in options.items() if v is not None})
    summary = dataset.summary()
    if dataset.kind == "npz":
        summary["array_info"] = npz_arrays(path)
    return dataset, summary


def npz_arrays(path: str) -> dict[str, tuple[tuple[int, ...], str]]:
    """Shape and dtype of every array in an .npz, from the headers (nothing is loaded)."""
    import zipfile

    import numpy as np

    info: dict[str, tuple[tuple[int, ...], str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if not member.endswith(".npy"):
                    continue
                with archive.open(member) as handle:
                    version = np.lib.format.read_magic(handle)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
                info[member[: -len(".npy")]] = (tuple(shape), str(dtype))
    except Exception:  # the loader already checked the file; this is only for display
        log.debug("could not list the arrays of %s", path, exc_info=True)
    return info


def load_big_table(
    path: str,
    kind: str | None,
    options: dict[str, Any],
    *,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> tuple[Any, dict[str, Any]]:
    """A big table file (text or features), read with progress and cancel."""
    return load_any(path, kind, progress=progress, cancel=cancel, **options)


def import_keras_model(path: str) -> Any:
    """Layers and weights of a plain Keras model (TensorFlow; run on a worker thread)."""
    from workbench.backend import api

    return api.import_keras(path)


def write_keras_script(project: Project, dataset: Any, path: str) -> str:
    """Write the plain Keras training script for the project (on a worker thread)."""
    from workbench.backend.codegen import write_script

    return str(write_script(project, dataset, path))


def preview(path: str, rows: int = 200) -> Any:
    """The first rows of a table file, at once whatever its size."""
    from workbench.core.tables import preview_rows

    return preview_rows(path, rows)


def choose_columns(
    table: TextTable, text_column: str, label_column: str
) -> tuple[TextTable, dict[str, Any]]:
    """The same data with other columns, checked and summarised."""
    chosen = table.with_columns(text_column, label_column)
    return chosen, chosen.summary()


def tabular_settings(
    table: Any, label_column: str, task: str | None, roles: dict[str, str]
) -> tuple[Any, dict[str, Any]]:
    """A feature table with another target, task or column roles, checked."""
    chosen = table.with_settings(label_column=label_column, task=task, roles=roles)
    return chosen, chosen.summary()


def image_size(folder: Any, height: int, width: int) -> tuple[Any, dict[str, Any]]:
    """The same image folder resized to another input size."""
    chosen = folder.with_image_size(height, width)
    return chosen, chosen.summary()


def clip_settings(folder: Any, sample_rate: int, clip_seconds: float) -> tuple[Any, dict[str, Any]]:
    """The same audio folder for a model at another rate or clip length (0: the default)."""
    chosen = folder.with_settings(sample_rate, clip_seconds)
    return chosen, chosen.summary()


def read_prediction_table(path: str) -> Any:
    """A CSV of feature rows to predict."""
    from workbench.core.textdata import read_table

    return read_table(path)


class CallThread(QThread):
    """Runs ``function(*args)`` once off the GUI thread and reports the result or a message."""

    #: The function returned: (token, result).
    sig_done = Signal(int, object)
    #: The function raised: (token, message for the person).
    sig_failed = Signal(int, str)
    #: The function stopped because :meth:`cancel` was called: (token).
    sig_cancelled = Signal(int)

    def __init__(
        self,
        token: int,
        what: str,
        function: Callable[..., Any],
        *args: Any,
        control: bool = False,
        **kwargs: Any,
    ) -> None:
        """``control=True`` passes ``progress=`` and ``cancel=`` callbacks to the function."""
        super().__init__()
        self.token = token
        self.what = what
        self.args = args
        self._function = function
        self._kwargs = dict(kwargs)
        if control:
            self._kwargs.update(progress=self.report, cancel=self.is_cancelled)
        self._cancelled = threading.Event()
        self._progress = 0.0  # written by the worker, read by the GUI's timer

    @property
    def progress(self) -> float:
        """Share done, 0..1 (for functions that report progress)."""
        return self._progress

    def cancel(self) -> None:
        """Ask a function that polls for it to stop (any thread)."""
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def report(self, fraction: float) -> None:
        """Worker thread: record progress (a plain float; the GUI polls it)."""
        self._progress = float(fraction)

    def run(self) -> None:
        """Worker thread: call and report; never raises."""
        try:
            result = self._function(*self.args, **self._kwargs)
        except Exception as exc:
            if self._cancelled.is_set() or type(exc).__name__ == "LoadCancelled":
                self.sig_cancelled.emit(self.token)
            else:
                self.sig_failed.emit(self.token, describe_exception(self.what, exc))
        else:
            if self._cancelled.is_set():
                self.sig_cancelled.emit(self.token)
            else:
                self.sig_done.emit(self.token, result)


# -- the backend thread ------------------------------------------------------------------------


class _RequestCounter:
    """Latest request id per kind, read by the worker to skip requests already outdated."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}

    def next(self, kind: str) -> int:
        with self._lock:
            self._latest[kind] = self._latest.get(kind, 0) + 1
            return self._latest[kind]

    def latest(self, kind: str) -> int:
        with self._lock:
            return self._latest.get(kind, 0)


class PythonLoopThread(QThread):
    """A QThread whose event loop runs inside a Python ``run()``.

    With a plain QThread, PySide creates and destroys a Python thread state around every slot
    call, so ``threading.local`` data is lost between calls. TensorFlow keeps its eager
    context and Keras its global state in thread-locals: building a model in one slot after
    importing TensorFlow in another crashes the process (segfault in ``hash_table_v2``).
    Running ``exec()`` from Python keeps one thread state for the thread's whole life.
    """

    def run(self) -> None:
        """Worker thread: serve queued slot calls until quit()."""
        self.exec()


class BackendWorker(QObject):
    """Lives on the backend thread; each slot runs there, one request at a time."""

    sig_ready = Signal(str)
    sig_load_failed = Signal(str)
    sig_summary = Signal(int, object)
    sig_summary_failed = Signal(int, str)
    sig_prediction = Signal(int, object)
    sig_prediction_failed = Signal(int, str)
    sig_saved = Signal(str)
    sig_save_failed = Signal(str)

    def __init__(self, counter: _RequestCounter) -> None:
        super().__init__()
        self._counter = counter

    @Slot()
    def load(self) -> None:
        """Import TensorFlow and Keras (seconds), then freeze what exists for the garbage
        collector.

        TensorFlow, Keras, Qt and pyqtgraph leave ~400,000 long-lived objects that every
        full collection would walk again while holding the GIL: 0.4 s for the collection
        ``clear_session`` makes at the start of each fit, during which the window froze.
        Frozen, they are skipped (they live as long as the app anyway) and it takes ~0 ms.
        """
        try:
            from workbench.backend import api

            description = api.load()
        except Exception as exc:
            self.sig_load_failed.emit(describe_exception("loading TensorFlow", exc))
        else:
            gc.freeze()  # O(1); a collection first would itself stall the window 0.4 s
            self.sig_ready.emit(description)

    @Slot(int, object, object, object)
    def summarize(
        self, request_id: int, layers: list[LayerSpec], num_classes: Any, dataset: Any
    ) -> None:
        """Build the stack symbolically, unless a newer request already superseded this one."""
        if request_id != self._counter.latest("summary"):
            return
        try:
            from workbench.backend import api

            summary = api.summarize(layers, num_classes, dataset=dataset)
        except Exception as exc:
            self.sig_summary_failed.emit(request_id, describe_exception("checking the model", exc))
        else:
            self.sig_summary.emit(request_id, summary)

    @Slot(int, object, str, object)
    def predict(self, request_id: int, predictor: Any, method: str, argument: Any) -> None:
        """Ask the trained model: ``predictor.<method>(argument)`` (predict, predict_table, …)."""
        try:
            if method == "predict_table" and isinstance(argument, str):
                argument = read_prediction_table(argument)
                predictions = (predictor.predict_table(argument, source="file"), argument)
            else:
                predictions = getattr(predictor, method)(argument)
        except Exception as exc:
            self.sig_prediction_failed.emit(request_id, describe_exception("predicting", exc))
        else:
            self.sig_prediction.emit(request_id, predictions)

    @Slot(object, str)
    def save(self, predictor: Any, path: str) -> None:
        """Write the model as a .keras file."""
        try:
            written = predictor.save(path)
        except Exception as exc:
            self.sig_save_failed.emit(describe_exception("exporting the model", exc))
        else:
            self.sig_saved.emit(str(written))


class BackendClient(QObject):
    """GUI-thread handle of the backend thread: send requests, get the latest answers back.

    Summaries are numbered; an answer to an outdated request is dropped (here and, before
    the work starts, in the worker), so fast edits never show an old model's shapes.
    """

    #: TensorFlow is loaded: (description such as 'Keras 3.15.1').
    sig_ready = Signal(str)
    #: TensorFlow could not be loaded: (message).
    sig_load_failed = Signal(str)
    #: The newest summary: (StackSummary, layer uids it describes).
    sig_summary = Signal(object, object)
    #: Building the newest summary raised: (message).
    sig_summary_failed = Signal(str)
    #: Predictions for the newest request: (list of Prediction).
    sig_prediction = Signal(object)
    #: Prediction raised: (message).
    sig_prediction_failed = Signal(str)
    #: The model was exported: (path written).
    sig_saved = Signal(str)
    #: Export raised: (message).
    sig_save_failed = Signal(str)

    _sig_load = Signal()
    _sig_summarize = Signal(int, object, object, object)
    _sig_predict = Signal(int, object, str, object)
    _sig_save = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._counter = _RequestCounter()
        self._thread: PythonLoopThread | None = None
        self._worker: BackendWorker | None = None
        self._summary_uids: dict[int, list[int]] = {}
        self.ready = False
        self.description = ""

    @property
    def started(self) -> bool:
        """True once :meth:`start` ran (and until :meth:`shutdown`)."""
        return self._thread is not None

    def start(self) -> None:
        """Start the backend thread and load TensorFlow on it."""
        if self._thread is not None:
            return
        self._thread = PythonLoopThread()
        self._thread.setObjectName("workbench-backend")
        self._worker = BackendWorker(self._counter)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._sig_load.connect(self._worker.load)
        self._sig_summarize.connect(self._worker.summarize)
        self._sig_predict.connect(self._worker.predict)
        self._sig_save.connect(self._worker.save)
        self._worker.sig_ready.connect(self._on_ready)
        self._worker.sig_load_failed.connect(self._on_load_failed)
        self._worker.sig_summary.connect(self._on_summary)
        self._worker.sig_summary_failed.connect(self._on_summary_failed)
        self._worker.sig_prediction.connect(self._on_prediction)
        self._worker.sig_prediction_failed.connect(self._on_prediction_failed)
        self._worker.sig_saved.connect(self.sig_saved)
        self._worker.sig_save_failed.connect(self.sig_save_failed)
        self._thread.start()
        self._sig_load.emit()

    def request_summary(
        self, layers: list[LayerSpec], num_classes: int | None, dataset: Any = None
    ) -> int:
        """Ask for a summary of a copy of ``layers`` (with the dataset's encodings first).

        The dataset is passed as is (never copied: it may hold a large frame); datasets are
        replaced, not mutated, when the person changes settings.
        """
        request_id = self._counter.next("summary")
        frozen = copy.deepcopy(layers)
        self._summary_uids = {request_id: [layer.uid for layer in frozen]}
        self._sig_summarize.emit(request_id, frozen, num_classes, dataset)
        return request_id

    def predict(self, predictor: Any, texts: list[str]) -> int:
        """Ask for predictions of texts; returns the request id."""
        return self.ask(predictor, "predict", list(texts))

    def ask(self, predictor: Any, method: str, argument: Any) -> int:
        """``predictor.<method>(argument)`` on the backend thread; returns the request id.

        ``predict_table`` with a path string reads that CSV first and answers
        (predictions, frame).
        """
        request_id = self._counter.next("predict")
        self._sig_predict.emit(request_id, predictor, method, argument)
        return request_id

    def save(self, predictor: Any, path: str) -> None:
        """Export the model in the background."""
        self._sig_save.emit(predictor, path)

    def shutdown(self) -> None:
        """Stop the thread after its current request and wait for it (used by closeEvent)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._counter.next("summary")  # queued summaries become outdated: skipped
        thread.quit()
        thread.wait()
        self._worker = None
        self.ready = False

    @Slot(str)
    def _on_ready(self, description: str) -> None:
        self.ready = True
        self.description = description
        self.sig_ready.emit(description)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self.sig_load_failed.emit(message)

    @Slot(int, object)
    def _on_summary(self, request_id: int, summary: Any) -> None:
        if request_id == self._counter.latest("summary"):
            self.sig_summary.emit(summary, self._summary_uids.get(request_id, []))

    @Slot(int, str)
    def _on_summary_failed(self, request_id: int, message: str) -> None:
        if request_id == self._counter.latest("summary"):
            self.sig_summary_failed.emit(message)

    @Slot(int, object)
    def _on_prediction(self, request_id: int, predictions: Any) -> None:
        if request_id == self._counter.latest("predict"):
            self.sig_prediction.emit(predictions)

    @Slot(int, str)
    def _on_prediction_failed(self, request_id: int, message: str) -> None:
        if request_id == self._counter.latest("predict"):
            self.sig_prediction_failed.emit(message)


# -- training ----------------------------------------------------------------------------------


class TrainingThread(QThread):
    """One training run: ``api.train`` on this thread, which owns the Keras model meanwhile.

    Stop and pause go through :attr:`control` (a core TrainingControl, safe from any thread);
    progress lands in :attr:`recorder`. The thread never touches a widget. With a ``store``
    the run is recorded there. ``resume_id`` resumes an interrupted run of the store from
    its last checkpoint; ``continue_id`` trains a finished run's model ``extra_epochs``
    more epochs as a new run. For both, ``table`` None means: read the data again as the
    run's settings name it (on this thread).
    """

    #: Training returned: (TrainingOutcome, Predictor).
    sig_finished = Signal(object, object)
    #: Training raised: (message for the person).
    sig_failed = Signal(str)

    def __init__(
        self,
        project: Project,
        table: Any,
        initial_weights: Any = None,
        *,
        store: RunStore | None = None,
        run_name: str = "",
        resume_id: str | None = None,
        continue_id: str | None = None,
        extra_epochs: int = 0,
    ) -> None:
        super().__init__()
        self.setObjectName("workbench-training")
        self._project = copy.deepcopy(project)
        self._table = table
        self._initial_weights = initial_weights
        self._store = store
        self._run_name = run_name
        self._resume_id = resume_id
        self._continue_id = continue_id
        self._extra_epochs = extra_epochs
        self.recorder = ProgressRecorder()
        self.control = TrainingControl()
        self.listed = False  # set by the window once the run shows in the Runs tab

    def run(self) -> None:
        """Worker thread: train, then report once."""
        try:
            outcome, predictor = self._train()
        except Exception as exc:
            self.sig_failed.emit(describe_exception("training", exc))
        else:
            self.sig_finished.emit(outcome, predictor)

    def _train(self) -> tuple[Any, Any]:
        from workbench.backend import api

        if self._resume_id is not None or self._continue_id is not None:
            run_id = self._resume_id or self._continue_id
            table = self._table
            if table is None:  # read the data again, as the run's settings name it
                table = api.dataset_of(self._store.get(run_id) if self._store else run_id)
            if self._resume_id is not None:
                return api.resume(run_id, table, self.recorder, self.control, store=self._store)
            return api.continue_run(
                run_id,
                table,
                self._extra_epochs,
                self.recorder,
                self.control,
                store=self._store,
                run_name=self._run_name,
            )
        return api.train(
            self._project,
            self._table,
            self.recorder,
            self.control,
            initial_weights=self._initial_weights,
            store=self._store,
            run_name=self._run_name,
        )


def device_names() -> list[str]:
    """'CPU:0', 'GPU:0', … as the Train tab's device choice reads them (TensorFlow loaded)."""
    from workbench.backend.acceleration import list_devices

    return [f"{d.kind}:{d.name.rsplit(':', 1)[-1]}" for d in list_devices()]


def load_run_model(path: str) -> Any:
    """A run's saved model as a Predictor (TensorFlow; run on a worker thread)."""
    from workbench.backend.api import Predictor

    return Predictor.load(path)


# -- the Predict tab: a whole file of inputs ---------------------------------------------------


def predict_inputs(
    predictor: Any,
    source: Any,
    *,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> Any:
    """Every input of ``source`` (a predict.batch.BatchSource) answered by the predictor in
    batches, with progress and cancel: a PredictionResults (TensorFlow; a worker thread)."""
    from workbench.ui.predict.batch import answer_all

    if source.kind == "texts":
        answer = predictor.predict
    elif source.kind == "rows":
        name = source.name
        answer = lambda frame: predictor.predict_table(frame, source=name)  # noqa: E731
    elif source.kind == "audio":
        answer = predictor.predict_audio
    else:
        answer = predictor.predict_images
    return answer_all(
        source,
        answer,
        predictor.class_names,
        regression=predictor.task == "regression",
        features=list(predictor.meta.get("features") or ()),
        progress=progress,
        cancel=cancel,
    )


# -- the Evaluate tab ----------------------------------------------------------------------------


def evaluate_model(
    predictor: Any,
    dataset: Any,
    plan: Any,
    *,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> tuple[Any, Any]:
    """(the rows chosen, the model's evaluation on them): ``plan.resolve()`` picks the rows
    (an evaluate.rows.Plan: the trainer's split), then ``api.evaluate`` scores them."""
    from workbench.backend import api

    chosen = plan.resolve()
    evaluation = api.evaluate(predictor, dataset, chosen.rows, progress=progress, cancel=cancel)
    return chosen, evaluation


def fit_baselines(
    predictor: Any,
    dataset: Any,
    train_rows: Any,
    eval_rows: Any,
    *,
    train_data: Any = None,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> list[Any]:
    """The majority (or mean) and linear baselines on the evaluated rows, learning from
    ``train_rows`` of ``train_data`` (default: the evaluated data; no rows: cross-fitted)."""
    from workbench.backend import api

    return api.fit_baselines(
        predictor, dataset, train_rows, eval_rows, progress, cancel, train_data=train_data
    )


def load_evaluation_file(
    path: str,
    kind: str | None,
    options: dict[str, Any],
    *,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> Any:
    """Another labelled file, read as the model's kind of data (no TensorFlow)."""
    from workbench.core.datasets import load_dataset

    chosen = {k: v for k, v in options.items() if v is not None}
    if kind in ("text", "tabular", "audio"):
        chosen.update(progress=progress, cancel=cancel)
    return load_dataset(path, kind, **chosen)


def save_model_threshold(path: str, threshold: float | None) -> dict[str, Any]:
    """Keep a two-class model's threshold in its file; the new metadata."""
    from workbench.backend import api

    return api.save_threshold(path, threshold)


def explain_texts(
    predictor: Any,
    texts: list[str],
    classes: list[int],
    *,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> list[Any]:
    """Per text, (word, start, end, weight) towards ``classes[i]`` (its predicted class)."""
    from workbench.backend import api

    out: list[Any] = [None] * len(texts)
    groups: dict[int, list[int]] = {}
    for i, cls in enumerate(classes):
        groups.setdefault(int(cls), []).append(i)
    done = 0
    for cls, members in groups.items():
        weights = api.text_importance(
            predictor, [texts[i] for i in members], class_index=cls, cancel=cancel
        )
        for i, w in zip(members, weights, strict=True):
            out[i] = w
        done += len(members)
        progress(done / max(len(texts), 1))
    return out


def image_saliency(predictor: Any, path: str, class_index: int | None) -> Any:
    """An (H, W) map of 0..1 of where the image's pixels drove the answer."""
    from workbench.backend import api

    return api.image_saliency(predictor, [path], class_index)[0]


def feature_importance(
    predictor: Any,
    dataset: Any,
    rows: Any,
    *,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> dict[str, float]:
    """Permutation importance of each feature column on ``rows``."""
    from workbench.backend import api

    return api.feature_importance(predictor, dataset, rows, progress, cancel)


def write_evaluation_report(
    directory: str, evaluation: Any, baselines: list[Any], title: str, source: str
) -> Any:
    """report.html and metrics.json of an evaluation, in ``directory``."""
    from workbench.core.evaluation.report import write_report

    return write_report(directory, evaluation, baselines, title, source)


def export_model(
    model_path: str,
    fmt: str,
    output: str,
    check: str | None,
    rows: int,
    progress: Callable[[float, str], None] | None = None,
) -> Any:
    """Export a saved model with its parity check and model card: an ExportResult
    (TensorFlow; blocks for seconds, so a worker thread; ``progress(fraction, words)``)."""
    from workbench.backend import api

    return api.export_model(model_path, fmt, output, check=check, rows=rows, progress=progress)
