"""Python's cyclic garbage collector, run on the GUI thread only, while a window is open.

The collector runs on whichever thread happens to allocate when a generation fills, so a
worker thread importing a module or loading a model can end up freeing a closed window's Qt
widgets. A widget destroyed off the GUI thread waits for the GIL inside Qt while the GUI
thread, deleting the same widgets, waits for Qt's lock: the window freezes for good (seen as
a hang while a Keras model loaded in a worker). So while a window is open the automatic
collector is off and a timer collects on the GUI thread with the same generation thresholds
(the way pyqtgraph's ``GarbageCollector`` does); the last window to close turns it back on.
The trainer leaves collection to the host when it finds automatic collection off.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 500
_active = 0  # windows whose collector runs; automatic collection is off while above 0
_was_enabled = True


class GuiThreadCollector(QObject):
    """Collects garbage from a GUI-thread timer while started (one per window)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._running = False

    def start(self) -> None:
        """Turn automatic collection off (for the whole process) and collect here instead."""
        global _active, _was_enabled
        if self._running:
            return
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
        self._running = True
        self._timer.start()

    def stop(self) -> None:
        """Stop collecting here; the last window to stop turns automatic collection back on."""
        global _active
        if not self._running:
            return
        self._timer.stop()
        self._running = False
        _active -= 1
        if _active == 0 and _was_enabled:
            gc.enable()
            gc.collect()  # what piled up since the last tick, on this (the GUI) thread

    @Slot()
    def collect(self) -> None:
        """Collect each generation whose count passed its threshold, youngest first."""
        thresholds = gc.get_threshold()
        for generation in range(3):
            if gc.get_count()[generation] <= thresholds[generation]:
                break
            gc.collect(generation)
