#!/usr/bin/env bash
# The distributor's gate on what it actually receives: `tamga check` over a
# few hundred third-party C2PA JPEGs (camera ES256 and editing-software PS256
# chains of three certificates, RFC 3161 time-stamps, thumbnails, multi-MB
# files, histories of up to seven manifests, the twelve C2PA public test
# files) against c2patool 0.27.0 once per file, side by side in one hyperfine
# run; peak memory of both; single-file verify of a multi-MB RSA-signed JPEG
# against c2patool; and a cross-check of the verdicts on every distinct file.
#
#   bench/third-party.sh        # needs: hyperfine, GNU time, openssl, a Python with
#                               #        tests/interop/requirements.txt (c2pa-python,
#                               #        cryptography, numpy, Pillow), c2patool on PATH
#
# Knobs: RUNS (hyperfine runs of the set, default 3), SINGLE_RUNS (single-file
# runs, default 30), N (files in the set, default 300), TAMGA=path uses that
# binary instead of building release, C2PATOOL=path, PYTHON=path (default
# .venv/bin/python), CONFORMANCE=dir (default ../shared/conformance),
# BENCH_DIR=dir keeps the corpus there instead of a temporary folder,
# SET_ONLY=1 stops once the corpus is built (for profiling against it).
#
# Goals (issue 19): tamga check at least 15x faster than the c2patool loop,
# with peak memory (max RSS) under 100 MB; single-file verify of the RSA JPEG
# no slower than c2patool. Results go to bench/third-party-results.md.
#
# The corpus (bench/third-party-corpus.py) is signed by c2pa-python, an
# independent C2PA implementation, with fresh keys each build; its pixels are
# seeded, so sizes and shapes are the same every time. The distinct files are
# replicated round-robin under new names, so the set shares a handful of
# certificate chains as a real intake does.
set -euo pipefail
cd "$(dirname "$0")/.."
C2PATOOL=${C2PATOOL:-c2patool}
PY=${PYTHON:-.venv/bin/python}
CONF=${CONFORMANCE:-../shared/conformance}
TIME=/usr/bin/time
RUNS=${RUNS:-3}
SINGLE_RUNS=${SINGLE_RUNS:-30}
N=${N:-300}
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
[ -x "$TIME" ] || { echo "need GNU time (apt-get install time)"; exit 2; }
command -v openssl >/dev/null || { echo "need openssl (the corpus's time-stamp authority)"; exit 2; }
"$PY" -c "import c2pa, cryptography, numpy, PIL" 2>/dev/null ||
  { echo "need a Python with tests/interop/requirements.txt (PYTHON=…)"; exit 2; }
[ -d "$CONF/c2pa-public-testfiles" ] || { echo "need the C2PA public test files in $CONF (CONFORMANCE=…)"; exit 2; }
OUT=bench/third-party-results.md

if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q
  TAMGA=$PWD/target/release/tamga
fi
TAMGA=$(realpath "$TAMGA")
if [ -n "${BENCH_DIR:-}" ]; then
  W=$(realpath -m "$BENCH_DIR")
  rm -rf "$W" && mkdir -p "$W"
else
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
fi
export LC_ALL=C.UTF-8 TZ=UTC

START=$(date +%s)
"$PY" bench/third-party-corpus.py "$W" --n "$N" --conformance "$CONF/c2pa-public-testfiles" | tee "$W/corpus.txt"
BUILT=$(($(date +%s) - START))
ANCHORS=$W/anchors.pem SINGLE=$W/single-rsa.jpg
if [ -n "${SET_ONLY:-}" ]; then echo "corpus in $W (set/, distinct/, anchors.pem, single-rsa.jpg), built in $BUILT s"; exit 0; fi

command -v "$C2PATOOL" >/dev/null || { echo "need c2patool 0.27.0 (cargo install --locked --version 0.27.0 c2patool)"; exit 2; }
C2PATOOL=$(command -v "$C2PATOOL")
C2PA_VERSION=$("$C2PATOOL" --version 2>/dev/null | head -1 || true)
COUNT=$(find "$W/set" -type f | wc -l)
BYTES=$(find "$W/set" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
AVG_KB=$(python3 -c "print(f'{$BYTES / $COUNT / 1000:.0f}')")
SUMMARY=$("$TAMGA" check "$W/set" --policy kz --trust "$ANCHORS" --json | python3 -c \
  "import json,sys; s=json.load(sys.stdin)['summary']; print(f\"{s['publish']} publish, {s['fix']} fix, {s['reject']} reject\")" || true)

{
  echo "## tamga check vs c2patool on third-party C2PA files, $COUNT files, average $AVG_KB KB, $(nproc) cores"
  echo
  echo "Corpus (bench/third-party-corpus.py, built in $BUILT s):"
  echo
  sed 's/^/    /' "$W/corpus.txt"
  echo
  echo "Total $BYTES bytes. tamga check's verdicts (policy kz): $SUMMARY. c2patool: ${C2PA_VERSION:-unknown version}."
  echo
} | tee "$OUT"

# 1. The set: one tamga call against one c2patool process per file.
CHECK="$TAMGA check $W/set --policy kz --trust $ANCHORS --json >/dev/null"
C2PA_LOOP="for f in $W/set/*; do $C2PATOOL \"\$f\" trust --trust_anchors $ANCHORS >/dev/null 2>&1; done"
hyperfine -i --runs "$RUNS" --warmup 1 --export-markdown "$W/speed.md" --export-json "$W/speed.json" \
  -n "tamga check (one call, all cores)" "$CHECK" \
  -n "c2patool once per file" "$C2PA_LOOP"
cat "$W/speed.md" >> "$OUT"

# 2. Peak memory (GNU time's max RSS, KB): tamga's whole run; for the loop,
# the largest single c2patool process (Linux reports the peak over the
# shell's reaped children).
"$TIME" -f %M -o "$W/tamga.rss" "$TAMGA" check "$W/set" --policy kz --trust "$ANCHORS" --json >/dev/null || true
"$TIME" -f %M -o "$W/c2pa.rss" bash -c "$C2PA_LOOP" || true
# A failing command makes GNU time write a status line first: the figure is last.
T_KB=$(tail -1 "$W/tamga.rss") C_KB=$(tail -1 "$W/c2pa.rss")

# 3. One multi-MB PS256 JPEG (an edit of a camera capture: RSA and ECDSA
# manifests, time-stamped), what a single upload check costs.
hyperfine --runs "$SINGLE_RUNS" --warmup 3 --export-markdown "$W/single.md" --export-json "$W/single.json" \
  -n "tamga verify single-rsa.jpg" "$TAMGA verify $SINGLE --trust $ANCHORS --json >/dev/null" \
  -n "c2patool single-rsa.jpg trust" "$C2PATOOL $SINGLE trust --trust_anchors $ANCHORS >/dev/null"

read -r RATIO SINGLE_RATIO < <(python3 - "$W/speed.json" "$W/single.json" <<'PY'
import json, sys
means = [[r["mean"] for r in json.load(open(p))["results"]] for p in sys.argv[1:3]]
print(f"{means[0][1] / means[0][0]:.1f} {means[1][1] / means[1][0]:.2f}")
PY
)
{
  echo
  echo "| peak memory (max RSS), one run under GNU time | KB | MB |"
  echo "|---|---:|---:|"
  echo "| tamga check, whole run | $T_KB | $((T_KB / 1024)) |"
  echo "| c2patool, largest single process of the loop | $C_KB | $((C_KB / 1024)) |"
  echo
  echo "Single file: \`single-rsa.jpg\`, $(stat -c %s "$SINGLE") bytes, PS256 over an ES256 capture, time-stamped."
  echo
  cat "$W/single.md"
  echo
  echo "| goal (issue 19) | measured | met |"
  echo "|---|---:|:---:|"
  python3 -c "r=$RATIO; print(f'| set: c2patool loop / tamga check >= 15x | {r}x | {\"yes\" if r >= 15 else \"no\"} |')"
  python3 -c "k=$T_KB; print(f'| set: tamga peak memory < 100 MB | {k // 1024} MB | {\"yes\" if k < 100 * 1024 else \"no\"} |')"
  python3 -c "r=$SINGLE_RATIO; print(f'| single file: c2patool / tamga verify >= 1 | {r}x | {\"yes\" if r >= 1 else \"no\"} |')"
} | tee -a "$OUT"

# 4. Do the tools agree? Every distinct file once: tamga verify's verdict,
# c2patool's and c2pa-python's validation_state (both with anchors.pem), and
# for the public test files the conformance corpus's expected verdict (which
# is without trust anchors; none of their signers is in anchors.pem).
"$TAMGA" verify "$W/distinct" --trust "$ANCHORS" --json >"$W/tamga-verify.json" || true
mkdir -p "$W/c2patool"
for f in "$W"/distinct/*; do
  n=$(basename "$f")
  "$C2PATOOL" "$f" trust --trust_anchors "$ANCHORS" >"$W/c2patool/$n.json" 2>"$W/c2patool/$n.err" || true
done
python3 - "$W" "$CONF/expected.tsv" <<'PY' | tee -a "$OUT"
import json, pathlib, sys
w, expected_tsv = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
STATE = {"Trusted": "trusted", "Valid": "valid-untrusted", "Invalid": "invalid",
         "unlabelled": "unlabelled"}

def c2patool(name):
    out = (w / "c2patool" / f"{name}.json").read_text(errors="replace")
    err = (w / "c2patool" / f"{name}.err").read_text(errors="replace")
    try:
        return STATE.get(json.loads(out).get("validation_state"), "no validation_state")
    except ValueError:
        low = err.lower()
        if "no claim" in low or "manifestnotfound" in low or "not found" in low:
            return "unlabelled"
        return "error: " + (err.strip().splitlines() or ["no output"])[-1][:60]

tamga = {pathlib.Path(f["path"]).name: f.get("verdict", "error")
         for f in json.load(open(w / "tamga-verify.json"))["files"]}
expected = {}
for line in expected_tsv.read_text().splitlines():
    if line and not line.startswith("#"):
        path, verdict = line.split("\t")[:2]
        expected[pathlib.Path(path).name] = verdict
rows, differ = [], []
for line in (w / "distinct.tsv").read_text().splitlines()[1:]:
    name, kind, _, manifests, _, py = line.split("\t")
    t, c, p = tamga.get(name, "missing"), c2patool(name), STATE.get(py, py)
    e = expected.get(name, "")
    rows.append((name, kind, manifests, t, c, p, e or "-"))
    if t != c or t != p or (e and t != e):
        differ.append(name)
print()
print(f"Verdicts on the {len(rows)} distinct files (with anchors.pem): "
      f"{len(rows) - len(differ)} agree, {len(differ)} differ"
      + (f" ({', '.join(differ)})" if differ else "") + ".")
print()
print("| file | kind | manifests | tamga verify | c2patool | c2pa-python | expected (no anchors) |")
print("|---|---|---:|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY
echo "written $OUT"
