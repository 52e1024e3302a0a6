#!/usr/bin/env bash
# The distributor's gate at batch scale: `tamga check` over 1,000 mixed files
# (~300 KB on average) against running c2patool 0.27.0 once per file on the
# same set, side by side in one hyperfine run, plus tamga's peak memory.
#
#   bench/check.sh              # needs: hyperfine, GNU time, ImageMagick, sox, ffmpeg,
#                               #        python3, c2patool on PATH (or C2PATOOL=…)
#
# Knobs: RUNS (hyperfine runs, default 3), N (files, default 1000),
# BENCH_DIR=dir keeps the generated set there instead of a temporary folder,
# SET_ONLY=1 stops once the set is built (for profiling against it).
#
# Goal (issue 5): tamga check at least 8x faster than the c2patool loop, with
# peak memory (max RSS) under 300 MB. Results go to bench/check-results.md.
#
# The set is built deterministically (seeded ImageMagick plasma, sox with -R,
# ffmpeg -bitexact): 60 % labelled by tamga with the key whose anchor both
# tools trust, 5 % labelled with a key nobody trusts, 10 % labelled and then
# tampered (one byte flipped in the media data), 25 % never labelled.
set -euo pipefail
cd "$(dirname "$0")/.."
C2PATOOL=${C2PATOOL:-c2patool}
TIME=/usr/bin/time
RUNS=${RUNS:-3}
N=${N:-1000}
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
command -v "$C2PATOOL" >/dev/null || { echo "need c2patool 0.27.0 (cargo install --locked --version 0.27.0 c2patool)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }
command -v sox >/dev/null || { echo "need sox (apt-get install sox)"; exit 2; }
command -v ffmpeg >/dev/null || { echo "need ffmpeg (apt-get install ffmpeg)"; exit 2; }
IM=$(command -v convert-im6.q16 || command -v magick || command -v convert)
C2PATOOL=$(command -v "$C2PATOOL")
OUT=bench/check-results.md

cargo build --release --locked -q
TAMGA=$PWD/target/release/tamga
if [ -n "${BENCH_DIR:-}" ]; then
  W=$(realpath -m "$BENCH_DIR")
  rm -rf "$W" && mkdir -p "$W"
else
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
fi
export LC_ALL=C.UTF-8 TZ=UTC

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
"$TAMGA" keys init --org "Someone Else" --dir "$W/other" >/dev/null
ANCHOR=$W/keys/trust-anchor.pem

# 1. Six distinct originals per generated format, sizes spread around the
# target so the set is not 1,000 copies of one shape.
B=$W/base
mkdir -p "$B"
dims=(1000x750 1080x810 1160x870 1160x870 1240x930 1320x990)   # JPEG, WebP
small=(340x280 370x310 400x335 400x335 430x360 460x385)      # PNG, TIFF
for s in 1 2 3 4 5 6; do
  d=${dims[$((s - 1))]} p=${small[$((s - 1))]}
  "$IM" -seed "$s" -size "$d" plasma:fractal -quality 90 "$B/$s.jpg"
  "$IM" -seed "$s" -size "$d" plasma:fractal -quality 85 "$B/$s.webp"
  "$IM" -seed "$s" -size "$p" plasma:fractal -depth 8 "$B/$s.png"
  "$IM" -seed "$s" -size "$p" plasma:fractal -depth 8 -compress lzw "$B/$s.tif"
  "$IM" -seed "$s" -size "$p" plasma:fractal "$B/$s.gif"
  secs=$(python3 -c "print(1.2 + 0.2 * $s)")
  sox -R -n -r 44100 -c 2 -b 16 "$B/$s.wav" synth "$secs" pinknoise vol 0.3
  sox -R -n -r 44100 -c 2 -b 16 "$W/noise.wav" synth "$(python3 -c "print(1.6 + 0.3 * $s)")" pinknoise vol 0.3
  sox -R "$W/noise.wav" "$B/$s.flac"
  sox -R -n -r 44100 -c 2 -b 16 "$W/tone.wav" synth "$((12 + 2 * s))" sine "$((200 + 50 * s))-900" vol 0.3
  ffmpeg -v error -y -i "$W/tone.wav" -c:a libmp3lame -b:a 128k -bitexact "$B/$s.mp3"
  ffmpeg -v error -y -i "$W/tone.wav" -c:a aac -b:a 128k -bitexact "$B/$s.m4a"
done
# Formats tamga embeds in but that are small here, and two it cannot label
# (OGG, BMP: no place for a manifest), from samples/.
for ext in avif heic jxl svg ogg bmp; do cp "samples/sample.$ext" "$B/1.$ext"; done

# 2. The batch: format and kind of each file fixed by its index.
python3 - "$W" "$N" <<'PY'
import pathlib, shutil, sys
w, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
weights = [("jpg", 30), ("png", 17), ("webp", 8), ("gif", 4), ("tif", 4), ("wav", 12),
           ("mp3", 10), ("flac", 6), ("m4a", 4), ("avif", 1), ("heic", 1), ("jxl", 1),
           ("svg", 1), ("ogg", 0.5), ("bmp", 0.5)]
cycle = [ext for ext, k in weights for _ in range(int(k * 2))]
for i in range(n):
    ext = cycle[(i * 37) % len(cycle)]          # spread formats over the index
    r = (i * 53) % 20                           # and kinds, independently
    kind = "plain" if r < 5 or ext in ("ogg", "bmp") else "other" if r == 5 else \
           "tamper" if r < 8 else "label"
    base = w / "base" / f"{1 + i % 6 if (w / 'base' / f'{1 + i % 6}.{ext}').exists() else 1}.{ext}"
    dst = w / "stage" / kind / f"f{i:04d}.{ext}"
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base, dst)
PY
mkdir -p "$W/set"
label() { "$TAMGA" label "$W/stage/$1" --ai generated --generator "Bench 1" --keys "$2" -o "$W/lab-$1" >/dev/null; }
label label "$W/keys"; label tamper "$W/keys"; label other "$W/other"
cp "$W"/lab-label/* "$W"/lab-other/* "$W"/stage/plain/* "$W/set/"
# Tampered: one byte in the media data flipped after labelling (not next to
# a 0xFF, and never into one, so JPEG markers stay as they were).
python3 - "$W/lab-tamper" "$W/set" <<'PY'
import pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    b = bytearray(f.read_bytes())
    at = len(b) * 3 // 5
    while b[at - 1] == 0xFF or b[at] in (0xFE, 0xFF) or b[at + 1] == 0xFF:
        at += 1
    b[at] ^= 0x01
    (pathlib.Path(sys.argv[2]) / f.name).write_bytes(b)
PY
COUNT=$(find "$W/set" -type f | wc -l)
BYTES=$(find "$W/set" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
AVG_KB=$(python3 -c "print(f'{$BYTES / $COUNT / 1000:.0f}')")
MIX=$(find "$W/set" -type f | sed 's/.*\.//' | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
KINDS="$(ls "$W/lab-label" | wc -l) labelled (trusted key), $(ls "$W/lab-other" | wc -l) labelled by an untrusted key, $(ls "$W/lab-tamper" | wc -l) tampered, $(ls "$W/stage/plain" | wc -l) unlabelled"

if [ -n "${SET_ONLY:-}" ]; then echo "set in $W/set ($COUNT files, average $AVG_KB KB; $KINDS)"; exit 0; fi

CHECK="$TAMGA check $W/set --policy kz --trust $ANCHOR --json >/dev/null"
C2PA_LOOP="for f in $W/set/*; do $C2PATOOL \"\$f\" trust --trust_anchors $ANCHOR >/dev/null 2>&1; done"
SUMMARY=$("$TAMGA" check "$W/set" --policy kz --trust "$ANCHOR" --json | python3 -c \
  "import json,sys; s=json.load(sys.stdin)['summary']; print(f\"{s['publish']} publish, {s['fix']} fix, {s['reject']} reject\")" || true)

{
  echo "## tamga check vs c2patool, $COUNT files, average $AVG_KB KB, $(nproc) cores"
  echo
  echo "Set: $KINDS. Formats: $MIX. Total $BYTES bytes."
  echo "tamga check's verdicts (policy kz): $SUMMARY."
  echo
} | tee "$OUT"
hyperfine -i --runs "$RUNS" --warmup 1 --export-markdown "$W/speed.md" \
  -n "tamga check (one call, all cores)" "$CHECK" \
  -n "c2patool once per file" "$C2PA_LOOP"
cat "$W/speed.md" >> "$OUT"

# Peak memory of the whole tamga check run (GNU time's max RSS, in KB).
"$TIME" -v -o "$W/time.txt" "$TAMGA" check "$W/set" --policy kz --trust "$ANCHOR" --json >/dev/null || true
KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time.txt")
WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$W/time.txt")
{
  echo
  echo "| tamga check, one run under GNU time | value |"
  echo "|---|---:|"
  echo "| wall clock | $WALL |"
  echo "| peak memory (max RSS) | $KB KB ($((KB / 1024)) MB) |"
} | tee -a "$OUT"
echo "written $OUT"
