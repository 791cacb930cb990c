"""Atomic saves: write a hidden temporary file next to the target, fsync, rename.

A reader sees the previous complete file or the new complete one, never half of one, even
when the writer is killed or the disk fills. The temporary file is named
``.<name>.<pid>.<random>`` (hidden, and never the target's own name), so no reader takes it
for the real file; one left behind by a killed writer is removed by the next save of the same
file. A save that fails raises :class:`~workbench.core.errors.SaveFailed` in one line naming
the file and what to do, instead of a bare ``OSError``.

The saved file gets the permissions a plain ``open(path, "w")`` would give it: those of the
file it replaces, or ``0o666`` less the umask for a new one (``mkstemp`` makes its files
``0o600``, and the rename would keep that).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from workbench.core.errors import SaveFailed

# errno values that mean "there is no room for this file".
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
# errno values that mean "this folder cannot be written to".
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST}


# Guards the fallback umask read (set, then restore), which is not atomic.
_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    Linux reports it in ``/proc/self/status``; elsewhere it is read by setting and restoring
    it (briefly ``0o077``, so a file another thread creates meanwhile is only more private).
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8) & 0o777
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask & 0o777


def mode_for(path: Path) -> int:
    """The permission bits a plain ``open(path, "w")`` leaves ``path`` with: those of the file
    there now, else ``0o666`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (itself, or one it was raised from), if any.

    Libraries that write files (Keras, zipfile) sometimes wrap the OSError of a full disk.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.errno is not None:
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def save_failed(path: str | Path, exc: BaseException) -> SaveFailed:
    """A one-line :class:`SaveFailed` for an error raised while writing ``path``."""
    error = os_error_in(exc)
    reason = (error.strerror if error is not None else None) or str(exc) or type(exc).__name__
    code = error.errno if error is not None else None
    if code in _NO_ROOM:
        problem = (
            f"cannot be saved: the disk is full or the file is too large ({reason}); free some "
            "space or save to another disk. The previous version is unchanged."
        )
    elif code in _NOT_WRITABLE:
        problem = (
            f"cannot be saved: the folder cannot be written to ({reason}); choose a folder "
            "you can write to."
        )
    else:
        problem = f"cannot be saved ({reason}); the previous version is unchanged."
    return SaveFailed(path, problem)


def temp_prefix(path: Path) -> str:
    """The start of this process's temporary names for ``path``."""
    return f".{path.name}.{os.getpid()}."


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id runs (one owned by another user counts)."""
    if not pid or pid < 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def remove_stale_temps(path: Path) -> None:
    """Remove temporary files for ``path`` left by writers that were killed (their process is
    gone); a temporary file of a live process, this one included, is left alone."""
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid, _, _ = entry.name[len(prefix) :].partition(".")
        if not pid.isdigit() or pid_alive(int(pid)):
            continue
        with suppress(OSError):
            os.unlink(entry.path)


def make_folder(folder: Path) -> None:
    """``mkdir -p``, or SaveFailed naming the folder when it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SaveFailed(
            folder, f"cannot be created ({reason}); choose a folder you can write to."
        ) from None


@contextmanager
def atomic_path(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path next to ``path`` to write into; renamed onto ``path`` when the block
    ends without an error, removed otherwise. For writers that need a file name (Keras)."""
    path = Path(path)
    make_folder(path.parent)
    remove_stale_temps(path)
    try:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise save_failed(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.name != "nt":  # Windows files have no such bits (only read-only)
            # After the fsync's open: the mode may be read-only, as the file replaced was.
            # A disk without modes (FAT, some network shares) refuses: its files stay as are.
            with suppress(OSError):
                os.chmod(tmp, mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, Exception) and os_error_in(exc) is not None:
            raise save_failed(path, exc) from None
        raise
    fsync_folder(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write, fsync, rename: readers see the old file or the new one, never half of one."""
    with atomic_path(Path(path)) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_folder(path: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
