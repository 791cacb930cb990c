"""The Data tab's behaviour: opening files, folders and samples, re-reading them with other
settings, and handing a loaded data set to the session.

Every read runs on the window's task runner under the key "load": a newer read supersedes an
older one, and the current data stays until a read succeeds. A big table file is previewed
at once (key "preview") while the whole file is read with progress and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QTimer, Slot
from PySide6.QtGui import QAction

from workbench.core.checks import split_report
from workbench.core.project import Project
from workbench.core.samples import DEFAULT_SAMPLE, SAMPLES, Sample
from workbench.ui import playback
from workbench.ui.clip_view import read_picture
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.data.view import DataView
from workbench.ui.file_dialogs import open_file, open_folder
from workbench.ui.workers import (
    choose_columns,
    clip_settings,
    image_size,
    load_any,
    load_big_table,
    preview,
    tabular_settings,
)

FILE_FILTER = (
    "Datasets (*.csv *.tsv *.txt *.jsonl *.ndjson *.npz);;Tables (*.csv *.tsv *.txt *.jsonl "
    "*.ndjson);;NumPy arrays (*.npz);;All files (*)"
)
TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".jsonl", ".ndjson"}
#: Files at least this big are previewed first and read with progress and Cancel.
BIG_FILE_BYTES = 2 * 1024 * 1024
PROGRESS_POLL_MS = 100
LOAD, PREVIEW, CHECKS, CLIP = "load", "preview", "data-checks", "data-clip"


class DataController(Controller):
    """Owns loading data and what happens when a load succeeds, fails or is cancelled."""

    def __init__(self, shell: Shell, view: DataView) -> None:
        super().__init__(shell)
        self.view = view
        #: Called with (dataset, summary, new_file, project) once new data is in the session
        #: and the view; ``project`` is the opened project that waited for this data, if any.
        self.on_applied: Callable[[Any, dict[str, Any], bool, Project | None], None] | None = None
        #: Called with an opened project whose data could not be read (its layers and
        #: settings still open).
        self.on_project_without_data: Callable[[Project], None] | None = None
        #: An opened project waiting for its data, and what to do once the data is in.
        self.pending_project: Project | None = None
        self._then: tuple[Callable[[], None], str] | None = None
        self._big_load = False
        self.load_timer = QTimer(self)
        self.load_timer.setInterval(PROGRESS_POLL_MS)
        self.load_timer.timeout.connect(self._poll_progress)

        view.sig_open_requested.connect(self.open_dataset_dialog)
        view.sig_open_sample_requested.connect(self.open_default_sample)
        view.sig_open_folder_requested.connect(self.open_folder_dialog)
        view.sig_columns_changed.connect(self._on_columns_changed)
        view.sig_kind_changed.connect(self._on_kind_changed)
        view.sig_tabular_changed.connect(self._on_tabular_changed)
        view.sig_image_size_changed.connect(self._on_image_size_changed)
        view.sig_augment_changed.connect(self._on_augment_changed)
        view.sig_arrays_changed.connect(self._on_arrays_changed)
        view.sig_cancel_load.connect(self.cancel_load)
        view.sig_checks_requested.connect(self._check_split)
        view.audio.settings.sig_settings_changed.connect(self._on_audio_changed)
        view.audio.sig_clip_requested.connect(self._draw_clip)

        self.open_action = self.action(
            "&Open dataset…",
            self.open_dataset_dialog,
            "Ctrl+O",
            "Open a table (CSV, TSV, JSON Lines) of texts or features, or an .npz of arrays",
        )
        self.open_folder_action = self.action(
            "Open &folder…",
            self.open_folder_dialog,
            "Ctrl+Shift+O",
            "Open a folder with one subfolder per class (images, audio clips, or .txt texts)",
        )
        self.sample_actions: dict[str, QAction] = {}
        for sample in SAMPLES.values():
            action = QAction(sample.title, shell)
            action.setData(sample.name)
            action.triggered.connect(lambda _checked=False, s=sample: self.open_sample(s))
            self.sample_actions[sample.name] = action
        self.menus = {"&File": [self.open_action, self.open_folder_action]}

    # -- opening ------------------------------------------------------------------------

    @Slot()
    def open_dataset_dialog(self) -> None:
        """File ▸ Open dataset…: pick a table or .npz file and load it."""
        if not self.session.training:
            path = open_file(self.shell, "Open dataset", FILE_FILTER)
            if path:
                self.open_path(path)

    @Slot()
    def open_folder_dialog(self) -> None:
        """File ▸ Open folder…: a folder of class subfolders (images or texts)."""
        if not self.session.training:
            path = open_folder(self.shell, "Open a folder of class folders")
            if path:
                self.open_path(path)

    @Slot()
    def open_default_sample(self) -> None:
        """Load the bundled default sample."""
        self.open_sample(DEFAULT_SAMPLE)

    def open_sample(self, sample: Sample) -> None:
        """Load a bundled sample with its known kind, columns and task."""
        self.open_path(
            sample.path,
            text_column=sample.text_column,
            label_column=sample.label_column,
            kind=sample.kind,
            task=sample.task,
        )

    def open_for(
        self, project: Project, then: Callable[[], None] | None = None, failed_note: str = ""
    ) -> bool:
        """Read the data file a project or run names, then call ``then``.

        The project's layers and settings are applied with the data (or without it, when the
        read fails, after which ``failed_note`` ends the message). False when the file is
        not there, and nothing was started.
        """
        spec = project.dataset
        if not spec.path or not Path(spec.path).exists():
            return False
        self.pending_project = project
        self._then = (then, failed_note) if then is not None else None
        self.open_path(
            spec.path,
            text_column=spec.text_column or None,
            label_column=spec.label_column or None,
            kind=spec.kind or None,
            task=spec.task or None,
        )
        return True

    def open_path(
        self,
        path: str | Path,
        text_column: str | None = None,
        label_column: str | None = None,
        kind: str | None = None,
        task: str | None = None,
        x_name: str | None = None,
        y_name: str | None = None,
    ) -> None:
        """Load a dataset on a worker thread; the current data stays until it succeeds."""
        if self.session.training or self.shell.shut_down:
            self.status("Stop training before loading other data.", 5000)
            return
        path = Path(path)
        self.status(f"Reading {path.name}…")
        self._stop_big_load()
        options = {
            "text_column": text_column,
            "label_column": label_column,
            "task": task,
            "x_name": x_name,
            "y_name": y_name,
        }
        big = (
            path.is_file()
            and path.suffix.lower() in TABLE_SUFFIXES
            and kind in (None, "text", "tabular")
            and path.stat().st_size >= BIG_FILE_BYTES
        )
        if not big:
            self._load(f"reading {path.name}", load_any, str(path), kind, **options)
            return
        self.shell.tasks.run(
            PREVIEW,
            f"previewing {path.name}",
            preview,
            str(path),
            on_done=lambda frame: self._on_preview(frame, path),
        )
        self._load(f"reading {path.name}", load_big_table, str(path), kind, options, control=True)
        self._big_load = True
        self.view.show_loading(f"Reading {path.name}…", cancellable=True)
        self.load_timer.start()

    def _load(self, what: str, function: Callable[..., Any], *args: Any, **kw: Any) -> None:
        self.shell.tasks.run(
            LOAD,
            what,
            function,
            *args,
            on_done=self._on_loaded,
            on_failed=self._on_load_failed,
            on_cancelled=self._on_load_cancelled,
            **kw,
        )

    def _on_preview(self, frame: Any, path: Path) -> None:
        if self._big_load:
            self.view.show_preview(frame, str(path))

    @Slot()
    def cancel_load(self) -> None:
        """Data tab ▸ Cancel: stop the read at once; the previous data stays."""
        if not self._big_load:
            return
        self.shell.tasks.cancel(LOAD)  # whatever it still returns is dropped
        self._stop_big_load()
        self._forget_waiting()
        self.view.restore()
        self.status(f"Loading cancelled.{self._kept()}", STATUS_TIMEOUT_MS)

    def _stop_big_load(self) -> None:
        if self._big_load:
            self._big_load = False
            self.shell.tasks.cancel(PREVIEW)
            self.load_timer.stop()
            self.view.hide_loading()

    @Slot()
    def _poll_progress(self) -> None:
        thread = self.shell.tasks.thread(LOAD)
        if thread is not None:
            self.view.set_load_progress(thread.progress)

    def _kept(self) -> str:
        return " The previous data is kept." if self.session.dataset is not None else ""

    # -- re-reading with other settings ----------------------------------------------------

    def _can_reload(self, kind: str | None = None) -> bool:
        data = self.session.dataset
        return data is not None and not self.session.training and kind in (None, data.kind)

    @Slot(str, str)
    def _on_columns_changed(self, text_column: str, label_column: str) -> None:
        if self._can_reload():
            self.status("Checking the columns…")
            self._load(
                "checking the columns",
                choose_columns,
                self.session.dataset,
                text_column,
                label_column,
            )

    @Slot(str)
    def _on_kind_changed(self, kind: str) -> None:
        """Reload the same file or folder as another kind."""
        if self._can_reload():
            self.status(f"Reading the data as {kind}…")
            path = str(self.session.dataset.path)
            self._load(f"reading the data as {kind}", load_any, path, kind)

    @Slot(str, str, object)
    def _on_tabular_changed(self, target: str, task: str, roles: dict[str, str]) -> None:
        if self._can_reload("tabular"):
            self.status("Checking the columns…")
            data = self.session.dataset
            self._load("checking the columns", tabular_settings, data, target, task or None, roles)

    @Slot(int, int)
    def _on_image_size_changed(self, height: int, width: int) -> None:
        if self._can_reload("images"):
            self._load("resizing", image_size, self.session.dataset, height, width)

    @Slot(int, float)
    def _on_audio_changed(self, sample_rate: int, clip_seconds: float) -> None:
        """Audio: the model's sample rate or clip length changed (0 s: the data's)."""
        if self._can_reload("audio"):
            data = self.session.dataset
            self._load("changing the clips", clip_settings, data, sample_rate, clip_seconds)

    @Slot(str)
    def _draw_clip(self, path: str) -> None:
        """Decode the selected clip at the model's rate on a worker, then draw it."""
        data = self.session.dataset
        if data is None or data.kind != "audio":
            return
        self.shell.tasks.run(
            CLIP,
            f"reading {Path(path).name}",
            read_picture,
            path,
            int(data.sample_rate),
            int(data.clip_samples),
            on_done=self.view.audio.show_picture,
            on_failed=lambda message: self.view.audio.show_clip_error(path, message),
        )

    @Slot(bool)
    def _on_augment_changed(self, on: bool) -> None:
        self.session.project.dataset.augment = bool(on)

    @Slot(str, str, str)
    def _on_arrays_changed(self, x_name: str, y_name: str, task: str) -> None:
        if not self._can_reload("npz"):
            return
        data = self.session.dataset
        self._load(
            "reading the arrays",
            load_any,
            str(data.path),
            "npz",
            x_name=x_name,
            y_name=y_name,
            task=task if y_name == data.y_name else None,
        )

    @Slot(object, object)
    def _check_split(self, dataset: Any, config: Any) -> None:
        """Big data: check the split on a worker; only the newest answer is shown."""
        self.shell.tasks.run(
            CHECKS,
            "checking the data",
            split_report,
            dataset,
            config,
            on_done=self.view.show_checks,
            on_failed=lambda message: self.view.show_checks(([message], [], None)),
        )

    # -- results -------------------------------------------------------------------------

    def _on_loaded(self, result: Any) -> None:
        self._stop_big_load()
        dataset, summary = result
        new_file = self.session.set_dataset(dataset, summary)
        self.view.banner.clear()
        self.view.set_dataset(dataset, summary)
        self.view.set_augment(self.session.project.dataset.augment)
        self.view.set_split(self.session.project.training)
        project, then = self.pending_project, self._then
        self._forget_waiting()
        if self.on_applied is not None:
            self.on_applied(dataset, summary, new_file, project)
        if then is not None:
            then[0]()

    def _on_load_failed(self, message: str) -> None:
        self._stop_big_load()
        project, then = self.pending_project, self._then
        self._forget_waiting()
        if project is not None and self.on_project_without_data is not None:
            self.on_project_without_data(project)
        if then is not None and then[1]:
            message += " " + then[1]
        self.view.restore()
        self.view.banner.show_message(message, "error")
        self.shell.show_tab(self.view)
        self.status(f"Could not use that data.{self._kept()}", STATUS_TIMEOUT_MS)

    def _on_load_cancelled(self) -> None:
        self._stop_big_load()
        self._forget_waiting()
        self.view.restore()
        self.status(f"Loading cancelled.{self._kept()}", STATUS_TIMEOUT_MS)

    def _forget_waiting(self) -> None:
        """A project or run waiting for this data waits no more."""
        self.pending_project = None
        self._then = None

    # -- drag and drop -------------------------------------------------------------------

    @staticmethod
    def dropped_path(mime: QMimeData) -> str | None:
        """The first local file or folder of a drop, if any."""
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return url.toLocalFile()
        return None

    def describe_loaded(self, dataset: Any, summary: dict[str, Any], new_file: bool) -> str:
        """'Loaded imdb.csv: 1,000 rows, 2 classes (text: 'review', label: 'sentiment').'"""
        classes = self.session.num_classes or 0
        verb = "Loaded" if new_file else "Using"
        if dataset.task == "classification":
            what = f"{classes} classes"
        else:
            what = f"regression on {getattr(dataset, 'label_column', 'y')!r}"
        message = f"{verb} {Path(dataset.path).name}: {int(summary['rows']):,} rows, {what}"
        if dataset.kind == "text":
            return message + f" (text: {dataset.text_column!r}, label: {dataset.label_column!r})."
        return message + f" ({dataset.kind})."

    def shutdown(self) -> None:
        """Stop polling the load's progress and any clip playing (the task runner joins the
        threads)."""
        self.load_timer.stop()
        playback.stop()
