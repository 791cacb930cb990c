"""Smoke test of the .deb: unpack it into a temporary root and use the frozen app.

    python3 packaging/smoke_test.py [DEB] [--trials N]     (or packaging/smoke_test.sh)

1. ``dpkg -x`` the package into a temporary root; check the launcher symlink, the .desktop
   entry and the icon; ``ldd`` the Qt libraries and the xcb platform plugin (a library that
   is neither bundled nor installed means a missing Depends).
2. The frozen CLI trains the bundled sample for one epoch and predicts with the saved model.
3. The frozen GUI starts offscreen with WORKBENCH_SMOKE_TEST=1 until the window is shown and
   TensorFlow has loaded, then closes through its normal shutdown path (N trials); with Xvfb
   installed, once more on a virtual X display through the xcb plugin.

The app runs with a clean environment (no PYTHONPATH, a temporary HOME and WORKBENCH_HOME),
so it can only use what the package holds. Fails (exit 1) on any error; prints the time to
first window and to backend ready, and one JSON summary line at the end.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP = "opt/training-workbench"
BAD_OUTPUT = ("Traceback", "QThread: Destroyed", "Segmentation fault", "core dumped")


class SmokeFailure(Exception):
    """A check failed; the message says which and shows the app's output."""


def newest_deb() -> Path:
    debs = sorted(glob.glob(str(HERE / "build" / "*.deb")), key=os.path.getmtime)
    if not debs:
        raise SmokeFailure("no .deb in packaging/build/: run packaging/build.sh first")
    return Path(debs[-1])


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Only what a desktop session would give the app, and nothing of this Python."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "WORKBENCH_HOME": str(home / "workbench"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    env.update(extra)
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float = 600) -> str:
    """Run the frozen app; fail on a non-zero exit or a traceback in its output."""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or any(bad in output for bad in BAD_OUTPUT):
        raise SmokeFailure(f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-4000:]}")
    return proc.stdout


def check_layout(root: Path) -> None:
    launcher = root / "usr/bin/workbench"
    if not launcher.is_symlink() or not os.access(launcher.resolve(), os.X_OK):
        raise SmokeFailure(f"{launcher} is not a symlink to the frozen app")
    desktop = root / "usr/share/applications/training-workbench.desktop"
    text = desktop.read_text(encoding="utf-8")
    for line in ("Exec=workbench", "Icon=training-workbench", "Type=Application"):
        if line not in text:
            raise SmokeFailure(f"{desktop} lacks {line!r}")
    if shutil.which("desktop-file-validate"):  # desktop-file-utils, where installed
        check = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise SmokeFailure(f"{desktop.name} is not valid:\n{check.stdout}{check.stderr}")
    for icon in ("scalable/apps/training-workbench.svg", "256x256/apps/training-workbench.png"):
        if not (root / "usr/share/icons/hicolor" / icon).is_file():
            raise SmokeFailure(f"icon {icon} missing from the package")
    qt = root / APP / "_internal/PySide6/Qt"
    libs = [*qt.glob("lib/libQt6*.so*"), *qt.glob("plugins/platforms/*.so")]
    libs += qt.glob("plugins/xcbglintegrations/*.so")
    if not any(p.name == "libqxcb.so" for p in libs):
        raise SmokeFailure(f"the xcb platform plugin is not in {qt}/plugins/platforms")
    missing = set()
    for lib in libs:
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True).stdout
        missing |= {
            f"{ln.split()[0]} (for {lib.name})" for ln in out.splitlines() if "not found" in ln
        }
    if missing:
        raise SmokeFailure("libraries neither bundled nor installed: " + ", ".join(sorted(missing)))


def check_cli(app: str, tmp: Path) -> dict[str, object]:
    env = clean_env(tmp)
    version = run([app, "--version"], env).strip()
    start = time.perf_counter()
    out = run(
        [app, "train", "--sample", "--epochs", "1", "--output", str(tmp / "m"), "--json"], env
    )
    train_s = time.perf_counter() - start
    events = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
    done = [e for e in events if e.get("event") == "done"]
    if not done or not (tmp / "m" / "model.keras").is_file():
        raise SmokeFailure(f"train did not finish with a saved model:\n{out[-2000:]}")
    text = "a transcription from one alphabet to another"
    out = run([app, "predict", str(tmp / "m" / "model.keras"), "--text", text, "--json"], env)
    prediction = json.loads(out.strip().splitlines()[-1])
    if prediction.get("input") != text or not prediction.get("probabilities"):
        raise SmokeFailure(f"predict gave no probabilities: {out}")
    # evaluate: scikit-learn (metrics, the linear baseline) must be in the bundle
    sample = next((tmp / "m").glob("project.json"), None)
    data = json.loads(sample.read_text(encoding="utf-8"))["dataset"]["path"] if sample else ""
    out = run([app, "evaluate", str(tmp / "m" / "model.keras"), "--data", data, "--json"], env)
    scores = json.loads(out.strip().splitlines()[-1])
    if not scores.get("accuracy") or "baseline" not in scores:
        raise SmokeFailure(f"evaluate gave no accuracy or baseline: {out[-2000:]}")
    print(
        f"smoke: evaluate accuracy {scores['accuracy']:.3f} vs {scores['baseline']['name']} "
        f"{scores['baseline']['accuracy']:.3f}"
    )
    # export: the [export] extra's converters and runtimes must be in the bundle and work
    for fmt in ("savedmodel", "litert", "onnx"):
        folder = tmp / f"export-{fmt}"
        out = run([app, "export", str(tmp / "m"), "--format", fmt, "--output", str(folder),
                   "--rows", "100", "--json"], env)
        report = json.loads(out.strip().splitlines()[-1])
        if not report.get("passed") or not (folder / "MODEL_CARD.md").is_file():
            raise SmokeFailure(f"export --format {fmt} did not pass its parity check: {out}")
        print(f"smoke: export {fmt}: labels agree on {report['label_agreement']:.1%}")
    # audio: libsndfile (soundfile's bundled library) and soxr must be in the bundle
    out = run([app, "train", "--sample", "spoken-digits", "--epochs", "1", "--output",
               str(tmp / "audio"), "--json"], env)
    audio = json.loads((tmp / "audio" / "project.json").read_text(encoding="utf-8"))
    clip = next(Path(audio["dataset"]["path"]).rglob("*.wav"))
    out = run([app, "predict", str(tmp / "audio"), "--input", str(clip), "--json"], env)
    heard = json.loads(out.strip().splitlines()[-1])
    if len(heard.get("probabilities", {})) != 10:
        raise SmokeFailure(f"audio predict gave no ten probabilities: {out[-2000:]}")
    print(f"smoke: audio: {clip.name} heard as {heard['label']!r}")
    # sweep: the bundle leaves Ray out; the command must say so in one line (exit 2)
    proc = subprocess.run(
        [app, "sweep", "--sample", "wordnet-topics", "--epochs", "1",
         "--param", "lr=choice(0.01, 0.02)"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    said = proc.stderr.strip().splitlines()
    if proc.returncode != 2 or not said or "not part of the packaged app" not in said[-1]:
        raise SmokeFailure(f"sweep without Ray did not refuse in one line:\n{proc.stderr[-2000:]}")
    print(f"smoke: sweep: {said[-1]}")
    print(
        f"smoke: {version}; trained 1 epoch in {train_s:.1f} s "
        f"(val_accuracy {done[0].get('val_accuracy')}); predicted {prediction['label']!r}"
    )
    return {
        "version": version,
        "train_1_epoch_s": round(train_s, 1),
        "val_accuracy": done[0].get("val_accuracy"),
        "prediction": prediction["label"],
    }


def gui_trial(app: str, tmp: Path, **env_extra: str) -> dict[str, float]:
    """Start the window with the smoke option; seconds from launch to each event."""
    env = clean_env(tmp, WORKBENCH_SMOKE_TEST="1", **env_extra)
    start = time.time()
    proc = subprocess.Popen(
        [app], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise SmokeFailure(f"the GUI did not quit within 300 s:\n{out}\n{err[-3000:]}") from None
    events = {}
    for line in out.splitlines():
        if line.startswith('{"smoke"'):
            event = json.loads(line)
            events[event["smoke"]] = event["time"] - start
    if (
        proc.returncode != 0
        or any(bad in out + err for bad in BAD_OUTPUT)
        or not {"window_shown", "backend_ready", "closed"} <= events.keys()
    ):
        raise SmokeFailure(
            f"the GUI smoke run failed (exit {proc.returncode}):\n{out}\n{err[-3000:]}"
        )
    return events


def start_xvfb() -> tuple[subprocess.Popen | None, str]:
    """A virtual X server on a free display (Xvfb picks it: -displayfd), or None."""
    if not shutil.which("Xvfb"):
        return None, ""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # written once the server accepts connections
    if not number.isdigit():
        proc.kill()
        raise SmokeFailure("Xvfb did not start")
    return proc, f":{number}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deb", nargs="?", type=Path, help="default: newest packaging/build/*.deb")
    parser.add_argument("--trials", type=int, default=3, help="offscreen GUI starts (default 3)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="workbench-smoke-"))
    xvfb = None
    try:
        deb = args.deb or newest_deb()
        root = tmp / "root"
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
        check_layout(root)
        app = str(root / "usr/bin/workbench")
        summary: dict[str, object] = {"deb": deb.name, "deb_mb": round(deb.stat().st_size / 2**20)}
        summary.update(check_cli(app, tmp))
        trials = [gui_trial(app, tmp, QT_QPA_PLATFORM="offscreen") for _ in range(args.trials)]
        shown = [t["window_shown"] for t in trials]
        ready = [t["backend_ready"] for t in trials]
        summary.update(
            first_window_s=[round(s, 2) for s in shown],
            first_window_s_median=round(statistics.median(shown), 2),
            backend_ready_s_median=round(statistics.median(ready), 2),
        )
        print(
            f"smoke: GUI offscreen: window shown after {summary['first_window_s_median']} s "
            f"(median of {args.trials}), backend ready after {summary['backend_ready_s_median']} s"
        )
        xvfb, display = start_xvfb()
        if xvfb is not None:
            x = gui_trial(app, tmp, QT_QPA_PLATFORM="xcb", DISPLAY=display)
            summary["xcb_first_window_s"] = round(x["window_shown"], 2)
            print(f"smoke: GUI on Xvfb (xcb): window shown after {x['window_shown']:.2f} s")
        print(json.dumps(summary))
        print("smoke: OK")
        return 0
    except (SmokeFailure, subprocess.CalledProcessError, OSError, ValueError) as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
