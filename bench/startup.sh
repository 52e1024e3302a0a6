#!/usr/bin/env bash
# Start-up and single-file verify, whole process, side by side with c2patool
# 0.27.0 in one run: what every per-file call of a CMS or a shell loop pays.
#
#   bench/startup.sh     # needs: hyperfine, ffmpeg, python3, GNU time, c2patool on PATH (or C2PATOOL=…)
#   RUNS=N (default 100) runs per command.
#
# TAMGA=path/to/tamga skips the release build (say which commit it was built from).
# Results are printed as Markdown and written to bench/startup-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
C2PATOOL=${C2PATOOL:-c2patool}
TIME=/usr/bin/time
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
command -v "$C2PATOOL" >/dev/null || { echo "need c2patool 0.27.0 (cargo install --locked --version 0.27.0 c2patool)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }
command -v ffmpeg >/dev/null || { echo "need ffmpeg (apt-get install ffmpeg)"; exit 2; }
command -v python3 >/dev/null || { echo "need python3"; exit 2; }
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q
  TAMGA=$PWD/target/release/tamga
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
RUNS=${RUNS:-100}

# Median, minimum and CPU time (user + system) per command, and the median
# ratio of the first command to the second: on a shared machine the mean
# carries other processes' noise, the median and the CPU time much less.
summary() {
  python3 - "$1" <<'PY'
import json, statistics, sys
rs = json.load(open(sys.argv[1]))["results"]
print()
print("| command | median ms | min ms | CPU (user+sys) ms |")
print("|---|---:|---:|---:|")
for r in rs:
    t = [x * 1000 for x in r["times"]]
    print(f"| {r['command']} | {statistics.median(t):.1f} | {min(t):.1f} | {(r['user'] + r['system']) * 1000:.1f} |")
a, b = (statistics.median(r["times"]) for r in rs[:2])
ca, cb = (r["user"] + r["system"] for r in rs[:2])
print(f"\nMedian ratio {rs[0]['command']} / {rs[1]['command']}: {a / b:.2f}; CPU-time ratio: {ca / cb:.2f}")
PY
}

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
# A ~200 KB camera-sized JPEG, as in compare.sh.
ffmpeg -loglevel error -i samples/sample.jpg -vf scale=1400:1050 -q:v 2 "$W/big.jpg"
"$TAMGA" label "$W/big.jpg" --ai generated --keys "$W/keys" -o "$W/v.jpg" >/dev/null

{
  echo "## Linked libraries"
  echo
  echo '```'
  ldd "$TAMGA" | awk '{print $1}'
  echo '```'
} > "$W/results.md"

printf '\n## Start-up: `--version`, whole process\n\n' >> "$W/results.md"
hyperfine --runs "$RUNS" --warmup 5 -N --export-markdown "$W/version.md" --export-json "$W/version.json" \
  -n "tamga --version" "$TAMGA --version" \
  -n "c2patool --version" "$C2PATOOL --version"
cat "$W/version.md" >> "$W/results.md"
summary "$W/version.json" >> "$W/results.md"

printf '\n## Verifying one JPEG (%s bytes), whole process\n\n' "$(stat -c %s "$W/v.jpg")" >> "$W/results.md"
hyperfine --runs "$RUNS" --warmup 5 -N --export-markdown "$W/verify.md" --export-json "$W/verify.json" \
  -n "tamga verify" "$TAMGA verify --trust $W/keys/trust-anchor.pem $W/v.jpg" \
  -n "c2patool" "$C2PATOOL $W/v.jpg trust --trust_anchors $W/keys/trust-anchor.pem"
cat "$W/verify.md" >> "$W/results.md"
summary "$W/verify.json" >> "$W/results.md"

printf '\n| verify, peak RSS | MB |\n|---|---:|\n' >> "$W/results.md"
for tool in tamga c2patool; do
  if [ "$tool" = tamga ]; then
    "$TIME" -f "%M" -o "$W/t" "$TAMGA" verify --trust "$W/keys/trust-anchor.pem" "$W/v.jpg" >/dev/null
  else
    "$TIME" -f "%M" -o "$W/t" "$C2PATOOL" "$W/v.jpg" trust --trust_anchors "$W/keys/trust-anchor.pem" >/dev/null
  fi
  printf '| %s | %d |\n' "$tool" $(($(cat "$W/t") / 1024)) >> "$W/results.md"
done

cp "$W/results.md" bench/startup-results.md
cat bench/startup-results.md
