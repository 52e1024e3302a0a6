#!/usr/bin/env bash
# tamga serve under load against tamga's own in-process verification, in one
# run: a ~300 KB labelled JPEG, verified (a) in process on both cores by one
# shared Verifier in a loop (crates/label/examples/verify_loop.rs) and (b)
# over HTTP with wrk at 8 connections. Goal (issue 6): (b) at least 70 % of
# (a) in requests per second, p99 under 100 ms; the server's peak memory.
#
# (a) and (b) alternate for ROUNDS rounds and the medians are compared: on a
# shared 2-core machine the speed of either swings by 20 % from minute to
# minute, so one long run of each would measure the neighbours as much as
# tamga.
#
#   bench/serve.sh          # needs: wrk, ImageMagick; ROUNDS=5, SECONDS_EACH=8
# Results are printed as Markdown and written to bench/serve-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "need wrk (apt-get install wrk)"; exit 2; }
IM=$(command -v convert-im6.q16 || command -v magick || command -v convert)
D=${SECONDS_EACH:-8}
ROUNDS=${ROUNDS:-5}
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

cat > "$W/serve.toml" <<TOML
[server]
listen = "127.0.0.1:0"
# Room for every wrk connection (the default on 2 cores, 4 x cores, is the
# same): the benchmark measures throughput, not 429s.
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
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$W/inproc"; : > "$W/rps"; : > "$W/p50"; : > "$W/p99"; : > "$W/errs"
for r in $(seq "$ROUNDS"); do
  "$LOOP" "$W/photo.jpg" "$W/keys/trust-anchor.pem" "$D" "$(nproc)" >> "$W/inproc"
  wrk -t 2 -c 8 -d "${D}s" --latency -s "$W/post.lua" "$ADDR/v1/verify" > "$W/wrk.txt"
  awk '/Requests\/sec/ {print $2}' "$W/wrk.txt" >> "$W/rps"
  # wrk prints 12.3ms, 1.2s or 900us; in ms:
  for q in 50 99; do
    awk -v q="$q%" '$1 == q {v=$2; u=v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
      print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v)}' "$W/wrk.txt" >> "$W/p$q"
  done
  grep -E "Non-2xx|Socket errors" "$W/wrk.txt" >> "$W/errs" || true
  echo "round $r: in-process $(tail -1 "$W/inproc")/s, HTTP $(tail -1 "$W/rps")/s, p99 $(tail -1 "$W/p99") ms" >&2
done
INPROC=$(median < "$W/inproc")
RPS=$(median < "$W/rps")
P50=$(median < "$W/p50")
P99=$(sort -g "$W/p99" | tail -1)
ERRS=$(tr -s ' ' < "$W/errs" | paste -sd';' || true)
ERRS=${ERRS:-none}
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
RATIO=$(python3 -c "print(f'{$RPS / $INPROC * 100:.0f}')")
ROUND_RATIOS=$(paste -d' ' "$W/rps" "$W/inproc" | awk '{printf "%s%.0f %%", (NR > 1 ? ", " : ""), $1 / $2 * 100}')

{
  echo "## tamga serve: a $SIZE-byte labelled JPEG, $(nproc) cores, $ROUNDS alternating rounds of ${D} s"
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| in-process \`Verifier\`, $(nproc) threads (verifications/s, median) | $INPROC |"
  echo "| \`POST /v1/verify\`, wrk 8 connections (requests/s, median) | $RPS |"
  echo "| HTTP throughput vs in-process | **$RATIO %** |"
  echo "| the same, round by round | $ROUND_RATIOS |"
  echo "| latency p50 (median of rounds) | $P50 ms |"
  echo "| latency p99 (worst round) | **$P99 ms** |"
  echo "| server peak memory (VmHWM) | $((HWM / 1024)) MB |"
  echo "| errors | $ERRS |"
} | tee "$OUT"
echo "written $OUT"
