"""scikit-image deconvolution on the inputs `rkbench deblur` wrote.

    python deblur_anchors.py OUT_DIR DATA_DIR [LIMIT]

For each setting folder OUT_DIR/sigmaS_noiseN/ (the degraded 8-bit PNGs of
the first LIMIT CBSD68 images), deconvolves every colour channel with the
same PSF RestoreKit assumes (the sampled Gaussian of σ, taps to ceil(4σ),
normalised) using

- `restoration.wiener` (Laplacian regulariser) with the balance chosen per
  setting from a small grid by the best mean PSNR (an oracle choice, in the
  anchor's favour),
- `restoration.unsupervised_wiener` (self-tuning; fixed seed),
- `restoration.richardson_lucy`, 30 iterations,

and prints a Markdown table: mean PSNR (RGB, data range 1, output clipped to
[0, 1]) and seconds per image. scikit-image filters circularly (Wiener) or
with zero padding (Richardson-Lucy), which rings at the borders; so each
method also runs on the input mirrored by 3·ceil(4σ) pixels (numpy's
"reflect", the same reflect-101 the blur used) and cropped back afterwards,
RestoreKit's own border treatment.
"""
import math
import os
import sys
import time

import numpy as np
from skimage import io, restoration

BALANCES = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
RL_ITERATIONS = 30


def gaussian_psf(sigma):
    radius = max(1, math.ceil(4 * sigma))
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-t * t / (2 * sigma * sigma))
    psf = np.outer(g, g)
    return psf / psf.sum()


def psnr(image, reference):
    mse = np.mean((np.clip(image, 0, 1) - reference) ** 2)
    return 10 * math.log10(1 / mse)


def per_channel(function, image, margin=0):
    """`function` on each channel, optionally mirrored by `margin` pixels first."""
    planes = []
    for c in range(image.shape[2]):
        plane = np.pad(image[..., c], margin, mode="reflect") if margin else image[..., c]
        result = function(plane)
        planes.append(result[margin:margin + image.shape[0], margin:margin + image.shape[1]] if margin else result)
    return np.stack(planes, axis=-1)


def timed(method, pairs, margin):
    """Mean PSNR and seconds per image of `method` (a function of one plane)."""
    start = time.perf_counter()
    scores = [psnr(per_channel(method, d, margin), c) for d, c in pairs]
    return float(np.mean(scores)), (time.perf_counter() - start) / len(pairs)


def main():
    out_dir, data_dir = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    clean_dir = os.path.join(data_dir, "testsets", "CBSD68")
    settings = sorted(d for d in os.listdir(out_dir) if d.startswith("sigma"))
    print("### Anchors: scikit-image on the same degraded inputs\n")
    print("| blur σ | noise σ | method | PSNR dB | s / image |")
    print("|---|---|---|---|---|")
    for setting in sorted(settings, key=lambda s: -float(s[5:].split("_")[0])):
        sigma = float(setting[5:].split("_")[0])
        noise = float(setting.split("_noise")[1])
        psf = gaussian_psf(sigma)
        names = sorted(f for f in os.listdir(os.path.join(out_dir, setting)) if f.endswith(".png"))[:limit]
        pairs = []
        for name in names:
            degraded = io.imread(os.path.join(out_dir, setting, name)).astype(np.float64) / 255
            clean = io.imread(os.path.join(clean_dir, name)).astype(np.float64) / 255
            pairs.append((degraded, clean))

        rows = []
        margin = 3 * max(1, math.ceil(4 * sigma))
        for pad, label in [(0, "as is"), (margin, "mirrored")]:
            best = None
            for balance in BALANCES:
                score, seconds = timed(lambda p: restoration.wiener(p, psf, balance), pairs, pad)
                if best is None or score > best[0]:
                    best = (score, seconds, balance)
            rows.append((f"wiener, balance {best[2]} (best of grid), {label}", best[0], best[1]))
        rng = np.random.default_rng(0)
        score, seconds = timed(lambda p: restoration.unsupervised_wiener(p, psf, rng=rng)[0], pairs, margin)
        rows.append(("unsupervised_wiener, mirrored", score, seconds))
        score, seconds = timed(lambda p: restoration.richardson_lucy(p, psf, num_iter=RL_ITERATIONS), pairs, margin)
        rows.append((f"richardson_lucy, {RL_ITERATIONS} iterations, mirrored", score, seconds))

        degraded_psnr = np.mean([psnr(d, c) for d, c in pairs])
        rows.insert(0, ("(degraded input)", degraded_psnr, 0.0))
        for method, score, seconds in rows:
            print(f"| {sigma:.1f} | {noise:.3f} | {method} | {score:.2f} | {seconds:.3f} |")
    print()


if __name__ == "__main__":
    main()
