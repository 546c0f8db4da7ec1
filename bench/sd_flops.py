"""GFLOP of one part of a diffusers pipeline on the benchmark's inputs, counted by
torch.utils.flop_counter on the meta device (no weights loaded)."""
import sys

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode


def main():
    part, model = sys.argv[1], sys.argv[2]
    args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    def meta(path):
        return torch.from_numpy(np.load(path)).to("meta")

    with torch.device("meta"):
        if part == "text":
            net = CLIPTextModel(CLIPTextConfig.from_pretrained(f"{model}/text_encoder"))
            run = lambda: net(meta(args["--tokens"]).long())
        elif part == "unet":
            net = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(f"{model}/unet"))
            run = lambda: net(meta(args["--latents"]), 500, encoder_hidden_states=meta(args["--context"]))
        else:
            net = AutoencoderKL.from_config(AutoencoderKL.load_config(f"{model}/vae"))
            run = (lambda: net.encode(meta(args["--image"]))) if part == "vae-encode" \
                else (lambda: net.decode(meta(args["--latents"])))
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        run()
    print(f"{counter.get_total_flops() / 1e9:.1f}")


if __name__ == "__main__":
    main()
