#!/usr/bin/env bash
# Wrap a one-folder bundle in a .deb with dpkg-deb (called by build.sh).
#
#   packaging/deb.sh BUNDLE_DIR OUT_DIR     -> OUT_DIR/training-workbench_<version>_amd64.deb
#
# Layout: the bundle in /opt/training-workbench, /usr/bin/workbench a relative symlink to it,
# a .desktop entry and hicolor icons in /usr/share so desktops list it in their menu.
# The version is the one the bundle reports (`workbench --version`, i.e. pyproject.toml).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BUNDLE="$(cd "$1" && pwd)"
OUT="$(mkdir -p "$2" && cd "$2" && pwd)"
PKG=training-workbench
PYTHON="${PYTHON:-python3}"

VERSION="$(QT_QPA_PLATFORM=offscreen "$BUNDLE/workbench" --version | awk '{print $2}')"
[[ "$VERSION" =~ ^[0-9] ]] || { echo "deb.sh: the bundle did not report a version" >&2; exit 1; }
ARCH="$(dpkg --print-architecture)"

STAGE="$OUT/deb-root"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/doc/$PKG" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/$PKG"
ln -s "../../opt/$PKG/workbench" "$STAGE/usr/bin/workbench"  # relative: works in any root

install -m 644 "$ROOT/resources/icon.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$PKG.svg"
ICONS="$OUT/icons"
"$PYTHON" "$HERE/render_icon.py" "$ICONS" 48 128 256
for size in 48 128 256; do
    mkdir -p "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps"
    install -m 644 "$ICONS/icon-$size.png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/$PKG.png"
done
install -m 644 "$HERE/linux/$PKG.desktop" "$STAGE/usr/share/applications/$PKG.desktop"
install -m 644 "$HERE/linux/copyright" "$STAGE/usr/share/doc/$PKG/copyright"

# Qt does not bundle the X/xcb, EGL/GL, font and D-Bus libraries: the system provides them.
# List found with `ldd` on the bundle's Qt libraries and plugins (see packaging/README.md).
DEPENDS="libc6 (>= 2.31), libstdc++6, libgcc-s1, zlib1g, libglib2.0-0t64 | libglib2.0-0, \
libdbus-1-3, libfontconfig1, libfreetype6, libx11-6, libx11-xcb1, libxext6, libxrender1, \
libxcb1, libxcb-cursor0, libxcb-glx0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, \
libxcb-randr0, libxcb-render0, libxcb-render-util0, libxcb-shape0, libxcb-shm0, libxcb-sync1, \
libxcb-xfixes0, libxcb-xkb1, libxcb-util1, libxkbcommon0, libxkbcommon-x11-0, \
libegl1, libgl1, fonts-dejavu-core | fonts-liberation2 | fonts-freefont-ttf"
SIZE_KB="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: Training Workbench developers <noreply@example.invalid>
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Section: science
Priority: optional
Homepage: https://example.invalid/training-workbench
Description: build, train and use neural networks without writing code
 A desktop application (Qt) for loading data, stacking Keras layers, training
 with live plots and predicting, with a headless command line (workbench).
 TensorFlow (CPU) and Qt are bundled in /opt/$PKG.
CONTROL
cat > "$STAGE/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
POSTINST
cp "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
sed -i 's/= configure/= remove/' "$STAGE/DEBIAN/postrm"
chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"

DEB="$OUT/${PKG}_${VERSION}_${ARCH}.deb"
# xz: every dpkg reads it. Level 1 by default: on TensorFlow's libraries it is about 11% larger
# than level 6 but six times faster (about a minute of CPU here); XZ_LEVEL=6 for a release.
dpkg-deb --root-owner-group -Zxz -z"${XZ_LEVEL:-1}" --threads-max="$(nproc)" --build "$STAGE" "$DEB"
rm -rf "$STAGE" "$ICONS"
echo "deb.sh: $DEB ($(du -m "$DEB" | cut -f1) MB; installed $(( SIZE_KB / 1024 )) MB)"
