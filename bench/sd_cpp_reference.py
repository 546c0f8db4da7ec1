"""stable-diffusion.cpp's side of bench/sd.sh: seconds of one UNet evaluation at a
64×64 latent (512×512 image) through the stable-diffusion-cpp-python package, on
the same random diffusers folder as `rkbench sd` and PyTorch (bench/sd_models.py),
one line per evaluation. `--info` prints the package version and ggml's CPU features.

sd.cpp reads the diffusers folder itself (unet/, vae/, text_encoder/, converting
the tensor names), asked for f32 weights (wtype f32). The API has no call that runs
the UNet alone, so this times txt2img at 512×512 with the Euler sampler and
cfg_scale 1, under which sd.cpp builds no unconditional condition
(resolve_guidance: use_uncond only when txt_cfg != 1) and `sample` makes one
diffusion-model call per step. sd.cpp calls the progress callback with step 0 just
before the first step's UNet call and with step k after step k, so the gaps between
the callbacks are the --repeat per-step seconds: each one UNet evaluation plus the
sampler's few element-wise ops on a 4×64×64 latent, and no text encoding (done
before step 0) or VAE decoding (after the last step). Their sum is checked against
sd.cpp's own "sampling completed, taking" log line, after which the process exits,
skipping the 512×512 VAE decode nobody times (minutes at 2 threads).

Precision: sd.cpp keeps linear and attention weights in f32 here, but its Conv2d
(ggml_extend.hpp) always stores the kernel in f16, whatever wtype says, so each
convolution multiplies f16 im2col columns by f16 kernels with f32 accumulation.
The log's UNet parameter buffer size shows it; this script checks that figure
against the file (4-D kernels at 2 bytes, everything else at 4) and says so."""
import argparse
import ctypes
import math
import os
import re
import sys
import time


def expected_unet_mib(folder):
    from safetensors import safe_open
    with safe_open(os.path.join(folder, "unet", "diffusion_pytorch_model.safetensors"), "np") as f:
        shapes = [f.get_slice(k).get_shape() for k in f.keys()]
    conv = sum(math.prod(s) for s in shapes if len(s) == 4)
    rest = sum(math.prod(s) for s in shapes if len(s) != 4)
    return (2 * conv + 4 * rest) / 2**20, 4 * (conv + rest) / 2**20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", nargs="?")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--info", action="store_true")
    args = parser.parse_args()

    # sd.cpp prints progress bars and its system info on stdout: keep stdout for the figures.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import stable_diffusion_cpp as sdcpp
    if args.info:
        lib = sdcpp.stable_diffusion_cpp._lib
        on = [name.upper() for name in ("sse3", "avx", "avx2", "fma", "f16c", "bmi2", "avx_vnni", "avx512", "llamafile")
              if getattr(lib, f"ggml_cpu_has_{name}", lambda: 0)()]
        print(f"stable-diffusion-cpp-python {sdcpp.__version__} (ggml CPU features: {' '.join(on)})", file=out)
        return

    log = []
    total = []

    @sdcpp.sd_log_callback
    def on_log(level, text, data):
        line = text.decode("utf-8", errors="replace").rstrip()
        log.append(line)
        if re.search(r"Version:|weight type stat|params backend buffer size|compute buffer size|using .* method"
                     r"|running in|generating image:", line):
            print(line, file=sys.stderr, flush=True)
        m = re.search(r"sampling completed, taking ([0-9.]+)s", line)
        if m:
            total.append(float(m.group(1)))
            finish()

    stamps = []

    def on_progress(step, steps, elapsed):
        stamps.append((step, time.perf_counter(), time.process_time()))

    def finish():
        if [s[0] for s in stamps] != list(range(args.repeat + 1)):
            print(f"unexpected progress steps {[s[0] for s in stamps]}", file=sys.stderr)
            os._exit(1)
        steps = [b[1] - a[1] for a, b in zip(stamps, stamps[1:])]
        cpu = [b[2] - a[2] for a, b in zip(stamps, stamps[1:])]
        print(f"per-step seconds {' '.join(f'{s:.2f}' for s in steps)} (CPU seconds "
              f"{' '.join(f'{c:.1f}' for c in cpu)}); sum {sum(steps):.2f} s, sd.cpp's sampling total "
              f"{total[0]:.2f} s", file=sys.stderr)
        for s in steps:
            print(s, file=out)
        out.flush()
        sys.stderr.flush()
        # The VAE decode that would follow is not part of the measurement.
        os._exit(0)

    sdcpp.sd_set_log_callback(on_log, ctypes.c_void_p(0))
    # Loading reports its progress through the same callback (a progress bar otherwise).
    quiet = sdcpp.sd_progress_callback(lambda step, steps, elapsed, data: None)
    sdcpp.sd_set_progress_callback(quiet, ctypes.c_void_p(0))
    start = time.perf_counter()
    sd = sdcpp.StableDiffusion(model_path=args.model, wtype="f32", n_threads=args.threads, verbose=True)
    print(f"loaded in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    unet_mib = [float(m.group(1)) for line in log
                for m in [re.search(r"unet params backend buffer size =\s*([0-9.]+) MB", line)] if m]
    mixed, f32 = expected_unet_mib(args.model)
    if unet_mib and abs(unet_mib[0] - mixed) < 1:
        print(f"UNet weights in sd.cpp: {unet_mib[0]:.2f} MiB = convolution kernels f16, all else f32 "
              f"(all-f32 would be {f32:.2f} MiB)", file=sys.stderr)
    elif unet_mib and abs(unet_mib[0] - f32) < 1:
        print(f"UNet weights in sd.cpp: {unet_mib[0]:.2f} MiB = all f32", file=sys.stderr)
    else:
        print(f"UNet weights in sd.cpp: {unet_mib} MiB, expected {mixed:.2f} (f16 kernels) or {f32:.2f} (f32)",
              file=sys.stderr)
    sd.generate_image(prompt="a photograph of an astronaut riding a horse", width=512, height=512,
                      cfg_scale=1.0, sample_method="euler", sample_steps=args.repeat, seed=0,
                      progress_callback=on_progress)
    print("sd.cpp returned without logging its sampling time", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
