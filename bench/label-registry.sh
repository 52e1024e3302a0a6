#!/usr/bin/env bash
# Labelling throughput with and without recording every label in a registry,
# side by side in one run: a folder of generated photos and recordings,
# labelled with one `tamga label DIR -o OUT` call, without `--registry`,
# with a SQLite registry and with a throwaway PostgreSQL one.
#
#   bench/label-registry.sh     # needs: hyperfine, ffmpeg; PostgreSQL's server
#                               # binaries for the third row (apt-get install postgresql)
#   IMAGES=N (default 60) AUDIO=N (default 12) RUNS=N (default 5).
#   TAMGA=path/to/tamga skips the release build.
#
# Goal (issue 17): labelling with registration at least 80 % of the
# throughput without it. Registration reads each written file once more
# (SHA-256, Data- and Instance-Code), parses the signed store back, and
# commits one transaction; the content code is computed either way (it is
# in the manifest). The registries grow across runs, as they would in use.
# Results are printed as Markdown and written to bench/label-registry-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "need hyperfine (apt-get install hyperfine)"; exit 2; }
command -v ffmpeg >/dev/null || { echo "need ffmpeg (apt-get install ffmpeg)"; exit 2; }
if [ -z "${TAMGA:-}" ]; then
  cargo build --release --locked -q -p tamga
  TAMGA=$PWD/target/release/tamga
fi
IMAGES=${IMAGES:-60}
AUDIO=${AUDIO:-12}
RUNS=${RUNS:-5}
OUT=bench/label-registry-results.md
W=$(mktemp -d)
PGDATA=
cleanup() {
  if [ -n "$PGDATA" ]; then
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGW"
  fi
  rm -rf "$W"
}
trap cleanup EXIT

"$TAMGA" keys init --org "Bench Org" --dir "$W/keys" >/dev/null
mkdir -p "$W/in"
# Distinct content per file, as a newsroom's folder has: 2-megapixel JPEGs
# of cellular-automaton patterns with grain and 20-second recordings of different tones.
for i in $(seq 1 "$IMAGES"); do
  ffmpeg -loglevel error -f lavfi \
    -i "cellauto=s=480x270:rule=$((30 + i % 90)):random_seed=$i,scale=1920:1080:flags=bicubic,gblur=sigma=2,hue=h=$((i * 17)),noise=alls=12:allf=t:all_seed=$i" \
    -frames:v 1 -q:v 3 "$W/in/photo$i.jpg"
done
for i in $(seq 1 "$AUDIO"); do
  ffmpeg -loglevel error -f lavfi -i "sine=frequency=$((200 + 37 * i)):beep_factor=$((i % 5 + 2)):duration=20" \
    -ac 2 -ar 44100 "$W/in/tone$i.wav"
done

cmds=(
  -n "no registry" "rm -rf $W/out && $TAMGA label $W/in -o $W/out --ai generated --keys $W/keys"
  -n "SQLite registry" "rm -rf $W/out && $TAMGA label $W/in -o $W/out --ai generated --keys $W/keys --registry sqlite:$W/reg.sqlite"
)

PGBIN=${TAMGA_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -x "$PGBIN/initdb" ]; then
  # PostgreSQL refuses to run as root: as root, the cluster runs as the
  # postgres user, in a folder of its own.
  AS=()
  PGW=$(mktemp -d)
  if [ "$(id -u)" = 0 ]; then
    AS=(runuser -u postgres --)
    chown postgres "$PGW"
  fi
  PGDATA=$PGW/data
  "${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U tamga >/dev/null
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGW/log" -o "-k $PGW -c listen_addresses=''" -w start >/dev/null
  "$PGBIN/createdb" -h "$PGW" -U tamga bench
  cmds+=(-n "PostgreSQL registry" "rm -rf $W/out && $TAMGA label $W/in -o $W/out --ai generated --keys $W/keys --registry postgres://tamga@/bench?host=$PGW")
else
  echo "no PostgreSQL server binaries: the PostgreSQL row is skipped" >&2
fi

{
  echo "## Labelling $IMAGES JPEGs (1920×1080) and $AUDIO WAVs (20 s), one call, $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$W/t.md" --export-json "$W/t.json" "${cmds[@]}" >&2
  cat "$W/t.md"
  python3 - "$W/t.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
base = rs[0]["mean"]
print()
for r in rs[1:]:
    print(f"Throughput with {r['command']}: {100 * base / r['mean']:.0f} % of without.")
PY
} | tee "$OUT"
