"""Builds bench/third-party.sh's corpus: C2PA files as a distributor receives
them from camera and editing-software vendors, signed by an independent C2PA
implementation (c2pa-python), plus the twelve C2PA public test files.

    python bench/third-party-corpus.py DIR [--n 300] [--conformance PATH]

Needs: c2pa-python, cryptography, numpy, Pillow (tests/interop/requirements.txt,
e.g. /work/main/.venv/bin/python) and openssl on PATH (the time-stamp authority).

Writes into DIR (replacing what an earlier build wrote there):
  distinct/      each distinct file once (vendor-signed and the public test files)
  set/           N files: the distinct ones replicated round-robin under new
                 names, so a few hundred files share a handful of certificate
                 chains as a real intake does
  anchors.pem    both vendors' roots and the time-stamp authority's root
  single-rsa.jpg a multi-megabyte PS256 (RSA) JPEG for the single-file bench
  distinct.tsv   name, kind, signer, manifests, bytes, c2pa-python's state

Every vendor: root CA -> intermediate CA -> leaf signer; the camera vendor
signs ES256 (P-384 CAs, P-256 leaf), the editing-software vendor PS256 (RSA
4096 CAs, RSA 3072 leaf). Every manifest carries an RFC 3161 time-stamp from
a local authority (RSA, like public TSAs) and a thumbnail. Pixels are seeded,
so the images are the same on every build; keys, signatures and time-stamps
are fresh (nothing secret is committed).

Kinds: camera captures (c2pa.created, digitalCapture); AI-generated images
(c2pa.created, trainedAlgorithmicMedia); edits (a parentOf ingredient, the
capture or AI image they start from); chains of six signing steps after a
capture, alternating vendors, each step's output a file of its own (the last
carries seven manifests), pixels re-saved on every other step.

Each signed file is read back with c2pa-python against anchors.pem: anything
but Trusted stops the build, so the bench never measures a broken corpus.
"""
import argparse
import io
import json
import pathlib
import shutil
import sys
import time

import numpy as np
from PIL import Image, ImageEnhance

import c2pa

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from third_party_pki import TimeStampAuthority, pem, vendors  # noqa: E402

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
REPO = pathlib.Path(__file__).resolve().parent.parent
CONFORMANCE = REPO.parent / "shared/conformance/c2pa-public-testfiles"

# (seed, width, height, noise, JPEG quality): four camera-sized originals of
# 2-4 MB and two of ~0.5 MB; the AI images at the sizes generators emit.
CAMERA = [(1, 4000, 3000, 4, 92), (2, 4000, 3000, 6, 92), (3, 3600, 2700, 5, 92),
          (4, 4000, 2250, 5, 92), (5, 1600, 1200, 6, 90), (6, 2000, 1500, 4, 88)]
AI = [(11, 1024, 1024, 3, 92), (12, 1536, 1024, 3, 92), (13, 2048, 2048, 3, 90),
      (14, 2048, 1152, 4, 90)]


def original(seed, w, h, noise):
    """Deterministic photo-like pixels: smooth random fields at three scales
    plus sensor-like noise (which is what makes a camera JPEG megabytes)."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 128, np.float32)
    for scale, amp in ((8, 90), (32, 40), (128, 20)):
        small = rng.random((max(2, h * scale // w), scale, 3), dtype=np.float32)
        up = Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
        img += (np.asarray(up, np.float32) - 128) * amp / 128
    img += rng.normal(0, noise, (h, w, 3)).astype(np.float32)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def jpeg(image, quality):
    b = io.BytesIO()
    image.save(b, "JPEG", quality=quality)
    return b.getvalue()


class Corpus:
    def __init__(self, out, tsa):
        self.out, self.tsa = out, tsa
        self.camera, self.editor = vendors()
        self.files = []          # (name, kind, vendor org)

    def sign(self, vendor, product, name, kind, source, actions, parent=None):
        """Signs the JPEG bytes `source` as `vendor`'s `product` into
        distinct/NAME.jpg, with `parent` (a path) as parentOf ingredient."""
        manifest = {
            "claim_generator_info": [{"name": product, "version": "3.2"}],
            "title": f"{name}.jpg",
            "assertions": [],
        }
        info = c2pa.C2paSignerInfo(vendor.alg.encode(), vendor.chain_pem(), vendor.key_pem(),
                                   self.tsa.url.encode())
        signer = c2pa.Signer.from_info(info)
        ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": True}}})
        builder = c2pa.Builder(manifest, context=ctx)
        if parent:
            with open(parent, "rb") as p:
                builder.add_ingredient({"title": parent.name, "relationship": "parentOf",
                                        "label": "parent"}, "image/jpeg", p)
        for a in actions:
            builder.add_action(a)
        dest = self.out / "distinct" / f"{name}.jpg"
        with io.BytesIO(source) as s, open(dest, "w+b") as d:
            builder.sign(signer, "image/jpeg", s, d)
        self.files.append((dest.name, kind, vendor.org))
        return dest

    def capture(self, i, spec):
        seed, w, h, noise, q = spec
        return self.sign(self.camera, "Aqtau Optics AQ-7 firmware", f"camera-{i}", "camera capture",
                         jpeg(original(seed, w, h, noise), q),
                         [{"action": "c2pa.created", "digitalSourceType": IPTC + "digitalCapture",
                           "softwareAgent": {"name": "AQ-7 firmware", "version": "3.2"}}])

    def generated(self, i, spec):
        seed, w, h, noise, q = spec
        return self.sign(self.editor, "Steppe Imaging Diffusion", f"ai-{i}", "AI-generated",
                         jpeg(original(seed, w, h, noise), q),
                         [{"action": "c2pa.created",
                           "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
                           "softwareAgent": {"name": "Steppe Diffusion", "version": "5.0"}}])

    def edit(self, vendor, name, kind, parent, step, resave=True):
        """One editing step on `parent`: new pixels (a colour or crop edit,
        re-encoded) or, on a publishing step, the same pixels re-signed."""
        product = ("Steppe Imaging Studio" if vendor is self.editor
                   else "Aqtau Optics Companion")
        opened = {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}
        if not resave:
            return self.sign(vendor, product, name, kind, parent.read_bytes(),
                             [opened, {"action": "c2pa.published"}], parent)
        with Image.open(parent) as im:
            im.load()
            if step % 2:
                w, h = im.size
                im = im.crop((w // 50, h // 50, w - w // 50, h - h // 50))
                act = "c2pa.cropped"
            else:
                im = ImageEnhance.Contrast(im).enhance(1.08)
                act = "c2pa.color_adjustments"
            data = jpeg(im, 90)
        return self.sign(vendor, product, name, kind, data,
                         [opened, {"action": act, "softwareAgent": {"name": product,
                                                                     "version": "3.2"}}],
                         parent)


def state(path, anchors):
    """c2pa-python's reading: (validation state or `unlabelled`, manifests)."""
    settings = {"verify": {"verify_trust": True, "remote_manifest_fetch": False},
                "trust": {"trust_anchors": anchors}}
    try:
        with open(path, "rb") as f:
            reader = c2pa.Reader("image/jpeg", f, context=c2pa.Context.from_dict(settings))
            return reader.get_validation_state(), len(json.loads(reader.json())["manifests"])
    except c2pa.C2paError as e:
        if "ManifestNotFound" in type(e).__name__ or "not found" in str(e).lower():
            return "unlabelled", 0
        return f"error: {e}", 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=pathlib.Path)
    ap.add_argument("--n", type=int, default=300, help="files in set/ (default 300)")
    ap.add_argument("--conformance", type=pathlib.Path, default=CONFORMANCE,
                    help="the C2PA public test files (default ../shared/conformance/...)")
    args = ap.parse_args()
    started = time.monotonic()
    out = args.dir.resolve()
    # Only what this script writes is replaced: the caller may keep its own
    # files (bench/third-party.sh's log of this run) in DIR.
    for d in ("distinct", "set", "work"):
        shutil.rmtree(out / d, ignore_errors=True)
        (out / d).mkdir(parents=True)

    tsa = TimeStampAuthority()
    try:
        c = Corpus(out, tsa)
        captures = [c.capture(i, spec) for i, spec in enumerate(CAMERA)]
        generated = [c.generated(i, spec) for i, spec in enumerate(AI)]
        # Edits as a desktop editor makes them: one per capture and two of
        # AI images, PS256; the first (a 4000x3000 capture) is the RSA file
        # the single-file bench verifies.
        edits = [c.edit(c.editor, f"edit-{i}", "edit", p, i)
                 for i, p in enumerate(captures + generated[:2])]
        # Chains: six steps after a capture, alternating vendors; every
        # third step publishes without touching the pixels.
        for letter, start in zip("abc", (captures[1], captures[4], captures[5])):
            prev = start
            for step in range(1, 7):
                vendor = c.editor if step % 2 else c.camera
                prev = c.edit(vendor, f"chain-{letter}{step}", "chain step", prev, step,
                              resave=step % 3 != 0)
        signed = len(c.files)
        tsa_hits = tsa.hits
    finally:
        tsa.close()
    shutil.rmtree(out / "work")

    anchors = pem(c.camera.root, c.editor.root, tsa.root).decode()
    (out / "anchors.pem").write_text(anchors)
    shutil.copyfile(edits[0], out / "single-rsa.jpg")
    for f in sorted(args.conformance.glob("*.jp*g")):
        shutil.copyfile(f, out / "distinct" / f.name)
        c.files.append((f.name, "C2PA public test file", "-"))

    rows, bad = [], []
    for name, kind, org in c.files:
        st, manifests = state(out / "distinct" / name, anchors)
        rows.append((name, kind, org, manifests, (out / "distinct" / name).stat().st_size, st))
        if kind != "C2PA public test file" and st != "Trusted":
            bad.append(f"{name}: {st}")
    with open(out / "distinct.tsv", "w") as t:
        t.write("# name\tkind\tsigner\tmanifests\tbytes\tc2pa-python state (with anchors.pem)\n")
        for r in rows:
            t.write("\t".join(map(str, r)) + "\n")
    if bad:
        sys.exit("signed files c2pa-python does not read as Trusted:\n  " + "\n  ".join(bad))

    names = [r[0] for r in rows]
    total = 0
    for i in range(args.n):
        name = names[i % len(names)]
        dst = out / "set" / f"f{i:04d}-{name}"
        shutil.copyfile(out / "distinct" / name, dst)
        total += dst.stat().st_size

    kinds = {}
    for r in rows:
        kinds[r[1]] = kinds.get(r[1], 0) + 1
    longest = max(r[3] for r in rows)
    print(f"distinct: {len(rows)} files ({signed} vendor-signed, {tsa_hits} time-stamps; "
          + ", ".join(f"{n} {k}" for k, n in kinds.items())
          + f"); longest history {longest} manifests; "
          f"{sum(r[4] for r in rows) / 1e6:.1f} MB")
    print(f"set: {args.n} files, {total / 1e6:.1f} MB, average {total / args.n / 1e3:.0f} KB")
    print(f"single-rsa.jpg: {(out / 'single-rsa.jpg').stat().st_size / 1e6:.1f} MB, PS256; "
          f"built in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
