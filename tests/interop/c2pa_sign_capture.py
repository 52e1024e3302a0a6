"""Sign a file with the reference C2PA SDK (c2pa-python) as a camera or an
editing tool would (no AI): a c2pa.created action with the given IPTC digital
source type, or with `-` a plain edit (c2pa.opened of the source as the
parent ingredient, then c2pa.edited: no source type, nothing about AI); optionally a
CAWG X.509 identity assertion naming who vouches for it.

Usage: c2pa_sign_capture.py SRC DEST MIME CHAIN.pem KEY.pem SOURCE_TYPE|- [CAWG_CHAIN.pem CAWG_KEY.pem]
Keys are Ed25519 (tamga keys init).
"""
import sys

import c2pa

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def local(chain, key):
    return {"local": {"alg": "ed25519", "sign_cert": open(chain).read(),
                      "private_key": open(key).read()}}


def main():
    src, dest, mime, chain, key, source_type = sys.argv[1:7]
    settings = {"builder": {"thumbnail": {"enabled": False}}, "signer": local(chain, key)}
    if len(sys.argv) > 8:
        # c2pa's settings wrap the claim signer in a CAWG X.509 identity signer.
        settings["cawg_x509_signer"] = local(sys.argv[7], sys.argv[8])
    ctx = c2pa.Context.from_dict(settings)
    manifest = {
        "claim_generator_info": [{"name": "interop-python-camera", "version": "0.1"}],
        "title": "made by a C2PA camera or editor",
        "assertions": [],
    }
    builder = c2pa.Builder(manifest, context=ctx)
    if source_type == "-":
        with open(src, "rb") as s:
            builder.add_ingredient({"title": "source", "relationship": "parentOf",
                                    "label": "source"}, mime, s)
        builder.add_action({"action": "c2pa.opened",
                            "parameters": {"ingredientIds": ["source"]}})
        builder.add_action({"action": "c2pa.edited"})
    else:
        builder.add_action({"action": "c2pa.created", "digitalSourceType": IPTC + source_type})
    with open(src, "rb") as s, open(dest, "w+b") as d:
        # The public sign() wants an explicit Signer, or a Context built with
        # one; the signer from settings (the only way c2pa-python offers the
        # CAWG identity signer) is used by the context-signer call.
        builder._sign_internal(mime, c2pa.Stream(s), c2pa.Stream(d), None)


if __name__ == "__main__":
    main()
