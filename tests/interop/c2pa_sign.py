"""Sign a file with the reference C2PA SDK (c2pa-python), as another vendor's
AI tool would: a c2pa.created action with an IPTC digital source type.

Usage: c2pa_sign.py SRC DEST MIME CHAIN.pem KEY.pem ALG
"""
import json
import sys

from other_vendor import builder_and_signer


def main():
    src, dest, mime, chain, key, alg = sys.argv[1:7]
    builder, signer = builder_and_signer(
        chain, key, alg, "made by another C2PA tool", "Other Vendor Diffusion")
    with open(src, "rb") as s, open(dest, "w+b") as d:
        builder.sign(signer, mime, s, d)


if __name__ == "__main__":
    main()
