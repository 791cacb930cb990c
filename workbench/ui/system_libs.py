"""Before Qt starts: can it open a window here? If not, say why in words and exit with 2.

On a Linux desktop without one of the system libraries Qt's X11 platform plugin
(``libqxcb.so``) needs, say libxcb-cursor0, Qt aborts the process when the QApplication is
created, with "Reinstalling the application may fix this problem" and exit status 134. This
module finds out first and names the missing libraries, the ``apt install`` line that adds
them, and the commands that work without a window.

It imports no part of PySide6 (a missing libEGL or libfontconfig makes even
``import PySide6.QtGui`` fail), only locates its files, so ``workbench.cli`` calls it before
importing the window.

Cost, when everything is installed: the plugin is loaded once with ``dlopen`` (the libraries
Qt would load a moment later anyway), a few ms. ``ldd`` runs only when that load fails, to
list every missing library rather than the first.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: The Debian/Ubuntu package that provides each library Qt's xcb plugin (and the Qt
#: libraries it pulls) needs from the system.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
}

#: Libraries only the X11 plugin needs: without them the offscreen platform still runs.
_X11_ONLY = re.compile(r"^lib(xcb|X11-xcb|xkbcommon-x11)")
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")
_DLOPEN_ERROR = re.compile(r"([\w.+-]+\.so(?:\.[\w.]+)?): cannot open shared object file")
LDD_TIMEOUT_S = 5.0

HEADLESS_HINT = (
    "The commands that need no window work as they are: `workbench train --data FILE` (or "
    "--sample), `workbench check-data FILE`, `workbench predict`, `workbench export`; "
    "`workbench --help` lists every command."
)
OFFSCREEN_HINT = (
    "QT_QPA_PLATFORM=offscreen starts the window without drawing it on a screen "
    "(scripted checks, tests)."
)


def will_use_xcb(environ: Mapping[str, str]) -> bool | None:
    """Whether Qt will open its window through X11 (xcb), as Qt >= 6.5 picks the platform.

    True: xcb. False: another platform (offscreen, wayland, minimal, ...), nothing to check.
    None: xcb, but there is no display to connect to (neither DISPLAY nor WAYLAND_DISPLAY).
    """
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:  # "xcb", "wayland;xcb", "offscreen", "xcb:option=value": the first one is tried
        first = chosen.split(";")[0].split(":")[0].strip()
        if first != "xcb":
            return False
        return True if "DISPLAY" in environ else None
    if "WAYLAND_DISPLAY" in environ or environ.get("XDG_SESSION_TYPE") == "wayland":
        return False  # Qt tries wayland first there (and its plugin needs no xcb library)
    return True if "DISPLAY" in environ else None


def xcb_plugin(environ: Mapping[str, str]) -> Path | None:
    """PySide6's platforms/libqxcb.so (or one in QT_QPA_PLATFORM_PLUGIN_PATH), if present."""
    folders = []
    if environ.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        folders.append(Path(environ["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    try:
        spec = importlib.util.find_spec("PySide6")  # locates, does not import
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders.append(Path(location) / "Qt" / "plugins" / "platforms")
    for folder in folders:
        candidate = folder / "libqxcb.so"
        if candidate.is_file():
            return candidate
    return None


def dlopen_error(path: Path) -> str | None:
    """Load the library as Qt will; None if it loads, else the dynamic loader's message."""
    import ctypes

    try:
        ctypes.CDLL(str(path))
    except OSError as exc:
        return str(exc)
    return None


def run_ldd(path: Path) -> str | None:
    """``ldd PATH``'s output, or None when ldd is missing, fails or hangs."""
    import subprocess  # only when the plugin failed to load: not on every start

    try:
        done = subprocess.run(
            ["ldd", str(path)],
            capture_output=True,
            text=True,
            timeout=LDD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.stdout else None


def parse_ldd(output: str) -> list[str]:
    """The libraries ldd reports as "not found", each once, in its order."""
    found = []
    for line in output.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def missing_libraries(
    plugin: Path,
    load: Callable[[Path], str | None] = dlopen_error,
    ldd: Callable[[Path], str | None] = run_ldd,
) -> list[str]:
    """The shared libraries ``plugin`` (and what it pulls) cannot find; [] if it loads.

    The dynamic loader names only the first missing library; ldd, asked only then, names
    all of them. Without ldd, the loader's one name is the answer.
    """
    error = load(plugin)
    if error is None:
        return []
    output = ldd(plugin)
    missing = parse_ldd(output) if output else []
    if not missing:
        missing = list(dict.fromkeys(_DLOPEN_ERROR.findall(error)))
    return missing


def message_for(missing: list[str]) -> str:
    """The words a person reads: what is missing, the one line that installs it, what else."""
    packages = list(
        dict.fromkeys(DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES)
    )
    unknown = [name for name in missing if name not in DEBIAN_PACKAGES]
    what = "a system library that is" if len(missing) == 1 else "system libraries that are"
    lines = [
        "workbench: cannot open the window: Qt's X11 (xcb) platform plugin needs "
        f"{what} not installed: {', '.join(missing)}.",
    ]
    if packages:
        lines.append(f"Install {'it' if len(missing) == 1 else 'them'} (Debian/Ubuntu):")
        lines.append(f"    sudo apt install {' '.join(packages)}")
    if unknown:
        lines.append(
            f"The package providing {', '.join(unknown)}: `apt-file search NAME` "
            "(or your distribution's package search) finds it."
        )
    lines.append(HEADLESS_HINT)
    if all(_X11_ONLY.match(name) for name in missing):
        lines.append(OFFSCREEN_HINT)
    return "\n".join(lines)


NO_DISPLAY = (
    "workbench: cannot open the window: there is no display (DISPLAY and WAYLAND_DISPLAY are "
    "not set; over ssh, `ssh -X` forwards one).\n" + HEADLESS_HINT + "\n" + OFFSCREEN_HINT
)


def window_problem(
    environ: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    plugin: Path | None = None,
    load: Callable[[Path], str | None] | None = None,
    ldd: Callable[[Path], str | None] | None = None,
) -> str | None:
    """Why Qt would abort opening a window here, in words; None when nothing is known wrong.

    Only Linux with X11 is checked: elsewhere (Windows, macOS, wayland, offscreen) Qt's own
    start-up stands. Unknown situations (no plugin file found, a load failing for another
    reason than a missing library) give None, and Qt proceeds as it would have.
    ``environ``, ``platform``, ``plugin``, ``load`` and ``ldd`` stand in for the real ones
    in tests.
    """
    if not platform.startswith("linux"):
        return None
    environ = os.environ if environ is None else environ
    xcb = will_use_xcb(environ)
    if xcb is None:
        return NO_DISPLAY
    if not xcb:
        return None
    plugin = plugin or xcb_plugin(environ)
    if plugin is None:
        return None
    missing = missing_libraries(plugin, load or dlopen_error, ldd or run_ldd)
    return message_for(missing) if missing else None
