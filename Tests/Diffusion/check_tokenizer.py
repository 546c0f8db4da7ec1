"""CLIP tokenizer: `rkbench sd tokens` against transformers' slow CLIPTokenizer without
ftfy, as diffusers calls it (padding="max_length", max_length=77, truncation=True), on
the SD 1.x folder (pads with <|endoftext|>), the SD 2.x folder (pads with "!", an added
token) and CLIP's original merges list alone, over prompts generated from a fixed seed:
curated prompts of every kind plus a sweep of the whole BMP and a sample of the other
planes, 16 code points per prompt. Any differing id fails the check.
"""
import json
import os
import random
import tempfile
import time
import unicodedata

import numpy as np

import fixtures

SEED = 77

WORDS = ("a photo of the cat sitting on mat with red hat under blue sky near old house by river in "
         "winter morning light portrait young woman man dog running through forest city street at night "
         "beautiful landscape mountains lake reflection sunset clouds painting oil canvas detailed face "
         "eyes hair smiling wearing dress standing field flowers castle dragon flying over sea ship storm "
         "robot futuristic neon cyberpunk rain umbrella coffee cup table wooden kitchen window garden").split()

SD_TAGS = ["masterpiece", "best quality", "ultra-detailed", "8k", "4k uhd", "trending on artstation",
           "by greg rutkowski", "octane render", "unreal engine 5", "bokeh", "f/1.8", "35mm", "hdr",
           "cinematic lighting", "photorealistic", "(detailed face:1.3)", "[blurry]", "{cute}",
           "((sharp focus))", "(((ultra realistic)))", "<lora:add_detail:0.8>", "score_9", "1girl", "solo",
           "--ar 16:9", "#aiart", "@artist", "$100", "50%", "a+b=c", "x2", "v1.5", "3d", "2.5d",
           "(red:0.5)", "[cat:dog:0.4]", "[a|b]", "{{{x}}}", "\\(escaped\\)", "BREAK", "AND", "--no text",
           "hyper-realistic", "8K UHD, DSLR", "soft lighting!!!", "wow!?", "what...", "e.g.", "&amp;", "~tilde~",
           "under_score", "back`tick", "semi;colon", "pipe|pipe", "^caret^", "*star*", "=equals=", "\"quoted\""]

SCRIPTS = [
    "naïve café résumé façade jalapeño Ærøskøbing Œuvre straße STRASSE ẞ łódź Dvořák",
    "İstanbul ıi ǅ ǈ ǋ ǲ ﬁ ﬂ ŉ ǰ ẖ ẗ ẘ ẙ ẚ ΐ ΰ և ﬓ",
    "ΟΔΥΣΣΕΥΣ ΣΑΣ Σ ὈΔΥΣΣΕΎΣ Αθήνα ἀρχή ᾳ ᾼ", "ΑΣ. ΑΣ'Α Σ̈Α ΑΣ̈ Α.Σ Α'Σ 1Σ ΑΣ1 ΑΣ-Α", "ʕΣ ʕΣʕ",
    "Α\U0001171eΣ Α\U0001171eΣΑ",
    "Москва ЁЛКА Ѐ ҐАНОК Ӏ ӏ",
    "Երևան ՀԱՅԱՍՏԱՆ", "ႠႡႢ ᲐᲑᲒ ქართული", "ᏣᎳᎩ ꭰꭱ Ᏸ", "𐐀𐐁𐐂 𐐨 𐒰𐓘", "𞤀𞤁 𞤢", "Ⰰⰰ", "ꙀꙁꚘ",
    "שָׁלוֹם עוֹלָם", "مرحبا بالعالم ٱلْعَرَبِيَّة", "नमस्ते क़ ज़ दुनिया", "বাংলা ভাষা", "தமிழ் கொ கோ",
    "ภาษาไทย สวัสดี", "ພາສາລາວ", "བོད་ཡིག ཀྵ", "ខ្មែរ", "မြန်မာ", "ኢትዮጵያ", "한국어 텍스트", "ᄒᆞᆫ",
    "日本語のテキスト カタカナ ｶﾀｶﾅ", "ᠮᠣᠩᠭᠣᠯ", "ܣܘܪܝܝܐ", "ދިވެހި", "සිංහල", "ગુજરાતી", "ಕನ್ನಡ", "മലയാളം",
    "Tiếng Việt", "𝐀𝐁𝐂 𝔸 ℝ ℵ 𝒜", "ＡＢＣ１２３ｘｙｚ", "ⒶⒷⓒ ①②", "Ⅻⅰ ↀ", "x² H₂O ½ ¾ ⁿ",
    "K Å Ω ℃ ℉ µ", "ꞋꞌꞐ ꟲ ꟳ", "ǄǅǆǇ", "ßẞ ſt ﬅ", "İI ıi", "Ǳǲǳ", "\u1e9e\u00df",
]

MARKS = ([chr(c) for c in range(0x300, 0x370)] + [chr(c) for c in range(0x591, 0x5BE)]
         + [chr(c) for c in range(0x64B, 0x660)] + ["\u093c", "\u094d", "\u0e31", "\u0e48", "\u0e4c"]
         + [chr(c) for c in range(0x1AB0, 0x1ABF)] + [chr(c) for c in range(0x1DC0, 0x1DD0)]
         + [chr(c) for c in range(0x20D0, 0x20F1)] + [chr(c) for c in range(0xFE20, 0xFE30)]
         + ["\u0344", "\u0345", "\u0f71", "\u0f72", "\u0f73", "\u0f74", "\u0f75", "\u0f80", "\u0f81",
            "\u3099", "\u309a", "\U0001d165", "\U0001d167", "\u0bbe", "\u0cd5", "\u102e", "\U000110ba"])
BASES = list("aeiouyAEIOUYcnszgkwSsσΣαΑωΩиИ") + ["\u0915", "\u05d0", "\u0627", "\u1100", "\u1161",
                                                    "\uac00", "\u0b95", "\u0bc6", "\u0f40", "\u3046", "\u304b"]

CJK = ["中文字符测试", "漢字", "𠀀𠀁𪚥𫝀", "豈更車賈", "\U0002f800\U0002f801", "、。「」『』", "龘靐", "㐀㐁",
       "\u9fff\u9ffc", "\U0002b739\U0002b73a\U0002b81d", "\U0002ceaf\U0002ceb0", "\u31c0\u2f00\u2e80"]

EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵🇺🇸", "1️⃣", "❤️", "🧑🏿‍🚀", "👩🏻‍❤️‍💋‍👨🏼", "☺︎", "🫠",
         "🫨", "🩷", "🐦‍🔥", "🫩", "🔥🔥🔥", "✨", "⭐️", "🎨🖌️", "👁️‍🗨️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]

NUMBERS = ["1234567890", "3.14159", "1,000,000", "0x1F", "٠١٢٣", "۴۵۶", "१२३", "໑໒", "⅓", "²³", "①⑳", "Ⅻ",
           "𝟘𝟙", "10k", "1e-5", "2024-06-01", "12:30", "+49", "-7", "99.9%", "#1", "No.5", "3rd", "21st"]

CONTRACTIONS = ["it's", "IT'S", "We're", "THEY'LL", "you've", "I'm", "he'd", "don't", "Can'T", "'s", "''s",
                "it’s", "it‛s", "'S'T'RE", "o'clock", "rock'n'roll", "'ſ", "it'ſ", "'lL", "'LL", "'Ve", "'M",
                "'D'd", "y'all", "'re'", "'", "''", "'x", "'sun", "'llama", "ma'am"]

SPACES = [" ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u2000", "\u2002", "\u2003", "\u2009", "\u200a",
          "\u202f", "\u205f", "\u3000", "\u1680", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1f",
          "\u180e", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", " \t \n "]

CONTROLS = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x80", "\x9f", "\ufffd", "\ue000", "\U000f0000", "\ufdd0",
            "\uffff", "\U0010ffff", "\U0001fae8", "\U0001e030", "\U00011f00", "\U000105c0", "\U00016d40",
            "\ua7cb", "\ua7dc", "\u1c89", "\u2ffc", "\U00031350", "\U0002ebf0", "\U000e0001", "\U000e0020",
            "\u061c", "\u202e", "\u2066", "\ufff9", "\U0001d173", "\u0600", "\u06dd", "\U000110bd"]

SPECIALS = ["<|startoftext|>", "<|endoftext|>", "a<|endoftext|>b", "<|ENDOFTEXT|>", "<|EndOfText|>",
            "<|endoftext|", "<|endoftext", "<<|endoftext|>>", "<|<|startoftext|>|>", "<|ſtartoftext|>",
            "<|ſtartoftext|>!", "!!!", "hello!", "!<|endoftext|>!", " <|endoftext|> ", "<|endoftext|><|endoftext|>",
            "<|endoftext|>\u0301", "e<|endoftext|>\u0301", "<|startoftext|>cat", "cat<|STARTOFTEXT|>dog",
            "<|endof\u200btext|>", "<|endoftext|>" * 40, "!" * 90, "wow!!!! amazing!", "<|endoftext|\u2028>"]


def sample(rng, pool, count):
    return [rng.choice(pool) for _ in range(count)]


def curated(rng):
    """Prompts of every kind the issue lists, then random mixtures of them."""
    prompts = ["", " ", "\n\t", "\x00", "\u200b", "a", "A", "!", "Σ", "ΑΣ"]
    prompts += [" ".join(sample(rng, WORDS, rng.randint(3, 20))) + rng.choice(["", ".", "!", "?"]) for _ in range(150)]
    prompts += [" ".join(w.capitalize() if rng.random() < .3 else w.upper() if rng.random() < .1 else w
                         for w in sample(rng, WORDS, rng.randint(3, 15))) for _ in range(50)]
    prompts += [", ".join(sample(rng, SD_TAGS + WORDS, rng.randint(3, 25))) for _ in range(150)]
    prompts += SCRIPTS + CJK + EMOJI + NUMBERS + CONTRACTIONS + SPECIALS
    for _ in range(200):  # combining sequences, composed and not
        text = "".join(rng.choice(BASES) + "".join(sample(rng, MARKS, rng.randint(0, 4))) for _ in range(rng.randint(1, 6)))
        prompts.append(unicodedata.normalize(rng.choice(["NFC", "NFD", "NFKD"]), text) if rng.random() < .3 else text)
    prompts += [unicodedata.normalize("NFD", s) for s in SCRIPTS]
    prompts += [sep.join(sample(rng, WORDS, 4)) for sep in SPACES]
    prompts += [sep + " ".join(sample(rng, WORDS, 3)) + sep for sep in SPACES]
    prompts += [c.join(sample(rng, WORDS, 3)) + c for c in CONTROLS]
    prompts += [" ".join(sample(rng, EMOJI, rng.randint(1, 8))) for _ in range(50)]
    prompts += ["".join(sample(rng, EMOJI, rng.randint(2, 6))) for _ in range(30)]
    prompts += ["a " * n for n in range(70, 80)] + ["a" * n for n in range(1, 5)]
    prompts += [" ".join(sample(rng, WORDS, rng.randint(60, 200))) for _ in range(40)]
    prompts += [", ".join(sample(rng, SD_TAGS, rng.randint(30, 60))) for _ in range(20)]
    pools = [WORDS, SD_TAGS, SCRIPTS, CJK, EMOJI, NUMBERS, CONTRACTIONS, SPECIALS, CONTROLS, MARKS]
    for _ in range(1000):
        parts = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 10))]
        glue = [rng.choice(SPACES) if rng.random() < .4 else " " if rng.random() < .8 else "" for _ in parts]
        prompts.append("".join(p + g for p, g in zip(parts, glue)))
    for _ in range(200):  # random code points anywhere, surrogates excepted
        prompts.append("".join(chr(rng.choice([rng.randrange(0x80), rng.randrange(0x80, 0x3000),
                                                rng.randrange(0x3000, 0xD800), rng.randrange(0xE000, 0x10000),
                                                rng.randrange(0x10000, 0x110000)]))
                               for _ in range(rng.randint(1, 24))))
    return prompts


def sweep():
    """Code points 16 to a prompt (at most 64 tokens, never cut): the whole BMP, every third of
    plane 1, every 17th of the CJK planes 2 and 3, the tags and variation selectors of
    plane 14 and a few of the unassigned rest."""
    points = ([c for c in range(0x10000) if not 0xD800 <= c < 0xE000] + list(range(0x10000, 0x20000, 3))
              + list(range(0x20000, 0x40000, 17)) + list(range(0xE0000, 0xE01F0))
              + list(range(0x40000, 0xE0000, 4099)) + list(range(0xE01F0, 0x110000, 4099)))
    return ["".join(map(chr, points[i:i + 16])) for i in range(0, len(points), 16)]


def reference(folder, prompts):
    """The ids diffusers' pipelines get from transformers."""
    from transformers import CLIPTokenizer
    tokenizer = CLIPTokenizer.from_pretrained(folder)
    assert tokenizer.fix_text is None, "ftfy is installed: the reference would not be the plain tokenizer"
    ids = [tokenizer(p, padding="max_length", max_length=tokenizer.model_max_length, truncation=True).input_ids
           for p in prompts]
    return np.array(ids, dtype=np.int64)


def legacy_folder(folder, into):
    """`folder` as older diffusers repositories hold it: a tokenizer_config.json without
    added_tokens_decoder (the pad token "<|endoftext|>") and a special_tokens_map.json that
    overrides it; transformers must load the same tokenizer from both."""
    from transformers import CLIPTokenizer
    os.makedirs(os.path.join(into, "tokenizer"))
    for name in ("vocab.json", "merges.txt"):
        os.symlink(os.path.abspath(os.path.join(folder, name)), os.path.join(into, "tokenizer", name))
    token = lambda content: {"__type": "AddedToken", "content": content, "lstrip": False, "normalized": True,
                             "rstrip": False, "single_word": False}
    config = {"add_prefix_space": False, "bos_token": token("<|startoftext|>"), "do_lower_case": True,
              "eos_token": token("<|endoftext|>"), "errors": "replace", "model_max_length": 77,
              "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer", "unk_token": token("<|endoftext|>")}
    with open(os.path.join(folder, "special_tokens_map.json"), encoding="utf-8") as f:
        special = json.load(f)
    for name, value in (("tokenizer_config.json", config), ("special_tokens_map.json", special)):
        with open(os.path.join(into, "tokenizer", name), "w", encoding="utf-8") as f:
            json.dump(value, f)
    state = lambda t: (t._added_tokens_encoder, t.pad_token_id, t.bos_token_id, t.eos_token_id, t.model_max_length,
                       t.encoder, t.bpe_ranks, t.fix_text)
    if state(CLIPTokenizer.from_pretrained(os.path.join(into, "tokenizer"))) != state(CLIPTokenizer.from_pretrained(folder)):
        raise AssertionError(f"transformers loads the older layout of {folder} differently")
    return into


def compare(name, result, expected, prompts):
    actual, seconds = result
    if actual.shape != expected.shape:
        raise AssertionError(f"{name}: shape {actual.shape}, expected {expected.shape}")
    actual = actual.astype(np.int64)
    differing = np.nonzero((actual != expected).any(axis=1))[0]
    if len(differing):
        lines = []
        for i in differing[:5]:
            first = int(np.nonzero(actual[i] != expected[i])[0][0])
            lines.append(f"  {prompts[i]!r}\n    from position {first}: expected {expected[i][first:first + 8].tolist()}, "
                         f"got {actual[i][first:first + 8].tolist()}")
        raise AssertionError(f"{name}: {len(differing)} of {len(prompts)} prompts differ; the first:\n" + "\n".join(lines))
    print(f"  {name}: all {actual.size} ids of {len(prompts)} prompts equal; tokenizing took {seconds * 1000:.0f} ms "
          f"({seconds / len(prompts) * 1e6:.0f} µs a prompt)")


def check(bench, fixtures_folder):
    rng = random.Random(SEED)
    chosen = curated(rng)
    prompts = chosen + sweep()
    with tempfile.TemporaryDirectory() as tmp:
        listed = os.path.join(tmp, "prompts.json")
        with open(listed, "w", encoding="utf-8") as f:
            json.dump(prompts, f)
        merges = os.path.join(tmp, "bpe_simple_vocab_16e6.txt")
        with open(merges, "w", encoding="utf-8") as f:
            f.write("\n".join(fixtures.clip_bpe_lines(os.path.join(fixtures_folder, "wheels"))))
        out = os.path.join(tmp, "ids.npy")

        def run(*arguments):
            result = bench.run("tokens", *arguments, "--prompts", listed, "--out", out)
            return np.load(out), float(result.stdout.split()[-1])

        for model, pad in (("sd1", "<|endoftext|>"), ("sd2", "!")):
            start = time.monotonic()
            expected = reference(os.path.join(fixtures_folder, model, "tokenizer"), prompts)
            print(f"  transformers ({model}): {time.monotonic() - start:.1f} s")
            compare(f"{model}/tokenizer", run(os.path.join(fixtures_folder, model)), expected, prompts)
            older = legacy_folder(os.path.join(fixtures_folder, model, "tokenizer"), os.path.join(tmp, model))
            compare(f"{model}/tokenizer, older layout", run(older), expected, prompts)
            compare(f"merges list, pad {pad!r}", run("--bpe-merges", merges, "--pad-token", pad), expected, prompts)
    changed = sum(unicodedata.normalize("NFC", p) != p for p in prompts)
    from transformers import CLIPTokenizer
    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(fixtures_folder, "sd1", "tokenizer"))
    cut = sum(len(tokenizer(p).input_ids) > tokenizer.model_max_length for p in chosen)
    print(f"  {len(prompts)} prompts ({len(chosen)} curated, {len(prompts) - len(chosen)} sweeping code points): "
          f"{changed} change under NFC, {cut} cut to 77 ids")
