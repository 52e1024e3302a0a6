#!/usr/bin/env bash
# Notice path peak memory (issue 14): `tamga label --notice` on a 10-hour
# silent FLAC and a 3-hour silent MP3, and the MP3 labelled without a
# notice, peak RSS from GNU time. Audio notices are decoded, spliced and
# re-encoded in blocks, and the MP3's data hash is streamed, so the peak
# should not grow with the duration. Each output is checked: ffprobe reads
# it and `tamga verify` finds it trusted. Results go to
# bench/notice-memory-results.md.
#
#   bench/notice-memory.sh                  # needs: ffmpeg, GNU time
#   TAMGA=/path/to/tamga bench/notice-memory.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "need GNU time (apt-get install time)"; exit 2; }
command -v ffmpeg >/dev/null || { echo "need ffmpeg (apt-get install ffmpeg)"; exit 2; }
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q
  TAMGA=$PWD/target/release/tamga
fi
FLAC_S=${FLAC_S:-36000}
MP3_S=${MP3_S:-10800}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
OUT=bench/notice-memory-results.md

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
ffmpeg -v error -f lavfi -i anullsrc=r=44100:cl=stereo -t "$FLAC_S" -c:a flac "$W/long.flac"
ffmpeg -v error -f lavfi -i anullsrc=r=44100:cl=stereo -t "$MP3_S" -c:a libmp3lame -b:a 128k "$W/long.mp3"

{
  echo "## Notice path peak memory, $(nproc) cores, $($TAMGA --version)"
  echo
  echo "| input | notice | size | wall time | peak RSS | output decodes | verifies |"
  echo "|---|---|---:|---:|---:|---|---|"
} > "$OUT"
for run in long.flac:notice long.mp3:notice long.mp3:none; do
  f=${run%%:*} notice=${run#*:}
  case $f in *.flac) secs=$FLAC_S ;; *) secs=$MP3_S ;; esac
  out="$W/$notice-$f"
  flag=()
  [ "$notice" = notice ] && flag=(--notice)
  # The limit on audio length is a day by default and the per-file
  # deadline 30 s (for ordinary files); set both so the
  # run does not depend on the defaults.
  /usr/bin/time -v -o "$W/time.txt" "$TAMGA" label "$W/$f" --ai generated --keys "$W/keys" \
    "${flag[@]}" --max-audio-seconds 90000 --timeout 3600 -o "$out" >/dev/null 2>"$W/err.txt" || true
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$W/time.txt")
  wall=$(awk -F': ' '/Elapsed/ {print $2}' "$W/time.txt")
  decodes=no
  if [ -s "$out" ] && ffmpeg -v error -i "$out" -f null - 2>/dev/null; then
    decodes="yes ($(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out") s)"
  fi
  verdict=$("$TAMGA" verify --json --trust "$W/keys/trust-anchor.pem" "$out" 2>/dev/null \
    | sed -n 's/.*"verdict": *"\([a-z-]*\)".*/\1/p' | head -1)
  [ -s "$out" ] || verdict="none: $(head -c 200 "$W/err.txt")"
  echo "| $f (${secs} s) | $notice | $(stat -c %s "$W/$f") B | $wall | $rss | $decodes | ${verdict:-?} |" >> "$OUT"
done
cat "$OUT"
