"""A cancel 0.5 s into a full-size UNet evaluation, through the Python binding (the C
ABI's progress callback): `python generative_cancel.py CLI MODEL_DIR` imports MODEL_DIR
(a diffusers folder) as a one-step model into a temporary models folder, restores a
512×512 image with it, raises from the progress callable 0.5 s after the UNet
evaluation started (the first report past the VAE encode's share) and prints the
seconds until the call returned."""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "plugins", "gimp", "restorekit"))
os.environ.setdefault("RESTOREKIT_LIBRARY", os.path.join(ROOT, "build", "lib", "librestore.so.0"))
import librestore  # noqa: E402


class Stop(Exception):
    pass


def main():
    cli, model = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as models:
        subprocess.run([cli, "models", "import", model, "--name", "bench", "--recipe", "one-step", "--dir", models],
                       check=True, capture_output=True)
        image = np.random.default_rng(0).uniform(0.1, 0.9, (512, 512, 3)).astype(np.float32)
        state = {}

        def progress(fraction, stage):
            now = time.monotonic()
            # The one-step recipe's costs: VAE encode 0.6, UNet 1, decode 1.4 (of 3), the
            # generation 0.95 of the whole: the UNet starts at 0.19 (the encode's end is
            # reported there, then the UNet's layers report it until it ends).
            if "unet" not in state and stage == "generate" and fraction >= 0.189:
                state["unet"] = now
            if "unet" in state and now - state["unet"] >= 0.5:
                state["raised"] = now
                raise Stop()

        with librestore.Context(models) as ctx:
            try:
                ctx.restore(image, model="bench", semantic="a photo", threads=2, progress=progress)
                print("finished before the cancel")
            except Stop:
                print(f"{time.monotonic() - state['raised']:.3f}")


if __name__ == "__main__":
    main()
