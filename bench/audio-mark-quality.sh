#!/usr/bin/env bash
# An objective stand-in for a listening test of tamga's audio watermark:
# every clip of the audio watermark's clip set (built by
# crates/watermark/examples/audio_wm_clips.sh) is labelled by the release
# binary with `--watermark`, and PESQ-WB compares it with the original
# (bench/audio-mark-quality.py says how to read the scores).
#
#   bench/audio-mark-quality.sh CLIPS_DIR   # needs ffmpeg, python3 with numpy and pesq
#                                           # (.venv: pip install pesq)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIPS=$(realpath "${1:?usage: audio-mark-quality.sh CLIPS_DIR}")
PY=${PYTHON:-.venv/bin/python}
cargo build --release --locked -q
TAMGA=$PWD/target/release/tamga
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
mkdir -p "$W/marked"
for f in "$CLIPS"/*.wav; do
  "$TAMGA" label --ai generated --keys "$W/keys" --watermark "$f" -o "$W/marked/$(basename "$f")" >/dev/null 2>&1
done
"$PY" bench/audio-mark-quality.py "$CLIPS" "$W/marked"
