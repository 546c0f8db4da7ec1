"""The Python binding over librestore: the same ground as the C ABI test."""

import os
import sys
import threading
import time
import warnings

import numpy
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "gimp", "restorekit"))
import librestore  # noqa: E402


def picture(h=80, w=96):
    y, x = numpy.mgrid[0:h, 0:w].astype(numpy.float32)
    disc = ((x - 40) ** 2 + (y - 36) ** 2 < 400) * 0.35
    rgb = numpy.stack([0.15 + 0.5 * x / w + disc, 0.25 + 0.4 * y / h, 0.6 - 0.3 * x / w + disc / 2], axis=2)
    return rgb.astype(numpy.float32)


def noisy(clean, sigma=0.08, seed=5):
    return (clean + numpy.random.default_rng(seed).normal(0, sigma, clean.shape)).astype(numpy.float32)


def psnr(a, b):
    return 10 * numpy.log10(1 / numpy.mean((a.astype(numpy.float64) - b) ** 2))


DENOISE = "Denoise with sigma 0.08"


def test_version_and_prompts():
    assert librestore.version().count(".") == 2
    assert librestore.prompt_canonical("denoise 0.05 and DEJPEG 40") == "Denoise with sigma 0.05, Dejpeg with quality 40"
    with pytest.raises(librestore.PromptError) as caught:
        librestore.prompt_canonical("Deblur with sigma x")
    assert caught.value.offset == 18
    assert caught.value.status == librestore.INVALID_PROMPT
    assert "number" in caught.value.message
    with pytest.raises(librestore.PromptError, match="deblur"):
        librestore.prompt_canonical("deblurr 2")


def test_output_size():
    assert librestore.output_size(101, 40, restoration="Upsample to 2.5") == (253, 100)
    assert librestore.output_size(101, 40, restoration=DENOISE) == (101, 40)
    with pytest.raises(librestore.RestoreError) as caught:
        librestore.output_size(70000, 4, restoration=DENOISE)
    assert caught.value.status == librestore.IMAGE_TOO_LARGE


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_restore_gains_psnr_for_every_layout(channels):
    clean = picture()
    if channels == 1:
        clean = clean.mean(axis=2)
    elif channels == 4:
        alpha = numpy.linspace(0, 1, clean.size // 3, dtype=numpy.float32).reshape(clean.shape[:2])
        clean = numpy.dstack([clean, alpha])
    noisy_image = noisy(clean)
    if channels == 4:
        noisy_image[:, :, 3] = clean[:, :, 3]
    with librestore.Context() as ctx:
        out = ctx.restore(noisy_image, restoration=DENOISE)
        assert out.shape == clean.shape and out.dtype == numpy.float32
        color = (slice(None), slice(None), slice(0, 3)) if channels == 4 else ...
        gain = psnr(out[color], clean[color]) - psnr(noisy_image[color], clean[color])
        assert gain > 4, gain
        if channels == 4:
            assert numpy.array_equal(out[:, :, 3], clean[:, :, 3])
        assert ctx.last_prompt == DENOISE
        assert "denoise" in ctx.last_restorers


def test_eight_bit_and_bytes():
    clean = picture()
    eight = (numpy.clip(noisy(clean), 0, 1) * 255 + 0.5).astype(numpy.uint8)
    with librestore.Context() as ctx:
        out = ctx.restore(eight, restoration=DENOISE)
        assert out.dtype == numpy.uint8
        assert psnr(out / 255.0, clean) - psnr(eight / 255.0, clean) > 4
        rgba = numpy.dstack([eight, numpy.full(eight.shape[:2], 255, numpy.uint8)])
        data, w, h = ctx.restore_rgba8(rgba.tobytes(), 96, 80, restoration=DENOISE)
        assert (w, h) == (96, 80)
        assert numpy.array_equal(numpy.frombuffer(data, numpy.uint8).reshape(80, 96, 4)[:, :, :3], out)


def test_options_and_notices():
    names = [option["name"] for option in librestore.options()]
    assert names[:4] == ["semantic-prompt", "restoration-prompt", "quality-prompt", "negative-prompt"]
    steps = next(option for option in librestore.options() if option["name"] == "steps")
    assert (steps["minimum"], steps["maximum"], steps["scope"]) == (1, 1000, "stage")
    image = noisy(picture())
    with librestore.Context() as ctx:
        # Nothing installed here reads the sampler settings (the tests run without generative models).
        assert {"steps", "guidance", "seed", "quality_prompt"} <= set(ctx.unused_options)
        models = {m["name"]: m for m in ctx.models}
        assert models["auto"]["kind"] == "automatic" and models["classic"]["kind"] == "classic"
        assert not any(m["kind"] == "generative" for m in models.values())
        with pytest.warns(librestore.RestoreNotice, match="steps has no effect"):
            ctx.restore(image, restoration=DENOISE, steps=8, model="classic")
        assert "steps has no effect" in ctx.last_notes
        with warnings.catch_warnings():
            warnings.simplefilter("error", librestore.RestoreNotice)
            ctx.restore(image, restoration=DENOISE, model="classic")
        assert ctx.last_notes == ""


def test_misuse_raises_with_status():
    image = noisy(picture())
    with librestore.Context() as ctx:
        cases = [
            (dict(restoration="Denoise with sigma 2"), librestore.INVALID_PROMPT),
            (dict(restoration="Upsample"), librestore.INVALID_PROMPT),
            (dict(restoration=DENOISE, model="no-such-model"), librestore.MODEL),
            (dict(restoration=DENOISE, strength=1.5), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, tile_size=8193), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, steps=1001), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, seed=2 ** 32), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, seed=-1), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, steps=2 ** 40), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, threads=-2), librestore.INVALID_ARGUMENT),
            (dict(restoration=DENOISE, semantic="x" * 5000), librestore.INVALID_ARGUMENT),
        ]
        for params, status in cases:
            with pytest.raises(librestore.RestoreError) as caught:
                ctx.restore(image, **params)
            assert caught.value.status == status, params
            assert caught.value.message
        with pytest.raises(librestore.RestoreError):
            ctx.restore(numpy.zeros((4, 4, 2), numpy.float32), restoration=DENOISE)
        with pytest.raises(librestore.RestoreError):
            ctx.restore_rgba8(b"abc", 2, 2, restoration=DENOISE)


def test_progress_raising_cancels_promptly():
    image = noisy(picture(160, 160))
    seen = []
    asked = []

    class Stop(Exception):
        pass

    def progress(fraction, stage):
        seen.append((fraction, stage))
        if fraction >= 0.3:
            asked.append(time.monotonic())
            raise Stop()

    with librestore.Context() as ctx:
        with pytest.raises(Stop):
            ctx.restore(image, restoration=DENOISE, tile_size=64, progress=progress)
        assert time.monotonic() - asked[0] < 1.0
        assert all(0 <= f <= 1 for f, _ in seen) and any("denoise" in s for _, s in seen)
        # Returning False cancels too.
        with pytest.raises(librestore.RestoreError) as caught:
            ctx.restore(image, restoration=DENOISE, tile_size=64, progress=lambda f, s: f < 0.3)
        assert caught.value.status == librestore.CANCELLED


def test_regions_equal_whole():
    image = noisy(picture())
    with librestore.Context() as ctx:
        whole = ctx.restore(image, restoration=DENOISE)
        x, y, w, h = ctx.input_rect(96, 80, (32, 32, 32, 32), restoration=DENOISE)
        assert x <= 32 and y <= 32 and x + w >= 64 and y + h >= 64


def test_two_contexts_on_two_threads_match_serial():
    image = noisy(picture())
    def run(results, key):
        with librestore.Context() as ctx:
            results[key] = ctx.restore(image, restoration=DENOISE, threads=1)
    results = {}
    run(results, "serial")
    workers = [threading.Thread(target=run, args=(results, k)) for k in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert numpy.array_equal(results["serial"], results["a"])
    assert numpy.array_equal(results["serial"], results["b"])


def test_analyze_fills_an_empty_prompt():
    image = noisy(picture(), sigma=0.05, seed=9)
    with librestore.Context() as ctx:
        prompt, report = ctx.analyze(image)
        assert prompt.startswith("Denoise with sigma 0.0") or ", Denoise with sigma 0.0" in prompt
        assert abs(report["noise"]["sigma"] - 0.05) < 0.01
        assert report["prompt"] == prompt and report["jpeg"]["quality"] is None
        assert set(report) >= {"quality", "levels", "blur", "upsampling"}
        # Restoring with the empty prompt carries out the analysed one.
        ctx.restore(image)
        assert ctx.last_prompt == prompt
        # Stated values stay; bare verbs are filled.
        assert ctx.analyze(image, restoration="deblur 1")[0] == "Deblur with sigma 1.0"
        assert ctx.analyze(image, restoration="Denoise")[0].startswith("Denoise with sigma 0.0")
        # A region alone cannot be analysed.
        with pytest.raises(librestore.RestoreError) as caught:
            ctx.input_rect(96, 80, (0, 0, 32, 32))
        assert caught.value.status == librestore.NEEDS_ANALYSIS
        with pytest.raises(librestore.RestoreError) as caught:
            ctx.analyze(image[:, :, :2])
        assert caught.value.status == librestore.INVALID_ARGUMENT
