"""PyTorch's side of bench/sd.sh: one part of a diffusers pipeline (text, unet,
vae-encode, vae-decode) on the same .npy inputs as `rkbench sd`, timed over
--repeat runs at --threads threads (each run's seconds on one line), output saved
for the parity comparison. Also `inputs`: writes the benchmark's random inputs."""
import argparse
import time

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["inputs", "text", "unet", "vae-encode", "vae-decode"])
    parser.add_argument("model")
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tokens")
    parser.add_argument("--latents")
    parser.add_argument("--context")
    parser.add_argument("--image")
    parser.add_argument("--timestep", type=float, default=500)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from diffusers.utils import logging
    logging.set_verbosity_error()

    if args.part == "inputs":
        g = torch.Generator().manual_seed(0)
        from transformers import CLIPTextConfig
        width = CLIPTextConfig.from_pretrained(f"{args.model}/text_encoder").hidden_size
        np.save(f"{args.out}/tokens.npy", torch.randint(0, 49406, (1, 77), generator=g).float().numpy())
        np.save(f"{args.out}/latents.npy", torch.randn((1, 4, 64, 64), generator=g).numpy())
        np.save(f"{args.out}/context.npy", torch.randn((1, 77, width), generator=g).numpy())
        np.save(f"{args.out}/image.npy", (torch.rand((1, 3, 512, 512), generator=g) * 2 - 1).numpy())
        return

    if args.part == "text":
        from transformers import CLIPTextModel
        model = CLIPTextModel.from_pretrained(f"{args.model}/text_encoder").eval()
        ids = torch.from_numpy(np.load(args.tokens)).long()
        run = lambda: model(ids)[0]
    elif args.part == "unet":
        from diffusers import UNet2DConditionModel
        model = UNet2DConditionModel.from_pretrained(f"{args.model}/unet").eval()
        latents, context = torch.from_numpy(np.load(args.latents)), torch.from_numpy(np.load(args.context))
        run = lambda: model(latents, args.timestep, encoder_hidden_states=context).sample
    else:
        from diffusers import AutoencoderKL
        model = AutoencoderKL.from_pretrained(f"{args.model}/vae").eval()
        if args.part == "vae-encode":
            image = torch.from_numpy(np.load(args.image))
            run = lambda: model.encode(image).latent_dist.mean
        else:
            latents = torch.from_numpy(np.load(args.latents))
            run = lambda: model.decode(latents).sample
    with torch.no_grad():
        for _ in range(args.repeat):
            start = time.perf_counter()
            out = run()
            print(time.perf_counter() - start, flush=True)
    np.save(args.out, out.numpy())


if __name__ == "__main__":
    main()
