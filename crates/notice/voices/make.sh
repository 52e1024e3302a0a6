#!/usr/bin/env bash
# Regenerates the spoken-notice recordings (LANG-KIND.flac) from the short
# wording in ../notices/LANG.toml, so what is spoken is what the manifest's
# notice record says.
#
# Needs: espeak-ng sox flac (Debian: apt-get install espeak-ng sox flac).
# CI has none of them: the .flac files are committed and embedded in the
# library with include_bytes!, and this script is only for changing them.
#
# Output: FLAC, mono, 16-bit, 16 kHz (speech needs nothing above 8 kHz),
# leading and trailing silence trimmed: the code adds its own gaps.
set -euo pipefail
cd "$(dirname "$0")"

for tool in espeak-ng sox flac; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

# The short wording of one kind ([generated], [edited], [composite]).
short() { # LANG KIND
  awk -v kind="[$2]" '
    /^\[/ { in_kind = ($0 == kind) }
    in_kind && /^short *=/ { sub(/^short *= *"/, ""); sub(/" *$/, ""); print; exit }
  ' "../notices/$1.toml"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for lang in kk ru en zh; do
  case $lang in
    zh) voice=cmn ;;
    *) voice=$lang ;;
  esac
  for kind in generated edited composite; do
    text=$(short "$lang" "$kind")
    [ -n "$text" ] || { echo "no short $kind wording in $lang.toml" >&2; exit 1; }
    spoken=$text
    # Mandarin readers say "AI" as the letters A-I; espeak's cmn voice
    # would read it as the syllable "ai" without the space.
    [ "$lang" = zh ] && spoken=${spoken//AI/A I }
    espeak-ng -v "$voice" -s 150 -w "$tmp/raw.wav" "$spoken"
    # -R: repeatable output; -D: no dither. The silence effects, run forward
    # and reversed, trim the start and the end.
    sox -R -D "$tmp/raw.wav" -b 16 -e signed-integer -r 16000 -c 1 "$tmp/trim.wav" \
      silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse
    flac --silent --best --no-padding -f -o "$lang-$kind.flac" "$tmp/trim.wav"
    printf '%-16s %6s bytes  %s\n' "$lang-$kind.flac" "$(stat -c %s "$lang-$kind.flac")" "$text"
  done
done
