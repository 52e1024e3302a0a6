#!/usr/bin/env bash
# tamga serve under load against tamga's own in-process verification, in one
# run: a ~300 KB labelled JPEG, verified (a) in process on both cores by one
# shared Verifier in a loop (crates/label/examples/verify_loop.rs) and (b)
# over HTTP with wrk at 8 connections. Goal (issue 6): (b) at least 70 % of
# (a) in requests per second, p99 under 100 ms; the server's peak memory.
#
#   bench/serve.sh          # needs: wrk, ImageMagick; SECONDS_EACH=15 by default
# Results are printed as Markdown and written to bench/serve-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "need wrk (apt-get install wrk)"; exit 2; }
IM=$(command -v convert-im6.q16 || command -v magick || command -v convert)
D=${SECONDS_EACH:-15}
OUT=bench/serve-results.md

cargo build --release --locked -q
cargo build --release --locked -q --example verify_loop -p tamga-label
TAMGA=$PWD/target/release/tamga
LOOP=$PWD/target/release/examples/verify_loop
W=$(mktemp -d)
trap 'kill "${PID:-}" 2>/dev/null || true; rm -rf "$W"' EXIT

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
"$IM" -seed 7 -size 860x645 plasma:fractal -quality 93 "$W/in.jpg"
"$TAMGA" label "$W/in.jpg" --ai generated --keys "$W/keys" -o "$W/photo.jpg" >/dev/null
SIZE=$(stat -c %s "$W/photo.jpg")

INPROC=$("$LOOP" "$W/photo.jpg" "$W/keys/trust-anchor.pem" "$D" "$(nproc)")

cat > "$W/serve.toml" <<TOML
[server]
listen = "127.0.0.1:0"
# One slot per wrk connection: the benchmark measures throughput, not 429s.
max_concurrent = 8
[trust]
anchors = "$W/keys/trust-anchor.pem"
TOML
TAMGA_LOG=warn "$TAMGA" serve --config "$W/serve.toml" > "$W/serve.out" 2>"$W/serve.err" &
PID=$!
for _ in $(seq 50); do grep -q listening "$W/serve.out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's/^listening on //p' "$W/serve.out")
cat > "$W/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/jpeg"
local f = io.open("$W/photo.jpg", "rb")
wrk.body = f:read("*all")
f:close()
LUA
curl -sf --data-binary @"$W/photo.jpg" "$ADDR/v1/verify" | grep -q '"trusted"'
wrk -t 2 -c 8 -d "${D}s" --latency -s "$W/post.lua" "$ADDR/v1/verify" > "$W/wrk.txt"
RPS=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.txt")
P50=$(awk '$1 == "50%" {print $2}' "$W/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$W/wrk.txt")
ERRS=$(grep -E "Non-2xx|Socket errors" "$W/wrk.txt" | tr -s ' ' | paste -sd';' || true)
ERRS=${ERRS:-none}
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
RATIO=$(python3 -c "print(f'{$RPS / $INPROC * 100:.0f}')")

{
  echo "## tamga serve: a $SIZE-byte labelled JPEG, $(nproc) cores, ${D} s each"
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| in-process \`Verifier\`, $(nproc) threads (verifications/s) | $INPROC |"
  echo "| \`POST /v1/verify\`, wrk 8 connections (requests/s) | $RPS |"
  echo "| HTTP throughput vs in-process | **$RATIO %** |"
  echo "| latency p50 | $P50 |"
  echo "| latency p99 | **$P99** |"
  echo "| server peak memory (VmHWM) | $((HWM / 1024)) MB |"
  echo "| errors | $ERRS |"
} | tee "$OUT"
echo "written $OUT"
