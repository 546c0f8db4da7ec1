"""Full-size Stable Diffusion 1.5 and 2.1-base architectures with random weights, made
offline by diffusers and transformers from their published configurations, for
`make bench` (bench/sd.sh): `python sd_models.py OUT` writes OUT/sd15 and OUT/sd21
(diffusers folders: unet/, vae/, text_encoder/, scheduler/, each fp32 safetensors
plus the fp16 variant) unless they exist with their `.complete` stamp. No weights
are downloaded or shipped; these are random, for speed, memory and parity only."""
import json
import os
import sys

import torch

UNET = {
    "sample_size": 64, "in_channels": 4, "out_channels": 4, "layers_per_block": 2,
    "block_out_channels": [320, 640, 1280, 1280],
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "norm_num_groups": 32, "norm_eps": 1e-5, "downsample_padding": 1, "flip_sin_to_cos": True, "freq_shift": 0,
}
VAE = {
    "in_channels": 3, "out_channels": 3, "latent_channels": 4, "layers_per_block": 2,
    "block_out_channels": [128, 256, 512, 512], "down_block_types": ["DownEncoderBlock2D"] * 4,
    "up_block_types": ["UpDecoderBlock2D"] * 4, "norm_num_groups": 32, "sample_size": 512, "scaling_factor": 0.18215,
}
MODELS = {
    "sd15": {
        "unet": {**UNET, "cross_attention_dim": 768, "attention_head_dim": 8},
        "text": {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12,
                 "hidden_act": "quick_gelu", "projection_dim": 768},
        "prediction_type": "epsilon",
    },
    "sd21": {
        "unet": {**UNET, "cross_attention_dim": 1024, "attention_head_dim": [5, 10, 20, 20],
                 "use_linear_projection": True},
        "text": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 23, "num_attention_heads": 16,
                 "hidden_act": "gelu", "projection_dim": 512},
        "prediction_type": "epsilon",
    },
}
SCHEDULER = {
    "_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
    "num_train_timesteps": 1000, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
    "clip_sample": False,
}


def make(folder, spec):
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel
    torch.manual_seed(0)
    text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, max_position_embeddings=77, **spec["text"]))
    parts = {"unet": UNet2DConditionModel(**spec["unet"]), "vae": AutoencoderKL(**VAE), "text_encoder": text}
    for name, model in parts.items():
        model.eval()
        model.save_pretrained(os.path.join(folder, name), safe_serialization=True)
        model.half().save_pretrained(os.path.join(folder, name), safe_serialization=True, variant="fp16")
    os.makedirs(os.path.join(folder, "scheduler"), exist_ok=True)
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump({**SCHEDULER, "prediction_type": spec["prediction_type"]}, f, indent=2)


def main(out):
    for name, spec in MODELS.items():
        folder = os.path.join(out, name)
        stamp = os.path.join(folder, ".complete")
        if not os.path.exists(stamp):
            make(folder, spec)
            open(stamp, "w").close()
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
