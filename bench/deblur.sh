#!/bin/sh
# Deblurring benchmark: RestoreKit's classic Gaussian deconvolution and, when
# the FFDNet model is installed, its plug-and-play FFDNet deblurrer (with its
# gain over the classic one in the same run) on the first LIMIT (20) CBSD68
# images at blur σ 2.0 + noise 0.01 and σ 1.0 + noise 0.005, speed at 1 MP,
# tiles versus whole; then scikit-image's deconvolutions on the very same
# degraded PNGs (written by rkbench under bench/out/deblur) as anchors.
#
#   bench/deblur.sh [LIMIT]
#
# Builds rkbench self-contained in release (as `make lib` builds librestore.so)
# and prints one Markdown report. Data: $RESTOREKIT_DATA, else ../shared/data.
set -eu
cd "$(dirname "$0")/.."
limit=${1:-20}
out=bench/out/deblur
swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
    --scratch-path .build-so --product rkbench >&2
.build-so/release/rkbench deblur --limit "$limit" --out "$out"
venv=$(scripts/venv-tools scikit-image numpy)
"$venv/bin/python" bench/anchors/deblur_anchors.py "$out" "${RESTOREKIT_DATA:-../shared/data}" "$limit"
