#!/bin/sh
# JPEG deblocking benchmark: RestoreKit's "Dejpeg with quality q" on LIVE1
# compressed by libjpeg-turbo at q = 10 / 20 / 30, in colour (4:2:0, PSNR on RGB
# and on BT.601 Y) and as gray (the Y channel, the protocol of the published
# LIVE1 rows: JPEG 27.77 / 30.07 / 31.41, ARCNN 28.96 / 31.29 / 32.67 dB), by
# the classic deblocker and, when the FFDNet model is installed, FFDNet
# plug-and-play; restoration time per image and per megapixel; speed at 1 MP,
# whole and tiled.
#
#   bench/dejpeg.sh [LIMIT]
#
# Builds rkbench self-contained in release (as `make lib` builds librestore.so)
# and prints one Markdown report. Data: $RESTOREKIT_DATA, else ../shared/data.
set -eu
cd "$(dirname "$0")/.."
limit=${1:-29}
swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
    --scratch-path .build-so --product rkbench >&2
.build-so/release/rkbench dejpeg --limit "$limit" 10 20 30
echo
.build-so/release/rkbench dejpeg --gray --limit "$limit" 10 20 30
