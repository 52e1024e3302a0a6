"""Label a plain text (C2PA 2.4 Annex A.8) with independent implementations
only, as another vendor's AI tool would: c2pa-python (c2pa-rs) signs a manifest
store whose c2pa.hash.data excludes the wrapper, and c2pa-text wraps it.

Usage: c2pa_text_sign.py SRC DEST CHAIN.pem KEY.pem ALG
Prints one JSON object: out, manifest_len, start and length (UTF-8 byte range
of the wrapper, the data hash's one exclusion).

c2pa-python 0.38.1 has no Python method for data-hashed signing, so this
calls the two C functions its bundled library exports
(c2pa_builder_data_hashed_placeholder, c2pa_builder_sign_data_hashed_embeddable)
through ctypes, on the Builder's and Signer's native handles. The format is
"c2pa": the library refuses "text/plain" ("type is unsupported").
The signed store has the placeholder's size, but its bytes are not known
before signing, and a byte costs 3 or 4 UTF-8 bytes as a variation selector;
so the wrapper is padded (c2pa-text's encode_wrapper_padded) to the worst-case
size 3 + (13 + M)*4 + 6, which is fixed by M alone.
"""
import ctypes
import io
import json
import sys
import unicodedata

import c2pa
import c2pa_text
from other_vendor import builder_and_signer
from c2pa import c2pa as native

_lib = native._lib
_BYTES_OUT = ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))
_lib.c2pa_builder_data_hashed_placeholder.argtypes = [
    ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, _BYTES_OUT]
_lib.c2pa_builder_data_hashed_placeholder.restype = ctypes.c_int64
_lib.c2pa_builder_sign_data_hashed_embeddable.argtypes = [
    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
    ctypes.c_void_p, _BYTES_OUT]
_lib.c2pa_builder_sign_data_hashed_embeddable.restype = ctypes.c_int64


def _take(n, ptr, what):
    if n < 0:
        err = _lib.c2pa_error()
        raise SystemExit(f"{what}: {ctypes.string_at(err).decode() if err else 'error'}")
    data = ctypes.string_at(ptr, n)
    _lib.c2pa_free(ptr)
    return data


def main():
    src, dest, chain, key, alg = sys.argv[1:6]
    builder, signer = builder_and_signer(
        chain, key, alg, "text made by another C2PA tool", "Other Vendor Chat")
    b_handle = ctypes.cast(builder._handle, ctypes.c_void_p)
    s_handle = ctypes.cast(signer._handle, ctypes.c_void_p)

    out = ctypes.POINTER(ctypes.c_ubyte)()
    n = _lib.c2pa_builder_data_hashed_placeholder(b_handle, signer.reserve_size(), b"c2pa", ctypes.byref(out))
    size = len(_take(n, out, "placeholder"))

    # Strip a wrapper already there (c2pa-text's extract_manifest also NFCs).
    _, text = c2pa_text.extract_manifest(open(src, "rb").read().decode("utf-8"))
    body = unicodedata.normalize("NFC", text).encode("utf-8")
    length = c2pa_text.worst_case_wrapper_byte_length(size)
    data_hash = {"exclusions": [{"start": len(body), "length": length}],
                 "name": "jumbf manifest", "alg": "sha256", "hash": [], "pad": []}
    # The library hashes this stream minus the exclusion, so the excluded
    # bytes' content does not matter, only that they are there.
    asset = c2pa.Stream(io.BytesIO(body + bytes(length)))
    out = ctypes.POINTER(ctypes.c_ubyte)()
    n = _lib.c2pa_builder_sign_data_hashed_embeddable(
        b_handle, s_handle, json.dumps(data_hash).encode(), b"c2pa",
        ctypes.cast(asset._stream, ctypes.c_void_p), ctypes.byref(out))
    store = _take(n, out, "sign")
    if len(store) != size:
        raise SystemExit(f"signed store is {len(store)} bytes, placeholder was {size}")

    wrapper = c2pa_text.encode_wrapper_padded(store, length).encode("utf-8")
    assert len(wrapper) == length
    with open(dest, "wb") as f:
        f.write(body + wrapper)
    print(json.dumps({"out": dest, "manifest_len": len(store), "start": len(body), "length": length}))


if __name__ == "__main__":
    main()
