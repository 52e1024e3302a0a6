"""Sign a file with the reference C2PA SDK (c2pa-python), as another vendor's
AI tool would: a c2pa.created action with an IPTC digital source type.

Usage: c2pa_sign.py SRC DEST MIME CHAIN.pem KEY.pem ALG
"""
import json
import sys

import c2pa


def main():
    src, dest, mime, chain, key, alg = sys.argv[1:7]
    manifest = {
        "claim_generator_info": [{"name": "interop-python-generator", "version": "0.1"}],
        "title": "made by another C2PA tool",
        "assertions": [],
    }
    info = c2pa.C2paSignerInfo(alg, open(chain, "rb").read(), open(key, "rb").read(), None)
    signer = c2pa.Signer.from_info(info)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(manifest, context=ctx)
    builder.add_action({
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        "softwareAgent": {"name": "Other Vendor Diffusion", "version": "5.0"},
    })
    with open(src, "rb") as s, open(dest, "w+b") as d:
        builder.sign(signer, mime, s, d)


if __name__ == "__main__":
    main()
