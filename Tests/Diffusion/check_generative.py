"""Generative restoration through the surfaces, on the small random fixtures:
`restorekit models import/list/remove`, `restorekit restore --model NAME` with the
refine (ControlNet) and one-step recipes, and the Python binding over the C ABI.

- consistency: the output degraded as the prompt states (`restorekit degrade`)
  scores ≥ 40 dB against the input for `Upsample to 2` and `Deblur with sigma 1.5`;
- same seed ⇒ same bytes on 1 and 2 threads; another seed, semantic prompt or (at
  guidance > 1) negative prompt ⇒ another image; at guidance 1 the negative prompt
  changes nothing;
- no seam: a smooth gradient restored in 3 × 3 latent tiles or more has no step at a
  tile border beyond 2/255 more than anywhere else (rows averaged, so the generated
  texture cancels and a seam stays);
- a progress callable raising 0.5 s into a generative restore returns within 1 s;
- a moved file, an unknown model, a bad name or recipe are errors naming them.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "build", "bin", "restorekit")
sys.path.insert(0, os.path.join(ROOT, "plugins", "gimp", "restorekit"))
os.environ.setdefault("RESTOREKIT_LIBRARY", os.path.join(ROOT, "build", "lib", "librestore.so.0"))


def cli(*args, env=None, check=True):
    result = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"restorekit {' '.join(map(str, args))} failed ({result.returncode}): {result.stderr}")
    return result


def gradient(width, height):
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    rgb = np.stack([0.2 + 0.6 * x / width, 0.3 + 0.5 * y / height, 0.7 - 0.4 * (x + y) / (width + height)], axis=2)
    return (rgb * 255).round().astype(np.uint8)


def load(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255


def psnr(a, b):
    return 10 * np.log10(1 / max(np.mean((a - b) ** 2), 1e-12))


def tile_spans(length, tile, overlap):
    """LatentTiles.spans: the latent tiles' (start, end) along one side."""
    if length <= tile:
        return [(0, length)]
    count = (length - overlap + tile - overlap - 1) // (tile - overlap)
    starts = [(i * (length - tile) + (count - 1) // 2) // (count - 1) for i in range(count)]
    return [(start, start + tile) for start in starts]


def check(bench, fixtures):
    with tempfile.TemporaryDirectory() as tmp:
        models = os.path.join(tmp, "models")
        env = {**os.environ, "RESTOREKIT_MODELS": models}
        shutil.copytree(f"{fixtures}/sd1", f"{tmp}/sd1")
        cli("models", "import", f"{tmp}/sd1", "--name", "tiny-refine", "--controlnet", f"{fixtures}/controlnet-sd1",
            env=env)
        cli("models", "import", f"{fixtures}/sd2", "--name", "tiny-one", "--recipe", "one-step", env=env)
        cli("models", "import", f"{fixtures}/sd2", "--name", "tiny-lcm", "--scheduler", "lcm", env=env)
        listing = cli("models", "list", "--verify", env=env).stdout
        for line in ("tiny-refine: generative, refine", "tiny-one: generative, one-step"):
            if line not in listing:
                raise AssertionError(f"models list lacks '{line}': {listing}")
        print("  imported a diffusers folder with a ControlNet (refine) and one (one-step); models list --verify")

        source = os.path.join(tmp, "in.png")
        Image.fromarray(gradient(96, 72)).save(source)

        def restore(name, *args, out="out.png"):
            path = os.path.join(tmp, out)
            result = cli("restore", source, path, "--model", name, "--prompt", "a red fox", "--steps", 4,
                         "--strength", 0.5, *args, env=env)
            return load(path), result.stderr

        for name in ("tiny-refine", "tiny-one"):
            for prompt in ("Upsample to 2", "Deblur with sigma 1.5"):
                restored, log = restore(name, "--restoration", prompt, out="c.png")
                degraded = os.path.join(tmp, "d.png")
                cli("degrade", os.path.join(tmp, "c.png"), degraded, "--restoration", prompt)
                score = psnr(load(degraded), load(source))
                print(f"  {name}, '{prompt}': degraded output against the input {score:.1f} dB (≥ 40)")
                if not score >= 40:
                    raise AssertionError(f"{name} '{prompt}': consistency {score:.1f} dB < 40")
            # Fidelity trades consistency for the generation: 0 skips the projection.
            cli("restore", source, os.path.join(tmp, "f0.png"), "--model", name, "--prompt", "a red fox", "--steps", 4,
                "--strength", 0.5, "--restoration", "Upsample to 2", "--fidelity", 0, env=env)
            cli("degrade", os.path.join(tmp, "f0.png"), degraded, "--restoration", "Upsample to 2")
            loose = psnr(load(degraded), load(source))
            print(f"  {name}, fidelity 0: degraded output against the input {loose:.1f} dB (below fidelity 1's)")
            if not loose < 40:
                raise AssertionError(f"{name}: fidelity 0 still projects ({loose:.1f} dB)")
            if "conditioned on: \"a red fox" not in log:
                raise AssertionError(f"restore does not print the conditioning: {log}")

        base, log = restore("tiny-refine", "--threads", 2)
        if "generate (refine" not in log or "negative prompt:" not in log:
            raise AssertionError(f"restore does not print the recipe and negative prompt: {log}")
        same = {
            "threads 1": restore("tiny-refine", "--threads", 1)[0],
        }
        different = {
            "another seed": restore("tiny-refine", "--seed", 9)[0],
            "another semantic prompt": restore("tiny-refine", "--prompt", "a watercolour of a boat")[0],
            "another negative prompt at guidance 5.5": restore("tiny-refine", "--negative-prompt", "dark")[0],
        }
        for what, image in same.items():
            if not np.array_equal(base, image):
                raise AssertionError(f"refine: {what} changed the bytes")
        for what, image in different.items():
            if np.array_equal(base, image):
                raise AssertionError(f"refine: {what} gave the same image")
        _, log = restore("tiny-lcm", "--guidance", 1, "--steps", 4, "--strength", 1)
        if "refine, SD-like (text width 32): lcm 4 steps" not in log:
            raise AssertionError(f"the sampler chosen at import is not the one run: {log}")
        plain = restore("tiny-refine", "--guidance", 1)[0]
        if not np.array_equal(plain, restore("tiny-refine", "--guidance", 1, "--negative-prompt", "dark")[0]):
            raise AssertionError("refine: at guidance 1 the negative prompt changed the image")
        print("  same bytes on 1 and 2 threads; seed, semantic and negative prompt change the image; "
              "guidance 1 ignores the negative prompt")

        # Seams: 96 × 80 enlarged 4 times in latent tiles of 16 (--tile-size 128): 48 × 40 latents, 3 × 3
        # tiles; the gradient enlarged by Pillow's bicubic as the reference.
        Image.fromarray(gradient(96, 80)).save(source)
        for name in ("tiny-refine", "tiny-one"):
            out, _ = restore(name, "--tile-size", 128, "--restoration", "Upsample to 4", "--strength", 0.3,
                             out="seam.png")
            clean = np.asarray(Image.open(source).resize((384, 320), Image.BICUBIC), dtype=np.float64) / 255
            for axis, length in ((1, 384), (0, 320)):  # across columns (rows averaged), then across rows
                step = np.abs(np.diff(out, axis=axis) - np.diff(clean, axis=axis)).mean(axis=1 - axis).max(axis=1)
                borders = {8 * edge - 1 + d for span in tile_spans(length // 8, 16, 4) for edge in span for d in (-1, 0, 1)
                           if 0 < 8 * edge < length}
                at_borders = max(step[b] for b in borders)
                elsewhere = max(step[i] for i in range(len(step)) if i not in borders)
                print(f"  {name}: largest mean step at a tile border {at_borders * 255:.2f}/255, elsewhere "
                      f"{elsewhere * 255:.2f}/255 (axis {axis})")
                if not at_borders <= elsewhere + 2 / 255:
                    raise AssertionError(f"{name}: a seam of {at_borders * 255:.2f}/255 at a tile border")

        import librestore
        image = gradient(256, 256).astype(np.float32) / 255
        asked = []

        class Stop(Exception):
            pass

        start = time.monotonic()

        def progress(fraction, stage):
            if time.monotonic() - start > 0.5:
                asked.append(time.monotonic())
                raise Stop()

        with librestore.Context(models) as ctx:
            listed = {m["name"]: m for m in ctx.models}
            if listed.get("tiny-refine", {}).get("recipe") != "refine" or "negative-prompt" not in listed["tiny-refine"]["reads"] \
                    or listed.get("tiny-one", {}).get("reads") != ["semantic-prompt", "quality-prompt", "fidelity"]:
                raise AssertionError(f"restore_models_json: {listed}")
            try:
                ctx.restore(image, restoration="Upsample to 2", model="tiny-refine", semantic="a fox", steps=50,
                            strength=1.0, tile_size=128, progress=progress)
                raise AssertionError("the generative restore finished before it could be cancelled")
            except Stop:
                waited = time.monotonic() - asked[0]
        print(f"  Python binding (C ABI): cancelled {waited:.3f} s after the callable raised (≤ 1 s)")
        if not waited <= 1.0:
            raise AssertionError(f"cancel took {waited:.2f} s")

        os.rename(f"{tmp}/sd1/unet", f"{tmp}/sd1/unet-moved")
        result = cli("restore", source, os.path.join(tmp, "x.png"), "--model", "tiny-refine", env=env, check=False)
        if result.returncode == 0 or "sd1/unet/" not in result.stderr or "import the model again" not in result.stderr:
            raise AssertionError(f"a moved file: expected an error naming it and the fix, got {result.stderr}")
        if os.path.exists(os.path.join(tmp, "x.png")):
            raise AssertionError("a failed restore left an output file")
        for args, message in ((["restore", source, f"{tmp}/y.png", "--model", "nope"], "unknown model 'nope'"),
                              (["models", "import", f"{fixtures}/sd2", "--name", "Bad Name"], "model name"),
                              (["models", "import", f"{fixtures}/sd2", "--name", "x", "--recipe", "two"], "--recipe"),
                              (["models", "import", f"{fixtures}/sd2", "--name", "tiny-one"], "exists already"),
                              (["models", "remove", "nope"], "no imported model 'nope'"),
                              (["models", "import", f"{fixtures}/sd2", "--name", "y", "--scheduler", "plms"], "--scheduler")):
            result = cli(*args, env=env, check=False)
            if result.returncode == 0 or message not in result.stderr:
                raise AssertionError(f"{' '.join(args)}: expected an error with '{message}', got {result.stderr}")
        cli("models", "remove", "tiny-one", env=env)
        if "tiny-one" in cli("models", "list", env=env, check=False).stdout:
            raise AssertionError("models remove left the model listed")
        print("  a moved file, unknown model, bad name, bad recipe and a taken name are errors naming them; remove works")
