"""The CLIP text encoder against transformers' CLIPTextModel: the last hidden state
the pipelines feed the UNet, for SD 1.x (quick-GELU) and SD 2.x (GELU) shapes."""
import numpy as np
import torch
from transformers import CLIPTextModel

from sdtest import assert_close


def check(bench, fixtures):
    torch.manual_seed(0)
    for name in ("sd1", "sd2"):
        model = CLIPTextModel.from_pretrained(f"{fixtures}/{name}/text_encoder").eval()
        for length in (77, 5):
            ids = torch.randint(0, model.config.vocab_size, (1, length))
            ids[0, 0], ids[0, -1] = 49406, 49407
            with torch.no_grad():
                reference = model(ids)[0].numpy()
            actual = bench.array("text", f"{fixtures}/{name}", "--threads", 2, tokens=ids.numpy().astype(np.float32))
            assert_close(f"{name} text encoder, {length} tokens", actual, reference, 1e-4)
        # A prompt through the folder's tokenizer, as the pipeline encodes it.
        from diffusers import StableDiffusionPipeline
        pipe = StableDiffusionPipeline.from_pretrained(f"{fixtures}/{name}", safety_checker=None)
        prompt = "a photo of a cat on a sofa, highly detailed, 35mm"
        with torch.no_grad():
            reference = pipe.encode_prompt(prompt, "cpu", 1, False)[0].numpy()
        actual = bench.array("text", f"{fixtures}/{name}", "--prompt", prompt)
        assert_close(f"{name} text encoder, prompt as the pipeline encodes it", actual, reference, 1e-4)
