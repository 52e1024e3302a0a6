#!/usr/bin/env bash
# What redaction adds to publishing (issue 21): a folder of camera-like
# JPEGs (GPS, serial numbers, owner and author names in EXIF and XMP, the
# way a phone leaves them), labelled by a producer with the notice, then
# published with one `tamga publish DIR` call, without and with
# `--redact personal`, side by side in one hyperfine run; then one
# phone-like 1080p MP4 (QuickTime location and artist, Apple's keyed
# location, XMP), where redaction edits in place and copies the video once.
#
#   bench/redact.sh        # needs: hyperfine, exiftool (libimage-exiftool-perl), ImageMagick, ffmpeg
#   FILES=N (default 200) RUNS=N (default 5) VIDEO_SECONDS=N (default 30).
#   TAMGA=path/to/tamga skips the release build (say which commit it was built from).
#
# Goal: redaction adds at most 20 % to publish time.
# Results are printed as Markdown and written to bench/redact-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
command -v exiftool >/dev/null || { echo "need exiftool (apt-get install libimage-exiftool-perl)"; exit 2; }
IM=$(command -v convert-im6.q16 || command -v magick || command -v convert)
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q -p tamga
  TAMGA=$PWD/target/release/tamga
fi
FILES=${FILES:-200}
RUNS=${RUNS:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
# A 12-megapixel camera photo's size in pixels is what decoding costs; the
# metadata is what redaction edits. 1600x1200 keeps the run short.
"$IM" samples/sample.jpg -resize 1600x1200! -quality 90 "$W/photo.jpg"
exiftool -q -overwrite_original \
  -GPSLatitude=43.24 -GPSLatitudeRef=N -GPSLongitude=76.95 -GPSLongitudeRef=E \
  -EXIF:SerialNumber=SN-12345 -LensSerialNumber=LS-678 \
  -Artist="Aigerim Sadykova" -OwnerName="Aigerim Sadykova" \
  -XMP-dc:Creator="Aigerim Sadykova" -XMP-aux:SerialNumber=SN-12345 "$W/photo.jpg"
mkdir -p "$W/raw"
for i in $(seq -w 1 "$FILES"); do cp "$W/photo.jpg" "$W/raw/p$i.jpg"; done
"$TAMGA" label "$W/raw" --ai generated --notice --keys "$W/keys" -o "$W/in" >/dev/null 2>&1
T="--trust $W/keys/trust-anchor.pem --keys $W/keys"

{
  echo "## Publishing $FILES camera-like JPEGs ($(stat -c %s "$W/in/p$(seq -w 1 "$FILES" | head -1).jpg") bytes each), $(nproc) cores"
  echo
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/h.md" \
    --prepare "rm -rf $W/out" \
    -n "tamga publish" "$TAMGA publish $W/in $T -o $W/out" \
    -n "tamga publish --redact personal" "$TAMGA publish $W/in $T --redact personal -o $W/out" >/dev/null
  cat "$W/h.md"
  echo
  rm -rf "$W/out"
  "$TAMGA" publish "$W/in" $T --redact personal -o "$W/out" >/dev/null 2>&1
  left=$(exiftool -q -a -G1 -s "$W/out" 2>/dev/null | grep -ciE '^\[[^]]*\] *(gps|.*serial|artist|owner|creator)' || true)
  echo "personal tags exiftool finds in the redacted copies: $left"
  echo

  # The video: 1080p at 30 Mbit/s, tagged the way phones and ffmpeg do.
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -t "${VIDEO_SECONDS:-30}" \
    -c:v libx264 -preset ultrafast -b:v 30M -pix_fmt yuv420p \
    -metadata location="+43.2383+076.9456/" -metadata artist="Aigerim Sadykova" \
    -movflags +faststart "$W/phone.mp4"
  exiftool -q -overwrite_original "-Keys:GPSCoordinates=43.2383 N, 76.9456 E" \
    -XMP-dc:Creator="Aigerim Sadykova" "$W/phone.mp4"
  mkdir -p "$W/vin"
  "$TAMGA" label "$W/phone.mp4" --ai generated --notice --keys "$W/keys" -o "$W/vin/phone.mp4" >/dev/null 2>&1
  echo "## Publishing one phone-like MP4 ($(stat -c %s "$W/vin/phone.mp4") bytes, ${VIDEO_SECONDS:-30} s of 1080p)"
  echo
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/v.md" \
    --prepare "rm -rf $W/vout" \
    -n "tamga publish" "$TAMGA publish $W/vin/phone.mp4 $T -o $W/vout/phone.mp4" \
    -n "tamga publish --redact personal" "$TAMGA publish $W/vin/phone.mp4 $T --redact personal -o $W/vout/phone.mp4" >/dev/null
  cat "$W/v.md"
  echo
  rm -rf "$W/vout"
  "$TAMGA" publish "$W/vin/phone.mp4" $T --redact personal -o "$W/vout/phone.mp4" >/dev/null 2>&1
  echo "personal items tamga lists in the redacted video: $("$TAMGA" inspect --privacy --json "$W/vout/phone.mp4" | grep -o '"field"' | wc -l)"
} | tee bench/redact-results.md
