#!/usr/bin/env python3
"""Writes COUNT small noisy RGB PNGs (WIDTH x HEIGHT) under FOLDER, some in
subfolders, deterministically from SEED: the inputs of the batch tests.

    make-images.py FOLDER COUNT [WIDTH HEIGHT SEED]
"""
import os, random, struct, sys, zlib

def png(path, width, height, pixels):
    raw = b"".join(b"\0" + bytes(pixels[y * width * 3:(y + 1) * width * 3]) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

def main():
    folder, count = sys.argv[1], int(sys.argv[2])
    width, height, seed = (int(a) for a in (sys.argv[3:6] if len(sys.argv) > 5 else (48, 40, 1)))
    rng = random.Random(seed)
    for i in range(count):
        sub = ["", "a", "a/deep", "b"][i % 4]
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        fx, fy, phase = rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3), rng.uniform(0, 6)
        pixels = []
        for y in range(height):
            for x in range(width):
                for c in range(3):
                    v = 128 + 90 * ((x * fx + y * fy + phase + c) % 2 - 1) + rng.gauss(0, 12)
                    pixels.append(max(0, min(255, int(v))))
        png(os.path.join(folder, sub, "img%03d.png" % i), width, height, pixels)

main()
