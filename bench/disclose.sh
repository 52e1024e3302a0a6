#!/usr/bin/env bash
# Disclosure cards for 1,000 labelled files (issue 21): one
# `tamga disclose FILE… -o DIR` call, HTML with the QR code and the risk
# lines, and the SVG and PNG packaging labels, timed by hyperfine.
#
#   bench/disclose.sh     # needs: hyperfine
#   FILES=N (default 1000) RUNS=N (default 5).
#   TAMGA=path/to/tamga skips the release build (say which commit it was built from).
#
# Goal: 1,000 cards in under 10 s.
# Results are printed as Markdown and written to bench/disclose-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q -p tamga
  TAMGA=$PWD/target/release/tamga
fi
FILES=${FILES:-1000}
RUNS=${RUNS:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
"$TAMGA" label samples/sample.jpg --ai generated --generator "Bench Model 1" --keys "$W/keys" -o "$W/one.jpg" >/dev/null 2>&1
mkdir -p "$W/in"
for i in $(seq -w 1 "$FILES"); do cp "$W/one.jpg" "$W/in/p$i.jpg"; done
cat > "$W/risks.toml" <<'TOML'
[kk]
risks = ["Сурет шынайы оқиғаны көрсетпейді"]
[ru]
risks = ["Изображение не показывает реальное событие"]
[en]
risks = ["The picture does not show a real event"]
safe_use = ["Do not use it as evidence"]
TOML
ARGS="--trust $W/keys/trust-anchor.pem --risks $W/risks.toml --verify-url https://verify.example.kz/check"

{
  echo "## Disclosure cards for $FILES labelled JPEGs ($(stat -c %s "$W/one.jpg") bytes each), $(nproc) cores"
  echo
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/h.md" \
    --prepare "rm -rf $W/out" \
    -n "tamga disclose (HTML, kk/ru/en)" "$TAMGA disclose $W/in/*.jpg $ARGS -o $W/out" \
    -n "tamga disclose --format svg" "$TAMGA disclose $W/in/*.jpg $ARGS --format svg -o $W/out" \
    -n "tamga disclose --format png" "$TAMGA disclose $W/in/*.jpg $ARGS --format png -o $W/out" >/dev/null
  cat "$W/h.md"
} | tee bench/disclose-results.md
