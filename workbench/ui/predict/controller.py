"""The Predict tab's behaviour: asking the model that predicts, and exporting it.

The model is the session's predictor: the one just trained, or a run's opened from the Runs
tab. The tab names it, and follows the session: new data of other inputs drops the model
and clears the old answer; a run in training pauses prediction until it ends.

One input is answered on the backend thread. A whole file (texts, feature rows), many images
or audio files (or a folder of them) are read and answered in batches by a ``predict-file``
task of the window's task runner, with a progress bar and Cancel; the answers fill one table,
which Save predictions… writes. The audio file chosen in it is decoded for its picture by a
``predict-clip`` task.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QInputDialog, QMessageBox

from workbench.core.errors import WorkbenchError
from workbench.core.model_fit import NoData
from workbench.core.session import ModelSource
from workbench.ui import playback
from workbench.ui.clip_view import read_picture
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.file_dialogs import save_file
from workbench.ui.predict.batch import BatchSource, choose_text_column, string_columns, write_csv
from workbench.ui.predict.view import PredictView
from workbench.ui.workers import explain_texts, predict_inputs, preview

NO_MODEL = (
    "Train a model first (Train tab), or open a run's model in the Runs tab; then try it here."
)
#: Task keys: reading and predicting a file; writing its predictions.
PREDICT_FILE, SAVE_PREDICTIONS = "predict-file", "save-predictions"
EXPLAIN, CLIP = "predict-explain", "predict-clip"
PROGRESS_POLL_MS = 100


class PredictController(Controller):
    """Owns the questions asked of the predictor and what comes back."""

    def __init__(self, shell: Shell, view: PredictView) -> None:
        super().__init__(shell)
        self.view = view
        self._echo = ""
        self._echo_text = ""  # the typed text whose answer is awaited (to explain it)
        self._batch = False  # a file is being read and predicted
        self.batch_timer = QTimer(self)
        self.batch_timer.setInterval(PROGRESS_POLL_MS)
        self.batch_timer.timeout.connect(self._poll_batch)
        backend = shell.backend
        backend.sig_prediction.connect(self._on_prediction)
        backend.sig_prediction_failed.connect(self.view.show_error)
        backend.sig_saved.connect(self._on_saved)
        backend.sig_save_failed.connect(self._on_save_failed)
        view.sig_predict.connect(self.predict_text)
        view.sig_predict_row.connect(self.predict_row)
        view.sig_predict_file.connect(self.predict_file)
        view.sig_predict_images.connect(self.predict_images)
        view.sig_predict_index.connect(self.predict_index)
        view.sig_predict_audio.connect(self.predict_audio)
        view.sig_predict_audio_folder.connect(self.predict_audio_folder)
        view.sig_clip_requested.connect(self._draw_clip)
        view.sig_cancel_file.connect(self.cancel_file)
        view.sig_save_predictions.connect(self.save_predictions_dialog)
        self.session.data_changed.connect(self._on_data_changed)
        self.session.predictor_changed.connect(self._on_predictor_changed)
        self.session.training_changed.connect(lambda _training: self.update_state())

        self.export_action = self.action(
            "&Export model…",
            self.export_model_dialog,
            "Ctrl+E",
            "Save the trained model as a .keras file",
        )
        self.export_action.setEnabled(False)
        self.menus = {"&File": [self.export_action]}
        self.update_state()

    # -- following the session ------------------------------------------------------------

    def _on_data_changed(self, dataset: Any, summary: dict[str, Any]) -> None:
        self._stop_batch()  # its answers would belong to the old data's model
        self.view.set_dataset(dataset)
        self.view.clear_result()
        self.update_state()

    def _on_predictor_changed(self, predictor: Any, source: ModelSource) -> None:
        self.shell.tasks.cancel(EXPLAIN)
        self._stop_batch()
        self.view.results_panel.clear()  # another model's answers
        if predictor is None:
            self.view.clear_result()
        elif predictor.kind == "text" and getattr(self.session.dataset, "kind", None) != "text":
            self.view.set_dataset(NoData(predictor.task))  # a run's text model: the text page
        elif predictor.kind == "audio" and getattr(self.session.dataset, "kind", None) != "audio":
            self.view.set_dataset(SimpleNamespace(kind="audio", task=predictor.task))
        is_audio = predictor is not None and predictor.kind == "audio"
        self.view.audio_page.set_model(predictor.meta if is_audio else None)
        self.view.set_source(f"Model: {source.describe()}" if source.name else "", source.data_path)
        self.update_state()

    def update_state(self) -> None:
        """Inputs on when a model exists and none trains; otherwise say why not."""
        session = self.session
        self.export_action.setEnabled(session.predictor is not None and not session.training)
        if session.predictor is None:
            self.view.set_available(False, NO_MODEL)
        elif session.training:
            self.view.set_available(
                False, "Prediction is paused while a model trains; it resumes when training ends."
            )
        elif self._batch:
            self.view.set_available(False, "")  # one question at a time; Cancel stays
        else:
            self.view.set_available(True, "")

    # -- asking ---------------------------------------------------------------------------

    def _can_predict(self, *, during_file: bool = False) -> bool:
        """A model exists, none trains, and (unless ``during_file``) no file is predicted."""
        session = self.session
        idle = during_file or not self._batch
        return session.predictor is not None and not session.training and idle

    def _ask(self, method: str, argument: Any, echo: str = "") -> None:
        self._echo = echo
        self.shell.backend.ask(self.session.predictor, method, argument)
        self.status("Predicting…", 3000)

    @Slot(str)
    def predict_text(self, text: str) -> None:
        """Label one text (on the backend thread), then explain it."""
        if self._can_predict():
            self.shell.tasks.cancel(EXPLAIN)
            self._ask("predict", [text], text)
            self._echo_text = text

    @Slot(object)
    def predict_row(self, row: dict[str, Any]) -> None:
        """Predict one row of features typed in the form."""
        if self._can_predict():
            import pandas as pd

            self._ask("predict_table", pd.DataFrame([row]))

    @Slot(int)
    def predict_index(self, index: int) -> None:
        """Predict sample ``index`` of the loaded arrays."""
        data = self.session.dataset
        if self._can_predict() and data is not None and data.kind == "npz":
            self._ask("predict_arrays", data.x[index : index + 1], f"sample {index}")

    @Slot(object)
    def _on_prediction(self, result: Any) -> None:
        if result:
            self.view.show_prediction(result[0], self._echo)
            self._explain(result[0])
        self.shell.statusBar().clearMessage()

    def _explain(self, prediction: Any) -> None:
        """For a typed text: which words drove the answer (occlusion, on a worker); the
        text is shown again with them highlighted when that arrives."""
        predictor, text = self.session.predictor, self._echo_text
        self._echo_text = ""
        if predictor is None or not text or predictor.kind != "text":
            return
        if predictor.task != "classification" or prediction.label not in predictor.class_names:
            return
        cls = predictor.class_names.index(prediction.label)
        self.shell.tasks.run(
            EXPLAIN,
            "finding the words that drove the answer",
            explain_texts,
            predictor,
            [text],
            [cls],
            on_done=lambda weights: self._on_explained(text, prediction.label, weights),
            on_failed=lambda message: None,  # the answer stands; only its reasons are missing
            control=True,
        )

    def _on_explained(self, text: str, label: str, weights: list[Any]) -> None:
        if weights and weights[0]:
            self.view.show_explanation(text, weights[0], label)

    # -- a whole file, or many images -------------------------------------------------------

    @Slot(str)
    def predict_file(self, path: str | Path, column: str | None = None) -> None:
        """Predict every input of a file, in batches off the GUI thread (Cancel stops it).

        A table model reads the rows of a CSV/TSV/JSON Lines file. A text model reads a .txt
        file as one text per line, or a table's text column: ``column``, else the model's own
        text column when the file has it, else the file's only column of text, else the one
        the person picks. A newer file replaces one still being predicted.
        """
        if not self._can_predict(during_file=True):
            return
        predictor, path = self.session.predictor, str(path)
        name = Path(path).name
        if predictor.kind == "tabular":
            self._start_batch(BatchSource("rows", path))
        elif predictor.kind != "text":
            what = {"images": "choose image files", "audio": "choose audio files or a folder"}
            self.view.show_error(
                f"This model takes {predictor.kind}, not a file of rows: "
                f"{what.get(predictor.kind, 'pick a sample')}."
            )
        elif column or Path(path).suffix.lower() == ".txt":
            self._start_batch(BatchSource("texts", path, column or ""))
        else:
            self._begin_batch(f"Reading the columns of {name}…")
            self.shell.tasks.run(
                PREDICT_FILE,
                f"reading {name}",
                preview,
                path,
                on_done=lambda frame: self._on_columns(path, frame),
                on_failed=self._on_batch_failed,
            )

    @Slot(object)
    def predict_images(self, paths: list[str]) -> None:
        """Predict image files (those that cannot be read are counted and left out)."""
        if self._can_predict(during_file=True) and paths:
            self._start_batch(BatchSource("images", paths=tuple(str(p) for p in paths)))

    @Slot(object)
    def predict_audio(self, paths: list[str]) -> None:
        """Predict audio files (those that cannot be read are listed with the reason)."""
        if self._can_predict(during_file=True) and paths:
            self._start_batch(BatchSource("audio", paths=tuple(str(p) for p in paths)))

    @Slot(str)
    def predict_audio_folder(self, folder: str) -> None:
        """Predict every audio file in ``folder`` and its subfolders (listed on the worker)."""
        if self._can_predict(during_file=True) and folder:
            self._start_batch(BatchSource("audio", str(folder)))

    @Slot(str)
    def _draw_clip(self, path: str) -> None:
        """Decode an audio file at the model's rate on a worker, then draw it."""
        predictor = self.session.predictor
        if predictor is None or predictor.kind != "audio":
            return
        meta = predictor.meta
        self.shell.tasks.run(
            CLIP,
            f"reading {Path(path).name}",
            read_picture,
            path,
            int(meta["sample_rate"]),
            int(meta["clip_samples"]),
            on_done=self.view.audio_result.show_picture,
            on_failed=lambda message: self.view.audio_result.show_error(path, message),
        )

    def _on_columns(self, path: str, frame: Any) -> None:
        """The first rows of a file of texts are in: which column holds the texts?"""
        self._end_batch()
        name = Path(path).name
        preferred = str(self.session.predictor.meta.get("text_column") or "")
        try:
            column, candidates = choose_text_column(
                name, [str(c) for c in frame.columns], string_columns(frame), preferred
            )
        except WorkbenchError as exc:
            self.view.show_error(str(exc))
            return
        if not column:
            column = self.ask_text_column(name, candidates)
            if not column:
                self.status("Nothing predicted: no column was chosen.", STATUS_TIMEOUT_MS)
                return
        self._start_batch(BatchSource("texts", path, column))

    def ask_text_column(self, name: str, candidates: list[str]) -> str:
        """Ask which of several text columns to predict; '' when the person cancels."""
        column, ok = QInputDialog.getItem(
            self.shell,
            "Which column holds the texts?",
            f"{name} has several columns of text. Predict the texts of:",
            candidates,
            0,
            False,
        )
        return str(column) if ok else ""

    def _start_batch(self, source: BatchSource) -> None:
        self._begin_batch(f"Predicting {source.name}…")
        self.shell.tasks.run(
            PREDICT_FILE,
            f"predicting {source.name}",
            predict_inputs,
            self.session.predictor,
            source,
            control=True,
            on_done=self._on_batch_done,
            on_failed=self._on_batch_failed,
        )

    def _begin_batch(self, text: str) -> None:
        self._batch = True
        self.view.banner.clear()
        self.view.batch_progress.start(text)
        self.batch_timer.start()
        self.status(text)
        self.update_state()

    def _end_batch(self) -> None:
        if self._batch:
            self._batch = False
            self.batch_timer.stop()
            self.view.batch_progress.stop()
            self.shell.statusBar().clearMessage()
            self.update_state()

    def _stop_batch(self) -> None:
        """Drop the file being predicted, if any (its answers will not be shown)."""
        self.shell.tasks.cancel(PREDICT_FILE)
        self._end_batch()

    @property
    def predicting_file(self) -> bool:
        """True while a file is read and predicted."""
        return self._batch

    @Slot()
    def cancel_file(self) -> None:
        """Cancel beside the progress bar: stop now; the table shown before stays."""
        if not self._batch:
            return
        self._stop_batch()
        kept = self.view.results() is not None
        self.view.banner.show_message(
            "Prediction cancelled. The results shown before are kept."
            if kept
            else "Prediction cancelled; nothing was predicted.",
            "info",
        )

    @Slot()
    def _poll_batch(self) -> None:
        thread = self.shell.tasks.thread(PREDICT_FILE)
        if thread is not None:
            self.view.batch_progress.set_fraction(thread.progress)

    def _on_batch_done(self, results: Any) -> None:
        self._end_batch()
        self.view.show_results(results)
        if results.skipped and results.what == "audio":  # a bad text or row fails the file
            were = "was" if results.skipped == 1 else "were"
            self.view.banner.show_message(
                f"{results.skipped:,} of the chosen files could not be read as audio and "
                f"{were} left out; each is listed with the reason beside the answer.",
                "warning",
            )
        elif results.skipped:
            self.view.banner.show_message(
                f"{results.skipped:,} of the chosen files could not be read as images and "
                "were left out.",
                "warning",
            )
        self.status(f"{len(results):,} predictions for {results.source}.", STATUS_TIMEOUT_MS)

    def _on_batch_failed(self, message: str) -> None:
        self._end_batch()
        kept = " The results shown before are kept." if self.view.results() is not None else ""
        self.view.show_error(message + kept)

    # -- saving predictions ---------------------------------------------------------------

    @Slot()
    def save_predictions_dialog(self) -> None:
        """Save predictions…: ask where, then write the table as a CSV."""
        results = self.view.results()
        if results is None:
            return
        name = f"{Path(results.source).stem}-predictions.csv"
        path = save_file(self.shell, "Save predictions", name, "CSV files (*.csv)")
        if path:
            self.save_predictions(path)

    def save_predictions(self, path: str | Path) -> None:
        """Write the table's predictions to ``path`` (a CSV, written atomically, off the GUI
        thread): row, the inputs, the predicted label and every class's probability."""
        results = self.view.results()
        if results is None:
            self.view.banner.show_message("Predict a file first, then save its answers.", "info")
            return
        path = Path(path)
        if not path.suffix:
            path = path.with_name(path.name + ".csv")
        self.status(f"Saving predictions to {path}…")
        self.shell.tasks.run(
            SAVE_PREDICTIONS,
            f"saving {path.name}",
            write_csv,
            results,
            str(path),
            on_done=lambda written: self._on_predictions_saved(written, len(results)),
            on_failed=self._on_predictions_save_failed,
        )

    def _on_predictions_saved(self, path: Any, count: int) -> None:
        message = f"Saved {count:,} predictions to {path}."
        self.status(message, STATUS_TIMEOUT_MS)
        self.view.banner.show_message(message, "info")

    def _on_predictions_save_failed(self, message: str) -> None:
        self.status("Saving the predictions failed.", STATUS_TIMEOUT_MS)
        self.view.show_error(f"{message} The predictions are still shown; save them elsewhere.")

    # -- export --------------------------------------------------------------------------

    @Slot()
    def export_model_dialog(self) -> None:
        """File ▸ Export model…: save the trained model as a .keras file."""
        if self._can_predict():
            path = save_file(self.shell, "Export model", "model.keras", "Keras model (*.keras)")
            if path:
                self.export_model(path)

    def export_model(self, path: str | Path) -> None:
        """Write the model that predicts to ``path`` (.keras added if missing)."""
        path = Path(path)
        if path.suffix != ".keras":
            path = path.with_name(path.name + ".keras")
        self.status(f"Exporting to {path}…")
        self.shell.backend.save(self.session.predictor, str(path))

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.status(f"Model saved to {path}", STATUS_TIMEOUT_MS)

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self.status("Export failed.", STATUS_TIMEOUT_MS)
        QMessageBox.warning(self.shell, "Export failed", message)

    def shutdown(self) -> None:
        """Stop polling the file's progress and any clip playing (the task runner cancels
        and joins the thread)."""
        self.batch_timer.stop()
        playback.stop()
