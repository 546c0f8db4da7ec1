"""The UNet (SD 1.x- and 2.x-shaped) and the VAE encoder and decoder against
diffusers' UNet2DConditionModel and AutoencoderKL on the same random weights."""
import numpy as np
import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from diffusers.utils import logging

logging.set_verbosity_error()

from sdtest import assert_close


def check(bench, fixtures):
    generator = torch.Generator().manual_seed(3)
    for name in ("sd1", "sd2"):
        folder = f"{fixtures}/{name}"
        unet = UNet2DConditionModel.from_pretrained(f"{folder}/unet").eval()
        for timestep, size in ((999, (8, 8)), (17, (12, 8)), (500, (10, 6)), (250, (56, 50))):
            latents = torch.randn((1, 4, *size), generator=generator)
            context = torch.randn((1, 77, unet.config.cross_attention_dim), generator=generator)
            with torch.no_grad():
                reference = unet(latents, timestep, encoder_hidden_states=context).sample.numpy()
            actual = bench.array("unet", folder, "--timestep", timestep, "--threads", 2,
                                 latents=latents.numpy(), context=context.numpy())
            assert_close(f"{name} UNet, t={timestep}, latent {size[0]}×{size[1]}", actual, reference, 1e-4)

        vae = AutoencoderKL.from_pretrained(f"{folder}/vae").eval()
        image = torch.rand((1, 3, 32, 48), generator=generator) * 2 - 1
        with torch.no_grad():
            mean = vae.encode(image).latent_dist.mean.numpy()
            decoded = vae.decode(torch.from_numpy(mean)).sample.numpy()
        assert_close(f"{name} VAE encode", bench.array("vae-encode", folder, image=image.numpy()), mean, 1e-4)
        assert_close(f"{name} VAE decode", bench.array("vae-decode", folder, latents=mean), decoded, 1e-4)
        # In bands of two latent rows (several, the last one short): still diffusers' whole computation.
        image = torch.rand((1, 3, 40, 24), generator=generator) * 2 - 1
        with torch.no_grad():
            mean = vae.encode(image).latent_dist.mean.numpy()
            decoded = vae.decode(torch.from_numpy(mean)).sample.numpy()
        assert_close(f"{name} VAE encode in bands", bench.array("vae-encode", folder, "--tile", 2, image=image.numpy()),
                     mean, 1e-4)
        assert_close(f"{name} VAE decode in bands", bench.array("vae-decode", folder, "--tile", 2, latents=mean),
                     decoded, 1e-4)
    check_controlnet(bench, fixtures)
    check_half_precision(bench, fixtures)


def check_controlnet(bench, fixtures):
    """A ControlNet's residuals added to the UNet, against diffusers' ControlNetModel
    feeding UNet2DConditionModel, at two conditioning scales."""
    from diffusers import ControlNetModel
    generator = torch.Generator().manual_seed(4)
    for name in ("sd1", "sd2"):
        folder, net = f"{fixtures}/{name}", f"{fixtures}/controlnet-{name}"
        unet = UNet2DConditionModel.from_pretrained(f"{folder}/unet").eval()
        controlnet = ControlNetModel.from_pretrained(net).eval()
        latents = torch.randn((1, 4, 8, 12), generator=generator)
        image = torch.rand((1, 3, 32, 48), generator=generator)
        context = torch.randn((1, 77, unet.config.cross_attention_dim), generator=generator)
        for scale in (1.0, 0.6):
            with torch.no_grad():
                down, mid = controlnet(latents, 400, encoder_hidden_states=context, controlnet_cond=image,
                                       conditioning_scale=scale, return_dict=False)
                reference = unet(latents, 400, encoder_hidden_states=context, down_block_additional_residuals=down,
                                 mid_block_additional_residual=mid).sample.numpy()
            actual = bench.array("unet", folder, "--timestep", 400, "--controlnet", net, "--control-scale", scale,
                                 latents=latents.numpy(), context=context.numpy(), control_image=image.numpy())
            assert_close(f"{name} UNet + ControlNet ({controlnet.config.controlnet_conditioning_channel_order}), "
                         f"scale {scale}", actual, reference, 1e-4)


def check_half_precision(bench, fixtures):
    """fp16 weight files (diffusers' `variant="fp16"`), kept in 16 bits and widened
    where they are read, against diffusers computing in fp32 from the same fp16 weights."""
    generator = torch.Generator().manual_seed(5)
    folder = f"{fixtures}/sd1"
    unet = UNet2DConditionModel.from_pretrained(f"{folder}/unet")
    vae = AutoencoderKL.from_pretrained(f"{folder}/vae")
    for model in (unet, vae):  # the weights the fp16 files hold (fixtures.py writes them)
        model.half().float().eval()
    latents = torch.randn((1, 4, 8, 8), generator=generator)
    context = torch.randn((1, 77, 32), generator=generator)
    with torch.no_grad():
        reference = unet(latents, 250, encoder_hidden_states=context).sample.numpy()
        decoded = vae.decode(latents).sample.numpy()
    actual = bench.array("unet", folder, "--timestep", 250, "--variant", "fp16", latents=latents.numpy(),
                         context=context.numpy())
    assert_close("sd1 UNet, fp16 weights", actual, reference, 1e-4)
    assert_close("sd1 VAE decode, fp16 weights", bench.array("vae-decode", folder, "--variant", "fp16",
                                                             latents=latents.numpy()), decoded, 1e-4)
