"""`workbench` on a Linux desktop that lacks a library Qt's X11 plugin needs: one clear
message (the libraries, the apt line, the headless commands) and exit 2, instead of Qt's
abort ("Reinstalling the application may fix this problem", exit 134).

Nothing is uninstalled: the tests hand the check a plugin that cannot load and an ``ldd``
that reports what a bare system would, or build a real library that needs a missing one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.ui import system_libs
from workbench.ui.system_libs import (
    DEBIAN_PACKAGES,
    message_for,
    missing_libraries,
    parse_ldd,
    will_use_xcb,
    window_problem,
)

ROOT = Path(__file__).resolve().parents[2]
ON_LINUX = sys.platform.startswith("linux")

# What ldd prints for libqxcb.so on a desktop without libxcb-cursor0 and libxcb-xinerama0
# (abridged from a real run; a missing library can show up again under another one).
LDD_BARE = textwrap.dedent(
    """\
    \tlinux-vdso.so.1 (0x00007ffd5d7e9000)
    \tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
    \tlibQt6Gui.so.6 => /opt/PySide6/Qt/plugins/platforms/../../lib/libQt6Gui.so.6 (0x2)
    \tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x3)
    \tlibxcb-cursor.so.0 => not found
    \tlibxcb-icccm.so.4 => /lib/x86_64-linux-gnu/libxcb-icccm.so.4 (0x4)
    \tlibxcb-xinerama.so.0 => not found
    \tlibxcb-cursor.so.0 => not found
    \t/lib64/ld-linux-x86-64.so.2 (0x00007f9d3d8ba000)
    """
)
DLOPEN_ERROR = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
X11_DESKTOP = {"DISPLAY": ":0", "HOME": "/home/someone"}


def fails_to_load(path: Path) -> str:
    return DLOPEN_ERROR


def loads(path: Path) -> None:
    return None


def never_ldd(path: Path) -> str:
    raise AssertionError("ldd runs only when the plugin fails to load")


# -- the parts ------------------------------------------------------------------------------


def test_ldd_output_gives_each_missing_library_once():
    assert parse_ldd(LDD_BARE) == ["libxcb-cursor.so.0", "libxcb-xinerama.so.0"]
    assert parse_ldd("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n") == []
    assert parse_ldd("") == []


def test_a_plugin_that_loads_is_complete_without_asking_ldd(tmp_path):
    assert missing_libraries(tmp_path / "libqxcb.so", load=loads, ldd=never_ldd) == []


def test_ldd_names_every_missing_library_when_the_load_fails(tmp_path):
    missing = missing_libraries(tmp_path / "libqxcb.so", fails_to_load, lambda p: LDD_BARE)
    assert missing == ["libxcb-cursor.so.0", "libxcb-xinerama.so.0"]


def test_without_ldd_the_loaders_message_names_the_library(tmp_path):
    plugin = tmp_path / "libqxcb.so"
    assert missing_libraries(plugin, fails_to_load, lambda p: None) == ["libxcb-cursor.so.0"]
    # a failure that is not a missing library (a broken file): nothing to name, Qt decides
    broken = "libqxcb.so: invalid ELF header"
    assert missing_libraries(plugin, lambda p: broken, lambda p: None) == []


def test_ldd_missing_or_hanging_gives_none(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ldd here
    assert system_libs.run_ldd(tmp_path / "libqxcb.so") is None
    hanging = tmp_path / "ldd"
    hanging.write_text("#!/bin/sh\nsleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setattr(system_libs, "LDD_TIMEOUT_S", 0.2)
    assert system_libs.run_ldd(tmp_path / "libqxcb.so") is None


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "minimal"}, False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),  # Qt tries wayland first
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({}, None),  # no display at all: ssh without -X
        ({"QT_QPA_PLATFORM": "xcb"}, None),
    ],
)
def test_which_platform_qt_will_use(environ, expected):
    assert will_use_xcb(environ) is expected


def test_the_message_names_libraries_packages_and_what_works_without_them():
    text = message_for(["libxcb-cursor.so.0", "libxcb-xinerama.so.0"])
    assert "libxcb-cursor.so.0, libxcb-xinerama.so.0" in text
    install = [line.strip() for line in text.splitlines() if "apt install" in line]
    assert install == ["sudo apt install libxcb-cursor0 libxcb-xinerama0"]
    assert "workbench train --data FILE" in text
    assert "workbench --help" in text
    assert "QT_QPA_PLATFORM=offscreen" in text  # only X11 libraries missing: offscreen works
    assert "Reinstalling" not in text


def test_the_message_for_a_library_qt_itself_needs_and_an_unknown_one():
    text = message_for(["libEGL.so.1", "libfontconfig.so.1", "libweird.so.3"])
    assert "sudo apt install libegl1 libfontconfig1\n" in text + "\n"
    assert "libweird.so.3" in text and "apt-file search" in text
    assert "QT_QPA_PLATFORM=offscreen" not in text  # QtGui needs libEGL on any platform


def test_every_library_of_the_issue_maps_to_its_debian_package():
    assert {
        "libxcb-cursor.so.0": "libxcb-cursor0",
        "libxcb-icccm.so.4": "libxcb-icccm4",
        "libxcb-image.so.0": "libxcb-image0",
        "libxcb-keysyms.so.1": "libxcb-keysyms1",
        "libxcb-randr.so.0": "libxcb-randr0",
        "libxcb-render-util.so.0": "libxcb-render-util0",
        "libxcb-shape.so.0": "libxcb-shape0",
        "libxcb-xinerama.so.0": "libxcb-xinerama0",
        "libxcb-xkb.so.1": "libxcb-xkb1",
        "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
        "libxkbcommon.so.0": "libxkbcommon0",
        "libEGL.so.1": "libegl1",
        "libGL.so.1": "libgl1",
        "libfontconfig.so.1": "libfontconfig1",
        "libdbus-1.so.3": "libdbus-1-3",
    }.items() <= DEBIAN_PACKAGES.items()


def test_only_linux_with_x11_is_checked(tmp_path):
    plugin = tmp_path / "libqxcb.so"
    for platform in ("win32", "darwin"):
        assert window_problem({}, platform, plugin, fails_to_load, never_ldd) is None
    offscreen = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}
    assert window_problem(offscreen, "linux", plugin, fails_to_load, never_ldd) is None
    problem = window_problem(X11_DESKTOP, "linux", plugin, fails_to_load, lambda p: LDD_BARE)
    assert problem is not None and "sudo apt install libxcb-cursor0 libxcb-xinerama0" in problem
    assert window_problem(X11_DESKTOP, "linux", plugin, loads, never_ldd) is None
    assert "no display" in window_problem({}, "linux", plugin, loads, never_ldd)


@pytest.mark.skipif(not ON_LINUX, reason="the xcb plugin is Linux's")
def test_this_machines_plugin_against_its_own_ldd():
    """A complete system passes; a system missing something is told exactly that."""
    plugin = system_libs.xcb_plugin(os.environ)
    if plugin is None:
        pytest.skip("no libqxcb.so in this PySide6")
    problem = window_problem(X11_DESKTOP, "linux", plugin)
    output = system_libs.run_ldd(plugin)
    if output is None:
        pytest.skip("no ldd here")
    missing = parse_ldd(output)
    if missing:
        assert problem is not None and all(name in problem for name in missing)
    else:
        assert problem is None


# -- the real entry point, in a fresh process ---------------------------------------------


def _desktop_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND_", "XDG_"))}
    env.update(DISPLAY=":97", WORKBENCH_HOME=str(tmp_path / "home"), **extra)
    return env


def _workbench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    code = f"import sys; from workbench.cli import main; sys.exit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not ON_LINUX, reason="the xcb plugin is Linux's")
@pytest.mark.parametrize("args", [(), ("gui",)])
def test_workbench_names_the_missing_libraries_and_exits_2(tmp_path, args):
    """A plugin that does not load, and an ldd (first on PATH) that says why."""
    plugins = tmp_path / "platforms"
    plugins.mkdir()
    (plugins / "libqxcb.so").write_text("not a shared library")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ldd").write_text(f"#!/bin/sh\ncat <<'EOF'\n{LDD_BARE}EOF\n")
    (bin_dir / "ldd").chmod(0o755)
    env = _desktop_env(
        tmp_path,
        QT_QPA_PLATFORM_PLUGIN_PATH=str(plugins),
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    done = _workbench(env, *args)
    assert done.returncode == 2, done.stderr
    assert "libxcb-cursor.so.0, libxcb-xinerama.so.0" in done.stderr
    assert "sudo apt install libxcb-cursor0 libxcb-xinerama0" in done.stderr
    assert "workbench --help" in done.stderr
    assert "Reinstalling" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not (ON_LINUX and shutil.which("cc")), reason="needs Linux and a C compiler")
def test_a_real_plugin_that_needs_a_missing_library(tmp_path):
    """No stand-ins: a shared library linked against one that is then removed, found by the
    real dynamic loader and the real ldd."""
    absent = "libworkbench-absent-test.so.0"
    (tmp_path / "stub.c").write_text("int workbench_stub(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text(
        "int workbench_stub(void);\nint plugin(void) { return workbench_stub(); }\n"
    )
    plugins = tmp_path / "platforms"
    plugins.mkdir()
    run = {"cwd": tmp_path, "check": True, "capture_output": True}
    subprocess.run(
        ["cc", "-shared", "-fPIC", f"-Wl,-soname,{absent}", "-o", absent, "stub.c"], **run
    )
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(plugins / "libqxcb.so"), "plugin.c", f"./{absent}"],
        **run,
    )
    (tmp_path / absent).unlink()
    done = _workbench(_desktop_env(tmp_path, QT_QPA_PLATFORM_PLUGIN_PATH=str(plugins)))
    assert done.returncode == 2, done.stderr
    assert absent in done.stderr
    assert "Reinstalling" not in done.stderr


@pytest.mark.skipif(not ON_LINUX, reason="Qt's X11 platform is Linux's")
def test_workbench_without_any_display_says_so(tmp_path):
    env = _desktop_env(tmp_path)
    del env["DISPLAY"]
    done = _workbench(env)
    assert done.returncode == 2, done.stderr
    assert "no display" in done.stderr
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr
