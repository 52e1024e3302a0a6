#!/usr/bin/env bash
# Regenerates every sample file in this folder from scratch.
#
# All files are made for the tamga project and released under CC0 1.0
# (see README.md). Nothing here is downloaded: the picture is a seeded
# ImageMagick plasma, the sound is espeak-ng speaking our own sentence.
#
# Tested on Debian 12 (bookworm) with the packages:
#   imagemagick webp libheif-examples libavif-bin libjxl-tools
#   espeak-ng sox lame flac ffmpeg
# Install them with:
#   apt-get install imagemagick webp libheif-examples libavif-bin \
#     libjxl-tools espeak-ng sox lame flac ffmpeg fonts-dejavu-core
#
# With the same tool versions the output is byte-for-byte identical on
# every run (checked by running the script twice and comparing sha256
# sums). Other versions of the encoders will give different bytes but
# equivalent files.
#
# Usage: ./make.sh          (writes into the folder that holds this script)

set -euo pipefail
export LC_ALL=C.UTF-8 TZ=UTC

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

# ImageMagick: call the real binary, not a `convert` wrapper on PATH.
if [ -x /usr/bin/convert-im6.q16 ]; then
  IM=(/usr/bin/convert-im6.q16)
elif command -v magick >/dev/null; then
  IM=(magick)
else
  IM=(convert)
fi
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
# The sentence spoken in the audio samples (Kazakh):
# "This sound was made with artificial intelligence."
SPEECH_TEXT='Бұл дыбыс жасанды интеллект арқылы жасалған.'

for tool in "${IM[0]}" cwebp heif-enc avifenc cjxl espeak-ng sox lame flac ffmpeg; do
  command -v "$tool" >/dev/null || { echo "make.sh: missing tool: $tool" >&2; exit 1; }
done
[ -f "$FONT" ] || { echo "make.sh: missing font $FONT (fonts-dejavu-core)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# PNG options that keep ImageMagick from writing creation/modification dates.
PNG_OPTS=(-strip -define png:exclude-chunks=date,time)

# ---------------------------------------------------------------- images

# Master picture: 400x300 seeded plasma with the text "tamga sample".
# One thread so the plasma fractal is the same on every machine.
"${IM[@]}" -limit thread 1 -seed 2024 -size 400x300 plasma:steelblue-gold \
  -blur 0x3 \
  -font "$FONT" -gravity center \
  -fill white -stroke '#202040' -strokewidth 3 -pointsize 46 \
  -annotate +0-10 'tamga sample' \
  -stroke none -fill '#ffffffdd' -pointsize 16 \
  -annotate +0+40 'synthetic test image' \
  -alpha off -depth 8 "${PNG_OPTS[@]}" "$tmp/master.png"

# PNG
"${IM[@]}" "$tmp/master.png" "${PNG_OPTS[@]}" sample.png

# JPEG (baseline, 4:2:0, quality 85)
"${IM[@]}" "$tmp/master.png" -strip -sampling-factor 4:2:0 -quality 85 sample.jpg

# TIFF (Deflate compression)
"${IM[@]}" "$tmp/master.png" -strip -compress zip sample.tif

# BMP (24-bit, uncompressed, BITMAPINFOHEADER), smaller to keep the size down
"${IM[@]}" "$tmp/master.png" -strip -resize 240x180 -type TrueColor BMP3:sample.bmp

# WebP (lossy VP8) with libwebp's cwebp
cwebp -quiet -q 80 -metadata none "$tmp/master.png" -o sample.webp

# AVIF with libavif's avifenc (AV1 via libaom), single thread
avifenc -j 1 -s 6 -y 420 --min 20 --max 32 --ignore-exif --ignore-xmp --ignore-icc \
  "$tmp/master.png" sample.avif >/dev/null

# HEIC (HEVC in HEIF) with libheif's heif-enc (x265 encoder)
heif-enc -q 60 "$tmp/master.png" -o sample.heic >/dev/null

# JPEG XL with libjxl's cjxl. --container=1 writes the ISOBMFF container
# form (the form that can carry a C2PA `jumb` box) instead of a bare
# codestream.
cjxl "$tmp/master.png" sample.jxl -d 1.0 -e 7 --container=1 --num_threads=0 --quiet \
  -x color_space=RGB_D65_SRG_Rel_SRG

# Animated GIF: 3 frames, hue-rotated copies of the master at 240x180.
"${IM[@]}" -delay 60 -loop 0 \
  \( "$tmp/master.png" -resize 240x180 \) \
  \( "$tmp/master.png" -resize 240x180 -modulate 100,100,166 \) \
  \( "$tmp/master.png" -resize 240x180 -modulate 100,100,33 \) \
  -strip +dither -colors 128 -layers Optimize sample.gif

# SVG: hand-written vector drawing.
cat > sample.svg <<'SVG'
<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">
  <title>tamga sample</title>
  <desc>Synthetic test drawing for the tamga project. CC0 1.0.</desc>
  <rect width="400" height="300" fill="#2b6cb0"/>
  <rect y="150" width="400" height="150" fill="#f6c344"/>
  <circle cx="310" cy="80" r="38" fill="#fff3b0" stroke="#f0a020" stroke-width="4"/>
  <polygon points="0,260 90,150 170,230 250,120 400,260 400,300 0,300" fill="#2f5d3a"/>
  <polygon points="250,120 280,157 262,152 250,170 238,150 222,155" fill="#ffffff"/>
  <g transform="translate(200 215)">
    <circle r="34" fill="none" stroke="#1a202c" stroke-width="6"/>
    <path d="M -20 -10 L 0 20 L 20 -10 M 0 20 L 0 -24" fill="none" stroke="#1a202c"
          stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>
  </g>
  <text x="200" y="60" text-anchor="middle" font-family="DejaVu Sans, sans-serif"
        font-size="44" font-weight="bold" fill="#ffffff" stroke="#1a202c"
        stroke-width="1.5">tamga</text>
</svg>
SVG

# ----------------------------------------------------------------- audio

# Speech: Kazakh voice of espeak-ng, speed 150 wpm -> about 3.6 s,
# mono, 22050 Hz, 16-bit.
espeak-ng -v kk -s 150 -w "$tmp/speech.wav" "$SPEECH_TEXT"

# WAV: rewrite through sox for a clean RIFF header (-R repeatable, -D no dither).
sox -R -D "$tmp/speech.wav" -b 16 -e signed-integer -r 22050 -c 1 sample.wav

# MP3 (LAME, 64 kbit/s CBR, mono, no ID3 tag)
lame --quiet -b 64 -m m sample.wav sample.mp3

# FLAC (libFLAC, level 8, no padding block)
flac --silent --best --no-padding -f -o sample.flac sample.wav

# ffmpeg options that drop metadata and version strings.
FF=(ffmpeg -nostdin -loglevel error -y -i sample.wav -map_metadata -1
    -fflags +bitexact -flags:a +bitexact)

# M4A: AAC-LC in an MP4 container (ffmpeg's native AAC encoder)
"${FF[@]}" -c:a aac -b:a 64k sample.m4a

# AAC: raw ADTS stream, same encoder
"${FF[@]}" -c:a aac -b:a 64k -f adts sample.aac

# OGG: Vorbis in Ogg (libvorbis, quality 3)
"${FF[@]}" -c:a libvorbis -q:a 3 sample.ogg

echo "make.sh: done"
ls -l sample.*
