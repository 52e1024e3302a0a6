"""Look for a C2PA text wrapper (C2PA 2.4 Annex A.8) with the independent
reference implementation of the wrapper, c2pa-text (PyPI), and print what it
says.

Usage: c2pa_text_find.py TEXTFILE [OUT.c2pa]
Prints one JSON object:
  found            c2pa-text's find_wrapper_info returned a wrapper
  manifest_sha256  SHA-256 (hex) of the manifest store in the wrapper, or null
  manifest_len     its length in bytes (the wrapper's manifestLength), or null
  start            UTF-8 byte offset of the U+FEFF that opens the wrapper, or null
  length           UTF-8 byte length of the wrapper (U+FEFF through the last
                   variation selector, padding included), or null
  padding          variation selectors after the manifest (padding), or null
  valid, codes, messages
                   c2pa-text's validate_text: codes are C2PA status codes
                   (manifest.text.corruptedWrapper, manifest.text.multipleWrappers)
  error            find_wrapper_info's exception message (it raises on more
                   than one wrapper), or null
With OUT.c2pa, the manifest store bytes are written there too.
The file must be UTF-8; it is read as is (no BOM stripping, no normalization),
so the offsets are offsets into the file.
"""
import hashlib
import json
import sys

import c2pa_text


def main():
    path = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else None
    data = open(path, "rb").read()
    text = data.decode("utf-8")

    result = {"found": False, "manifest_sha256": None, "manifest_len": None,
              "start": None, "length": None, "padding": None, "error": None}
    try:
        info = c2pa_text.find_wrapper_info(text)
    except ValueError as e:
        info = None
        result["error"] = str(e)
    if info:
        # c2pa-text 3.0.0 already returns UTF-8 byte offsets (it encodes the
        # text before the match to count them), despite its docstring's
        # "start_index, end_index": the second value is a byte *length*.
        manifest, start, length = info
        wrapper = data[start:start + length]
        assert wrapper.startswith("\ufeff".encode("utf-8")), "offset is not a U+FEFF"
        selectors = len(wrapper.decode("utf-8")) - 1
        result.update({
            "found": True,
            "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
            "manifest_len": len(manifest),
            "start": start,
            "length": length,
            # 13 header bytes (magic, version, manifestLength) come first.
            "padding": selectors - 13 - len(manifest),
        })
        if out:
            with open(out, "wb") as f:
                f.write(manifest)

    # validate_text NFC-normalizes a copy first; its issue offsets (not printed)
    # refer to that copy.
    v = c2pa_text.validate_text(text)
    result["valid"] = v.valid
    result["codes"] = [i.code.value for i in v.issues]
    result["messages"] = [i.message for i in v.issues]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
