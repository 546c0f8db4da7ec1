"""PyTorch's side of bench/generative.sh: generative restoration of one image by
diffusers and transformers, on the same .npy input as `rkbench sd one-step` and
`rkbench sd img2img`, timed over --repeat runs at --threads threads (each run's
seconds on one line, nothing else on standard output), output saved for the parity
comparison.

  one-step MODEL --image F.npy --prompt TEXT --out F.npy
      OSEDiff's one-step inference assembled from the modules (as
      Tests/Diffusion/check_one_step.py's reference): the prompt through CLIPTokenizer
      and CLIPTextModel, the image's latent mean scaled, one UNet evaluation at
      t = 999, the DDPM scheduler's step from there (x₀), decoded and clamped.
      Image and output (1, 3, H, W) in −1…1.
  img2img MODEL --image F.npy --prompt TEXT --negative-prompt TEXT --steps N
          --strength S --guidance G --seed S --scheduler ddim|lcm --out F.npy
      diffusers' StableDiffusionImg2ImgPipeline with the scheduler swapped (from the
      folder's scheduler config) and a torch generator seeded with S. Image and
      output (1, 3, H, W) in 0…1.
  inputs --size N --out DIR
      the benchmark's random image: DIR/image01.npy in 0…1 and DIR/image11.npy in −1…1.

Each run includes the text encoding; loading is not timed. A folder without
model_index.json (bench/sd_models.py's) is assembled from its parts."""
import argparse
import time

import numpy as np
import torch


def load_parts(folder):
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer
    return dict(
        tokenizer=CLIPTokenizer.from_pretrained(f"{folder}/tokenizer"),
        text_encoder=CLIPTextModel.from_pretrained(f"{folder}/text_encoder", dtype=torch.float32).eval(),
        unet=UNet2DConditionModel.from_pretrained(f"{folder}/unet", torch_dtype=torch.float32).eval(),
        vae=AutoencoderKL.from_pretrained(f"{folder}/vae", torch_dtype=torch.float32).eval(),
    )


def one_step(args):
    from diffusers import DDPMScheduler
    parts = load_parts(args.model)
    tokenizer, text_encoder, unet, vae = (parts[k] for k in ("tokenizer", "text_encoder", "unet", "vae"))
    scheduler = DDPMScheduler.from_pretrained(f"{args.model}/scheduler")
    image = torch.from_numpy(np.load(args.image)).float()

    def run():
        scheduler.set_timesteps(timesteps=[999])  # OSEDiff's single step; the one before it is -1
        ids = tokenizer([args.prompt], padding="max_length", max_length=tokenizer.model_max_length,
                        truncation=True, return_tensors="pt").input_ids
        context = text_encoder(ids)[0]
        latents = vae.encode(image).latent_dist.mean * vae.config.scaling_factor
        prediction = unet(latents, torch.tensor([999]), encoder_hidden_states=context).sample
        clean = scheduler.step(prediction, 999, latents, generator=torch.Generator().manual_seed(0)).prev_sample
        return vae.decode(clean / vae.config.scaling_factor).sample.clamp(-1, 1).numpy()

    return run


def img2img(args):
    import os
    from diffusers import DDIMScheduler, LCMScheduler, StableDiffusionImg2ImgPipeline
    options = dict(safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    if os.path.exists(f"{args.model}/model_index.json"):
        pipe = StableDiffusionImg2ImgPipeline.from_pretrained(args.model, torch_dtype=torch.float32, **options)
    else:
        from diffusers import PNDMScheduler
        scheduler = PNDMScheduler.from_pretrained(f"{args.model}/scheduler")
        pipe = StableDiffusionImg2ImgPipeline(**load_parts(args.model), scheduler=scheduler, **options)
    cls = {"ddim": DDIMScheduler, "lcm": LCMScheduler}[args.scheduler]
    pipe.scheduler = cls.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    pixels = np.load(args.image).transpose(0, 2, 3, 1)  # the pipeline takes NHWC arrays in 0…1

    def run():
        out = pipe(prompt=args.prompt, image=pixels, negative_prompt=args.negative_prompt, strength=args.strength,
                   num_inference_steps=args.steps, guidance_scale=args.guidance, output_type="np",
                   generator=torch.Generator().manual_seed(args.seed)).images
        return out.transpose(0, 3, 1, 2)

    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["one-step", "img2img", "inputs"])
    parser.add_argument("model", nargs="?")
    parser.add_argument("--out", required=True)
    parser.add_argument("--image")
    parser.add_argument("--prompt", default="")
    parser.add_argument("--negative-prompt", default=None)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument("--guidance", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scheduler", choices=["ddim", "lcm"], default="ddim")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.command == "inputs":
        g = torch.Generator().manual_seed(0)
        image = torch.rand((1, 3, args.size, args.size), generator=g) * 0.8 + 0.1
        np.save(f"{args.out}/image01.npy", image.numpy())
        np.save(f"{args.out}/image11.npy", (image * 2 - 1).numpy())
        return

    if args.model is None or args.image is None:
        parser.error(f"{args.command} needs MODEL and --image")
    from diffusers.utils import logging
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    run = one_step(args) if args.command == "one-step" else img2img(args)
    with torch.no_grad():
        for _ in range(args.repeat):
            start = time.perf_counter()
            out = run()
            print(time.perf_counter() - start, flush=True)
    np.save(args.out, np.ascontiguousarray(out, dtype=np.float32))


if __name__ == "__main__":
    main()
