"""The diffusion part of the `refine` recipe (`rkbench sd img2img`) against diffusers'
StableDiffusionImg2ImgPipeline and StableDiffusionControlNetImg2ImgPipeline with the
same seed: the VAE's latent sample, the noise at the first remaining timestep, every
step with classifier-free guidance against the negative prompt, the decode; within
2/255 of the pipeline's image. Also: the same bytes on 1 and 2 threads; at guidance 1
the negative prompt changes nothing, above 1 it does; another prompt, another image;
latent tiles that cover the latents whole change nothing; bad settings are errors."""
import numpy as np
import torch
from diffusers import (ControlNetModel, StableDiffusionControlNetImg2ImgPipeline, StableDiffusionImg2ImgPipeline)
from diffusers.utils import logging

from check_schedulers import SCHEDULERS

logging.set_verbosity_error()
logging.disable_progress_bar()

NEGATIVE = "blurry, dotted, noise, unclear, lowres, over-smoothed"


def reference(fixtures, fixture, image, prompt, negative, steps, strength, guidance, seed, scheduler,
              controlnet=None, control_scale=1.0):
    """The pipeline's image (1, 3, H, W) in 0…1 for `image` (1, 3, H, W) in 0…1."""
    folder = f"{fixtures}/{fixture}"
    options = dict(safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    if controlnet:
        model = ControlNetModel.from_pretrained(f"{fixtures}/{controlnet}")
        pipe = StableDiffusionControlNetImg2ImgPipeline.from_pretrained(folder, controlnet=model, **options)
    else:
        pipe = StableDiffusionImg2ImgPipeline.from_pretrained(folder, **options)
    cls, overrides = SCHEDULERS[scheduler]
    pipe.scheduler = cls.from_config({**pipe.scheduler.config, **overrides})
    pipe.set_progress_bar_config(disable=True)
    pixels = image.transpose(0, 2, 3, 1)  # the pipeline takes NHWC arrays in 0…1
    extra = dict(control_image=pixels, controlnet_conditioning_scale=control_scale) if controlnet else {}
    with torch.no_grad():
        out = pipe(prompt=prompt, image=pixels, negative_prompt=negative, strength=strength,
                   num_inference_steps=steps, guidance_scale=guidance, output_type="np",
                   generator=torch.Generator().manual_seed(seed), **extra).images
    return out.transpose(0, 3, 1, 2)


def restorekit(bench, fixtures, fixture, image, prompt, negative, steps, strength, guidance, seed, scheduler,
               controlnet=None, control_scale=1.0, threads=2, tile=None):
    args = [f"{fixtures}/{fixture}", "--prompt", prompt, "--negative-prompt", negative, "--steps", steps,
            "--strength", strength, "--guidance", guidance, "--seed", seed, "--scheduler", scheduler,
            "--threads", threads]
    if controlnet:
        args += ["--controlnet", f"{fixtures}/{controlnet}", "--control-scale", control_scale]
    if tile:
        args += ["--tile", tile]
    return bench.array("img2img", *args, image=image)


CASES = [  # fixture, scheduler, steps, strength, guidance, seed, controlnet, control scale
    ("sd1", "ddim", 5, 0.75, 5.5, 3, None, 1.0),
    ("sd1", "euler-ancestral", 4, 0.6, 1.0, 11, None, 1.0),
    ("sd1", "ddpm", 6, 0.5, 3.0, 2**40 + 5, None, 1.0),
    ("sd1", "lcm", 4, 1.0, 1.0, 7, None, 1.0),
    ("sd1", "pndm", 6, 0.6, 3.0, 13, None, 1.0),  # SD 1.5's own sampler (PLMS)
    ("sd2", "dpm++2m-karras", 6, 0.8, 4.0, 9, None, 1.0),
    ("sd2", "euler", 5, 0.5, 2.0, 0, None, 1.0),
    ("sd1", "ddim", 4, 0.7, 4.0, 5, "controlnet-sd1", 0.7),
    ("sd2", "euler-ancestral", 4, 0.9, 1.0, 8, "controlnet-sd2", 1.2),
]


def check(bench, fixtures):
    generator = torch.Generator().manual_seed(12)
    image = (torch.rand((1, 3, 64, 48), generator=generator) * 0.8 + 0.1).numpy()
    prompt = "a red fox in snow, sharp fur"
    for fixture, scheduler, steps, strength, guidance, seed, controlnet, scale in CASES:
        expected = reference(fixtures, fixture, image, prompt, NEGATIVE, steps, strength, guidance, seed, scheduler,
                             controlnet, scale)
        actual = restorekit(bench, fixtures, fixture, image, prompt, NEGATIVE, steps, strength, guidance, seed,
                            scheduler, controlnet, scale)
        error = float(np.abs(actual - expected).max())
        name = f"{fixture} {scheduler} {steps} steps, strength {strength}, guidance {guidance}" + \
            (f", {controlnet} × {scale}" if controlnet else "")
        print(f"  {name}: max |Δ| = {error * 255:.4f}/255 (≤ 2/255)")
        if not error <= 2 / 255:
            raise AssertionError(f"{name}: max |Δ| {error * 255:.3f}/255 > 2/255")

    def run(**changes):
        settings = dict(fixture="sd1", image=image, prompt=prompt, negative=NEGATIVE, steps=4, strength=0.75,
                        guidance=4.0, seed=21, scheduler="euler-ancestral")
        settings.update(changes)
        return restorekit(bench, fixtures, **settings)

    base = run()
    if not np.array_equal(base, run(threads=1)):
        raise AssertionError("img2img: 1 and 2 threads gave different bytes")
    if not np.array_equal(base, run(tile=64)):
        raise AssertionError("img2img: one latent tile covering the image changed the result")
    if np.array_equal(base, run(negative="a watercolour")):
        raise AssertionError("img2img: at guidance 4 another negative prompt changed nothing")
    if not np.array_equal(run(guidance=1.0), run(guidance=1.0, negative="a watercolour")):
        raise AssertionError("img2img: at guidance 1 the negative prompt changed the result")
    if np.array_equal(base, run(prompt="a watercolour of a boat")):
        raise AssertionError("img2img: another prompt gave the same image")
    if np.array_equal(base, run(seed=22)):
        raise AssertionError("img2img: another seed gave the same image")
    print("  same bytes on 1 and 2 threads and with one whole tile; guidance 1 ignores the negative prompt, 4 does "
          "not; another prompt or seed changes the image")
    for args, message in (
            (["--strength", "1.5"], "strength"), (["--steps", "0"], "steps"),
            (["--scheduler", "plms"], "unknown scheduler"), (["--guidance", "-1"], "guidance")):
        result = bench.run("img2img", f"{fixtures}/sd1", "--prompt", "x", *args, "--image", "/nonexistent.npy",
                           "--out", "/dev/null", check=False)
        if result.returncode == 0 or message not in result.stdout + result.stderr:
            raise AssertionError(f"img2img {' '.join(args)}: expected an error naming '{message}', got "
                                 f"{result.returncode}: {result.stdout}{result.stderr}")
    print("  bad strength, steps, scheduler and guidance are errors naming them")
