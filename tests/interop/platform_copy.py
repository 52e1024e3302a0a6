"""Make the copy of an image a platform hands on, with OpenCV (an
independent JPEG and resampling implementation): decoded to pixels (every
byte of metadata, and so any C2PA label, gone), optionally cropped and
resized, and encoded again.

Usage: platform_copy.py IN OUT [--scale S] [--crop SHARE] [--quality Q]
--crop cuts SHARE of the width and height off the left and the top;
--scale resizes with INTER_AREA (what thumbnailers use); --quality is the
JPEG quality when OUT ends in .jpg (default 75). A .png OUT is lossless.
"""
import argparse

import cv2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--crop", type=float, default=0.0)
    p.add_argument("--quality", type=int, default=75)
    a = p.parse_args()
    img = cv2.imread(a.src, cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"cannot read {a.src}")
    h, w = img.shape[:2]
    img = img[int(h * a.crop):, int(w * a.crop):]
    if a.scale != 1.0:
        h, w = img.shape[:2]
        img = cv2.resize(img, (round(w * a.scale), round(h * a.scale)), interpolation=cv2.INTER_AREA)
    params = [cv2.IMWRITE_JPEG_QUALITY, a.quality] if a.dst.lower().endswith(".jpg") else []
    if not cv2.imwrite(a.dst, img, params):
        raise SystemExit(f"cannot write {a.dst}")


if __name__ == "__main__":
    main()
