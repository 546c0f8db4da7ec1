#!/bin/sh
# Degradation-analysis benchmark: noise, blur and JPEG estimates against the
# truth on BSDS500-test and CBSD68 (SPIRE degradations, fixed seeds), DaLPSR's
# four-level accuracy, restoring with the analysed prompt against the true one,
# and analysis time per megapixel.
#
#   bench/analyze.sh [rkbench analyze arguments…]   e.g. bench/analyze.sh --limit 20
#   bench/analyze.sh --calibrate                    refit AnalysisCalibration on BSDS500-train
#
# Builds rkbench self-contained in release (as `make lib` builds librestore.so;
# SCRATCH overrides the build folder) and prints a Markdown report.
# Data: $RESTOREKIT_DATA, else ../shared/data.
set -eu
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-so}
swift build -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
    --scratch-path "$scratch" --product rkbench >&2
exec "$scratch"/release/rkbench analyze "$@"
