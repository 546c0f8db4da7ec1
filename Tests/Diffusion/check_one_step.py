"""The one-step recipe (OSEDiff's inference) against the same computation assembled
from diffusers and transformers modules: the prompt through CLIPTokenizer and
CLIPTextModel, the image's latent mean scaled, one UNet evaluation at t = 999, the
DDPM scheduler's step from there (x₀: the previous ᾱ is 1), decoded and clamped."""
import numpy as np
import torch
from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
from diffusers.utils import logging
from transformers import CLIPTextModel, CLIPTokenizer

logging.set_verbosity_error()


def reference(folder, image, prompt):
    tokenizer = CLIPTokenizer.from_pretrained(f"{folder}/tokenizer")
    text_encoder = CLIPTextModel.from_pretrained(f"{folder}/text_encoder").eval()
    unet = UNet2DConditionModel.from_pretrained(f"{folder}/unet").eval()
    vae = AutoencoderKL.from_pretrained(f"{folder}/vae").eval()
    scheduler = DDPMScheduler.from_pretrained(f"{folder}/scheduler")
    scheduler.set_timesteps(timesteps=[999])  # OSEDiff's single step; the one before it is -1
    ids = tokenizer([prompt], padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                    return_tensors="pt").input_ids
    with torch.no_grad():
        context = text_encoder(ids)[0]
        latents = vae.encode(image).latent_dist.mean * vae.config.scaling_factor
        t = torch.tensor([999])
        prediction = unet(latents, t, encoder_hidden_states=context).sample
        clean = scheduler.step(prediction, 999, latents, generator=torch.Generator().manual_seed(0)).prev_sample
        return vae.decode(clean / vae.config.scaling_factor).sample.clamp(-1, 1).numpy()


def check(bench, fixtures):
    generator = torch.Generator().manual_seed(6)
    for name in ("sd1", "sd2"):  # ε- and v-prediction
        folder = f"{fixtures}/{name}"
        image = torch.rand((1, 3, 48, 40), generator=generator) * 2 - 1
        outputs = {}
        for prompt in ("a red fox in snow, sharp fur", "a watercolour of a boat"):
            expected = reference(folder, image, prompt)
            actual = bench.array("one-step", folder, "--prompt", prompt, "--threads", 2, image=image.numpy())
            # In 0…1 units, as images are compared: within 2/255.
            error = float(np.abs(actual - expected).max()) / 2
            print(f"  {name} one-step, '{prompt}': max |Δ| = {error * 255:.4f}/255 (≤ 2/255)")
            if not error <= 2 / 255:
                raise AssertionError(f"{name} one-step: max |Δ| {error * 255:.3f}/255 > 2/255")
            outputs[prompt] = actual
        a, b = outputs.values()
        if np.array_equal(a, b):
            raise AssertionError(f"{name} one-step: another prompt gave the same image")
