#!/usr/bin/env bash
# Build the one-folder bundle (PyInstaller) and the Debian package, from a fresh clone.
#
#   packaging/build.sh            -> packaging/build/training-workbench_<version>_amd64.deb
#
# Makes its own venv in packaging/build/venv (with the system's site-packages visible, so an
# installed TensorFlow is reused, otherwise pip installs it), installs this project into it
# as a wheel would (not editable) with the `packaging` extra, runs the spec, then deb.sh.
# PYTHON picks the interpreter (default python3). Needs dpkg-deb for the .deb.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BUILD="$HERE/build"
PYTHON="${PYTHON:-python3}"
export TF_CPP_MIN_LOG_LEVEL=2  # PyInstaller imports TensorFlow to analyse it: keep its log quiet
mkdir -p "$BUILD"
start=$(date +%s)

if [ ! -x "$BUILD/venv/bin/python" ]; then
    "$PYTHON" -m venv --system-site-packages "$BUILD/venv"
fi
VPY="$BUILD/venv/bin/python"
# Not editable: PyInstaller must find workbench/ and workbench/resources/ as plain folders,
# and the dist-info that gives the frozen app its version.
"$VPY" -m pip install --quiet --disable-pip-version-check "$ROOT[packaging,export]"
"$VPY" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$ROOT"
echo "build.sh: venv ready ($(( $(date +%s) - start )) s)"

command -v objdump >/dev/null && command -v strip >/dev/null \
    || { echo "build.sh: PyInstaller needs binutils (objdump, strip): apt-get install binutils" >&2; exit 1; }
# Run outside the source tree, so the analysis imports the installed copy, not ./workbench.
(cd "$BUILD" && "$VPY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$BUILD/dist" --workpath "$BUILD/work" "$HERE/workbench.spec")
APP="$BUILD/dist/training-workbench"
# TensorFlow (and some Pythons' libpython) ship full symbol tables (~230 MB); the dynamic
# symbols stay. Only these: stripping libraries that auditwheel patched (numpy's OpenBLAS)
# breaks them.
find "$APP/_internal/tensorflow" -type f -name '*.so*' -print0 | xargs -0 strip --strip-unneeded
find "$APP/_internal" -maxdepth 1 -type f -name 'libpython3*' -print0 | xargs -0 -r strip --strip-unneeded
find "$APP" -xtype l -delete  # links PyInstaller made to the libraries the spec dropped
echo "build.sh: bundle ready in $APP ($(du -sm "$APP" | cut -f1) MB, $(( $(date +%s) - start )) s)"

PYTHON="$VPY" "$HERE/deb.sh" "$APP" "$BUILD"  # the venv has PySide6 for the icon
echo "build.sh: done in $(( $(date +%s) - start )) s"
