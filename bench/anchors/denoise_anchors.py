#!/usr/bin/env python3
"""Reference denoisers on the noisy CBSD68 inputs that `rkbench denoise` wrote.

Reads OUT/sigmaS/NAME.npy (float32, H x W x 3, clean + N(0, (S/255)^2), unclipped)
and the clean PNGs, runs

  * bm3d.bm3d_rgb (the `bm3d` PyPI package: CBM3D, profile 'np', opponent colour)
    on the first SUBSET images per sigma (it takes seconds per image), and
  * OpenCV fastNlMeansDenoisingColored on all images (it needs 8-bit BGR input:
    the noisy image is clipped and rounded; h = hColor = H_FACTOR * sigma,
    template 7, search 21),

and prints a Markdown section with mean PSNR / SSIM (RGB, data range 1; outputs
clipped to [0, 1]) and seconds per image. For the time ratio, RestoreKit is run
again (`--rkbench PATH`) on the same subset right after bm3d, so both are timed
under the same machine load (other processes share the cores).

Run inside the tools virtual environment: scripts/venv-tools bm3d
opencv-python-headless numpy scikit-image prints its path.
"""
import os
import subprocess
import time

import bm3d
import cv2
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from denoise_inputs import clean_image, names_at, noisy_image, options

# OpenCV's strength per unit of sigma (0..255): h = hColor = 0.55 * sigma, the
# best PSNR of factors 0.4 to 1.0 tried on the first five images at each sigma
# (h = sigma, often quoted, smooths far too much: 2-3 dB lower).
H_FACTOR = 0.55


def psnr_ssim(clean, image):
    image = np.clip(image, 0, 1)
    psnr = peak_signal_noise_ratio(clean, image, data_range=1)
    ssim = structural_similarity(clean, image, data_range=1, channel_axis=2, gaussian_weights=True,
                                 sigma=1.5, use_sample_covariance=False)
    return psnr, ssim


def read_ours(path):
    rows = {}
    with open(path) as f:
        next(f)
        for line in f:
            sigma, name, psnr, ssim, seconds = line.split("\t")
            rows[(int(sigma), name)] = (float(psnr), float(ssim), float(seconds))
    return rows


def main():
    args = options()
    ours = read_ours(os.path.join(args.out, "rkbench.tsv"))
    cv2.setNumThreads(os.cpu_count())

    rows = []
    for sigma in args.sigmas:
        names = names_at(ours, sigma)
        subset = names[:args.subset]
        cv_results, bm_results, our_subset = [], [], {}
        for name in names:
            clean = clean_image(args, name)
            noisy = noisy_image(args, sigma, name).astype(np.float64)
            noisy8 = np.clip(np.round(noisy * 255), 0, 255).astype(np.uint8)
            h = H_FACTOR * sigma
            start = time.perf_counter()
            denoised = cv2.fastNlMeansDenoisingColored(noisy8[:, :, ::-1].copy(), None, h, h, 7, 21)[:, :, ::-1]
            seconds = time.perf_counter() - start
            cv_results.append(psnr_ssim(clean, denoised.astype(np.float64) / 255) + (seconds,))
            if name in subset:
                start = time.perf_counter()
                denoised = bm3d.bm3d_rgb(noisy, sigma / 255)
                seconds = time.perf_counter() - start
                bm_results.append(psnr_ssim(clean, denoised) + (seconds,))
                our_subset[name] = ours[(sigma, name)]
        timing = os.path.join(args.out, "timing")
        subprocess.run([args.rkbench, "denoise", "--methods", "bm3d", "--limit", str(len(subset)),
                        "--sigmas", str(sigma), "--megapixel-runs", "0", "--out", timing], check=True, stdout=subprocess.DEVNULL)
        again = read_ours(os.path.join(timing, "rkbench.tsv"))
        # Quality from the full run, time from the re-run right after bm3d.
        our_subset = [(p, s, again[(sigma, name)][2]) for name, (p, s, _) in our_subset.items()]
        cv = np.mean(cv_results, axis=0)
        bm = np.mean(bm_results, axis=0)
        us = np.mean(our_subset, axis=0)
        rows.append((sigma, len(names), len(subset), bm, us, cv))

    print(f"## Denoising anchors on the same noisy inputs\n")
    print(f"bm3d {bm3d.__version__ if hasattr(bm3d, '__version__') else ''} (`bm3d_rgb`, profile 'np', "
          f"opponent colour) on the first {args.subset} images per sigma; OpenCV {cv2.__version__} "
          f"`fastNlMeansDenoisingColored` (8-bit input, h = hColor = {H_FACTOR:g}·σ, template 7, search 21) "
          f"on all. RestoreKit timed again on the same subset right after bm3d, for the ratio.\n")
    print("| σ | bm3d PSNR | bm3d SSIM | bm3d s / image | RestoreKit PSNR (subset) | RestoreKit s / image (subset) "
          "| time ratio RestoreKit / bm3d | OpenCV PSNR | OpenCV SSIM | OpenCV s / image |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for sigma, n, k, bm, us, cv in rows:
        print(f"| {sigma} | {bm[0]:.2f} | {bm[1]:.4f} | {bm[2]:.2f} | {us[0]:.2f} | {us[2]:.2f} "
              f"| {us[2] / bm[2]:.3f} | {cv[0]:.2f} | {cv[1]:.4f} | {cv[2]:.3f} |")
    print()


if __name__ == "__main__":
    main()
