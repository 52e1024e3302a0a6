#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/seed-*: the heads of
tamga's samples/ and hand-made minimal files, a few KB per target. Run from
the repository root; the output is committed, so rerun only to change it."""
import os, struct, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

def sample(name, n):
    with open(os.path.join(ROOT, "samples", name), "rb") as f:
        return f.read(n)

def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

PNG = (b"\x89PNG\r\n\x1a\n"
       + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
       + png_chunk(b"IDAT", zlib.compress(b"\0\0"))
       + png_chunk(b"IEND", b""))
JPEG = (b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xe1\x00\x0cExif\x00\x00MM\x00*" + b"\xff\xda\x00\x08\x01\x01\x00\x00?\x00\xd2\xcf\x20\xff\xd9")
def riff(form, chunks):
    body = form + b"".join(c + (b"\0" if len(c) % 2 else b"") for c in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
def chunk(cid, body):
    return cid + struct.pack("<I", len(body)) + body
WAV = riff(b"WAVE", [chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)),
                     chunk(b"data", b"\0\0" * 4)])
WAV_C2PA = riff(b"WAVE", [chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)),
                          chunk(b"data", b"\0\0"), chunk(b"C2PA", b"\0\0\0\x10jumbc2pa")])
WEBP = riff(b"WEBP", [chunk(b"VP8L", b"\x2f\0\0\0\0"), chunk(b"XMP ", b"<x/>")])
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
TIFF = b"II*\x00\x08\x00\x00\x00" + struct.pack("<H", 1) + struct.pack("<HHII", 256, 4, 1, 1) + b"\0\0\0\0"
def flac_block(kind, body, last=False):
    return bytes([kind | (0x80 if last else 0)]) + struct.pack(">I", len(body))[1:] + body
VORBIS = struct.pack("<I", 4) + b"tamg" + struct.pack("<I", 1) + struct.pack("<I", 9) + b"AIGC={\"a\"}"[:9]
FLAC = b"fLaC" + flac_block(0, b"\0" * 34) + flac_block(4, VORBIS) + flac_block(1, b"\0" * 4, last=True)
ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x15" + b"TXXX\x00\x00\x00\x0b\x00\x00\x03AIGC\x00{}\x00" + b"\xff\xfb\x90\x64" + b"\0" * 16
def synchsafe(n):
    return bytes([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
def id3_frame(fid, body):
    return fid + synchsafe(len(body)) + b"\0\0" + body
# A C2PA store where c2pa's MP3 handler puts it: a GEOB frame of the ID3v2.4 tag.
GEOB = (b"\x03application/c2pa\0c2pa\0c2pa manifest store\0"
        + b"\0\0\0\x20jumbstand-in store bytes..")
ID3_BODY = id3_frame(b"TIT2", b"\x03Title\0") + id3_frame(b"GEOB", GEOB)
MP3_C2PA = b"ID3\x04\0\0" + synchsafe(len(ID3_BODY)) + ID3_BODY + b"\xff\xfb\x90\x64" + b"\0" * 60
def bmff_box(kind, body):
    return struct.pack(">I", 8 + len(body)) + kind + body
BMFF = bmff_box(b"ftyp", b"M4A \0\0\0\0M4A isom") + bmff_box(b"moov", bmff_box(b"trak", b"")) + bmff_box(b"mdat", b"\0" * 8)
AVIF = bmff_box(b"ftyp", b"mif1\0\0\0\0mif1avif") + bmff_box(b"meta", b"\0\0\0\0" + bmff_box(b"hdlr", b"\0" * 24))
JXL = b"\0\0\0\x0cJXL \r\n\x87\n" + bmff_box(b"ftyp", b"jxl \0\0\0\0jxl ") + bmff_box(b"jxlc", b"\xff\x0a\0\0")
SVG = sample("sample.svg", 4096)
SVG_SMALL = [
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 200 100"><rect width="10" height="10"/></svg>',
    b'<?xml version="1.0"?>\n<s:svg xmlns:s="http://www.w3.org/2000/svg" viewBox="-5 -5 10 10"/>',
    b'<svg xmlns="http://www.w3.org/2000/svg" width="2in" height="30mm"><metadata><x:xmpmeta xmlns:x="adobe:ns:meta/"/></metadata></svg>',
]
MARKDOWN = b"---\ntitle: x\nAIGC: '{\"Label\":\"1\"}'\n---\n# Heading\n\ntext\n"

MEDIA = {"jpeg": JPEG, "png": PNG, "webp": WEBP, "gif": GIF, "tiff": TIFF, "wav": WAV,
         "wavc2pa": WAV_C2PA, "flac": FLAC, "mp3": ID3, "mp3c2pa": MP3_C2PA, "m4a": BMFF, "avif": AVIF, "jxl": JXL,
         "svg": SVG_SMALL[0]}
# The first byte picks tamga-meta's container: the order of meta.rs CONTAINERS.
META = [("jpeg", 0, JPEG), ("png", 1, PNG), ("webp", 2, WEBP), ("gif", 3, GIF),
        ("tiff", 4, TIFF), ("svg", 5, SVG_SMALL[0]), ("bmff", 6, BMFF), ("avif", 6, AVIF),
        ("jxl", 7, JXL), ("wav", 8, WAV), ("mp3", 9, ID3), ("flac", 10, FLAC),
        ("markdown", 11, MARKDOWN)]

def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)

for s in ["jpg", "png", "webp", "gif", "tif", "avif", "heic", "jxl", "wav", "mp3", "flac", "m4a", "ogg", "aac", "bmp"]:
    put("sniff", s, sample("sample." + s, 48))
put("sniff", "svg", SVG_SMALL[1])
for name, data in MEDIA.items():
    put("guard", name, b"\0" + data)
    put("walkers", name, data)
put("guard", "heic-head", b"\0" + sample("sample.heic", 512))
for i, s in enumerate(SVG_SMALL):
    put("svg", str(i), s)
put("svg", "sample", SVG)
for name, pick, data in META:
    put("meta_read", name, bytes([pick]) + data)
    put("meta_roundtrip", name, bytes([pick]) + data)
    # Original and edited: the file itself, and (for the carry) the file
    # with its metadata blocks over a copy that lacks them.
    put("meta_keep", name, bytes([pick]) + struct.pack(">H", len(data)) + data + data)
# Personal data: the first byte picks from meta.rs CONTAINERS, then Ogg
# (13); whole small samples, whose metadata is what is edited.
for name, pick, data in META:
    put("meta_personal", name, bytes([pick]) + data)
for name, pick in [("heic", 6), ("avif", 6), ("m4a", 6), ("gif-sample", 3), ("wav-sample", 8), ("ogg", 12)]:
    ext = {"gif-sample": "gif", "wav-sample": "wav"}.get(name, name)
    put("meta_personal", name, bytes([pick]) + sample("sample." + ext, 64 << 10))
# An item at an absolute extent offset with a zero base, as exiftool writes
# EXIF items: what rebase_item_locations rewrites.
ILOC = b"\0\0\0\0\x44\x40\0\x01\0\x07\0\0" + struct.pack(">I", 0) + b"\0\x01" + struct.pack(">II", 80, 10)
HEIF_ABS = (bmff_box(b"ftyp", b"heic\0\0\0\0") + bmff_box(b"meta", b"\0\0\0\0" + bmff_box(b"iloc", ILOC))
            + bmff_box(b"mdat", b"0123456789"))
put("meta_keep", "heif-absolute-iloc", bytes([6]) + struct.pack(">H", len(HEIF_ABS)) + HEIF_ABS + AVIF)
put("text_wrapper", "plain", b"\x05Hello, \xd0\x9c\xd0\xb8\xd1\x80!")
marker = "\ufeff".encode()
def vs(b):
    return chr(0xFE00 + b if b < 16 else 0xE0100 + b - 16).encode()
store = b"\0\0\0\x10jumbc2pa"
wrapper = marker + b"".join(vs(b) for b in b"C2PATXT\0\x01" + struct.pack(">I", len(store)) + store)
put("text_wrapper", "wrapped", b"\x04text" + wrapper)
put("text_wrapper", "corrupted", b"\x00text" + wrapper[:-8])
for name in ["kz", "eu", "cn"]:
    with open(os.path.join(ROOT, "crates", "gate", "policies", name + ".toml"), "rb") as f:
        put("policy", name, f.read())
put("policy", "empty", b"")
put("declarations", "csv", b"\x00path,ai,note\na.png,yes,model x\n\"b c.jpg\",false,\n")
put("declarations", "json", b'\x01[{"path":"a.png","ai":true},{"path":"b.wav","ai":"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia","note":"n"}]')
for i, n in enumerate([b"photo.jpg", b"../../etc/passwd", b"C:\\x\\y .png", b" .hidden", "\u0416\u0418 \u0441\u0443\u0440\u0435\u0442.png".encode(), b"a\x00b\nc.wav"]):
    put("upload_name", str(i), n)
# The watermark readers: a textured PNG just over the detector's minimum
# (a ramp with a short periodic ripple, so it compresses), the head
# of the sample JPEG, and raw pixels (first byte: width - 64).
def textured_png(w, h):
    rows = b"".join(b"\0" + bytes((x // 3 * 2 + y + (0, 3, 1, 5)[x % 4]) % 256 for x in range(w * 3))
                    for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(rows, 9)) + png_chunk(b"IEND", b""))
put("watermark", "png", textured_png(272, 260))
put("watermark", "jpeg-head", sample("sample.jpg", 6000))
put("watermark", "pixels", bytes([200]) + bytes((i * 37) % 251 for i in range(3 * 264 * 40)))
