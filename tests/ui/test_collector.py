"""Garbage is collected on the GUI thread only while a window is open (ui/collector.py).

A worker that allocated enough to trigger the automatic collector used to free closed windows'
Qt widgets on its own thread, and the window froze (GUI thread and worker each waiting for
the other). Here a cycle is left as garbage and a worker allocates far past the collector's
thresholds: the cycle must be freed later, on the GUI thread.
"""

from __future__ import annotations

import gc
import threading
import weakref

from workbench.ui.main_window import MainWindow


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_cycles_are_freed_on_the_gui_thread_while_a_window_is_open(qtbot):
    was_enabled = gc.isenabled()
    window = MainWindow()
    qtbot.addWidget(window)
    assert not gc.isenabled()
    freed_on: list[str] = []
    node = _Node()
    weakref.finalize(node, lambda: freed_on.append(threading.current_thread().name))
    del node

    kept: list[list] = []

    def allocate() -> None:  # far past every generation's threshold, and kept alive
        kept.append([[object()] for _ in range(200_000)])

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert freed_on == []  # the worker did not collect
    qtbot.waitUntil(lambda: bool(freed_on), timeout=10_000)
    assert freed_on == [threading.main_thread().name]
    kept.clear()
    window.close()
    assert gc.isenabled() == was_enabled
