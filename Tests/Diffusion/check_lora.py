"""LoRA merging against diffusers' load_lora_weights + fuse_lora: a diffusers/PEFT file
(lora_A/lora_B) and the same adaptations in kohya's naming (lora_down/lora_up with an
alpha), on linear and convolution weights of the UNet and the text encoder."""
import os
import tempfile

import numpy as np
import torch
from diffusers import StableDiffusionPipeline
from diffusers.utils import logging
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict
from safetensors.torch import load_file, save_file

from sdtest import assert_close

logging.set_verbosity_error()
UNET_MODULES = ["to_q", "to_k", "to_v", "to_out.0", "proj_in", "conv1", "ff.net.0.proj"]
TEXT_MODULES = ["q_proj", "k_proj", "v_proj", "out_proj", "fc1"]


def make_peft_file(folder, path):
    """Random rank-4 adaptations saved by diffusers in its PEFT naming."""
    torch.manual_seed(5)
    pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None)
    pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=UNET_MODULES, init_lora_weights=False))
    pipe.text_encoder.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=TEXT_MODULES, init_lora_weights=False))
    StableDiffusionPipeline.save_lora_weights(
        os.path.dirname(path), weight_name=os.path.basename(path),
        unet_lora_layers=get_peft_model_state_dict(pipe.unet),
        text_encoder_lora_layers=get_peft_model_state_dict(pipe.text_encoder))


def make_kohya_file(peft_path, path):
    """The same adaptations in kohya's naming, with α = 2 (half the rank), in fp16."""
    kohya = {}
    for key, value in load_file(peft_path).items():
        model, rest = key.split(".", 1)
        module, kind = rest.rsplit(".lora_", 1)
        prefix = "lora_unet_" if model == "unet" else "lora_te_"
        name = prefix + module.replace(".", "_")
        kohya[name + (".lora_down.weight" if kind.startswith("A") else ".lora_up.weight")] = value.half()
        kohya[name + ".alpha"] = torch.tensor(2.0)
    save_file(kohya, path)


def reference(folder, lora, scale, latents, context, ids):
    pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None)
    pipe.load_lora_weights(os.path.dirname(lora), weight_name=os.path.basename(lora))
    pipe.fuse_lora(lora_scale=scale)
    with torch.no_grad():
        unet = pipe.unet(latents, 321, encoder_hidden_states=context).sample.numpy()
        text = pipe.text_encoder(ids)[0].numpy()
    return unet, text


def check(bench, fixtures):
    generator = torch.Generator().manual_seed(6)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("sd1", "sd2"):
            folder = f"{fixtures}/{name}"
            peft, kohya = f"{tmp}/{name}-peft.safetensors", f"{tmp}/{name}-kohya.safetensors"
            make_peft_file(folder, peft)
            make_kohya_file(peft, kohya)
            context_width = 32
            latents = torch.randn((1, 4, 8, 8), generator=generator)
            context = torch.randn((1, 77, context_width), generator=generator)
            ids = torch.randint(0, 49406, (1, 77), generator=generator)
            for lora, scale in ((peft, 1.0), (kohya, 0.7)):
                unet, text = reference(folder, lora, scale, latents, context, ids)
                kind = os.path.basename(lora).split("-")[1].split(".")[0]
                actual = bench.array("unet", folder, "--timestep", 321, "--lora", lora, "--lora-scale", scale,
                                     latents=latents.numpy(), context=context.numpy())
                assert_close(f"{name} UNet + {kind} LoRA × {scale}", actual, unet, 1e-4)
                actual = bench.array("text", folder, "--lora", lora, "--lora-scale", scale,
                                     tokens=ids.numpy().astype(np.float32))
                assert_close(f"{name} text encoder + {kind} LoRA × {scale}", actual, text, 1e-4)
            base = bench.array("unet", folder, "--timestep", 321, latents=latents.numpy(), context=context.numpy())
            if np.abs(base - unet).max() < 1e-3 * np.abs(unet).max():
                raise AssertionError(f"{name}: the LoRA barely changes the UNet's output; the check would not notice")
