"""The Predict tab's behaviour: asking the model that predicts, and exporting it.

The model is the session's predictor: the one just trained, or a run's opened from the Runs
tab. The tab names it, and follows the session: new data of other inputs drops the model
and clears the old answer; a run in training pauses prediction until it ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core.model_fit import NoData
from workbench.core.session import ModelSource
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.file_dialogs import save_file
from workbench.ui.predict.view import PredictView

NO_MODEL = (
    "Train a model first (Train tab), or open a run's model in the Runs tab; then try it here."
)


class PredictController(Controller):
    """Owns the questions asked of the predictor and what comes back."""

    def __init__(self, shell: Shell, view: PredictView) -> None:
        super().__init__(shell)
        self.view = view
        self._mode = "single"  # what the answer on its way is for: single, file or images
        self._echo = ""
        self._asked_images: list[str] = []
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
        self.view.set_dataset(dataset)
        self.view.clear_result()
        self.update_state()

    def _on_predictor_changed(self, predictor: Any, source: ModelSource) -> None:
        if predictor is None:
            self.view.clear_result()
        elif predictor.kind == "text" and getattr(self.session.dataset, "kind", None) != "text":
            self.view.set_dataset(NoData(predictor.task))  # a run's text model: the text page
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
        else:
            self.view.set_available(True, "")

    # -- asking ---------------------------------------------------------------------------

    def _can_predict(self) -> bool:
        return self.session.predictor is not None and not self.session.training

    def _ask(self, mode: str, method: str, argument: Any, echo: str = "") -> None:
        self._mode = mode
        self._echo = echo
        self.shell.backend.ask(self.session.predictor, method, argument)
        self.status("Predicting…", 3000)

    @Slot(str)
    def predict_text(self, text: str) -> None:
        """Label one text (on the backend thread)."""
        if self._can_predict():
            self._ask("single", "predict", [text], text)

    @Slot(object)
    def predict_row(self, row: dict[str, Any]) -> None:
        """Predict one row of features typed in the form."""
        if self._can_predict():
            import pandas as pd

            self._ask("single", "predict_table", pd.DataFrame([row]))

    @Slot(str)
    def predict_file(self, path: str) -> None:
        """Predict every row of a table file (read on the backend thread)."""
        if self._can_predict():
            self._ask("file", "predict_table", str(path))

    @Slot(object)
    def predict_images(self, paths: list[str]) -> None:
        """Predict image files."""
        if self._can_predict():
            self._asked_images = [str(p) for p in paths]
            self._ask("images", "predict_images", list(self._asked_images))

    @Slot(int)
    def predict_index(self, index: int) -> None:
        """Predict sample ``index`` of the loaded arrays."""
        data = self.session.dataset
        if self._can_predict() and data is not None and data.kind == "npz":
            self._ask("single", "predict_arrays", data.x[index : index + 1], f"sample {index}")

    @Slot(object)
    def _on_prediction(self, result: Any) -> None:
        view = self.view
        if self._mode == "images":
            predictions, used = result
            if not predictions:
                view.show_error("None of the chosen files could be read as an image.")
                return
            view.show_image_predictions(predictions, list(used))
            unread = len(self._asked_images) - len(used)
            if unread > 0:
                view.banner.show_message(
                    f"{unread} of the chosen files could not be read as images and were left out.",
                    "warning",
                )
        elif self._mode == "file":
            predictions, frame = result
            view.show_table_predictions(predictions, frame)
        elif result:
            view.show_prediction(result[0], self._echo)
        self.shell.statusBar().clearMessage()

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
