#!/bin/sh
# Generative restoration on RestoreKit's engine against diffusers for `make bench`:
# seconds per 512×512 tile of the one-step recipe (OSEDiff's inference) and of the
# refine recipe's img2img (LCM 4 steps; DDIM 20 steps with classifier-free guidance),
# on full-size SD 1.5 and SD 2.1-base architectures with random weights
# (bench/sd_models.py), side by side in one run at 2 threads (diffusers' side:
# bench/sd_generative_reference.py), with the parity of the two images and the peak
# resident memory of RestoreKit's DDIM run. The DDIM rows are slow (about 40 UNet
# evaluations a run on each side): the section takes about half an hour per model.
#
#   bench/generative.sh [--quick]      (--quick, or GENERATIVE_QUICK=--quick: SD 1.5 only)
#
# For trying it out (none of these is set by `make bench`):
#   RKBENCH=PATH                a built rkbench, used as it is (no swift build)
#   GENERATIVE_MODELS="DIR …"   diffusers folders instead of bench/out/sd/sd15 and sd21
#   GENERATIVE_SIZE=N           the image's side instead of 512 (a multiple of 8)
#   GENERATIVE_ROWS="…"         some of: one-step lcm ddim
#   GENERATIVE_REPEAT=R         every row's repeats instead of 3, 3, 1
set -eu
cd "$(dirname "$0")/.."
quick=${1:-${GENERATIVE_QUICK:-}}
if [ -n "${RKBENCH:-}" ]; then
    rk=$RKBENCH
else
    swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld --scratch-path .build-so --product rkbench >&2
    rk=.build-so/release/rkbench
fi
py="$(scripts/venv-tools torch "diffusers<0.36" "transformers<5" numpy safetensors)/bin/python"
models=bench/out/sd
out=bench/out/generative
mkdir -p "$models" "$out"
size=${GENERATIVE_SIZE:-512}
rows=${GENERATIVE_ROWS:-one-step lcm ddim}
threads=2
prompt="a photo of a red fox in the snow, sharp fur, high detail"
negative="blurry, dotted, noise, unclear, lowres, over-smoothed"  # RestoreKit's default (PromptFields)
seed=7

if [ -n "${GENERATIVE_MODELS:-}" ]; then
    dirs=$GENERATIVE_MODELS
else
    HF_HUB_OFFLINE=1 $py bench/sd_models.py "$models" >/dev/null 2>&1
    dirs="$models/sd15"
    [ "$quick" = --quick ] || dirs="$dirs $models/sd21"
    # sd_models.py writes no tokenizer; the test fixtures' are CLIP's real BPE (SD 1.x
    # pads with <|endoftext|>, SD 2.x with "!"), made offline by `make test-sd`.
    fixtures=
    for candidate in ${SD_FIXTURES:-} build/sd-fixtures .build/sd-fixtures; do
        [ -f "$candidate/sd2/tokenizer/vocab.json" ] && { fixtures=$candidate; break; }
    done
    if [ -z "$fixtures" ]; then
        fixtures=build/sd-fixtures
        HF_HUB_OFFLINE=1 $py Tests/Diffusion/fixtures.py "$fixtures" >&2
    fi
    for pair in sd15:sd1 sd21:sd2; do
        dir=$models/${pair%%:*}
        [ -f "$dir/tokenizer/vocab.json" ] || cp -r "$fixtures/${pair#*:}/tokenizer" "$dir/"
    done
fi

median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
sgemm=$($rk nn sgemm --threads $threads | sed -n 's/.*sgemm_gflops=\([^ ]*\).*/\1/p')
HF_HUB_OFFLINE=1 $py bench/sd_generative_reference.py inputs --size "$size" --out "$out"

# One table row: both sides on the same image with the same options, RestoreKit's
# under /usr/bin/time -v (its peak resident memory kept in $out/time.txt). A side
# that fails leaves its standard error in $out (named in the cell).
#   row LABEL REPEAT COMMAND IMAGE SCALE [OPTION …]   (SCALE: the image range's width)
row() {
    label=$1 repeat=$2 command=$3 image=$4 scale=$5
    shift 5
    name=$(basename "$dir")-$r
    ref_s= rk_s=
    if HF_HUB_OFFLINE=1 $py bench/sd_generative_reference.py "$command" "$dir" --image "$image" "$@" \
        --threads $threads --repeat "$repeat" --out "$out/ref.npy" >"$out/ref.txt" 2>"$out/$name-diffusers.log"; then
        ref_s=$(median <"$out/ref.txt")
    fi
    if /usr/bin/time -v -o "$out/time.txt" $rk sd "$command" "$dir" --image "$image" "$@" \
        --threads $threads --repeat "$repeat" --out "$out/rk.npy" >"$out/rk.txt" 2>"$out/$name-restorekit.log"; then
        rk_s=$(median <"$out/rk.txt")
    fi
    speedup=– parity=–
    if [ -n "$ref_s" ] && [ -n "$rk_s" ]; then
        speedup=$(ratio "$ref_s" "$rk_s")
        parity=$($py -c "
import numpy as np
a, r = np.load('$out/rk.npy'), np.load('$out/ref.npy')
print(f'{float(np.abs(a - r).max()) / $scale * 255:.3g}/255')")
    fi
    echo "| $(basename "$dir") | $label | ${rk_s:-failed ($out/$name-restorekit.log)} | ${ref_s:-failed ($out/$name-diffusers.log)} | $speedup | $parity |"
}

echo "## Generative restoration: seconds per 512² tile"
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg); $threads threads."
echo "OpenBLAS kernel: $($rk nn sgemm --threads 1 | sed -n 's/.*blas=\([^ ]*\).*/\1/p'); 1024³ sgemm at $threads threads: $sgemm GFLOP/s."
echo "PyTorch $($py -c 'import torch; print(torch.__version__)'), diffusers $($py -c 'import diffusers; print(diffusers.__version__)'), transformers $($py -c 'import transformers; print(transformers.__version__)'); fp32 weights for both."
echo "Random weights of the published architectures (bench/sd_models.py), CLIP's real tokenizer; one ${size}×${size} image of uniform noise in 0.1…0.9, prompt \"$prompt\"; the refine rows with negative prompt \"$negative\" (RestoreKit's default) and seed $seed."
echo "One-step: OSEDiff's inference (text encoding, VAE encode, one UNet evaluation at t = 999, VAE decode), diffusers' side assembled from its modules. Refine: diffusers' StableDiffusionImg2ImgPipeline with the scheduler swapped, against \`rkbench sd img2img\`."
echo "Each run includes the text encoding, VAE encode and decode, not loading; medians of ${GENERATIVE_REPEAT:-3} runs (DDIM: ${GENERATIVE_REPEAT:-1}). Parity: max |Δ| of the two images in 0…1, in 255ths."
echo
for dir in $dirs; do
    echo "| model | recipe | RestoreKit s | diffusers s | ×diffusers | parity max \|Δ\| |"
    echo "|---|---|---|---|---|---|"
    peak=
    for r in $rows; do
        case $r in
            one-step)
                row "one-step" "${GENERATIVE_REPEAT:-3}" one-step "$out/image11.npy" 2 --prompt "$prompt" ;;
            lcm)
                row "refine LCM 4 steps (strength 1, guidance 1)" "${GENERATIVE_REPEAT:-3}" img2img "$out/image01.npy" 1 \
                    --prompt "$prompt" --negative-prompt "$negative" --steps 4 --strength 1 --guidance 1 --seed $seed --scheduler lcm ;;
            ddim)
                row "refine DDIM 20 steps with CFG 5.5 (strength 1)" "${GENERATIVE_REPEAT:-1}" img2img "$out/image01.npy" 1 \
                    --prompt "$prompt" --negative-prompt "$negative" --steps 20 --strength 1 --guidance 5.5 --seed $seed --scheduler ddim
                if [ -n "$rk_s" ]; then peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/time.txt"); fi ;;
            *) echo "generative.sh: unknown row '$r' (one-step lcm ddim)" >&2; exit 2 ;;
        esac
    done
    echo
    if [ -n "$peak" ]; then
        echo "Peak resident memory of RestoreKit's DDIM refine run ($(basename "$dir"), ${size}×${size}, fp32 weights): $((peak / 1024)) MiB."
        echo
    fi
    if [ -z "${GENERATIVE_MODELS:-}" ] && [ -x build/bin/restorekit ]; then
        waited=$($py bench/generative_cancel.py build/bin/restorekit "$dir" 2>&1 | tail -1)
        echo "A cancel 0.5 s into a full-size UNet evaluation ($(basename "$dir"), one-step, 512², through the Python binding's progress callable): returned after $waited s."
        echo
    fi
done
