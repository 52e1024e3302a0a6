#!/usr/bin/env bash
# Builds the clip set for audio_wm_measure: 20 s WAV clips at 48 kHz from
# recordings Debian packages ship, plus synthetic speech.
#   real music:  extremetuxracer-data, planetblupi-music-ogg (composed and
#                produced game soundtracks, stereo)
#   real speech: klettres-data (letters and syllables recorded by native
#                speakers in ~20 languages), concatenated into 20 s clips
#   synthetic speech: espeak-ng (formant synthesis; labelled as such)
# Usage: audio_wm_clips.sh OUT_DIR   (needs ffmpeg; apt-get install
#   extremetuxracer-data planetblupi-music-ogg klettres-data espeak-ng)
set -euo pipefail
out=${1:?usage: audio_wm_clips.sh OUT_DIR}
mkdir -p "$out"
n=0
# Music: one 20 s segment from 30 s into each track (or its start).
for f in /usr/share/games/etr/music/*.ogg /usr/share/planetblupi/music/*.ogg; do
  [ -f "$f" ] || continue
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f" | cut -d. -f1)
  start=30; [ "${dur:-0}" -lt 55 ] && start=0
  name=music-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" .ogg)
  ffmpeg -v error -y -ss "$start" -t 20 -i "$f" -ar 48000 -ac 2 -c:a pcm_s16le "$out/$name.wav"
  n=$((n + 1))
done
# Real speech: each language folder's recordings in order, 0.3 s apart,
# cut to 20 s (folders with less than 20 s are looped).
for d in /usr/share/klettres/*/alpha /usr/share/klettres/*/syllab; do
  [ -d "$d" ] || continue
  lang=$(basename "$(dirname "$d")")-$(basename "$d")
  list=$(mktemp)
  for f in "$d"/*.ogg; do echo "file '$f'"; done > "$list"
  ffmpeg -v error -y -f concat -safe 0 -stream_loop 3 -i "$list" \
    -af "apad=pad_dur=0.3,aresample=48000" -ac 1 -t 20 -ar 48000 -c:a pcm_s16le "$out/speech-$lang.wav" || true
  rm -f "$list"
done
# Synthetic speech (espeak-ng), a few voices.
if command -v espeak-ng >/dev/null; then
  text="The quick brown fox jumps over the lazy dog. Content credentials tell people where a picture or a sound came from, who made it, and whether a machine generated it. This recording is a test of an audio watermark that should survive compression and editing."
  for v in en en-us en-gb-x-rp de fr es it nl pl pt; do
    espeak-ng -v "$v" -s 150 -w "$out/tts.tmp.wav" "$text" 2>/dev/null || continue
    ffmpeg -v error -y -stream_loop 2 -i "$out/tts.tmp.wav" -ar 48000 -ac 1 -t 20 -c:a pcm_s16le "$out/tts-$v.wav"
  done
  rm -f "$out/tts.tmp.wav"
fi
ls "$out" | sed 's/-.*//' | sort | uniq -c
