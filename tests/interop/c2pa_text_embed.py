"""Append a C2PA text wrapper (C2PA 2.4 Annex A.8) carrying a manifest store to
a text, with the independent reference implementation c2pa-text (PyPI).

Usage: c2pa_text_embed.py TEXTFILE MANIFEST.c2pa OUT [--pad]
Without --pad: c2pa-text's embed_manifest, which NFC-normalizes the text and
appends an unpadded wrapper. It does not remove a wrapper already there.
With --pad: the same NFC text plus encode_wrapper_padded to c2pa-text's
worst-case size 3 + (13 + M)*4 + 6 (M = manifest length). c2pa-text pads with
0x00 and 0xFF bytes, fewest characters first; the working draft's rule (and
c2pa-rs) uses 0x00 and 0x10, so the padding bytes differ but the size agrees.
Prints one JSON object: out, wrapper_bytes (UTF-8 bytes of the wrapper),
start (UTF-8 byte offset of its U+FEFF), padded, nfc_changed (the text was
not NFC and c2pa-text changed it).
"""
import json
import sys
import unicodedata

import c2pa_text


def main():
    args = [a for a in sys.argv[1:] if a != "--pad"]
    pad = "--pad" in sys.argv[1:]
    src, manifest_path, out = args[0], args[1], args[2]
    text = open(src, "rb").read().decode("utf-8")
    manifest = open(manifest_path, "rb").read()
    nfc = unicodedata.normalize("NFC", text)
    if pad:
        target = c2pa_text.worst_case_wrapper_byte_length(len(manifest))
        labelled = nfc + c2pa_text.encode_wrapper_padded(manifest, target)
    else:
        labelled = c2pa_text.embed_manifest(text, manifest)
    encoded = labelled.encode("utf-8")
    with open(out, "wb") as f:
        f.write(encoded)
    start = len(nfc.encode("utf-8"))
    print(json.dumps({
        "out": out,
        "wrapper_bytes": len(encoded) - start,
        "start": start,
        "padded": pad,
        "nfc_changed": nfc != text,
    }))


if __name__ == "__main__":
    main()
