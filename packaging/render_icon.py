"""Render resources/icon.svg to PNGs (Qt's SVG renderer; no other tool needed).

    python packaging/render_icon.py OUT_DIR [SIZE ...]   (default sizes 48 128 256)
    python packaging/render_icon.py --ico FILE.ico | --icns FILE.icns

deb.sh calls it for the hicolor icon theme; the Windows and macOS steps in
packaging/README.md for the .ico and .icns. resources/icon.png (256 px) is kept in the
repository for places that take only a bitmap.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parent.parent / "resources" / "icon.svg"


def render(size: int, out: Path) -> None:
    """Write the icon as a size x size image (format from the suffix), transparent."""
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"render_icon: {SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"render_icon: could not write {out}")


def main(argv: list[str]) -> None:
    """Render each size to OUT_DIR/icon-SIZE.png."""
    if not argv:
        raise SystemExit(__doc__)
    app = QGuiApplication([])  # noqa: F841 (QPainter needs an application for fonts)
    if argv[0] in ("--ico", "--icns") and len(argv) == 2:
        render(256, Path(argv[1]))
        return
    out_dir = Path(argv[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    for size in [int(s) for s in argv[1:]] or [48, 128, 256]:
        render(size, out_dir / f"icon-{size}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
