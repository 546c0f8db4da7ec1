#!/bin/sh
# Stable Diffusion on RestoreKit's engine against PyTorch CPU (diffusers and
# transformers) for `make bench`: full-size SD 1.5 and SD 2.1-base architectures
# with random weights (bench/sd_models.py), side by side in one run at 2 threads:
# parity of each part at full size, medians of 5 runs and GFLOP/s against OpenBLAS's
# sgemm, and the peak resident memory of one 512×512 UNet + VAE pass with fp16 weights.
# The UNet row also has stable-diffusion.cpp as a speed anchor (bench/sd_cpp_reference.py):
# the stable-diffusion-cpp-python package, built here from its sdist on first use
# (minutes) for this CPU only, with ggml's llamafile sgemm kernels (off by default in
# sd.cpp's build of ggml; 1.6× less CPU time per UNet evaluation here).
#
#   bench/sd.sh [--quick]      (--quick: SD 1.5 only)
set -eu
cd "$(dirname "$0")/.."
quick=${1:-}
swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld --scratch-path .build-so --product rkbench >&2
rk=.build-so/release/rkbench
py="$(scripts/venv-tools torch "diffusers<0.36" "transformers<5" numpy safetensors)/bin/python"
PIP_NO_BINARY=stable-diffusion-cpp-python PIP_NO_CACHE_DIR=1 CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
    CMAKE_ARGS="-DSD_CUDA=OFF -DSD_HIPBLAS=OFF -DSD_METAL=OFF -DSD_VULKAN=OFF -DSD_OPENCL=OFF -DSD_SYCL=OFF -DSD_MUSA=OFF -DGGML_NATIVE=ON -DGGML_LLAMAFILE=ON" \
    scripts/venv-tools stable-diffusion-cpp-python==0.4.7 >/dev/null
out=bench/out/sd
mkdir -p "$out"
HF_HUB_OFFLINE=1 $py bench/sd_models.py "$out" >/dev/null 2>&1
threads=2
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
sgemm=$($rk nn sgemm --threads $threads | sed -n 's/.*sgemm_gflops=\([^ ]*\).*/\1/p')

echo "## Stable Diffusion: RestoreKit vs PyTorch CPU"
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg); $threads threads."
echo "OpenBLAS kernel: $($rk nn sgemm --threads 1 | sed -n 's/.*blas=\([^ ]*\).*/\1/p'); 1024³ sgemm at $threads threads: $sgemm GFLOP/s."
echo "PyTorch $($py -c 'import torch; print(torch.__version__)'), diffusers $($py -c 'import diffusers; print(diffusers.__version__)'), transformers $($py -c 'import transformers; print(transformers.__version__)'); fp32 weights for both (RestoreKit computes in fp32 from fp16 files too: last column)."
echo "Random weights of the published architectures; medians of 5 runs after loading; parity max|Δ|/max|ref| (VAE decode: max |Δ| of the image in 0…1)."
echo "UNet also against $($py bench/sd_cpp_reference.py --info), built from its sdist: the same diffusers folder with wtype f32 (sd.cpp keeps every convolution kernel in f16 regardless), one evaluation = one Euler step of 512×512 txt2img at cfg 1, median of 5 steps."
echo
for model in sd15 sd21; do
    [ "$quick" = --quick ] && [ $model = sd21 ] && continue
    dir=$out/$model
    echo "| model | part | GFLOP | RestoreKit s | PyTorch s | ×PyTorch | sd.cpp s | ×sd.cpp | GFLOP/s RestoreKit / of sgemm | parity | RestoreKit s, fp16 file |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    HF_HUB_OFFLINE=1 $py bench/sd_reference.py inputs "$dir" --out "$out" 2>/dev/null
    for part in text unet vae-encode vae-decode; do
        case $part in
            text) args="--tokens $out/tokens.npy" ;;
            unet) args="--latents $out/latents.npy --context $out/context.npy --timestep 500" ;;
            vae-encode) args="--image $out/image.npy" ;;
            vae-decode) args="--latents $out/latents.npy" ;;
        esac
        torch_s=$(HF_HUB_OFFLINE=1 $py bench/sd_reference.py $part "$dir" $args --threads $threads --repeat 5 --out "$out/ref.npy" 2>/dev/null | median)
        rk_s=$($rk sd $part "$dir" $args --threads $threads --repeat 5 --out "$out/rk.npy" | median)
        half_s=$($rk sd $part "$dir" $args --variant fp16 --threads $threads --repeat 3 --out "$out/rk16.npy" | median)
        gflop=$(HF_HUB_OFFLINE=1 $py bench/sd_flops.py $part "$dir" $args 2>/dev/null)
        parity=$($py -c "
import numpy as np
a, r = np.load('$out/rk.npy'), np.load('$out/ref.npy')
print(f'{np.abs(a - r).max() / 2:.1e} (image)' if '$part' == 'vae-decode' else f'{np.abs(a - r).max() / np.abs(r).max():.1e}')")
        rate=$(awk -v f="$gflop" -v s="$rk_s" -v c="$sgemm" 'BEGIN { printf "%.0f / %.0f %%", f / s, 100 * f / s / c }')
        cpp_s=– cpp_x=–
        if [ $part = unet ]; then
            # Its log (weight types, per-step and CPU seconds) is kept next to the outputs.
            if runs=$($py bench/sd_cpp_reference.py "$dir" --threads $threads --repeat 5 2>"$out/sdcpp-$model.log"); then
                cpp_s=$(echo "$runs" | median) cpp_x=$(ratio "$cpp_s" "$rk_s")
            else
                cpp_s="failed ($out/sdcpp-$model.log)"
            fi
        fi
        echo "| $model | $part | $gflop | $rk_s | $torch_s | $(ratio "$torch_s" "$rk_s") | $cpp_s | $cpp_x | $rate | $parity | $half_s |"
    done
    peak=$( { /usr/bin/time -v $rk sd pass "$dir" --latents "$out/latents.npy" --context "$out/context.npy" --variant fp16 \
        --threads $threads --out "$out/pass.npy" >/dev/null; } 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p')
    echo
    echo "Peak resident memory of one 512×512 $model UNet + VAE decode pass, fp16 weights: $((peak / 1024)) MiB."
    echo
done
