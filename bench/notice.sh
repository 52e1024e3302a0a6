#!/usr/bin/env bash
# Notice speed (issue 4), side by side in one run: adding a badge to a
# 24-megapixel JPEG against the `image` crate alone decoding and re-encoding
# it, and adding the tone to a 10-minute WAV against `hound` alone decoding
# and re-encoding it. Results go to bench/notice-results.md.
#
#   bench/notice.sh             # needs: hyperfine
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
cargo build --release --locked -q
cargo build --release --locked -q -p tamga-label --example reencode
TAMGA=$PWD/target/release/tamga
REENCODE=$PWD/target/release/examples/reencode
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
OUT=bench/notice-results.md

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
"$REENCODE" --make 6000 4000 "$W/big.jpg"
{
  echo "## 24-megapixel JPEG (6000x4000, $(stat -c %s "$W/big.jpg") bytes), $(nproc) cores"
  echo
} > "$OUT"
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/speed.md" \
  -n "image crate: decode + encode (q85)" "$REENCODE $W/big.jpg $W/re.jpg 85" \
  -n "tamga label --notice (badge, thumbnail, sign)" "$TAMGA label $W/big.jpg --ai generated --keys $W/keys --notice -o $W/badged.jpg" \
  -n "tamga label (no notice)" "$TAMGA label $W/big.jpg --ai generated --keys $W/keys -o $W/plain.jpg" >/dev/null
cat "$W/speed.md" >> "$OUT"

"$REENCODE" --make-wav 600 "$W/long.wav"
{
  echo
  echo "## 10-minute WAV (44.1 kHz stereo 16-bit, $(stat -c %s "$W/long.wav") bytes)"
  echo
} >> "$OUT"
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/tone.md" \
  -n "hound: decode + encode" "$REENCODE --wav $W/long.wav $W/re.wav" \
  -n "tamga label --notice-style tone (tone, sign)" "$TAMGA label $W/long.wav --ai generated --keys $W/keys --notice-style tone -o $W/toned.wav" \
  -n "tamga label --notice (voice, sign)" "$TAMGA label $W/long.wav --ai generated --keys $W/keys --notice -o $W/voiced.wav" \
  -n "tamga label (no notice)" "$TAMGA label $W/long.wav --ai generated --keys $W/keys -o $W/plain.wav" >/dev/null
cat "$W/tone.md" >> "$OUT"
cat "$OUT"
