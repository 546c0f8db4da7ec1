"""Writes the generated seed inputs of the fuzz targets into Fuzz/Corpus/<target>/.

Run with the tools environment (torch, safetensors, numpy, pillow):
    $(scripts/venv-tools torch safetensors numpy pillow)/bin/python Fuzz/seeds.py
Seeds are small valid files of each format (plus the hand-written prompt seeds and
the regression inputs, which this script leaves alone). Multi-file inputs join
their files with the separator line FuzzSupport's FuzzInput.parts cuts at.
"""
import io
import json
import os
import struct
import zlib

import numpy as np
import safetensors.numpy
import safetensors.torch
import torch
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")
SEPARATOR = b"\n--8<--\n"


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def joined(*parts):
    return SEPARATOR.join(p if isinstance(p, bytes) else p.encode() for p in parts)


def pattern(height, width, channels, high=255):
    y, x, c = np.mgrid[0:height, 0:width, 0:channels]
    return ((x * 37 + y * 11 + c * 71) % (high + 1)).astype(np.uint16 if high > 255 else np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png16(pixels, color_type):
    """A 16-bit PNG (PIL writes few of these)."""
    height, width = pixels.shape[:2]
    raw = b"".join(b"\0" + pixels[y].astype(">u2").tobytes() for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def pil_bytes(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def images():
    rgb = Image.fromarray(pattern(6, 8, 3))
    write("png", "rgb8", pil_bytes(rgb, "PNG"))
    write("png", "rgba8", pil_bytes(Image.fromarray(pattern(5, 5, 4)), "PNG"))
    write("png", "gray8", pil_bytes(Image.fromarray(pattern(3, 7, 1)[:, :, 0]), "PNG"))
    write("png", "gray-alpha8", pil_bytes(Image.fromarray(pattern(4, 4, 2), "LA"), "PNG"))
    write("png", "palette-trns", pil_bytes(rgb.convert("P", palette=Image.ADAPTIVE, colors=5), "PNG", transparency=0))
    write("png", "bilevel", pil_bytes(Image.fromarray(pattern(9, 9, 1)[:, :, 0] > 100), "PNG"))
    write("png", "rgb16", png16(pattern(3, 4, 3, 65535), 2))
    write("png", "gray-alpha16", png16(pattern(2, 3, 2, 65535), 4))
    small = Image.fromarray(pattern(16, 16, 3))
    write("jpeg", "q75-420", pil_bytes(small, "JPEG", quality=75))
    write("jpeg", "q95-444", pil_bytes(small, "JPEG", quality=95, subsampling=0))
    write("jpeg", "progressive", pil_bytes(small, "JPEG", quality=60, progressive=True))
    write("jpeg", "gray", pil_bytes(small.convert("L"), "JPEG", quality=80))
    write("jpeg", "cmyk", pil_bytes(small.convert("CMYK"), "JPEG", quality=80))
    write("jpeg", "odd-size-422", pil_bytes(Image.fromarray(pattern(9, 13, 3)), "JPEG", quality=30, subsampling=1))


UNET = {"_class_name": "UNet2DConditionModel", "sample_size": 64, "in_channels": 4, "out_channels": 4,
        "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
        "block_out_channels": [32, 64], "layers_per_block": 1, "cross_attention_dim": 32, "attention_head_dim": 8,
        "norm_num_groups": 32, "use_linear_projection": True, "flip_sin_to_cos": True, "freq_shift": 0}
VAE = {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
       "down_block_types": ["DownEncoderBlock2D"] * 2, "up_block_types": ["UpDecoderBlock2D"] * 2,
       "block_out_channels": [32, 64], "layers_per_block": 1, "norm_num_groups": 32, "scaling_factor": 0.18215}
CLIP = {"architectures": ["CLIPTextModel"], "vocab_size": 1000, "hidden_size": 32, "intermediate_size": 37,
        "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 77, "hidden_act": "quick_gelu"}
SCHEDULERS = [
    {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
     "num_train_timesteps": 1000, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1},
    {"_class_name": "DDIMScheduler", "beta_schedule": "scaled_linear", "prediction_type": "v_prediction",
     "timestep_spacing": "trailing", "rescale_betas_zero_snr": True, "clip_sample": False},
    {"_class_name": "EulerDiscreteScheduler", "timestep_spacing": "linspace", "interpolation_type": "linear"},
    {"_class_name": "DPMSolverMultistepScheduler", "use_karras_sigmas": True, "solver_order": 2,
     "algorithm_type": "dpmsolver++", "final_sigmas_type": "zero", "lower_order_final": True},
    {"_class_name": "LCMScheduler", "original_inference_steps": 50, "timestep_scaling": 10.0},
    {"_class_name": "DDPMScheduler", "beta_schedule": "linear", "variance_type": "fixed_small", "thresholding": False},
]


def configs():
    for name, config in [("unet", UNET), ("vae", VAE), ("clip", CLIP)]:
        write("config", name, joined(json.dumps(config, indent=2), bytes([4])))
        write("json", name, json.dumps(config, indent=2))
    for i, config in enumerate(SCHEDULERS):
        write("config", "scheduler-%d" % i, joined(json.dumps(config, indent=2), bytes([3 + 7 * i])))
    write("json", "values", '[null, true, false, 0, -0.5, 1e-7, 12345678901234567, "\\u00e9\\ud83d\\ude00\\n", {}, []]')
    write("json", "index", json.dumps({"metadata": {"total_size": 16}, "weight_map": {"a.weight": "x.safetensors"}}))
    file = {"path": "/m/unet/diffusion_pytorch_model.safetensors", "size": 12, "sha256": "0" * 64}
    write("json", "generative", json.dumps({"format": "restorekit-generative-1", "models": [
        {"name": "sd15", "recipe": "refine", "format": "diffusers", "path": "/m", "base": "SD 1.x",
         "prediction": "epsilon", "controlnet": None, "scheduler": "lcm", "files": [file],
         "loras": [{"file": file, "scale": 0.5}]}]}, indent=2))


def byte_symbols():
    """CLIP's printable stand-ins for the 256 bytes."""
    visible = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    extra = [b for b in range(256) if b not in visible]
    return [chr(b) for b in visible] + [chr(256 + n) for n in range(len(extra))]


def tokenizers():
    symbols = byte_symbols()
    merges = [("c", "a"), ("ca", "t</w>"), ("o", "n</w>"), ("s", "o"), ("so", "f"), ("sof", "a</w>")]
    vocab = symbols + [s + "</w>" for s in symbols] + [a + b for a, b in merges] + ["<|startoftext|>", "<|endoftext|>"]
    vocab_json = json.dumps({token: i for i, token in enumerate(vocab)}, ensure_ascii=False)
    merges_txt = "#version: 0.2\n" + "".join("%s %s\n" % m for m in merges)
    config_sd1 = json.dumps({"model_max_length": 77, "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                             "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "do_lower_case": True})
    config_sd2 = json.dumps({"model_max_length": 77, "pad_token": "!", "added_tokens_decoder": {
        "0": {"content": "!", "special": False}, "%d" % (len(vocab) - 2): {"content": "<|startoftext|>", "special": True},
        "%d" % (len(vocab) - 1): {"content": "<|endoftext|>", "special": True}}})
    special_map = json.dumps({"pad_token": {"content": "<|endoftext|>", "lstrip": False, "rstrip": False}})
    write("tokenizer", "sd1", joined(vocab_json, merges_txt, config_sd1, "", "a cat on a sofa, <|endoftext|> CAT"))
    write("tokenizer", "sd2", joined(vocab_json, merges_txt, config_sd2, "", "A photo!! of a cat's  sofa 123"))
    write("tokenizer", "special-map", joined(vocab_json, merges_txt, json.dumps({"model_max_length": 8}), special_map,
                                            "\u00e9t\u00e9 \U0001F600 cat"))


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def ncnn():
    conv = [0.01 * ((i * 7) % 13 - 6) for i in range(108)]
    plain = ("7767517\n4 4\nInput input 0 1 data 0=8 1=9 2=3\n"
             "Convolution conv1 1 1 data c1 0=4 1=3 4=1 5=1 6=108\n"
             "ReLU relu1 1 1 c1 r1 0=1.000000e-01\n"
             "Convolution conv2 1 1 r1 out 0=3 1=3 4=1 5=1 6=108\n")
    plain_bin = b"\0\0\0\0" + f32(conv) + f32([0.1] * 4) + b"\0\0\0\0" + f32(conv) + f32([0.0] * 3)
    write("ncnn", "conv-relu", joined(plain, plain_bin))
    half = np.array(conv, dtype=np.float16).tobytes()
    branches = ("7767517\n9 11\nInput input 0 1 data 0=8 1=9 2=3\n"
                "Convolution conv 1 1 data c 0=4 1=3 4=1 5=1 6=108\n"
                "Split split 1 2 c a b\n"
                "ConvolutionDepthWise dw 1 1 a d 0=4 1=3 4=1 5=0 6=36 7=4\n"
                "PReLU prelu 1 1 b p 0=4\n"
                "Eltwise sum 2 1 d p s 0=1\n"
                "Interp up 1 1 s u 0=2 1=2.000000e+00 2=2.000000e+00\n"
                "PixelShuffle shuffle 1 1 u v 0=2\n"
                "Sigmoid sigmoid 1 1 v out\n")
    branches_bin = (struct.pack("<I", 0x01306B47) + half + f32([0.0] * 4)
                    + b"\0\0\0\0" + f32(conv[:36]) + f32([0.25] * 4))
    write("ncnn", "branches-f16", joined(branches, branches_bin))


def weights():
    tensors = {"conv.weight": np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 10,
               "conv.bias": np.array([0.5, -1], dtype=np.float32), "scalar": np.array(3.0, dtype=np.float32),
               "empty": np.zeros((0, 4), dtype=np.float32), "half": np.ones((2, 2), dtype=np.float16)}
    write("safetensors", "f32-f16", safetensors.numpy.save(tensors, metadata={"format": "pt"}))
    write("safetensors", "bf16", safetensors.torch.save({"lora_A.weight": torch.ones(4, 3, dtype=torch.bfloat16),
                                                        "alpha": torch.tensor(4.0)}))
    state = {"conv.weight": torch.arange(12, dtype=torch.float32).reshape(2, 3, 2), "conv.bias": torch.zeros(2)}
    write("torch-legacy", "state-dict", legacy_checkpoint({"conv.weight": ([2, 3, 2], [0.5] * 12), "conv.bias": ([2], [0.0, 1.0])}))
    for name, obj in [("state-dict", state),
                      ("half-view", {"w": torch.arange(8, dtype=torch.float16).reshape(2, 4)[:, 1:3], "b": torch.ones(3)}),
                      ("lightning", {"state_dict": state, "global_step": 7, "epoch": 1})]:
        out = io.BytesIO()
        torch.save(obj, out)
        write("torch-zip", name, out.getvalue())


def legacy_checkpoint(tensors):
    """A state dict in the legacy torch.save layout as PyTorch 0.4 wrote it (what the
    reader supports; torch 2's legacy writer uses opcodes that version never wrote)."""
    def string(text):
        return b"X" + struct.pack("<I", len(text.encode())) + text.encode()

    def integer(n):
        return b"K" + bytes([n]) if n < 256 else b"M" + struct.pack("<H", n) if n < 65536 else b"J" + struct.pack("<I", n)

    def tuple_of(values):
        return b"(" + b"".join(integer(v) for v in values) + b"t"

    out = b"\x80\x02\x8a\x0a" + bytes([0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]) + b"."
    out += b"\x80\x02" + integer(1001) + b"."
    out += b"\x80\x02}q\x00(" + string("little_endian") + b"\x88u."
    out += b"\x80\x02ccollections\nOrderedDict\nq\x00)Rr\x01\x00\x00\x00("
    for i, (name, (shape, values)) in enumerate(tensors.items()):
        out += string(name) + (b"ctorch._utils\n_rebuild_tensor\nq\x02" if i == 0 else b"h\x02")
        out += b"((" + string("storage") + (b"ctorch\nFloatStorage\nq\x03" if i == 0 else b"h\x03")
        out += string("94%d" % i) + string("cpu") + integer(len(values)) + b"NtQ" + integer(0) + tuple_of(shape)
        stride = [int(np.prod(shape[d + 1:])) for d in range(len(shape))]
        out += tuple_of(stride) + b"tR"
    out += b"u.\x80\x02](" + b"".join(string("94%d" % i) for i in range(len(tensors))) + b"e."
    for shape, values in tensors.values():
        out += struct.pack("<q", len(values)) + f32(values)
    return out


def capi():
    # Default parameters on a 5 x 4 image for each operation, then a stated prompt.
    for operation in range(6):
        write("capi", "operation-%d" % operation, bytes([200, 200, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 5, 4, operation]))
    write("capi", "denoise", bytes([41, 200, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 11, 9, 0, 5, 5]))


if __name__ == "__main__":
    images()
    configs()
    tokenizers()
    ncnn()
    weights()
    capi()
