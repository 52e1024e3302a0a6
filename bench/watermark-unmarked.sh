#!/usr/bin/env bash
# Generates the unmarked images the watermark detector's false-positive
# check runs on (docs/watermark.md): N frames from each of eight ffmpeg
# lavfi sources whose content changes every frame (fractal zooms, cellular
# automata, Life, moving gradients, test cards, noise, plasma, Mandelbrot
# colour cycling), as JPEG at qualities from 60 to 95, 640×480 and 800×600.
#
#   bench/watermark-unmarked.sh OUT_DIR [FRAMES_PER_SOURCE]   (default 1250)
set -euo pipefail
out=${1:?usage: $0 OUT_DIR [FRAMES_PER_SOURCE]}
n=${2:-1250}
mkdir -p "$out"
i=0
src() { # NAME SIZE LAVFI
  i=$((i + 1))
  q=$(( 2 + i % 6 ))   # ffmpeg's -q:v 2..7: about quality 95 down to 60
  ffmpeg -v error -y -f lavfi -i "$3" -frames:v "$n" -q:v "$q" "$out/$1-%05d.jpg"
}
src mandelbrot 640x480 "mandelbrot=size=640x480:rate=25:maxiter=400:start_scale=3:end_scale=0.0001:end_pts=60"
src cellauto 800x600 "cellauto=size=800x600:rule=110:random_fill_ratio=0.4:seed=3,gblur=sigma=1.2"
src life 640x480 "life=size=640x480:ratio=0.3:mold=20:seed=5:life_color=#40c0ff:death_color=#202020,gblur=sigma=1"
src gradients 800x600 "gradients=size=800x600:speed=0.05:nb_colors=5:seed=9,format=rgb24,noise=alls=4:allf=t"
src testsrc2 640x480 "testsrc2=size=640x480:rate=25"
src noise 800x600 "color=gray:size=800x600,noise=alls=40:allf=t,gblur=sigma=2"
src plasma 640x480 "nullsrc=size=640x480,geq=r='128+100*sin(X/9+T*3)+20*sin(Y/7)':g='128+90*sin(X/13+Y/11-T*2)':b='128+60*cos((X+Y)/17+T)'"
src bars 800x600 "smptehdbars=size=800x600,hue=h=t*40,noise=alls=6:allf=t"
echo "$(ls "$out" | wc -l) unmarked images in $out"
