"""Progress, cancel and the reading thread: what lets a long read report and stop.

The GUI reads from a worker thread and must see progress and be able to cancel. Here are the
callback types, :class:`LoadCancelled`, the reporter that turns fractions into monotonic
``progress`` calls and polls ``cancel``, and the two ways a pyarrow read is driven while the
calling thread keeps reporting: a whole-file read in a helper thread, and a batch-by-batch
stream.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from workbench.core.tables import limits
from workbench.core.tables.files import _FileInfo

Progress = Callable[[float], object]


Cancel = Callable[[], bool]


class LoadCancelled(Exception):
    """Raised by :func:`read_table` when its ``cancel`` callback returned True."""


class _Reporter:
    """Turns fractions into monotonic ``progress`` calls and polls ``cancel``."""

    def __init__(self, path: Path, progress: Progress | None, cancel: Cancel | None) -> None:
        self.path = path
        self._progress = progress
        self._cancel = cancel
        self.last = 0.0

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise LoadCancelled(f"{self.path}: loading cancelled")

    def report(self, fraction: float) -> None:
        self.check()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if self._progress is not None and fraction > self.last:
            self.last = fraction
            self._progress(fraction)


class _Stopped(Exception):
    """Raised inside pyarrow's read of a _CountingFile when the caller gave up."""


class _CountingFile:
    """A binary file for pyarrow: optionally reports each chunk read, can be told to stop, and
    can append ``suffix`` after the file's last byte (the quote probe, see :class:`_Probe`).

    pyarrow calls ``read`` from its own I/O thread; with ``report`` the sizes go through a
    queue to the caller's thread, which turns them into progress calls.
    """

    def __init__(self, path: Path, suffix: bytes = b"", report: bool = False) -> None:
        self._handle = path.open("rb")
        self._suffix = suffix
        self.chunks: queue.SimpleQueue[int | None] | None = queue.SimpleQueue() if report else None
        self.stop = False
        self._position = 0

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def read(self, size: int = -1) -> bytes:
        if self.stop:
            raise _Stopped
        data = self._handle.read(size)
        if self._suffix and (size < 0 or len(data) < size):
            extra = self._suffix if size < 0 else self._suffix[: size - len(data)]
            self._suffix = self._suffix[len(extra) :]
            data += extra
        self._position += len(data)
        if self.chunks is not None:
            self.chunks.put(len(data))
        return data

    def tell(self) -> int:
        return self._position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._handle.close()


def _read_in_thread(
    info: _FileInfo,
    reporter: _Reporter,
    work: Callable[[_CountingFile], pa.Table],
    suffix: bytes = b"",
) -> pa.Table:
    """Run ``work`` (a whole-file pyarrow read) in a helper thread, reporting from this one."""
    source = _CountingFile(info.path, suffix, report=True)
    chunks = source.chunks
    assert chunks is not None
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["table"] = work(source)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc
        finally:
            chunks.put(None)

    thread = threading.Thread(target=target, name="workbench-read-table", daemon=True)
    consumed = 0
    start = reporter.last
    try:
        thread.start()
        while True:
            try:
                size = chunks.get(timeout=limits._POLL_S)
            except queue.Empty:
                size = 0
            if size is None:
                break
            consumed += size
            done = consumed / info.size if info.size else 0.0
            # leave the last 1% for converting to pandas; a second pass resumes where it was
            reporter.report(start + (0.99 - start) * min(done, 1.0))
    finally:
        source.stop = True
        thread.join()
        source.close()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["table"]  # type: ignore[return-value]


def _stream(
    info: _FileInfo,
    reporter: _Reporter,
    open_reader: Callable[[object], pa.RecordBatchReader],
    source: pa.NativeFile | _CountingFile,
    block_size: int,
    expansion: float = 1.0,
) -> pa.Table:
    """Read batch by batch in this thread: one batch per block, progress and cancel between.

    The reader reads ahead on pyarrow's I/O threads, so the position in the file says little;
    the number of blocks parsed says how far it got. ``expansion`` is how much bigger the
    decoded text is than the file (0.5 for UTF-16).
    """
    reader = None
    try:
        reader = open_reader(source)
        batches = []
        start = reporter.last
        expected = max(info.size * expansion, 1.0)
        while True:
            reporter.report(start + (0.99 - start) * min(len(batches) * block_size / expected, 1))
            try:
                batches.append(reader.read_next_batch())
            except StopIteration:
                break
        return pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        if reader is not None:
            reader.close()
        source.close()
