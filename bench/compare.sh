#!/usr/bin/env bash
# Side-by-side benchmark of tamga against c2patool 0.27.0, in one run.
#
#   bench/compare.sh            # needs: hyperfine, sox, ImageMagick, GNU time, c2patool on PATH (or C2PATOOL=…)
#
# c2patool 0.27.0 is the newest that builds on Rust 1.95:
#   cargo install --locked --version 0.27.0 c2patool
# Results are printed as Markdown and written to bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
C2PATOOL=${C2PATOOL:-c2patool}
TIME=/usr/bin/time
RUNS=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
command -v "$C2PATOOL" >/dev/null || { echo "need c2patool 0.27.0 (cargo install --locked --version 0.27.0 c2patool)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }
IM=$(command -v convert-im6.q16 || command -v magick || command -v convert)

cargo build --release --locked -q
TAMGA=$PWD/target/release/tamga
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# Keys shared by both tools, so both sign with the same Ed25519 chain.
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
# Same thumbnail size for both: 256 px long edge, JPEG.
cat > "$W/c2patool.toml" <<TOML
[builder.thumbnail]
enabled = true
long_edge = 256
format = "jpeg"
TOML

# 1. A folder of 200 mixed samples (every embeddable format, cycled).
mkdir -p "$W/in"
formats=(jpg png webp gif tif avif heic jxl svg wav mp3 flac m4a)
for i in $(seq 0 199); do
  ext=${formats[$((i % ${#formats[@]}))]}
  cp "samples/sample.$ext" "$W/in/f$(printf %03d "$i").$ext"
done
C2PA_LOOP="for f in $W/in/*; do $C2PATOOL \"\$f\" -m $W/manifest.json --settings $W/c2patool.toml -o $W/outc/\$(basename \"\$f\") -f >/dev/null 2>&1; done"

echo "## Labelling 200 mixed samples" | tee "$W/results.md"
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/label.md" \
  --prepare "rm -rf $W/outt $W/outc; mkdir -p $W/outc" \
  -n "tamga label (one call, all cores)" "$TAMGA label $W/in --ai generated --generator 'Bench 1' --keys $W/keys -o $W/outt" \
  -n "c2patool once per file" "$C2PA_LOOP"
cat "$W/label.md" >> "$W/results.md"

# 2. Verifying one ~200 KB JPEG, whole process.
"$IM" samples/sample.jpg -resize 1400x1050 -quality 95 "$W/big.jpg"
"$TAMGA" label "$W/big.jpg" --ai generated --keys "$W/keys" -o "$W/v.jpg" >/dev/null
printf '\n## Verifying one JPEG (%s bytes), whole process\n' "$(stat -c %s "$W/v.jpg")" | tee -a "$W/results.md"
hyperfine --runs 30 --warmup 3 -N --export-markdown "$W/verify.md" \
  -n "tamga verify" "$TAMGA verify --trust $W/keys/trust-anchor.pem $W/v.jpg" \
  -n "c2patool" "$C2PATOOL $W/v.jpg trust --trust_anchors $W/keys/trust-anchor.pem"
cat "$W/verify.md" >> "$W/results.md"

# 3. A 134 MB WAV: time and peak memory (max RSS) for labelling and verifying.
sox -n -r 44100 -c 2 -b 16 "$W/big.wav" synth 760 sine 440 vol 0.3
printf '\n## 134 MB WAV (%s bytes)\n\n| step | tool | wall s | peak RSS MB |\n|---|---|---:|---:|\n' "$(stat -c %s "$W/big.wav")" | tee -a "$W/results.md"
measure() { # name tool command…
  local name=$1 tool=$2; shift 2
  "$TIME" -f "%e %M" -o "$W/t" "$@" >/dev/null 2>&1 || true
  read -r secs kb < "$W/t"
  printf '| %s | %s | %s | %d |\n' "$name" "$tool" "$secs" $((kb / 1024)) | tee -a "$W/results.md"
}
measure label tamga "$TAMGA" label "$W/big.wav" --ai generated --keys "$W/keys" -o "$W/t.wav"
measure label c2patool "$C2PATOOL" "$W/big.wav" -m "$W/manifest.json" -o "$W/c.wav" -f
measure verify tamga "$TAMGA" verify --trust "$W/keys/trust-anchor.pem" "$W/t.wav"
measure verify c2patool "$C2PATOOL" "$W/c.wav" trust --trust_anchors "$W/keys/trust-anchor.pem"

cp "$W/results.md" bench/results.md
echo "written bench/results.md"
