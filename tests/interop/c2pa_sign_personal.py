"""Sign a file with the reference C2PA SDK (c2pa-python) as a camera app
with an AI tool might: a c2pa.created action whose parameters hold the
prompt, a stds.exif assertion with GPS and the camera's serial number, and a
vendor assertion holding the prompt again.

Usage: c2pa_sign_personal.py SRC DEST MIME CHAIN.pem KEY.pem ALG
"""
import json
import sys

import c2pa


def main():
    src, dest, mime, chain, key, alg = sys.argv[1:7]
    manifest = {
        "claim_generator_info": [{"name": "interop-camera-app", "version": "0.1"}],
        "title": "personal",
        "assertions": [
            {
                "label": "stds.exif",
                "kind": "Json",
                "data": {
                    "@context": {"exif": "http://ns.adobe.com/exif/1.0/",
                                 "exifEX": "http://cipa.jp/exif/1.0/"},
                    "exif:GPSLatitude": "43,14.4N",
                    "exif:GPSLongitude": "76,57.0E",
                    "exifEX:BodySerialNumber": "SN-12345",
                    "exif:ExposureTime": "1/125",
                },
            },
            {"label": "com.example.generation", "data": {"prompt": "Aigerim Sadykova at Lake Kaindy"}},
        ],
    }
    info = c2pa.C2paSignerInfo(alg.encode(), open(chain, "rb").read(), open(key, "rb").read(), None)
    signer = c2pa.Signer.from_info(info)
    # Thumbnails on: the ingredient (the camera's original) gets one, as a
    # face would be kept in provenance.
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": True}}})
    builder = c2pa.Builder(manifest, context=ctx)
    with open(src, "rb") as original:
        builder.add_ingredient({"title": "original.jpg", "relationship": "componentOf"}, mime, original)
    builder.add_action({
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        "softwareAgent": {"name": "Camera AI", "version": "1.0"},
        "parameters": {"com.example.prompt": "Aigerim Sadykova at Lake Kaindy"},
    })
    with open(src, "rb") as s, open(dest, "w+b") as d:
        builder.sign(signer, mime, s, d)


if __name__ == "__main__":
    main()
