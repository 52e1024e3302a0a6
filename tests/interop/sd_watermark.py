"""Marks generated images with the Stable Diffusion watermark, using the
real `invisible-watermark` package (method dwtDct), the way the three
pipelines do:

- SD 1 ("StableDiffusionV1") and SD 2 ("SDV2"): CompVis/Stability scripts
  mark the uint8 BGR image and save it;
- SDXL (48 bits 0xB3EC907BB19E): diffusers and Stability's sgm mark a
  float image in 0..255, then clamp and round it to uint8 when saving.

Usage: sd_watermark.py OUT_DIR. Writes PNGs (and a JPEG of quality 90 of
each) plus `index.json`: [{"file", "payload" (null when unmarked),
"pipeline"}]. `torch` is stubbed: the package imports it only for rivaGan.
"""

import json
import os
import sys
import types

sys.modules.setdefault("torch", types.ModuleType("torch"))
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from imwatermark import WatermarkDecoder, WatermarkEncoder  # noqa: E402

SDXL_BITS = [int(b) for b in bin(0xB3EC907BB19E)[2:]]
PAYLOADS = {
    "sdv1": ("bytes", b"StableDiffusionV1"),
    "sdv2": ("bytes", b"SDV2"),
    "sdxl": ("bits", SDXL_BITS),
}
# Sizes as generators make them, and odd ones: the reference drops the
# last rows/columns that do not fill a 4x4 group.
SIZES = [(512, 512), (389, 517), (576, 768), (483, 642)]


def scene(seed, h, w):
    """A real-looking picture: smooth random colour fields at a few scales,
    a gradient and a little sensor noise (flat or pure-noise images are
    not what generators make)."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.float64)
    for scale, amp in ((8, 90.0), (32, 40.0), (128, 15.0)):
        small = rng.uniform(-1, 1, (h // scale + 2, w // scale + 2, 3))
        img += amp * cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:h, 0:w]
    img += (60 * xx / w + 40 * yy / h)[:, :, None]
    img += 110 + rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8)


def encoder(name):
    kind, content = PAYLOADS[name]
    enc = WatermarkEncoder()
    enc.set_watermark(kind, content)
    return enc


def mark_uint8(bgr, name):
    return encoder(name).encode(bgr, "dwtDct")


def mark_float(bgr, name):
    # diffusers' StableDiffusionXLWatermarker: 255 * image as float32 BGR,
    # encode, then clamp to 0..1 and, when saved, round to uint8.
    marked = encoder(name).encode(bgr.astype(np.float32), "dwtDct")
    return (np.clip(marked / 255.0, 0.0, 1.0) * 255).round().astype(np.uint8)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    index = []

    def save(stem, img, payload, pipeline):
        png = os.path.join(out, stem + ".png")
        jpg = os.path.join(out, stem + ".q90.jpg")
        cv2.imwrite(png, img)
        cv2.imwrite(jpg, img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        for f in (png, jpg):
            # The reference decoder's bits for each payload length, read
            # back from the file as its users would (cv2.imread).
            back = cv2.imread(f)
            reference = {
                str(n): "".join(
                    str(int(b)) for b in WatermarkDecoder("bits", n).decode(back, "dwtDct")
                )
                for n in (32, 48, 136)
            }
            index.append(
                {
                    "file": os.path.basename(f),
                    "payload": payload,
                    "pipeline": pipeline,
                    "reference": reference,
                }
            )

    for i, (h, w) in enumerate(SIZES):
        base = scene(i, h, w)
        save(f"plain{i}", base, None, None)
        for name in PAYLOADS:
            save(f"{name}-uint8-{i}", mark_uint8(base.copy(), name), name, "uint8")
            save(f"{name}-float-{i}", mark_float(base.copy(), name), name, "float")
    # More unmarked scenes, for the false-positive count.
    for i in range(len(SIZES), len(SIZES) + 12):
        h, w = SIZES[i % len(SIZES)]
        save(f"plain{i}", scene(i, h, w), None, None)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)


if __name__ == "__main__":
    main()
