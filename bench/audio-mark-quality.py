"""An objective stand-in for a listening test of tamga's audio watermark.

For each pair (original WAV, the same clip labelled by `tamga label
--watermark`), both are mixed to mono and resampled to 16 kHz by ffmpeg,
and compared with PESQ (ITU-T P.862.2, wideband; the `pesq` package).
PESQ predicts the score listeners would give the marked clip against the
original on a 1-4.64 scale: above ~4.4 listeners hear no difference.
PESQ is a speech model; on music it only flags gross damage, so music
is reported but speech is what the figure is for.

Usage: audio-mark-quality.py ORIGINALS_DIR MARKED_DIR   (same file names)
Prints a Markdown table per class (file name prefix before the first '-').
"""
import pathlib
import statistics
import subprocess
import sys

import numpy as np
from pesq import pesq


def mono16k(path):
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "16000",
         "-f", "f32le", "-"],
        check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32).astype(np.float64)


def main():
    originals, marked = map(pathlib.Path, sys.argv[1:3])
    scores = {}
    for orig in sorted(originals.glob("*.wav")):
        other = marked / orig.name
        if not other.exists():
            print(f"missing: {other}", file=sys.stderr)
            continue
        ref, deg = mono16k(orig), mono16k(other)
        n = min(len(ref), len(deg))
        score = pesq(16000, ref[:n], deg[:n], "wb")
        scores.setdefault(orig.name.split("-")[0], []).append((score, orig.name))
    print("| clips | n | PESQ-WB median | min (clip) | share ≥ 4.4 |")
    print("|---|---:|---:|---:|---:|")
    for cls, got in sorted(scores.items()):
        values = [s for s, _ in got]
        low = min(got)
        share = sum(v >= 4.4 for v in values) / len(values)
        print(f"| {cls} | {len(values)} | {statistics.median(values):.2f} "
              f"| {low[0]:.2f} ({low[1]}) | {share:.0%} |")


if __name__ == "__main__":
    main()
