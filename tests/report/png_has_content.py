"""Exit 0 if a PNG screenshot holds a picture, 1 if it is missing, broken or blank (one colour).

Standard library only: the image data is inflated and its (filtered) bytes looked at. A one-colour image
filters to a handful of distinct byte values; any drawing gives dozens.
"""
import struct
import sys
import zlib

try:
    data = open(sys.argv[1], "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
except (OSError, ValueError, struct.error, zlib.error) as e:
    print(f"{sys.argv[1]}: {e}")
    sys.exit(1)
distinct = len(set(raw))
if distinct < 32:
    print(f"{sys.argv[1]}: blank ({distinct} distinct byte values)")
    sys.exit(1)
