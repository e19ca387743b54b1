"""Writes a float32 .npy of uniform random values in [0, 1) (seed 0), with Python's standard library only.

    random_npy.py OUT.npy DIM...
"""
import random
import struct
import sys

path, dims = sys.argv[1], [int(d) for d in sys.argv[2:]]
count = 1
for d in dims:
    count *= d
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in dims).rstrip(" ")
header += " " * (63 - (10 + len(header)) % 64) + "\n"
rng = random.Random(0)
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack(f"<{count}f", *(rng.random() for _ in range(count))))
