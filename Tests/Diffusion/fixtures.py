"""Small Stable Diffusion pipelines with random weights, made offline by diffusers and
transformers from config dicts, for the parity tests: `python fixtures.py OUT` writes

  OUT/sd1   SD 1.x-shaped: convolutional attention projections, heads given as
            `attention_head_dim`, quick-GELU CLIP text encoder, ε-prediction,
            tokenizer padding with <|endoftext|>
  OUT/sd2   SD 2.x-shaped: linear attention projections, per-block head counts, GELU
            text encoder, v-prediction, tokenizer padding with "!"

each a diffusers folder (model_index.json; unet/, vae/, text_encoder/, tokenizer/,
scheduler/) with fp32 safetensors (and the fp16 variant of unet/ and vae/), and OUT/controlnet-sd1, OUT/controlnet-sd2:
ControlNets made from those UNets (RGB and BGR conditioning). Every parameter is randomised, norms and biases
included, so a weight the engine ignores shows. CLIP's BPE vocabulary comes from the
open-clip-torch wheel (MIT), taken with `pip download --no-deps`; nothing calls a hub.
A folder that exists with its `.complete` stamp is left as it is.
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import torch

FIXTURE_VERSION = "2"


def bytes_to_unicode():
    """CLIP's reversible map from bytes to printable characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def clip_bpe_lines(cache):
    """The merges of CLIP's vocabulary, from the open-clip-torch wheel."""
    os.makedirs(cache, exist_ok=True)
    wheels = [f for f in os.listdir(cache) if f.startswith("open_clip_torch") and f.endswith(".whl")]
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "open-clip-torch", "-d", cache],
                       check=True)
        wheels = [f for f in os.listdir(cache) if f.startswith("open_clip_torch") and f.endswith(".whl")]
    with zipfile.ZipFile(os.path.join(cache, sorted(wheels)[-1])) as wheel:
        data = wheel.read("open_clip/bpe_simple_vocab_16e6.txt.gz")
    return gzip.decompress(data).decode("utf-8").split("\n")


def write_tokenizer(folder, bpe_lines, pad_token):
    """tokenizer/ as transformers' CLIPTokenizer saves it (vocab.json, merges.txt)."""
    from transformers import CLIPTokenizer
    merges = bpe_lines[1:49152 - 256 - 2 + 1]
    units = list(bytes_to_unicode().values())
    vocab = units + [u + "</w>" for u in units] + ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump({token: i for i, token in enumerate(vocab)}, f, ensure_ascii=False)
        with open(os.path.join(tmp, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
        tokenizer = CLIPTokenizer(os.path.join(tmp, "vocab.json"), os.path.join(tmp, "merges.txt"),
                                  pad_token=pad_token, model_max_length=77)
        tokenizer.save_pretrained(folder)
    return tokenizer


def randomise(module, seed):
    """Every parameter drawn afresh: weights around their init scale, norms around 1."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            if p.ndim == 1 and ("norm" in name or name.endswith("ln_1.weight") or name.endswith("ln_2.weight")) \
                    and name.endswith("weight"):
                p.copy_(1 + 0.1 * noise)
            elif p.ndim == 1:
                p.copy_(0.05 * noise)
            else:
                fan_in = p[0].numel()
                p.copy_(noise / fan_in ** 0.5)


SCHEDULER = {  # SD 1.5's published scheduler configuration
    "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear", "clip_sample": False,
    "num_train_timesteps": 1000, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
    "trained_betas": None,
}


def make_pipeline(folder, bpe_lines, sd2):
    from diffusers import AutoencoderKL, DDIMScheduler, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(2 if sd2 else 1)
    text_config = CLIPTextConfig(
        vocab_size=49408, hidden_size=32, intermediate_size=37, num_hidden_layers=3, num_attention_heads=4,
        max_position_embeddings=77, hidden_act="gelu" if sd2 else "quick_gelu", projection_dim=16,
        bos_token_id=49406, eos_token_id=49407, pad_token_id=0 if sd2 else 49407)
    text_encoder = CLIPTextModel(text_config)
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=2,
        block_out_channels=(32, 64, 64),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, norm_num_groups=32,
        attention_head_dim=(2, 4, 4) if sd2 else 8,
        use_linear_projection=sd2, upcast_attention=sd2)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1,
        block_out_channels=(32, 32, 64),
        down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
        norm_num_groups=32, sample_size=32)
    for i, module in enumerate((text_encoder, unet, vae)):
        randomise(module, 10 * (2 if sd2 else 1) + i)
    if sd2:
        scheduler = DDIMScheduler.from_config({**SCHEDULER, "prediction_type": "v_prediction"})
    else:
        scheduler = PNDMScheduler.from_config(SCHEDULER)
    tokenizer = write_tokenizer(os.path.join(folder, "tokenizer"), bpe_lines, "!" if sd2 else "<|endoftext|>")
    pipeline = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                       scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                       requires_safety_checker=False)
    pipeline.save_pretrained(folder, safe_serialization=True)
    for name, model in (("unet", unet), ("vae", vae)):  # diffusers' fp16 variant files
        model.half().save_pretrained(os.path.join(folder, name), safe_serialization=True, variant="fp16")


def make_controlnet(folder, pipeline_folder, seed):
    """A ControlNet made from a pipeline's UNet (as ControlNets are trained), every
    weight then randomised, zero convolutions included; conditioning in BGR order
    for one of them so the channel flip is checked."""
    from diffusers import ControlNetModel, UNet2DConditionModel
    unet = UNet2DConditionModel.from_pretrained(os.path.join(pipeline_folder, "unet"))
    controlnet = ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(8, 16, 32),
                                           controlnet_conditioning_channel_order="bgr" if seed % 2 else "rgb")
    randomise(controlnet, seed)
    controlnet.save_pretrained(folder, safe_serialization=True)


def main(out):
    os.makedirs(out, exist_ok=True)
    bpe_lines = None
    for name in ("sd1", "sd2"):
        folder = os.path.join(out, name)
        stamp = os.path.join(folder, ".complete")
        if os.path.exists(stamp) and open(stamp).read() == FIXTURE_VERSION:
            continue
        bpe_lines = bpe_lines or clip_bpe_lines(os.path.join(out, "wheels"))
        make_pipeline(folder, bpe_lines, sd2=name == "sd2")
        with open(stamp, "w") as f:
            f.write(FIXTURE_VERSION)
    for name, seed in (("sd1", 31), ("sd2", 32)):
        folder = os.path.join(out, "controlnet-" + name)
        if not os.path.exists(os.path.join(folder, ".complete")):
            make_controlnet(folder, os.path.join(out, name), seed)
            open(os.path.join(folder, ".complete"), "w").close()
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
