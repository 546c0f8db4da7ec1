#!/bin/sh
# Upsampling benchmark: back-projection against bicubic on Set5 and Set14
# (×2, ×3, ×4, bicubic degradation, BT.601 Y PSNR/SSIM with `scale` pixels of
# border cropped), stated blur and noise, speed at 1 MP, tiled versus whole.
#
#   bench/upsample.sh [rkbench upsample arguments…]   e.g. bench/upsample.sh Set5 --quick
#
# Builds rkbench self-contained in release (as `make lib` builds librestore.so)
# and prints a Markdown report. Data: $RESTOREKIT_DATA, else ../shared/data.
set -eu
cd "$(dirname "$0")/.."
swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
    --scratch-path .build-so --product rkbench >&2
exec .build-so/release/rkbench upsample "$@"
