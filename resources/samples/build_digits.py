"""Rebuild the image and array samples from scikit-learn's bundled handwritten digits.

Run once by a maintainer (needs scikit-learn); the files it writes are what ships:
- ``digits/<label>/<n>.png``: 1,797 greyscale 32x32 PNGs (the 8x8 originals scaled up 4x
  with nearest neighbour, so a person can see them in the thumbnail grid), one folder a class;
- ``digits.npz``: the same digits as arrays ``x`` (1797, 8, 8) uint8 and ``y`` (1797,) int64.

    python resources/samples/build_digits.py
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

HERE = Path(__file__).parent
SCALE = 4


def png_bytes(gray: np.ndarray) -> bytes:
    """A minimal 8-bit greyscale PNG (no dependency beyond zlib)."""
    height, width = gray.shape
    raw = b"".join(b"\x00" + gray[row].astype(np.uint8).tobytes() for row in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    digits = load_digits()
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)  # 0..16 -> 0..255
    labels = digits.target.astype(np.int64)
    out = HERE / "digits"
    shutil.rmtree(out, ignore_errors=True)
    for index, (image, label) in enumerate(zip(images, labels, strict=True)):
        folder = out / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        big = np.kron(image, np.ones((SCALE, SCALE), dtype=np.uint8))
        (folder / f"{index:04d}.png").write_bytes(png_bytes(big))
    np.savez_compressed(HERE / "digits.npz", x=images, y=labels)
    print(f"wrote {len(labels)} PNGs under {out} and digits.npz")


if __name__ == "__main__":
    main()
