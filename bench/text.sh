#!/usr/bin/env bash
# Text labels (C2PA Annex A.8): speed and memory on a 10 MB UTF-8 text against
# sha256sum on the same file, side by side in one run, and the wrapper's size
# per key type.
#
#   bench/text.sh               # needs: hyperfine, GNU time, sha256sum, python3
#
# Goal (issue 3): labelling and verifying each within 5x sha256sum's time,
# peak memory within 4x the file size. Results go to bench/text-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=/usr/bin/time
RUNS=${RUNS:-10}
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }

cargo build --release --locked -q
TAMGA=$PWD/target/release/tamga
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
OUT=bench/text-results.md

"$TAMGA" keys init --org "Bench Org" --dir "$W/ed25519" >/dev/null
"$TAMGA" keys init --org "Bench Org" --dir "$W/p256" --alg p256 >/dev/null

# 10 MB of real multilingual copy: the bundled samples, repeated.
python3 - "$W/big.txt" <<'PY'
import sys, pathlib
parts = [pathlib.Path("samples/text", n).read_bytes()
         for n in ("kk.md", "ru.txt", "en.md", "zh.txt", "emoji.txt")]
chunk = b"\n".join(parts)
data = (chunk * (10_000_000 // len(chunk) + 1))[:10_000_000]
data = data[:len(data.decode("utf-8", "ignore").encode())]  # whole characters
pathlib.Path(sys.argv[1]).write_bytes(data)
PY
SIZE=$(stat -c %s "$W/big.txt")
LABEL="$TAMGA label $W/big.txt --ai generated --generator 'Bench 1' --keys $W/ed25519 -o $W/labelled.txt"
eval "$LABEL" >/dev/null
VERIFY="$TAMGA verify $W/labelled.txt --trust $W/ed25519/trust-anchor.pem"

{
  echo "## 10 MB UTF-8 text ($SIZE bytes), $(nproc) cores"
  echo
} > "$OUT"
hyperfine --runs "$RUNS" --warmup 2 --export-markdown "$W/speed.md" \
  -n "sha256sum" "sha256sum $W/big.txt" \
  -n "tamga label" "$LABEL" \
  -n "tamga verify" "$VERIFY" >/dev/null
cat "$W/speed.md" >> "$OUT"

peak() { "$TIME" -f %M sh -c "$1 >/dev/null" 2>&1 | tail -1; }
{
  echo
  echo "| peak memory (max RSS) | KB | x file size |"
  echo "|---|---:|---:|"
  for row in "sha256sum|sha256sum $W/big.txt" "tamga label|$LABEL" "tamga verify|$VERIFY"; do
    name=${row%%|*}; cmd=${row#*|}
    kb=$(peak "$cmd")
    echo "| $name | $kb | $(python3 -c "print(f'{$kb*1024/$SIZE:.2f}')") |"
  done
} >> "$OUT"

# Wrapper size per key type, on a 200-byte chat answer.
printf 'The capital of Kazakhstan is Astana. Its population passed 1.5 million in 2024, and it has been the capital since 1997, when it replaced Almaty. Қазақстанның астанасы — Астана.\n' > "$W/answer.txt"
{
  echo
  echo "## Wrapper size on a $(stat -c %s "$W/answer.txt")-byte answer (no timestamp, no thumbnail)"
  echo
  echo "| key | manifest store | wrapper (UTF-8) | labelled text |"
  echo "|---|---:|---:|---:|"
  for k in ed25519 p256; do
    "$TAMGA" label "$W/answer.txt" --ai generated --generator "Bench 1" --keys "$W/$k" -o "$W/answer-$k.txt" >/dev/null
    python3 - "$W/answer.txt" "$W/answer-$k.txt" "$k" <<'PY'
import sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
w = len(b) - len(a)
m = (w - 3 - 6) // 4 - 13   # invert 3 + (13 + M)*4 + 6
print(f"| {sys.argv[3]} | {m} | {w} | {len(b)} |")
PY
  done
} >> "$OUT"
cat "$OUT"
