#!/usr/bin/env bash
# Builds the clip set for audio_wm_measure: 20 s WAV clips at 48 kHz from
# recordings Debian packages ship, plus synthetic speech.
#   real music:  extremetuxracer-data, planetblupi-music-ogg (composed and
#                produced game soundtracks, stereo; 16 tracks, 36 clips)
#   real speech: klettres-data (letters and syllables recorded by native
#                speakers in ~20 languages), concatenated into 20 s clips
#   synthetic speech: espeak-ng (formant synthesis; labelled as such)
# Usage: audio_wm_clips.sh OUT_DIR   (needs ffmpeg; apt-get install
#   extremetuxracer-data planetblupi-music-ogg klettres-data espeak-ng)
set -euo pipefail
out=${1:?usage: audio_wm_clips.sh OUT_DIR}
mkdir -p "$out"
n=0
# Music: 20 s segments of every track at least 20 s long (the four
# jingles of 6-17 s are left out): one from 30 s in (or the start, for
# tracks under 55 s), and two more, from 5 and 9 minutes in, of tracks
# longer than 10 minutes.
seg() { # FILE START NAME
  ffmpeg -v error -y -ss "$2" -t 20 -i "$1" -ar 48000 -ac 2 -c:a pcm_s16le "$out/$3.wav"
}
for f in /usr/share/games/etr/music/*.ogg /usr/share/planetblupi/music/*.ogg; do
  [ -f "$f" ] || continue
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f" | cut -d. -f1)
  [ "${dur:-0}" -lt 20 ] && continue
  start=30; [ "$dur" -lt 55 ] && start=0
  name=music-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" .ogg)
  seg "$f" "$start" "$name"
  if [ "$dur" -gt 600 ]; then
    seg "$f" 300 "$name-b"
    seg "$f" 540 "$name-c"
  fi
done
# Real speech: each language folder's recordings in order, back to back,
# cut to 20 s (folders with less than 20 s are looped).
for d in /usr/share/klettres/*/alpha /usr/share/klettres/*/syllab; do
  [ -d "$d" ] || continue
  lang=$(basename "$(dirname "$d")")-$(basename "$d")
  list=$(mktemp)
  for _ in 1 2 3 4; do for f in "$d"/*.ogg; do echo "file '$f'"; done; done > "$list"
  ffmpeg -v error -y -f concat -safe 0 -i "$list" \
    -af aresample=48000 -ac 1 -t 20 -ar 48000 -c:a pcm_s16le "$out/speech-$lang.wav" || true
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
