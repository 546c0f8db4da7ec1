#!/bin/bash
# A fuzzing campaign (docs/reliability.md): each named target (all by default) runs until
# 1000000 executions or 20 minutes, two at a time, on the release build that
# `make fuzz FUZZ_CONFIG=release` leaves; then the inputs that add coverage are merged into
# its committed corpus. Logs go to build/fuzz-campaign/TARGET.log, with the final
# `Done N runs` line and libFuzzer's stats.
set -eu
cd "$(dirname "$0")/.."
out=build/fuzz-campaign
mkdir -p "$out"
targets=${*:-capi config tokenizer ncnn prompt safetensors torch-zip jpeg torch-legacy json png}
run() {
    target=$1
    if [ "$target" = capi ]; then bin=.build-fuzz-capi/release; else bin=.build-fuzz/release; fi
    work=$(mktemp -d)
    SWIFT_BACKTRACE=enable=no nice "$bin/fuzz-$target" -runs=1000000 -max_total_time=1200 -timeout=60 -rss_limit_mb=6144 \
        -print_final_stats=1 -artifact_prefix="$out/$target-" "$work" "Fuzz/Corpus/$target" \
        >"$out/$target.log" 2>&1 && status=ok || status=FAILED
    "$bin/fuzz-$target" -merge=1 "Fuzz/Corpus/$target" "$work" >"$out/$target.merge.log" 2>&1
    rm -rf "$work"
    echo "$target: $status; $(grep -E '^Done' "$out/$target.log"); $(grep -E '^#[0-9]+[[:space:]]+DONE' "$out/$target.log" | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
}
for target in $targets; do
    [ "$(jobs -rp | wc -l)" -lt 2 ] || wait -n
    run "$target" &
done
wait
