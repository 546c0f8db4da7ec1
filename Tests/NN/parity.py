"""RestoreKit's learned restorers against the ncnn runtime (CPU, fp32).

For each network on three test images (crops of the CC0 sample photo; one
with an alpha channel), runs `restorekit restore` (16-bit PNG output) and the
same network in the `ncnn` PyPI package with the reference tools'
pre-processing (replicated border, RGB in [0, 1], constant channels for SRMD,
output cropped and clamped), and checks max |diff| <= 2e-3 and mean <= 2e-4.
Then tiled against untiled output (<= 2/255), and damaged model files
(checksum mismatch; truncated or bit-flipped files with a matching manifest):
an error naming the file, never a crash.

usage: parity.py CLI SAMPLE MODELS_DIR WORK_DIR
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import zlib

import ncnn
import numpy as np
from PIL import Image

CLI, SAMPLE, MODELS, WORK = sys.argv[1:5]
MAX_DIFF, MEAN_DIFF, TILE_DIFF = 2e-3, 2e-4, 2 / 255

# srmd-ncnn-vulkan's degradation_vector: the PCA code of a delta kernel.
DELTA_CODE = [-1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02,
              8.37272935e-08, -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08,
              3.84753793e-02, 3.79465739e-08, -2.44916752e-01, -8.02213490e-01, -5.40549755e-01]


def read_png16(path):
    """RGB(A) samples in [0, 1] of an 8- or 16-bit PNG (Pillow folds 16-bit RGB to 8 bits)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color = header[:4]
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    bpp = channels * depth // 8
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        cur = np.zeros(stride, dtype=np.int32)
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 0: p = 0
            elif kind == 1: p = a
            elif kind == 2: p = b
            elif kind == 3: p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[i] = (line[i] + p) & 0xFF
        out[y], prev = cur, cur
    if depth == 16:
        values = out.reshape(height, width * channels, 2).astype(np.uint32)
        values = (values[..., 0] << 8 | values[..., 1]).astype(np.float64) / 65535
    else:
        values = out.astype(np.float64) / 255
    return values.reshape(height, width, channels)


def restore(src, dst, prompt, model="auto", tile=0, env=None, semantic=""):
    args = [CLI, "restore", src, dst, "--restoration", prompt, "--model", model, "--depth", "16", "--quiet", "--threads", "2"]
    if semantic:
        args += ["--semantic", semantic]
    if tile:
        args += ["--tile", str(tile)]
    return subprocess.run(args, env=env or dict(os.environ, RESTOREKIT_MODELS=MODELS), capture_output=True, text=True)


def reference(stem, in_blob, out_blob, rgb, pad, crop, constants):
    """The network on `rgb` (H×W×3 in [0, 1]) with replicated padding, cropped and clamped."""
    net = ncnn.Net()
    o = net.opt
    o.use_vulkan_compute = False
    o.num_threads = 1
    o.use_fp16_packed = o.use_fp16_storage = o.use_fp16_arithmetic = o.use_bf16_storage = False
    net.load_param(stem + ".param")
    net.load_model(stem + ".bin")
    x = np.pad(rgb.transpose(2, 0, 1), ((0, 0), (pad, pad), (pad, pad)), mode="edge").astype(np.float32)
    if constants:
        planes = np.broadcast_to(np.array(constants, np.float32)[:, None, None], (len(constants),) + x.shape[1:])
        x = np.concatenate([x, planes]).astype(np.float32)
    ex = net.create_extractor()
    ex.input(in_blob, ncnn.Mat(np.ascontiguousarray(x)))
    _, y = ex.extract(out_blob)
    y = np.array(y)
    if crop:
        y = y[:, crop:-crop, crop:-crop]
    return np.clip(y.transpose(1, 2, 0), 0, 1)


def main():
    os.makedirs(WORK, exist_ok=True)
    sample = Image.open(SAMPLE).convert("RGB")
    images = []
    for i, (x, y, w, h) in enumerate([(100, 50, 64, 48), (250, 120, 57, 41), (20, 200, 72, 60)]):
        crop = sample.crop((x, y, x + w, y + h))
        if i == 2:  # an alpha channel, handled apart from the colour
            alpha = Image.linear_gradient("L").resize((w, h))
            crop = crop.copy()
            crop.putalpha(alpha)
        path = os.path.join(WORK, f"input{i}.png")
        crop.save(path)
        images.append(path)

    # (label, prompt, model, network stem, input blob, output blob, scale, pad, constants, semantic prompt)
    cases = [("Real-ESRGAN x4plus", "Remove all degradation, Upsample to 4", "auto",
              "realesrgan/REALESRGAN_X4PLUS_UP4X", "data", "output", 4, 10, [], "a cat"),
             # A word of IllustrationWords in the semantic prompt routes to the anime networks.
             ("Real-ESRGAN x4plus anime", "Remove all degradation, Upsample to 4", "auto",
              "realesrgan/REALESRGAN_X4PLUSANIME_UP4X", "data", "output", 4, 10, [], "an anime cat")]
    for scale in (2, 3, 4):
        cases.append((f"Real-ESRGAN AnimeVideo-v3 x{scale}", f"Upsample to {scale}", "auto",
                      f"realesrgan/REALESRGAN_ANIMAVIDEOV3_UP{scale}X", "data", "output", scale, 10, [],
                      "a cat, pencil drawing"))
    # The stated σ picks the level; levels 1 and 2 are never picked (bench/nn.sh checks their networks).
    for level, sigma in [(None, 0), (0, 0.01), (3, 0.04)]:
        stem = "waifu2x/WAIFU2X_PHOTO_UP2X" + ("" if level is None else f"_DENOISE{level}X")
        prompt = "Upsample to 2" + (f", Denoise with sigma {sigma}" if sigma else "")
        cases.append((f"waifu2x photo x2 level {level}", prompt, "waifu2x", stem, "Input1", "Eltwise4", 2, 7, [], ""))
    for scale in (2, 3, 4):
        cases.append((f"SRMDNF x{scale}", f"Upsample to {scale}", "srmd", f"srmd/srmdnf_x{scale}", "input", "output",
                      scale, 12, DELTA_CODE, ""))
        cases.append((f"SRMD x{scale} sigma 0.03", f"Upsample to {scale}, Denoise with sigma 0.03", "srmd",
                      f"srmd/srmd_x{scale}", "input", "output", scale, 12, DELTA_CODE + [0.03], ""))
    # Without a routing word "auto" enlarges photos with SRMD.
    cases.append(("SRMDNF x2, auto", "Upsample to 2", "auto", "srmd/srmdnf_x2", "input", "output", 2, 12, DELTA_CODE,
                  "a cat drawn to the window"))

    failures = 0
    print("| network | image | max abs diff | mean abs diff |")
    print("|---|---|---|---|")
    for label, prompt, model, stem, in_blob, out_blob, scale, pad, constants, semantic in cases:
        for n, src in enumerate(images):
            dst = os.path.join(WORK, f"out-{stem.replace('/', '-')}-{n}.png")
            run = restore(src, dst, prompt, model, semantic=semantic)
            if run.returncode != 0:
                print(f"FAIL {label}: restorekit: {run.stderr.strip()}")
                failures += 1
                continue
            ours = read_png16(dst)
            rgb = np.asarray(Image.open(src).convert("RGB"), np.float64) / 255
            expected = reference(os.path.join(MODELS, stem), in_blob, out_blob, rgb,
                                 pad, pad * scale if stem.startswith(("srmd", "realesrgan")) else 0, constants)
            diff = np.abs(ours[..., :3] - expected)
            ok = ours.shape[:2] == expected.shape[:2] and diff.max() <= MAX_DIFF and diff.mean() <= MEAN_DIFF
            print(f"| {label} | {n} | {diff.max():.2e} | {diff.mean():.2e} |{'' if ok else ' FAIL'}")
            failures += not ok

    # Tiled against the default (one tile, the whole image). Real-ESRGAN's
    # regions carry 96 pixels of context, so its strip is wide enough for
    # tiles whose windows do not reach across the whole image.
    strip, big = os.path.join(WORK, "strip.png"), os.path.join(WORK, "big.png")
    sample.crop((0, 150, 448, 214)).save(strip)
    sample.crop((150, 60, 246, 140)).save(big)
    print("\n| network | image | tile | max abs diff tiled vs whole |")
    print("|---|---|---|---|")
    for label, prompt, model, src, tile in [
            ("Real-ESRGAN x4plus", "Remove all degradation, Upsample to 4", "auto", strip, 256),
            ("Real-ESRGAN x4plus, scale 1", "Remove all degradation", "realesrgan", strip, 64),
            ("waifu2x level 3", "Upsample to 2, Denoise with sigma 0.04", "waifu2x", big, 64),
            ("SRMD x3", "Upsample to 3, Denoise with sigma 0.03", "srmd", big, 64),
            ("AnimeVideo-v3 x3", "Upsample to 3", "realesrgan-anime", big, 64)]:
        whole, tiled = os.path.join(WORK, "whole.png"), os.path.join(WORK, "tiled.png")
        for path, size in [(whole, 0), (tiled, tile)]:
            run = restore(src, path, prompt, model, tile=size)
            assert run.returncode == 0, run.stderr
        diff = np.abs(read_png16(whole) - read_png16(tiled)).max()
        ok = diff <= TILE_DIFF
        size = Image.open(src).size
        print(f"| {label} | {size[0]}x{size[1]} | {tile} | {diff:.2e} ({diff * 255:.2f}/255) |{'' if ok else ' FAIL'}")
        failures += not ok

    failures += damaged_files(images[0])
    if failures:
        sys.exit(f"parity: {failures} failures")
    print("\nparity: all checks passed")


def damaged_files(src):
    """Damaged SRMD files: each restore must fail with exit status 1 and a message naming the problem."""
    failures = 0
    root = os.path.join(WORK, "models")
    stem = "srmd/srmd_x2"
    good_param = open(os.path.join(MODELS, stem + ".param"), "rb").read()
    good_bin = open(os.path.join(MODELS, stem + ".bin"), "rb").read()
    rng = np.random.default_rng(7)
    flipped_weight = bytearray(good_bin)
    flipped_weight[len(good_bin) // 2] ^= 0x10
    variants = [("checksum mismatch", good_param, bytes(flipped_weight), False, "damaged"),
                ("truncated .bin", good_param, good_bin[:len(good_bin) // 2], True, "byte offset"),
                ("truncated .param", good_param[:300], good_bin, True, ".param"),
                ("bin of another network", good_param, open(os.path.join(MODELS, "srmd/srmd_x3.bin"), "rb").read(),
                 True, "srmd_x2"),
                ("wrong magic", b"7767518" + good_param[7:], good_bin, True, "magic")]
    for k in range(6):
        flipped = bytearray(good_param)
        i = int(rng.integers(0, len(flipped)))
        flipped[i] ^= 1 << int(rng.integers(0, 7))
        variants.append((f"bit flip in .param byte {i}", bytes(flipped), good_bin, True, ""))
    for k in range(6):
        flipped = bytearray(good_bin)
        i = int(rng.integers(0, 64))  # the storage tags and first weights
        flipped[i] ^= 1 << int(rng.integers(0, 8))
        variants.append((f"bit flip in .bin byte {i}", good_param, bytes(flipped), True, ""))
    print("\n| damaged file | result |")
    print("|---|---|")
    for label, param, weights, rewrite_manifest, phrase in variants:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(MODELS, root)
        open(os.path.join(root, stem + ".param"), "wb").write(param)
        open(os.path.join(root, stem + ".bin"), "wb").write(weights)
        if rewrite_manifest:  # a consistent manifest, so the loader itself meets the damage
            lines = []
            for line in open(os.path.join(root, "manifest.txt")):
                fields = line.split()
                if not line.startswith("#") and fields[3] in (stem + ".param", stem + ".bin"):
                    fields[0] = hashlib.sha256(open(os.path.join(root, fields[3]), "rb").read()).hexdigest()
                    line = " ".join(fields) + "\n"
                lines.append(line)
            open(os.path.join(root, "manifest.txt"), "w").writelines(lines)
        env = dict(os.environ, RESTOREKIT_MODELS=root)
        run = restore(src, os.path.join(WORK, "damaged.png"), "Upsample to 2, Denoise with sigma 0.03", "srmd", env=env)
        message = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
        # A flip may be harmless (a weight changes); anything else must be a clean error.
        ok = run.returncode in (0, 1) and (run.returncode == 0 or message.startswith("restorekit:")) \
            and (not phrase or (run.returncode == 1 and phrase in message))
        print(f"| {label} | {'ran' if run.returncode == 0 else message[:150]} |{'' if ok else ' FAIL'}")
        failures += not ok
    shutil.rmtree(root, ignore_errors=True)
    return failures


main()
