#!/usr/bin/env bash
# The video notice (issue 20): labelling a 1-minute 1080p H.264 clip with
# the default 2 s badge, against ffmpeg re-encoding the whole clip with the
# same badge at the same settings (libx264 preset fast, the source's
# bitrate, peaks capped at +20 %), side by side in one hyperfine run; and a
# label without a notice for scale.
#
#   bench/video.sh          # needs: hyperfine, ffmpeg (with ffprobe), GNU time
#   RUNS=N (default 3) runs per command.
#
# TAMGA=path/to/tamga skips the release build (say which commit it was built from).
# Goal: the notice at least 5x faster than the whole re-encode.
# Results are printed as Markdown and written to bench/video-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=/usr/bin/time
RUNS=${RUNS:-3}
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
command -v ffmpeg >/dev/null || { echo "need ffmpeg (apt-get install ffmpeg)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q
  TAMGA=$PWD/target/release/tamga
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# A camera-like clip: moving pattern with noise (encoders spend real bits
# on it), a key frame every 2 s, AAC audio.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=60,noise=alls=10:allf=t" \
  -f lavfi -i "sine=frequency=440:duration=60" \
  -c:v libx264 -preset fast -b:v 8M -g 50 -c:a aac -b:a 128k "$W/clip.mp4"
"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null

# The badge tamga draws, as a picture, for ffmpeg's own whole re-encode:
# taken from a labelled frame would differ in nothing that costs time, so
# a box of the same size is enough.
RATE=$(ffprobe -v error -select_streams v:0 -show_entries stream=bit_rate -of csv=p=0 "$W/clip.mp4")
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=black@0.72:s=1200x90,format=rgba" \
  -frames:v 1 "$W/badge.png"
LABEL="$TAMGA label $W/clip.mp4 --ai generated --keys $W/keys --notice -o $W/noticed.mp4"
PLAIN="$TAMGA label $W/clip.mp4 --ai generated --keys $W/keys -o $W/plain.mp4"
WHOLE="ffmpeg -hide_banner -loglevel error -y -noautorotate -i $W/clip.mp4 -i $W/badge.png \
 -filter_complex \"[0:v:0][1:v]overlay=W-w-22:22:enable='lt(t,2)'[v]\" -map \"[v]\" -map 0:a -c:a copy \
 -c:v libx264 -preset fast -b:v $RATE -maxrate $((RATE * 6 / 5)) -bufsize $((RATE * 2)) $W/whole.mp4"

{
  echo "## Video notice: a 1-minute 1080p H.264 clip ($(stat -c %s "$W/clip.mp4") bytes, ${RATE} bit/s video), $(nproc) cores"
  echo
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/h.md" \
    -n "tamga label --notice (2 s badge)" "$LABEL" \
    -n "ffmpeg: the whole clip re-encoded with the badge" "$WHOLE" \
    -n "tamga label (no notice)" "$PLAIN" >/dev/null
  cat "$W/h.md"
  echo
  echo "| command | peak RSS (MB) |"
  echo "|---|---:|"
  for name in LABEL WHOLE; do
    $TIME -f %M -o "$W/rss" bash -c "${!name}" >/dev/null 2>&1
    echo "| $name | $(($(cat "$W/rss") / 1024)) |"
  done
  echo
  "$TAMGA" label "$W/clip.mp4" --ai generated --keys "$W/keys" --notice -o "$W/again.mp4" 2>&1 \
    | grep -o "the first [0-9.]* s[^;]*" | head -1 | sed 's/^/tamga: /'
} | tee bench/video-results.md
