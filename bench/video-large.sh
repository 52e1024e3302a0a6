#!/usr/bin/env bash
# A 2 GB MP4 (issue 20): labelling and verifying it, time and peak memory
# (GNU time's max RSS), tamga next to c2patool 0.27.0, with sha256sum of the
# same file for scale.
#
#   bench/video-large.sh     # needs: ffmpeg, GNU time, sha256sum, c2patool on PATH (or C2PATOOL=…)
#
# TAMGA=path/to/tamga skips the release build (say which commit it was built from).
# SIZE_MB (default 2048) sets the file's size; it is made by concatenating a
# 20 s 720p clip (stream copy), so no time goes to encoding it.
# Goals: labelling and verifying peak under 150 MB; verifying takes at most
# 1.5x sha256sum. The file's pages are dropped from neither run: each command
# reads it once before it is timed, so all read it from the page cache.
# Results are printed as Markdown and written to bench/video-large-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=/usr/bin/time
C2PATOOL=${C2PATOOL:-c2patool}
SIZE_MB=${SIZE_MB:-2048}
command -v ffmpeg >/dev/null || { echo "need ffmpeg (apt-get install ffmpeg)"; exit 2; }
command -v "$C2PATOOL" >/dev/null || { echo "need c2patool 0.27.0 (cargo install --locked --version 0.27.0 c2patool)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q
  TAMGA=$PWD/target/release/tamga
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/video-large.XXXXXX")
trap 'rm -rf "$W"' EXIT

# One 20 s piece at a high bitrate, then as many copies as make SIZE_MB.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=1280x720:rate=25:duration=20,noise=alls=20:allf=t" \
  -f lavfi -i "sine=frequency=440:duration=20" \
  -c:v libx264 -preset ultrafast -b:v 40M -g 50 -c:a aac -b:a 128k "$W/piece.mp4"
PIECE=$(stat -c %s "$W/piece.mp4")
COPIES=$(( (SIZE_MB * 1024 * 1024 + PIECE - 1) / PIECE ))
for _ in $(seq "$COPIES"); do echo "file '$W/piece.mp4'"; done > "$W/list.txt"
ffmpeg -hide_banner -loglevel error -y -f concat -safe 0 -i "$W/list.txt" -c copy "$W/big.mp4"
rm "$W/piece.mp4"

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
cat > "$W/manifest.json" <<JSON
{
  "alg": "ed25519",
  "private_key": "$W/keys/signing.key",
  "sign_cert": "$W/keys/signing-chain.pem",
  "claim_generator_info": [{"name": "bench", "version": "1"}],
  "assertions": [{"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created",
     "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}]}}]
}
JSON

measure() { # step tool command…
  local step=$1 tool=$2; shift 2
  cat "$W/big.mp4" > /dev/null
  "$TIME" -f "%e %M" -o "$W/t" "$@" >"$W/out" 2>&1 || { echo "$tool $step failed:"; cat "$W/out"; exit 1; }
  read -r secs kb < "$W/t"
  printf '| %s | %s | %s | %d |\n' "$step" "$tool" "$secs" $((kb / 1024))
}

{
  echo "## A $(($(stat -c %s "$W/big.mp4") / 1024 / 1024)) MB MP4 (720p H.264, $COPIES × 20 s), $(nproc) cores"
  echo
  echo "| step | tool | wall s | peak RSS MB |"
  echo "|---|---|---:|---:|"
  measure label tamga "$TAMGA" label "$W/big.mp4" --ai generated --keys "$W/keys" -o "$W/t.mp4"
  rm -f "$W/t.mp4"
  measure label c2patool "$C2PATOOL" "$W/big.mp4" -m "$W/manifest.json" -o "$W/c.mp4" -f
  rm -f "$W/c.mp4"
  # With the 2 s badge: ffmpeg re-encodes the first GOP and copies the rest
  # (its encoder's memory counts: GNU time reports the largest child).
  measure "label --notice" tamga "$TAMGA" label "$W/big.mp4" --ai generated --keys "$W/keys" --notice -o "$W/t.mp4"
  rm -f "$W/t.mp4"
  # Verify one labelled copy, so the disk holds two files at most.
  "$TAMGA" label "$W/big.mp4" --ai generated --keys "$W/keys" -o "$W/t.mp4" >/dev/null 2>&1
  rm "$W/big.mp4"
  mv "$W/t.mp4" "$W/big.mp4"
  measure verify tamga "$TAMGA" verify --trust "$W/keys/trust-anchor.pem" "$W/big.mp4"
  measure verify c2patool "$C2PATOOL" "$W/big.mp4" trust --trust_anchors "$W/keys/trust-anchor.pem"
  measure hash sha256sum sha256sum "$W/big.mp4"
} | tee bench/video-large-results.md
