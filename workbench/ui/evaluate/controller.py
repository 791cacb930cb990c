"""The Evaluate tab's behaviour: scoring the model, the baselines, explanations, exports.

Every piece of work runs in the window's TaskRunner (the window never waits): the
evaluation itself (progress and Cancel), then the baselines, then on demand the words that
drove the listed answers, an image's saliency, feature importance, the threshold saved into
the model file and the HTML report. Results follow the session: new data, another model or
cleared results drop them, so the tab never shows results about something else. The header
always names the model and the data the results are about.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core.atomic import atomic_write_text
from workbench.core.errors import WorkbenchError
from workbench.ui import workers
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.evaluate.rows import EvalRows, Plan, trained_elsewhere, training_config
from workbench.ui.evaluate.samples import SampleInputs
from workbench.ui.evaluate.view import EvaluateView
from workbench.ui.file_dialogs import open_file, open_folder, save_file

if TYPE_CHECKING:
    from workbench.core.evaluation.baselines import Baseline

NO_MODEL = "Train a model or open a run's model to evaluate it."
NO_DATA = "Open data first."
TRAINING = "Evaluation waits until the run in training ends."
EXPLAINED_SAMPLES = 50
EXPLAIN_DELAY_MS = 250
TASKS = (
    "evaluate",
    "evaluate-load",
    "evaluate-baselines",
    "evaluate-explain",
    "evaluate-saliency",
    "evaluate-importance",
)
FILE_FILTER = "Data (*.csv *.tsv *.txt *.jsonl *.npz);;All files (*)"


class EvaluateController(Controller):
    """Owns the Evaluate tab's tasks and what it shows."""

    def __init__(self, shell: Shell, view: EvaluateView) -> None:
        super().__init__(shell)
        self.view = view
        self.evaluation: Any = None  # at the threshold shown
        self.base: Any = None  # as evaluated (the model's own threshold)
        self.baselines: list[Baseline] = []
        self.chosen: EvalRows | None = None
        self.data: Any = None  # the data set the results are about
        self.inputs = SampleInputs(None)
        self.header = ""
        self._loaded: Any = None  # another file chosen with "Another file…"
        self._source_key = "test"
        self._listing: tuple[int, int] | None = None  # the listed cell (None: mistakes)
        self._selected: int | None = None  # the sample shown in full
        self._weights: dict[tuple[int, int], Any] = {}  # (position, class) -> word weights
        self._threshold_pending: float | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._show_progress)
        self._explain_timer = QTimer(self)
        self._explain_timer.setSingleShot(True)
        self._explain_timer.setInterval(EXPLAIN_DELAY_MS)
        self._explain_timer.timeout.connect(self._explain_listed)

        view.sig_evaluate.connect(self.evaluate)
        view.sig_source_changed.connect(self._on_source_changed)
        view.sig_cancel.connect(self.cancel)
        view.sig_cell_selected.connect(self.list_cell)
        view.sig_mistakes.connect(self.list_mistakes)
        view.sig_export_samples.connect(self.export_samples_dialog)
        view.sig_threshold.connect(self.set_threshold)
        view.sig_save_threshold.connect(self.save_threshold)
        view.sig_sample_selected.connect(self._on_sample_selected)
        view.sig_importance_wanted.connect(self.compute_importance)
        self.session.data_changed.connect(lambda *_: self.drop("The data changed."))
        self.session.predictor_changed.connect(lambda *_: self.drop("The model changed."))
        self.session.results_cleared.connect(self.drop)
        self.session.training_changed.connect(lambda _on: self.update_state())

        self.evaluate_action = self.action(
            "&Evaluate model",
            self.evaluate_from_menu,
            "Ctrl+Shift+E",
            "Score the model on the test split of the data, against simple baselines",
        )
        self.file_action = self.action(
            "Evaluate on a &file…",
            self.evaluate_file_dialog,
            tip="Score the model on every row of another labelled file",
        )
        self.report_action = self.action(
            "Export &report…",
            self.export_report_dialog,
            tip="Write report.html and metrics.json of the shown results into a folder",
        )
        self.menus = {
            "&Evaluate": [self.evaluate_action, self.file_action, None, self.report_action]
        }
        self.update_state()

    # -- state ---------------------------------------------------------------------------

    def block_reason(self) -> str | None:
        """Why evaluation cannot start now (None: it can)."""
        if self.session.predictor is None:
            return NO_MODEL
        if self.session.dataset is None and self._source_key != "loaded":
            return NO_DATA
        if self.session.training:
            return TRAINING
        return None

    def update_state(self) -> None:
        """Enable what can run; name the model and data; say what to do when nothing can."""
        reason = self.block_reason()
        self.view.set_available(reason is None, reason or "")
        self.evaluate_action.setEnabled(reason is None)
        self.file_action.setEnabled(
            self.session.predictor is not None and not self.session.training
        )
        # "Another file…" needs only a model: the loaded data may be absent or unrelated.
        self.view.source_combo.setEnabled(self.file_action.isEnabled())
        self.report_action.setEnabled(self.evaluation is not None)
        if self.evaluation is None:
            self.view.set_header(self._describe_next())

    def _model_name(self) -> str:
        source = self.session.source
        return source.describe() or ("the current model" if self.session.predictor else "")

    def _describe_next(self) -> str:
        if self.session.predictor is None:
            return "No model to evaluate."
        data = self._loaded if self._source_key == "loaded" else self.session.dataset
        where = f" on {Path(str(data.path)).name}" if data is not None else ""
        return f"Model: {self._model_name()}{where}"

    @property
    def busy(self) -> bool:
        """True while an evaluation or its baselines run."""
        tasks = self.shell.tasks
        return any(tasks.running(k) for k in ("evaluate", "evaluate-load", "evaluate-baselines"))

    def drop(self, reason: str = "") -> None:
        """The results no longer apply: cancel their work and forget them."""
        for key in TASKS:
            self.shell.tasks.cancel(key)
        self._explain_timer.stop()
        self._poll.stop()
        self.view.set_busy(None)
        self.evaluation = self.base = self.chosen = self.data = None
        self.baselines = []
        self._weights = {}
        self._listing = None
        self._selected = None
        self._threshold_pending = None
        if self._source_key == "loaded" and self.session.predictor is None:
            self._loaded = None
            self._source_key = "test"
            self.view.set_source("test")
        self.view.clear(self.block_reason() or "")
        self.update_state()

    # -- evaluating ----------------------------------------------------------------------

    @Slot()
    def evaluate_from_menu(self) -> None:
        """Evaluate ▸ Evaluate model: bring the tab forward and score the chosen rows."""
        self.shell.show_tab(self.view)
        self.evaluate()

    @Slot()
    def evaluate(self) -> None:
        """Score the model on the chosen source (worker thread, with progress and Cancel)."""
        reason = self.block_reason()
        if reason is not None:
            self.status(reason, STATUS_TIMEOUT_MS)
            self.update_state()
            return
        if self._source_key == "loaded" and self._loaded is not None:
            current = self.session.dataset
            same = current is not None and current.kind == self._loaded.kind
            plan = Plan(
                self._loaded,
                "file",
                training_config(self.session, self.shell.store),
                train_data=current if same and not trained_elsewhere(self.session) else None,
            )
        else:
            key = self._source_key if self._source_key in ("test", "validation") else "test"
            plan = Plan(
                self.session.dataset,
                key,
                training_config(self.session, self.shell.store),
                trained_elsewhere(self.session),
            )
        self._start(plan)

    def _start(self, plan: Plan) -> None:
        self.drop("")
        self.view.banner.clear()
        predictor, source_name = self.session.predictor, self._model_name()
        name = Path(str(plan.dataset.path)).name
        self.view.set_header(f"Model: {source_name} — evaluating on {name}…")
        self.view.set_busy("Evaluating…", 0.0)
        self.shell.tasks.run(
            "evaluate",
            f"evaluating the model on {name}",
            workers.evaluate_model,
            predictor,
            plan.dataset,
            plan,
            on_done=lambda result: self._on_evaluated(plan, source_name, result),
            on_failed=self._on_failed,
            on_cancelled=self._on_cancelled,
            control=True,
        )
        self._poll.start()

    def _on_evaluated(self, plan: Plan, source_name: str, result: Any) -> None:
        chosen, evaluation = result
        self.chosen, self.base, self.evaluation = chosen, evaluation, evaluation
        self.data = plan.dataset
        self.inputs = SampleInputs(plan.dataset)
        self._weights = {}
        name = Path(str(plan.dataset.path)).name
        self.header = (
            f"Model: {source_name} — data: {name}, {chosen.part_name} ({evaluation.size:,} rows)"
        )
        self.view.set_header(self.header)
        self.view.show_note(chosen.note)
        table_data = getattr(plan.dataset, "kind", "") == "tabular"
        if hasattr(evaluation, "class_names"):
            self.view.show_classification(evaluation, table_data)
            self._show_threshold_note()
            self.list_mistakes()
        else:
            self.view.show_regression(evaluation, self.inputs, table_data)
        self.view.set_baseline_text("Fitting baselines…")
        self.view.set_busy("Fitting baselines…", 0.0)
        self.status(f"Evaluated on {evaluation.size:,} rows of {name}.", STATUS_TIMEOUT_MS)
        self.update_state()
        self.shell.tasks.run(
            "evaluate-baselines",
            "fitting the baselines",
            workers.fit_baselines,
            self.session.predictor,
            plan.dataset,
            chosen.train_rows,
            evaluation.rows,
            train_data=chosen.train_data,
            on_done=self._on_baselines,
            on_failed=self._on_baselines_failed,
            on_cancelled=lambda: self._idle("Baselines cancelled."),
            control=True,
        )

    def _on_baselines(self, baselines: list[Baseline]) -> None:
        self.baselines = list(baselines)
        self._idle(None)
        self._show_verdict()
        self._explain_after_baselines()

    def _on_baselines_failed(self, message: str) -> None:
        self._idle(None)
        self.view.set_baseline_text(f"The baselines could not be fitted: {message}")
        self._explain_after_baselines()

    def _explain_after_baselines(self) -> None:
        if self.inputs is not None and self.inputs.kind == "text":
            self._explain_timer.start()

    def _show_verdict(self) -> None:
        if self.evaluation is None:
            return
        if not self.baselines:
            self.view.set_baseline_text(
                "No baseline: too few training rows to fit one (or too few rows to cross-fit)."
            )
            return
        from workbench.core.evaluation.baselines import compare

        lines = [compare(self.evaluation, b).headline for b in reversed(self.baselines)]
        self.view.set_baseline_text("\n".join(lines))

    def _on_failed(self, message: str) -> None:
        self._idle(None)
        self.view.show_error(message)
        self.view.set_header(self._describe_next())
        self.update_state()

    def _on_cancelled(self) -> None:
        self._idle("Evaluation cancelled.")
        self.view.set_header(self._describe_next())

    def _idle(self, message: str | None) -> None:
        if not self.busy:
            self._poll.stop()
            self.view.set_busy(None)
        if message:
            self.status(message, STATUS_TIMEOUT_MS)

    @Slot()
    def cancel(self) -> None:
        """Cancel: stop the evaluation (or its baselines); what is done stays shown."""
        for key in ("evaluate", "evaluate-load", "evaluate-baselines", "evaluate-importance"):
            self.shell.tasks.cancel(key)
        if self.evaluation is not None and not self.baselines:
            self.view.set_baseline_text("Baselines cancelled.")
        if self.evaluation is None:
            self.view.set_header(self._describe_next())
        self._poll.stop()
        self.view.set_busy(None)
        self.status("Cancelled.", STATUS_TIMEOUT_MS)

    @Slot()
    def _show_progress(self) -> None:
        tasks = self.shell.tasks
        for key, text in (
            ("evaluate-load", "Reading the file…"),
            ("evaluate", "Evaluating…"),
            ("evaluate-baselines", "Fitting baselines…"),
            ("evaluate-importance", "Computing feature importance…"),
        ):
            thread = tasks.thread(key)
            if thread is not None:
                self.view.set_busy(text, thread.progress)
                return
        self._poll.stop()
        self.view.set_busy(None)

    # -- sources -------------------------------------------------------------------------

    @Slot(str)
    def _on_source_changed(self, key: str) -> None:
        if key == "file":
            self.evaluate_file_dialog()
            return
        self._source_key = key
        if key != "loaded":
            self._loaded = None
            self.view.set_source(key)
        self.update_state()

    @Slot()
    def evaluate_file_dialog(self) -> None:
        """Evaluate ▸ Evaluate on a file…: pick a labelled file and score every row."""
        self.shell.show_tab(self.view)
        if self.session.predictor is None or self.session.training:
            self.view.set_source(self._source_key, self._loaded_name())
            return
        kind = getattr(self.session.predictor, "kind", "")
        if kind in ("images", "audio"):
            what = "images" if kind == "images" else "audio clips"
            path = open_folder(self.shell, f"Evaluate on a folder of {what} (one per class)")
        else:
            path = open_file(self.shell, "Evaluate on a file", FILE_FILTER)
        if not path:
            self.view.set_source(self._source_key, self._loaded_name())
            return
        self.evaluate_file(path)

    def _loaded_name(self) -> str:
        return Path(str(self._loaded.path)).name if self._loaded is not None else ""

    def evaluate_file(self, path: str | Path) -> None:
        """Read ``path`` as the model's kind of data (worker), then score all its rows."""
        predictor = self.session.predictor
        if predictor is None:
            return
        meta = getattr(predictor, "meta", {}) or {}
        options = {
            "text_column": meta.get("text_column") or None,
            "label_column": meta.get("label_column") or None,
            "task": getattr(predictor, "task", None),
        }
        self.view.set_busy("Reading the file…", None)
        self._poll.start()
        self.shell.tasks.run(
            "evaluate-load",
            f"reading {Path(path).name}",
            workers.load_evaluation_file,
            str(path),
            getattr(predictor, "kind", None),
            options,
            on_done=self._on_file_loaded,
            on_failed=self._on_failed,
            on_cancelled=lambda: self._idle("Cancelled."),
            control=True,
        )

    def _on_file_loaded(self, dataset: Any) -> None:
        self._loaded = dataset
        self._source_key = "loaded"
        self.view.set_source("loaded", self._loaded_name())
        self._start(Plan(dataset, "file"))

    # -- samples -------------------------------------------------------------------------

    @Slot(int, int)
    def list_cell(self, true_class: int, predicted_class: int) -> None:
        """List one confusion-matrix cell's samples, the most confident first."""
        ev = self.evaluation
        if ev is None or not hasattr(ev, "cell_rows"):
            return
        self._listing = (true_class, predicted_class)
        positions = ev.cell_rows(true_class, predicted_class)
        names = ev.class_names
        title = (
            f"{len(positions):,} sample{'' if len(positions) == 1 else 's'} of "
            f"{names[true_class]} predicted as "
            f"{names[predicted_class]}, the most confident first."
        )
        self._list(positions, title)

    @Slot()
    def list_mistakes(self) -> None:
        """List every wrong answer, the most confident first."""
        ev = self.evaluation
        if ev is None or not hasattr(ev, "confident_mistakes"):
            return
        self._listing = None
        positions = ev.confident_mistakes()
        count = len(positions)
        what = "mistake" if count == 1 else "mistakes"
        self._list(positions, f"{count:,} {what}, the most confident first.")

    def _list(self, positions: np.ndarray, title: str) -> None:
        model = self.view.samples_model
        model.set_samples(self.evaluation, positions, self.inputs, title)
        self.view.show_samples(title)
        self._apply_weights()
        if self.inputs.kind == "text":
            self.shell.tasks.cancel("evaluate-explain")
            self._explain_timer.start()

    def _apply_weights(self) -> None:
        ev, model = self.evaluation, self.view.samples_model
        if ev is None or not self._weights:
            return
        known = {}
        for position in model.positions()[:EXPLAINED_SAMPLES]:
            weights = self._weights.get((int(position), int(ev.predicted[position])))
            if weights is not None:
                known[int(position)] = weights
        if known:
            model.set_weights(known)

    @Slot()
    def _explain_listed(self) -> None:
        """Explain the first listed texts (worker; a newer listing supersedes it)."""
        ev = self.evaluation
        if ev is None or self.session.predictor is None:
            return
        if self.shell.tasks.running("evaluate-baselines"):
            # One at a time: on two cores, TensorFlow's threads beside the baseline's fit
            # stretch each of its GIL-holding steps, and the window stalls. The baselines
            # start the explanations when they end.
            return
        wanted = [
            int(p)
            for p in self.view.samples_model.positions()[:EXPLAINED_SAMPLES]
            if (int(p), int(ev.predicted[p])) not in self._weights
        ]
        if not wanted:
            return
        texts = [self.inputs.text(int(ev.rows[p])) for p in wanted]
        classes = [int(ev.predicted[p]) for p in wanted]
        self.shell.tasks.run(
            "evaluate-explain",
            "finding the words that drove the answers",
            workers.explain_texts,
            self.session.predictor,
            texts,
            classes,
            on_done=lambda result, base=self.base: self._on_explained(
                base, wanted, classes, result
            ),
            on_failed=lambda message: self.status(message, STATUS_TIMEOUT_MS),
            control=True,
        )

    def _on_explained(
        self, base: Any, positions: list[int], classes: list[int], result: Any
    ) -> None:
        if base is not self.base:
            return  # about results no longer shown
        for position, cls, weights in zip(positions, classes, result, strict=False):
            self._weights[(position, cls)] = weights
        self._apply_weights()
        self._refresh_detail()

    @Slot(int)
    def _on_sample_selected(self, position: int) -> None:
        if self.evaluation is None:
            return
        self._selected = position
        self._refresh_detail()
        path = self.inputs.image_path(int(self.evaluation.rows[position]))
        if path and self.session.predictor is not None:
            predicted = int(self.evaluation.predicted[position])
            self.shell.tasks.run(
                "evaluate-saliency",
                f"finding what mattered in {Path(path).name}",
                workers.image_saliency,
                self.session.predictor,
                path,
                predicted,
                on_done=lambda heat: self.view.show_saliency(path, heat),
                on_failed=lambda message: self.status(message, STATUS_TIMEOUT_MS),
            )

    def _refresh_detail(self) -> None:
        ev, position = self.evaluation, self._selected
        if ev is None or position is None or position >= ev.size:
            return
        import html

        from workbench.ui.highlight import highlighted_html

        row = int(ev.rows[position])
        names = ev.class_names
        predicted = names[int(ev.predicted[position])]
        text = self.inputs.text(row)
        weights = self._weights.get((position, int(ev.predicted[position])))
        body = highlighted_html(text, weights, predicted) if weights else html.escape(text)
        self.view.show_detail(
            f"<b>Row {row + 1}</b> · true <b>{html.escape(names[int(ev.y_true[position])])}</b>"
            f" · predicted <b>{html.escape(predicted)}</b> "
            f"({float(ev.confidence[position]):.1%})<br>{body}"
        )

    @Slot()
    def export_samples_dialog(self) -> None:
        """Export samples…: the listed samples as a CSV file."""
        if self.view.samples_model.rowCount() == 0:
            self.status("No samples are listed: click a cell of the matrix.", STATUS_TIMEOUT_MS)
            return
        path = save_file(self.shell, "Export samples", "samples.csv", "CSV (*.csv)")
        if path:
            self.export_samples(path)

    def export_samples(self, path: str | Path) -> bool:
        """Write the listed samples to ``path`` (atomically); a failure is said in a box."""
        path = Path(path)
        try:
            atomic_write_text(path, self.view.samples_model.to_csv())
        except (OSError, WorkbenchError) as exc:
            QMessageBox.warning(self.shell, "Export samples", f"Could not write {path}: {exc}")
            return False
        self.status(f"Samples written to {path}", STATUS_TIMEOUT_MS)
        return True

    # -- threshold -----------------------------------------------------------------------

    @Slot(float)
    def set_threshold(self, threshold: float) -> None:
        """The slider moved: recompute at the next turn of the event loop (coalesced)."""
        first = self._threshold_pending is None
        self._threshold_pending = threshold
        if first:
            QTimer.singleShot(0, self, self._apply_threshold)

    @Slot()
    def _apply_threshold(self) -> None:
        threshold, self._threshold_pending = self._threshold_pending, None
        if threshold is None or self.base is None or not hasattr(self.base, "with_threshold"):
            return
        if len(self.base.class_names) != 2:
            return
        self.evaluation = self.base.with_threshold(threshold)
        self.view.set_threshold_value(threshold)
        self.view.update_classification(self.evaluation)
        if self._listing is not None:
            self.list_cell(*self._listing)
        else:
            self.list_mistakes()
        if self.baselines:
            self._show_verdict()
        self._show_threshold_note()

    def _show_threshold_note(self) -> None:
        ev, predictor = self.evaluation, self.session.predictor
        if ev is None or ev.threshold is None or predictor is None:
            return
        meta = getattr(predictor, "meta", None)
        saved = meta.get("threshold", 0.5) if isinstance(meta, dict) else 0.5
        run = self.run_model_path()
        where = (
            "Saving writes it into the run's model file; Predict uses it at once."
            if run
            else "This model is not saved in a run: saving keeps the threshold in the model in "
            "memory (Predict uses it at once); Export the model (File ▸ Export model…) to "
            "keep it in a file."
        )
        self.view.threshold_note.setText(
            f"The model decides {ev.class_names[1]} from a probability of {saved:.2f}. {where}"
        )
        self.view.save_threshold_button.setEnabled(abs(float(ev.threshold) - float(saved)) > 1e-9)

    @Slot()
    def save_threshold(self) -> None:
        """Save threshold to model: into the run's model file, and the model in memory."""
        ev, predictor = self.evaluation, self.session.predictor
        if ev is None or ev.threshold is None or predictor is None:
            return
        threshold = round(float(ev.threshold), 2)
        path = self.run_model_path()
        if path is None:
            self._keep_threshold(predictor, threshold, None)
            return
        self.shell.tasks.run(
            "evaluate-threshold",
            f"saving the threshold into {path}",
            workers.save_model_threshold,
            str(path),
            threshold,
            on_done=lambda _meta: self._keep_threshold(predictor, threshold, path),
            on_failed=self.shell.show_task_error,
        )

    def _keep_threshold(self, predictor: Any, threshold: float, path: Path | None) -> None:
        meta = getattr(predictor, "meta", None)
        if isinstance(meta, dict):
            meta["threshold"] = threshold  # Predict reads it from the model's metadata
        where = f"saved into {path}" if path else "kept in the model in memory"
        self.status(f"Threshold {threshold:.2f} {where}.", STATUS_TIMEOUT_MS)
        self._show_threshold_note()

    # -- explanations of tables, and the report --------------------------------------------

    @Slot()
    def compute_importance(self) -> None:
        """Permutation importance of the feature columns on the evaluated rows (worker)."""
        ev, data = self.evaluation, self.data
        if ev is None or data is None or getattr(data, "kind", "") != "tabular":
            return
        self.view.set_importance_note("Computing feature importance…")
        self.view.set_busy("Computing feature importance…", 0.0)
        self._poll.start()
        self.shell.tasks.run(
            "evaluate-importance",
            "computing feature importance",
            workers.feature_importance,
            self.session.predictor,
            data,
            np.asarray(ev.rows),
            on_done=self._on_importance,
            on_failed=self._on_importance_failed,
            on_cancelled=lambda: self._idle(None),
            control=True,
        )

    def _on_importance(self, importance: dict[str, float]) -> None:
        self._idle(None)
        self.view.importance_model.set_importance(importance)
        self.view.set_importance_note(
            "Permutation importance: how much the score drops when one column's values are "
            "shuffled among the evaluated rows (higher: the model leans on it more)."
        )

    def _on_importance_failed(self, message: str) -> None:
        self._idle(None)
        self.view.set_importance_note(f"Feature importance failed: {message}")

    @Slot()
    def export_report_dialog(self) -> None:
        """Evaluate ▸ Export report…: report.html and metrics.json into a chosen folder."""
        if self.evaluation is None:
            self.status("Evaluate the model first.", STATUS_TIMEOUT_MS)
            return
        folder = open_folder(self.shell, "Export the evaluation report into")
        if folder:
            self.export_report(folder)

    def export_report(self, folder: str | Path) -> None:
        """Write the shown results' report into ``folder`` (worker)."""
        if self.evaluation is None:
            return
        source = self.header.removeprefix("Model: ")
        self.shell.tasks.run(
            "evaluate-report",
            "writing the evaluation report",
            workers.write_evaluation_report,
            str(folder),
            self.evaluation,
            list(self.baselines),
            f"Evaluation of {self._model_name()}",
            source,
            on_done=lambda written: self.status(f"Report written to {written}", STATUS_TIMEOUT_MS),
            on_failed=self.shell.show_task_error,
        )

    def shutdown(self) -> None:
        """Stop the timers (the window's TaskRunner cancels and joins the tasks)."""
        self._poll.stop()
        self._explain_timer.stop()
