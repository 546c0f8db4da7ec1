"""What the denoising anchors (denoise_anchors.py, ffdnet_anchor.py) share:
their options, and the noisy CBSD68 inputs OUT/sigmaS/NAME.npy and clean PNGs
that `rkbench denoise` works on."""
import argparse
import os

import numpy as np
from skimage.io import imread


def options(threads=False):
    """The command line: --out, --data, --sigmas (returned as a list of ints),
    --subset, --rkbench, and with `threads` also --threads."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="bench/out/denoise")
    parser.add_argument("--data", default=os.environ.get("RESTOREKIT_DATA", "../shared/data"))
    parser.add_argument("--sigmas", default="15,25,50")
    parser.add_argument("--subset", type=int, default=10)
    if threads:
        parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rkbench", default=".build-so/release/rkbench")
    args = parser.parse_args()
    args.sigmas = [int(s) for s in args.sigmas.split(",")]
    return args


def names_at(results, sigma):
    """The image names of rkbench's per-image `results` ({(sigma, name): ...}) at `sigma`, sorted."""
    return sorted(name for (s, name) in results if s == sigma)


def clean_image(args, name):
    """The clean CBSD68 image `name`, float64 in [0, 1], H x W x 3."""
    return imread(os.path.join(args.data, "testsets/CBSD68", name + ".png")).astype(np.float64) / 255


def noisy_image(args, sigma, name):
    """The noisy input of `name` at `sigma`: float32, H x W x 3, clean + N(0, (sigma/255)^2), not clipped."""
    return np.load(os.path.join(args.out, f"sigma{sigma}", name + ".npy"))
