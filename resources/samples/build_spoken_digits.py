"""Rebuild the speech sample from a checkout of the Free Spoken Digit Dataset (FSDD).

Run once by a maintainer; the files it writes are what ships:
- ``spoken_digits/<digit>/<digit>_<speaker>_<index>.wav``: the first ``TAKES`` recordings
  (indices 0..TAKES-1) of every digit by every speaker in the checkout, one folder a class,
  copied byte for byte (8 kHz mono 16-bit PCM WAV, trimmed of silence by the FSDD authors).

Source: https://github.com/Jakobovski/free-spoken-digit-dataset (CC BY-SA 4.0), commit
26eb9aaf76e81b692f806f9140c2d2777410d7a1 (6 speakers, 3,000 recordings); the sample is
360 clips. The licence and attribution are in ``SPOKEN_DIGITS_LICENSE.txt``.

    git clone https://github.com/Jakobovski/free-spoken-digit-dataset /tmp/fsdd
    python resources/samples/build_spoken_digits.py /tmp/fsdd
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

HERE = Path(__file__).parent
TAKES = 6
NAME = re.compile(r"^(?P<digit>[0-9])_(?P<speaker>[a-z]+)_(?P<index>[0-9]+)\.wav$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of free-spoken-digit-dataset")
    parser.add_argument("--takes", type=int, default=TAKES, help="recordings per digit and speaker")
    args = parser.parse_args()

    recordings = args.checkout / "recordings"
    if not recordings.is_dir():
        parser.error(f"{recordings} is not a folder")
    chosen = []
    for path in sorted(recordings.iterdir()):
        match = NAME.match(path.name)
        if match and int(match["index"]) < args.takes:
            chosen.append((match["digit"], match["speaker"], path))
    if not chosen:
        parser.error(f"no {{digit}}_{{speaker}}_{{index}}.wav files in {recordings}")

    out = HERE / "spoken_digits"
    shutil.rmtree(out, ignore_errors=True)
    for digit, _speaker, path in chosen:
        folder = out / digit
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / path.name)
    speakers = sorted({speaker for _digit, speaker, _path in chosen})
    size = sum(path.stat().st_size for _d, _s, path in chosen)
    print(
        f"wrote {len(chosen)} WAVs ({size / 1e6:.2f} MB) under {out}: "
        f"{len(speakers)} speakers ({', '.join(speakers)}), {args.takes} takes each"
    )


if __name__ == "__main__":
    main()
