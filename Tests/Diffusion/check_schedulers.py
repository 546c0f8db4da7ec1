"""RestoreKit's schedulers (`rkbench sd scheduler` / `denoise`) against diffusers'
on the fixtures' scheduler configurations (sd1: ε-prediction, a PNDM config; sd2:
v-prediction, a DDIM config), each scheduler built with `XScheduler.from_config` as a
user switching schedulers would, plus overrides:

- timesteps, identical, for every scheduler × timestep spacing × fixture over many
  step counts, and for img2img strengths (StableDiffusionImg2ImgPipeline.get_timesteps);
- whole runs on given model outputs (txt2img: randn × init_noise_sigma; img2img:
  add_noise at the first remaining timestep; then every step in order, so multistep
  history and the per-step noise of the ancestral, DDPM and LCM samplers, drawn from
  the one torch generator, all count): each step's sample and scaled UNet input
  within 1e-6 of diffusers' (max|Δ| / max|reference|);
- errors for bad step counts, strengths, names and configuration values.
"""
import contextlib
import inspect
import json
import os
import tempfile

import diffusers
import numpy as np
import torch
from diffusers import (DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
                       EulerDiscreteScheduler, LCMScheduler, PNDMScheduler)

from sdtest import relative_error

diffusers.utils.logging.set_verbosity_error()

SCHEDULERS = {
    "ddim": (DDIMScheduler, {}),
    "ddpm": (DDPMScheduler, {}),
    "dpm++2m": (DPMSolverMultistepScheduler, {}),
    "dpm++2m-karras": (DPMSolverMultistepScheduler, {"use_karras_sigmas": True}),
    "euler": (EulerDiscreteScheduler, {}),
    "euler-ancestral": (EulerAncestralDiscreteScheduler, {}),
    "lcm": (LCMScheduler, {}),
    "pndm": (PNDMScheduler, {"skip_prk_steps": True}),
}
SPACINGS = ["leading", "trailing", "linspace"]
FIXTURES = ["sd1", "sd2"]
STEP_COUNTS = [1, 2, 3, 7, 10, 20, 25, 33, 50, 61, 100]
STRENGTHS = [0.05, 0.3, 0.5, 0.75, 0.9, 1.0]
SHAPE = (1, 4, 8, 8)
TOLERANCE = 1e-6
# A chain of steps carries each step's last-bit differences (torch's float32 sqrt, log
# and exp are MKL's, not correctly rounded) into the next: ~1e-7 per step.
CHAIN_TOLERANCE = 1e-5


def reference_scheduler(fixtures, fixture, name, settings):
    cls, overrides = SCHEDULERS[name]
    with open(os.path.join(fixtures, fixture, "scheduler", "scheduler_config.json")) as f:
        config = json.load(f)
    return cls.from_config({**config, **overrides, **settings})


def set_arg(settings):
    return ",".join(f"{key}={json.dumps(value) if not isinstance(value, str) else value}"
                    for key, value in settings.items())


def reference_timesteps(scheduler, steps, strength):
    """The timesteps a pipeline runs; with a strength, img2img's rule (and begin index)."""
    scheduler.set_timesteps(steps)
    if strength is None:
        return scheduler.timesteps
    kept = min(int(steps * strength), steps)
    start = max(steps - kept, 0)
    if hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(start * scheduler.order)
    return scheduler.timesteps[start * scheduler.order:]


def reference_run(scheduler, steps, seed, outputs, strength=None, image=None, sample=None, eta=None):
    generator = torch.Generator().manual_seed(seed)
    timesteps = reference_timesteps(scheduler, steps, strength)
    if image is not None:
        noise = torch.randn(SHAPE, generator=generator)
        x = scheduler.add_noise(torch.from_numpy(image), noise, timesteps[:1])
    elif sample is not None:
        x = torch.from_numpy(sample)
    else:
        x = torch.randn(SHAPE, generator=generator) * scheduler.init_noise_sigma
    samples, inputs = [x.numpy().copy()], []
    extra = {"eta": eta} if eta is not None else {}
    if "generator" in inspect.signature(scheduler.step).parameters:  # PNDM draws nothing and takes none
        extra["generator"] = generator
    for k, t in enumerate(timesteps[:len(outputs)]):
        inputs.append(scheduler.scale_model_input(x, t).numpy().copy())
        x = scheduler.step(torch.from_numpy(outputs[k]), t, x, **extra).prev_sample
        samples.append(x.numpy().copy())
    return np.stack(samples), np.stack(inputs)


@contextlib.contextmanager
def rounded_sqrt():
    """torch's float32 `** 0.5` rounded correctly (through float64) instead of by MKL.

    torch computes float32 square roots with MKL's vsSqrt, which is off by one ulp in
    a sizeable fraction of cases (machine-dependent). That is harmless except where
    diffusers' arithmetic amplifies it: with zero terminal SNR the Euler schedulers
    start at σ = √(2²⁴ − 1), which MKL rounds up to 4096, and one ulp of σ there moves
    the first steps by ~1e-5. Those cases are checked against this correctly rounded
    torch (and their distance to plain diffusers reported)."""
    power = torch.Tensor.__pow__

    def patched(self, exponent):
        if exponent == 0.5 and self.dtype == torch.float32:
            return self.double().sqrt().float()
        return power(self, exponent)

    torch.Tensor.__pow__ = patched
    try:
        yield
    finally:
        torch.Tensor.__pow__ = power


class Tally:
    """The worst error per scheduler and mode, for the summary."""

    def __init__(self):
        self.worst = {}
        self.runs = 0

    def add(self, name, mode, label, actual, reference, tolerance):
        for k in range(reference.shape[0]):
            error = relative_error(actual[k], reference[k])
            if not error <= tolerance:
                raise AssertionError(f"{label} ({mode}): step {k}: max|Δ|/max|ref| = {error:.3e} > {tolerance:.0e}")
            key = (mode, name)
            self.worst[key] = max(self.worst.get(key, 0.0), error)

    def summary(self, mode):
        return ", ".join(f"{name} {error:.1e}" for (m, name), error in sorted(self.worst.items()) if m == mode)


def asked_for(name, ref, spacing, steps):
    """diffusers' trailing spacing gives one timestep too many for some counts (61 of 1000:
    np.arange's length), the last of them -1, which DDPM and DDIM use to index ᾱ from the
    end; there RestoreKit keeps the `steps` asked for, so the comparison drops that one (the
    Euler and DPM-Solver schedulers interpolate σ at -1, as diffusers does)."""
    if name in ("ddpm", "ddim") and spacing == "trailing" and len(ref) == steps + 1 and ref[-1] < 0:
        return ref[:steps]
    return ref


def check_timesteps(bench, fixtures):
    count = 0
    for name in SCHEDULERS:
        for fixture in FIXTURES:
            for spacing in SPACINGS:
                settings = {"timestep_spacing": spacing}
                model = os.path.join(fixtures, fixture)
                for steps in STEP_COUNTS:
                    for strength in [None] + (STRENGTHS if steps in (10, 25, 50) else []):
                        scheduler = reference_scheduler(fixtures, fixture, name, settings)
                        try:
                            ref = reference_timesteps(scheduler, steps, strength).numpy().astype(np.float32)
                            ref = asked_for(name, ref, spacing, steps)
                        except ValueError:
                            continue  # diffusers refuses the count (LCM above original_inference_steps)
                        if len(ref) == 0:
                            continue  # a strength that leaves no step: an error here (checked below)
                        args = ["--scheduler", name, "--steps", steps, "--set", set_arg(settings)]
                        if strength is not None:
                            args += ["--strength", strength]
                        mine = bench.array("scheduler", model, *args)
                        if mine.shape != ref.shape or not np.array_equal(mine, ref):
                            raise AssertionError(f"{name} {fixture} {spacing} {steps} steps strength {strength}: "
                                                 f"timesteps {mine.tolist()} differ from diffusers' {ref.tolist()}")
                        count += 1
    # Euler on Karras σ has fractional timesteps, from the σ table: torch's float32 sqrt
    # there is MKL's, not correctly rounded, so a timestep may differ in its last bit.
    fractional, identical, worst = 0, 0, 0.0
    for fixture in FIXTURES:
        for spacing in SPACINGS:
            settings = {"timestep_spacing": spacing, "use_karras_sigmas": True}
            for steps in STEP_COUNTS:
                ref = reference_timesteps(reference_scheduler(fixtures, fixture, "euler", settings), steps, None)
                ref = ref.numpy().astype(np.float32)
                mine = bench.array("scheduler", os.path.join(fixtures, fixture), "--scheduler", "euler",
                                   "--steps", steps, "--set", set_arg(settings))
                error = relative_error(mine, ref)
                if not error <= TOLERANCE:
                    raise AssertionError(f"euler karras {fixture} {spacing} {steps}: {mine.tolist()} "
                                         f"differ from {ref.tolist()} by {error:.2e}")
                fractional += ref.size
                identical += int((mine == ref).sum())
                worst = max(worst, error)
    print(f"  Euler Karras timesteps: {identical}/{fractional} identical, max|Δ|/max|ref| = {worst:.1e}")
    print(f"  timesteps: {count} schedules identical to diffusers'")


def run_case(bench, fixtures, tally, name, fixture, settings, steps, seed, strength=None, start="shape", eta=None,
             count=None, exact_sqrt=False):
    rng = np.random.default_rng(seed)
    reference = reference_scheduler(fixtures, fixture, name, settings)
    remaining = len(reference_timesteps(reference_scheduler(fixtures, fixture, name, settings), steps, strength))
    outputs = rng.standard_normal((count or remaining,) + SHAPE).astype(np.float32)
    image = rng.standard_normal(SHAPE).astype(np.float32) if start == "image" else None
    sample = (rng.standard_normal(SHAPE) * 3).astype(np.float32) if start == "sample" else None
    if exact_sqrt:
        plain, _ = reference_run(reference, steps, seed, outputs, strength, image, sample, eta)
        with rounded_sqrt():
            reference = reference_scheduler(fixtures, fixture, name, settings)
            ref_samples, ref_inputs = reference_run(reference, steps, seed, outputs, strength, image, sample, eta)
    else:
        ref_samples, ref_inputs = reference_run(reference, steps, seed, outputs, strength, image, sample, eta)
    args = [os.path.join(fixtures, fixture), "--scheduler", name, "--steps", steps, "--seed", seed,
            "--set", set_arg(settings)]
    if strength is not None:
        args += ["--strength", strength]
    if eta is not None:
        args += ["--eta", eta]
    inputs = {"model_outputs": outputs}
    if image is not None:
        inputs["image"] = image
    elif sample is not None:
        inputs["sample"] = sample
    else:
        args += ["--shape", ",".join(map(str, SHAPE))]
    label = f"{name} {fixture} {settings} {steps} steps strength {strength} start {start} eta {eta}"
    forced = {"step_samples": ref_samples[:-1]}
    for mode, extra, tolerance in (("step", forced, TOLERANCE), ("chain", {}, CHAIN_TOLERANCE)):
        with tempfile.TemporaryDirectory() as tmp:
            inputs_out = os.path.join(tmp, "inputs.npy")
            samples = bench.array("denoise", *args, "--inputs-out", inputs_out, **inputs, **extra)
            scaled = np.load(inputs_out)
        tally.add(name, mode, label + " samples", samples, ref_samples, tolerance)
        tally.add(name, mode, label + " UNet inputs", scaled, ref_inputs, tolerance)
    tally.runs += 1
    if exact_sqrt:
        print(f"  {name} {fixture} {settings}: against plain diffusers (MKL's square roots) max|Δ|/max|ref| = "
              f"{max(relative_error(samples[k], plain[k]) for k in range(len(plain))):.1e}")


def check_runs(bench, fixtures):
    tally = Tally()
    seed = 1000
    for name in SCHEDULERS:
        for fixture in FIXTURES:
            for spacing in SPACINGS:
                settings = {"timestep_spacing": spacing}
                seed += 1
                run_case(bench, fixtures, tally, name, fixture, settings, 10, seed)
                run_case(bench, fixtures, tally, name, fixture, settings, 10, seed, strength=0.6, start="image")
                run_case(bench, fixtures, tally, name, fixture, settings, 8, seed, strength=0.5, start="sample")
    extras = [
        ("dpm++2m", {"timestep_spacing": "leading"}, 20), ("dpm++2m-karras", {"timestep_spacing": "leading"}, 25),
        ("dpm++2m", {"solver_type": "heun"}, 12), ("dpm++2m", {"final_sigmas_type": "sigma_min"}, 10),
        ("dpm++2m", {"solver_order": 1}, 6), ("dpm++2m", {"lower_order_final": False}, 10),
        ("dpm++2m", {"lambda_min_clipped": -2.0}, 10),
        ("dpm++2m", {"lambda_min_clipped": -2.0, "timestep_spacing": "leading"}, 10),
        ("dpm++2m", {"lambda_min_clipped": -2.0, "timestep_spacing": "trailing"}, 10),
        ("euler", {"use_karras_sigmas": True}, 12),
        ("euler", {"use_karras_sigmas": True, "timestep_spacing": "trailing"}, 9),
        ("euler", {"final_sigmas_type": "sigma_min"}, 10),
        ("ddpm", {"variance_type": "fixed_large"}, 10), ("ddpm", {"variance_type": "fixed_small_log"}, 10),
        ("ddpm", {"clip_sample": True}, 10), ("ddim", {"set_alpha_to_one": True}, 10),
        ("ddim", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}, 10),
        ("dpm++2m", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}, 10),
        ("ddim", {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}, 10),
        ("euler-ancestral", {"beta_schedule": "squaredcos_cap_v2"}, 10), ("lcm", {"original_inference_steps": 30}, 4),
        ("dpm++2m-karras", {}, 50), ("euler-ancestral", {}, 50), ("ddpm", {}, 50), ("lcm", {}, 50),
    ]
    for name, settings, steps in extras:
        for fixture in FIXTURES:
            if settings.get("rescale_betas_zero_snr") and fixture == "sd1":
                continue  # zero terminal SNR is meant for v-prediction (ε at ᾱ = 0 divides by zero)
            seed += 1
            run_case(bench, fixtures, tally, name, fixture, settings, steps, seed)
    for name in ("euler", "euler-ancestral"):
        seed += 1
        run_case(bench, fixtures, tally, name, "sd2", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"},
                 10, seed, exact_sqrt=True)
    for fixture in FIXTURES:
        seed += 1
        run_case(bench, fixtures, tally, "ddim", fixture, {}, 10, seed, eta=0.7)
        run_case(bench, fixtures, tally, "ddim", fixture, {}, 10, seed, eta=1.0, strength=0.7, start="image")
        # Part of a run: the history and the generator's state still have to agree.
        run_case(bench, fixtures, tally, "dpm++2m-karras", fixture, {}, 15, seed, count=6)
    print(f"  runs: {tally.runs}; worst max|Δ|/max|ref| of a sample or UNet input, per scheduler:")
    print(f"    each step from diffusers' sample (≤ {TOLERANCE:.0e}): {tally.summary('step')}")
    print(f"    whole chains (≤ {CHAIN_TOLERANCE:.0e}): {tally.summary('chain')}")


def check_errors(bench, fixtures):
    model = os.path.join(fixtures, "sd1")
    cases = [
        (["--scheduler", "euler", "--steps", 0], "0 steps"),
        (["--scheduler", "ddim", "--steps", 1001], "1001 steps"),
        (["--scheduler", "lcm", "--steps", 51], "LCM: 51 steps"),
        (["--scheduler", "ddim", "--steps", 10, "--strength", 1.5], "strength 1.5"),
        (["--scheduler", "ddim", "--steps", 10, "--strength", 0.05], "leaves none"),
        (["--scheduler", "heun", "--steps", 10], "unknown scheduler 'heun'"),
        (["--scheduler", "ddim", "--steps", 10, "--set", "beta_schedule=sigmoid"], "'beta_schedule'"),
        (["--scheduler", "euler", "--steps", 10, "--set", "prediction_type=flow"], "'prediction_type'"),
        (["--scheduler", "dpm++2m", "--steps", 10, "--set", "solver_order=3"], "'solver_order'"),
        (["--scheduler", "ddpm", "--steps", 10, "--set", "thresholding=true"], "'thresholding'"),
        (["--scheduler", "euler", "--steps", 10, "--set", "num_train_timesteps=\"many\""], "'num_train_timesteps'"),
    ]
    for args, phrase in cases:
        result = bench.run("scheduler", model, *args, "--out", os.devnull, check=False)
        text = result.stdout + result.stderr
        if result.returncode == 0 or phrase not in text:
            raise AssertionError(f"scheduler {args}: expected a failure mentioning {phrase!r}, got "
                                 f"{result.returncode}: {text.strip()}")
    print(f"  errors: {len(cases)} bad requests refused")


def check(bench, fixtures):
    check_errors(bench, fixtures)
    check_timesteps(bench, fixtures)
    check_runs(bench, fixtures)
