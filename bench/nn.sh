#!/bin/sh
# CNN engine benchmark (make bench): RestoreKit's engine against the ncnn CPU
# runtime (same .param/.bin, fp32) and PyTorch CPU (RRDBNet with the same
# weights) on 256² and 512² inputs at 1 and 2 threads; effective GFLOP/s of the
# convolutions (counted as direct ones) against the 1024³ sgemm rate measured in
# the same run; peak memory; then the RestoreKit rows again with the OPENBLAS_*
# variables unset (in that command only); the peak memory of a 1024² → 4096²
# Real-ESRGAN restore; and SRMDNF quality on Set5/Set14 next to ncnn's and the
# published numbers (8-bit and float LR, and SRMD's MATLAB protocol: rkbench
# srmd-quality); and SRMD with a stated blur (Set5: the Gaussian's kernel code
# against the delta code). Everything runs in this one process tree.
#
#   bench/nn.sh [--quick]      (--quick: 256² only, no 1024² restore, Set5 only)
#
# Needs the models (make models) and the data ($RESTOREKIT_DATA, else ../shared/data).
set -eu
cd "$(dirname "$0")/.."
quick=${1:-}
for product in rkbench restorekit; do
    swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld --scratch-path .build-so --product $product >&2
done
rk=.build-so/release/rkbench
cli=.build-so/release/restorekit
# PyTorch: the CPU wheel the machine provides (PIP_FIND_LINKS), not a CUDA build from PyPI.
torch=$(ls "${PIP_FIND_LINKS:-/opt/wheels}"/torch-*+cpu-*.whl 2>/dev/null | sort | tail -1)
py="$(scripts/venv-tools ncnn numpy pillow "${torch:-torch}")/bin/python"
models=${RESTOREKIT_MODELS:-$HOME/.local/share/restorekit/models}
out=bench/out/nn
mkdir -p "$out"
rm -f "$out/notes.txt"

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "—"; else printf "%.2f", a / b }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "—"; else printf "%.0f %%", 100 * a / b }'; }

echo "## CNN engine: RestoreKit vs ncnn CPU and PyTorch CPU"
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Environment as is: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-(unset)}."
echo "ncnn $($py -c 'import ncnn; print(ncnn.__version__)'), PyTorch $($py -c 'import torch; print(torch.__version__)'), all fp32."
echo "Times are the best of the runs in ms; ×ncnn and ×PyTorch are their time over RestoreKit's (above 1: RestoreKit is faster)."
echo "GFLOP/s count every convolution as a direct one (2 · outputs · inputs · 9 per output pixel) over the whole forward pass;"
echo "\"of sgemm\" compares RestoreKit's convolution layers alone with OpenBLAS's 1024³ sgemm at the same thread count."
echo

sizes="256 512"
[ "$quick" = "--quick" ] && sizes="256"
# name | network stem | input blob | output blob | input channels
nets="realesrgan|realesrgan/REALESRGAN_X4PLUS_UP4X|data|output|3
waifu2x|waifu2x/WAIFU2X_PHOTO_UP2X_DENOISE1X|Input1|Eltwise4|3
srmd|srmd/srmd_x2|input|output|19"

inputs() {  # random images in [0, 1]; SRMD gets its 15 code channels and a noise level of 0.05
    $py - "$out" "$sizes" <<'PY'
import sys, numpy as np
out, sizes = sys.argv[1], sys.argv[2].split()
for n in map(int, sizes):
    rng = np.random.default_rng(n)
    rgb = rng.random((3, n, n), dtype=np.float32)
    rgb.tofile(f"{out}/in3-{n}.f32")
    code = np.array([-1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02,
                     8.37272935e-08, -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08,
                     3.84753793e-02, 3.79465739e-08, -2.44916752e-01, -8.02213490e-01, -5.40549755e-01, 0.05],
                    np.float32)[:, None, None]
    np.concatenate([rgb, np.broadcast_to(code, (16, n, n))]).astype(np.float32).tofile(f"{out}/in19-{n}.f32")
PY
}
inputs

# sgemm_rates [env args]: the 1024³ sgemm rates on 1 and 2 threads into sgemm1 and sgemm2 (rkbench run
# under `env "$@"`), and the line that states them with OpenBLAS's kernel.
sgemm_rates() {
    sgemm1=$(env "$@" $rk nn sgemm --threads 1 | field sgemm_gflops)
    sgemm2=$(env "$@" $rk nn sgemm --threads 2 | field sgemm_gflops)
    kernel=$(env "$@" $rk nn sgemm --threads 1 | field blas)
    echo "OpenBLAS kernel: $kernel; 1024³ sgemm: $sgemm1 GFLOP/s on 1 thread, $sgemm2 GFLOP/s on 2."
    echo
}

# each_case ROW: runs the function ROW for every network, size and thread count, with name, stem, inb, outb,
# channels, n, t, repeat (runs to time) and sg (the sgemm rate at t threads) set.
each_case() {
    echo "$nets" | while IFS='|' read -r name stem inb outb channels; do
        for n in $sizes; do
            for t in 1 2; do
                repeat=2
                [ "$n" -ge 512 ] && [ "$name" = realesrgan ] && repeat=1
                sg=$sgemm1; [ "$t" = 2 ] && sg=$sgemm2
                "$1"
            done
        done
    done
}

sgemm_rates
# One row of the table: RestoreKit against ncnn and PyTorch.
engine_row() {
    input="$out/in$channels-$n.f32"
    save=""
    nsave=""
    if [ "$n" = 256 ] && [ "$t" = 2 ]; then
        save="--save $out/$name-ours.f32"; nsave="$out/$name-ncnn.f32"
    fi
    ours=$($rk nn forward --model "$models/$stem" --input "$input" --shape "$channels,$n,$n" --in "$inb" --out "$outb" \
           --threads "$t" --repeat "$repeat" $save)
    ref=$($py bench/nn_reference.py ncnn "$models/$stem" "$input" "$channels,$n,$n" "$inb" "$outb" "$t" "$repeat" $nsave)
    [ -n "$nsave" ] && echo "$name: max |RestoreKit − ncnn| $($py bench/nn_reference.py compare "$out/$name-ours.f32" "$nsave")" >> "$out/notes.txt"
    ms=$(echo "$ours" | field ms); gflop=$(echo "$ours" | field gflop)
    nms=$(echo "$ref" | field ms)
    tms=""; tpeak="—"; tg="—"
    if [ "$name" = realesrgan ]; then
        check=""
        [ -n "$save" ] && check="$out/$name-ours.f32"
        tref=$($py bench/nn_reference.py torch "$models/$stem" "$input" "$channels,$n,$n" "$t" "$repeat" $check)
        tms=$(echo "$tref" | field ms); tpeak=$(echo "$tref" | field peak_mib)
        tg=$(awk -v f="$gflop" -v m="$tms" 'BEGIN { printf "%.0f", f / m * 1000 }')
        diff=$(echo "$tref" | field torch_vs_restorekit_max_diff)
        [ -n "$diff" ] && echo "PyTorch RRDBNet vs RestoreKit on the same input: max |diff| $diff (same weights)" >> "$out/notes.txt"
    fi
    conv=$(echo "$ours" | field conv_gflops)
    ng=$(awk -v f="$gflop" -v m="$nms" 'BEGIN { printf "%.0f", f / m * 1000 }')
    echo "| $name | ${n}² | $t | $ms | $nms | $(ratio "$nms" "$ms") | ${tms:-—} | $(ratio "$tms" "$ms") |" \
         "$(echo "$ours" | field gflops) / $ng / $tg | $conv, $(percent "$conv" "$sg") |" \
         "$(echo "$ours" | field peak_mib) / $(echo "$ref" | field peak_mib) / $tpeak |"
}
echo "| network | input | threads | RestoreKit ms | ncnn ms | ×ncnn | PyTorch ms | ×PyTorch | GFLOP/s RestoreKit / ncnn / PyTorch | conv GFLOP/s, of sgemm | peak MiB RestoreKit / ncnn / PyTorch |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
each_case engine_row
# waifu2x's levels 1 and 2 are never picked by a prompt (see Waifu2xRestorer): check their networks here.
for level in 1 2; do
    stem=waifu2x/WAIFU2X_PHOTO_UP2X_DENOISE${level}X
    $rk nn forward --model "$models/$stem" --input "$out/in3-256.f32" --shape 3,256,256 --in Input1 --out Eltwise4 \
        --save "$out/w-ours.f32" > /dev/null
    $py bench/nn_reference.py ncnn "$models/$stem" "$out/in3-256.f32" 3,256,256 Input1 Eltwise4 2 1 "$out/w-ncnn.f32" > /dev/null
    echo "waifu2x level $level: max |RestoreKit − ncnn| $($py bench/nn_reference.py compare "$out/w-ours.f32" "$out/w-ncnn.f32")" >> "$out/notes.txt"
done
echo
echo "Outputs on the 256² input (2 threads), raw network values:"
echo
sed 's/^/- /' "$out/notes.txt"
rm -f "$out/notes.txt"

echo
echo "### RestoreKit with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset"
echo
sgemm_rates -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
# One row of the table: RestoreKit alone.
unset_row() {
    ours=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $rk nn forward --model "$models/$stem" \
           --input "$out/in$channels-$n.f32" --shape "$channels,$n,$n" --in "$inb" --out "$outb" --threads "$t" --repeat "$repeat")
    conv=$(echo "$ours" | field conv_gflops)
    echo "| $name | ${n}² | $t | $(echo "$ours" | field ms) | $(echo "$ours" | field gflops) | $conv, $(percent "$conv" "$sg") | $(echo "$ours" | field peak_mib) |"
}
echo "| network | input | threads | RestoreKit ms | GFLOP/s | conv GFLOP/s, of sgemm | peak MiB |"
echo "|---|---|---|---|---|---|---|"
each_case unset_row

if [ "$quick" != "--quick" ]; then
    echo
    echo "### Real-ESRGAN restore of a 1024² image to 4096² (restorekit restore, 2 threads)"
    echo
    $py - "$out/big.png" <<'PY'
import sys
from PIL import Image
Image.open("docs/samples/chelsea.png").convert("RGB").resize((1024, 1024), Image.BICUBIC).save(sys.argv[1])
PY
    /usr/bin/time -f "peak_kib=%M seconds=%e" -o "$out/time.txt" \
        env RESTOREKIT_MODELS="$models" $cli restore "$out/big.png" "$out/big-x4.png" \
        --restoration "Remove all degradation, Upsample to 4" --threads 2 --quiet
    peak=$(field peak_kib < "$out/time.txt"); seconds=$(field seconds < "$out/time.txt")
    echo "Peak resident memory $(awk -v k="$peak" 'BEGIN { printf "%.2f GiB", k / 1048576 }') (target ≤ 3 GB), $seconds s, output $($py -c "from PIL import Image; print('%d × %d' % Image.open('$out/big-x4.png').size)")."
fi

echo
echo "### SRMDNF quality (bicubic degradation, Y PSNR dB / SSIM, border of scale pixels cropped)"
echo
echo "LR: MATLAB imresize(HR, 1/scale, 'bicubic') of the modcropped ground truth, in double. 8-bit LR: rounded to"
echo "8 bits, restored as \"Upsample to S\" (srmd-ncnn-vulkan's borders: 12 replicated pixels). Float LR: unrounded,"
echo "same restorer. Published protocol (SRMD's MATLAB test code): unrounded LR straight into the network, whose"
echo "convolutions zero-pad at the borders. Outputs rounded to 8 bits; Y of BT.601 (not rounded); gray images on their"
echo "own samples. Target: published protocol within 0.1 dB of the published SRMDNF rows."
echo
sets="Set5,Set14"
[ "$quick" = "--quick" ] && sets="Set5"
$rk srmd-quality prepare --work "$out/quality" --sets "$sets" --threads 2
$py bench/nn_reference.py srmd "$models" "$out/quality" "$sets" 2,3,4
$rk srmd-quality score --work "$out/quality" --sets "$sets"

echo
echo "### SRMD with a stated blur (Set5, Gaussian σ 1.2 then bicubic ×½: \"Deblur with sigma 1.2, Upsample to 2\"; Y PSNR dB, border 2 cropped)"
echo
echo "SRMDNF ×2 fed the code of the stated Gaussian (P · vec(k), KAIR's PCA projection) against the delta code the reference tool always feeds, and the classic path; target: kernel code ≥ 0.5 dB above the delta code."
echo
$rk nn blur --sets Set5 --sigma 1.2 --threads 2
