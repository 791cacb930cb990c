"""App settings (Edit ▸ Settings…): choices that belong to this machine, not to a project.

So far one: the Ray cluster that searches run on. The settings live in an INI file in the
workspace ($WORKBENCH_HOME), read through QSettings, so a test (whose workspace is a temporary
folder) never reads or writes the person's own settings, and everything the app keeps is in
one place. ``WORKBENCH_RAY_ADDRESS`` in the environment wins over the saved address, as it
does for ``workbench sweep``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.core.runs import workspace_root

SETTINGS_FILE = "settings.ini"
RAY_ADDRESS_KEY = "cluster/ray_address"
RAY_ADDRESS_ENV = "WORKBENCH_RAY_ADDRESS"
#: Shown in an empty address field: what an empty address means.
LOCAL_RAY = "local: a Ray started for this search"


class AppSettings:
    """The app's settings over a QSettings (by default the workspace's settings.ini)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        """``settings``: another store (tests inject one); default: the workspace's file."""
        self.qsettings = settings or QSettings(
            str(workspace_root() / SETTINGS_FILE), QSettings.Format.IniFormat
        )

    @property
    def saved_ray_address(self) -> str:
        """The address saved in the settings ('' = a local Ray)."""
        value = self.qsettings.value(RAY_ADDRESS_KEY, "")
        return value.strip() if isinstance(value, str) else ""

    def set_ray_address(self, address: str) -> None:
        """Save the address searches run on by default ('' = a local Ray)."""
        self.qsettings.setValue(RAY_ADDRESS_KEY, address.strip())
        self.qsettings.sync()

    @property
    def ray_address(self) -> str:
        """The address a new search starts with: $WORKBENCH_RAY_ADDRESS when set, else
        the saved one."""
        return os.environ.get(RAY_ADDRESS_ENV, "").strip() or self.saved_ray_address


class SettingsDialog(QDialog):
    """Edit ▸ Settings…: the Ray cluster address; OK saves it."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.address_edit = QLineEdit(settings.saved_ray_address)
        self.address_edit.setPlaceholderText(LOCAL_RAY)
        self.address_edit.setMinimumWidth(320)
        self.address_edit.setToolTip(
            "A Ray cluster's HOST:PORT (the head's GCS port, 6379 by default) or "
            "ray://HOST:10001. Empty: each search starts a Ray on this computer and shuts it "
            "down afterwards."
        )
        form = QFormLayout()
        form.addRow("Ray cluster address:", self.address_edit)
        self.env_label = QLabel()
        self.env_label.setWordWrap(True)
        env = os.environ.get(RAY_ADDRESS_ENV, "").strip()
        if env:
            self.env_label.setText(
                f"{RAY_ADDRESS_ENV} is set ({env}): searches use it instead of the address "
                "saved here."
            )
        self.env_label.setVisible(bool(env))
        note = QLabel("Searches (Train ▸ Sweep…) start with this address; each can change it.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.env_label)
        layout.addWidget(buttons)

    @Slot()
    def accept(self) -> None:
        """Save, then close."""
        self.settings.set_ray_address(self.address_edit.text())
        super().accept()
