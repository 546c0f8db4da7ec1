#!/usr/bin/env bash
# The GIMP 3 plug-in in headless GIMP (a trixie chroot, scripts/gimp3-env): each
# output mode gives the CLI's PSNR gain, a selection leaves the outside
# untouched, upsampling doubles the layer, non-destructive mode leaves one
# RestoreKit filter, an invalid prompt fails with the library's message, an
# empty prompt is analysed as the CLI analyses it; the procedure's arguments
# follow the core's declaration of the options (Tests/Options/check_options.py);
# given the Stable Diffusion test fixtures as the second argument, a generative
# model imported from them restores a new layer as the CLI does, and the
# non-destructive filter is refused for it.
set -euo pipefail
build=$(realpath "${1:-build}")
fixtures=${2:+$(realpath "$2")}
cli=$build/bin/restorekit
work=$build/gimp-test
rm -rf "$work"
mkdir -p "$work"
fail() { echo "check-gimp: FAIL: $*" >&2; exit 1; }

prompt="Denoise with sigma 0.06"
# GIMP runs in the chroot with a fresh HOME, where no models are installed: the
# CLI's reference must run without them too, on the same (classic) restorers.
export RESTOREKIT_MODELS="$work/no-models"
"$cli" degrade docs/samples/chelsea.png "$work/degraded.png" --restoration "$prompt" --seed 7 >/dev/null
"$cli" restore "$work/degraded.png" "$work/cli.png" --restoration "$prompt" --quiet
"$cli" restore "$work/degraded.png" "$work/cli-analysed.png" 2>"$work/cli-stderr"
analysed=$(sed -n 's/^restorekit: \(.*\) — .*/\1/p' "$work/cli-stderr")

"$cli" options --json > "$work/options.json"

# Inside the chroot the repository is /restorekit.
inside=/restorekit/${work#"$(pwd)"/}
generative=""
if [ -n "$fixtures" ]; then
  # The CLI's reference with the model imported here; GIMP's import is made inside the chroot,
  # where the same files have other paths.
  "$cli" degrade docs/samples/chelsea.png "$work/small.png" --restoration "Upsample to 4"
  RESTOREKIT_MODELS="$work/models" "$cli" models import "$fixtures/sd1" --name tiny-refine \
    --controlnet "$fixtures/controlnet-sd1" >/dev/null
  RESTOREKIT_MODELS="$work/models" "$cli" restore "$work/small.png" "$work/cli-generative.png" --model tiny-refine \
    --restoration "Upsample to 2" --prompt "a cat" --steps 3 --strength 0.5 --seed 4 --quiet
  inside_fixtures=/restorekit/${fixtures#"$(pwd)"/}
  scripts/gimp3-env bash -c "RESTOREKIT_MODELS='$inside/chroot-models' /restorekit/${cli#"$(pwd)"/} models import \
    '$inside_fixtures/sd1' --name tiny-refine --controlnet '$inside_fixtures/controlnet-sd1'" > "$work/import.log" 2>&1 \
    || fail "importing the model inside the chroot failed: $(cat "$work/import.log")"
  generative="RESTOREKIT_MODELS='$inside/chroot-models' RK_MODEL=tiny-refine RK_SMALL='$inside/small.png'"
fi
scripts/gimp3-env bash -c "cd /tmp && HOME=\$(mktemp -d) RK_OUT='$inside' RK_IN='$inside/degraded.png' $generative \
  RK_PROMPT='$prompt' RK_OPTIONS='$inside/options.json' gimp-console-3.0 -i --quit --batch-interpreter=python-fu-eval \
  -b \"exec(open('/restorekit/Tests/GIMP/gimp_batch.py').read())\"" > "$work/gimp.log" 2>&1 \
  || fail "GIMP did not run: $(tail -20 "$work/gimp.log")"
[ -f "$work/results.json" ] || fail "the batch wrote no results: $(tail -20 "$work/gimp.log")"

psnr() { "$cli" metrics docs/samples/chelsea.png "$1" | sed -n 's/^PSNR: \([0-9.]*\) dB/\1/p'; }
reference=$(psnr "$work/cli.png")
for mode in in-place new-layer non-destructive; do
  value=$(psnr "$work/$mode.png")
  echo "check-gimp: $mode: PSNR $value dB (CLI $reference dB)"
  awk -v a="$reference" -v b="$value" 'BEGIN { exit !(a - b < 0.05 && b - a < 0.05) }' \
    || fail "$mode's PSNR differs from the CLI's by 0.05 dB or more"
done

value=$(psnr "$work/analysed.png"); reference=$(psnr "$work/cli-analysed.png")
echo "check-gimp: analysed: PSNR $value dB (CLI $reference dB)"
awk -v a="$reference" -v b="$value" 'BEGIN { exit !(a - b < 0.05 && b - a < 0.05) }' \
  || fail "the analysed restore's PSNR differs from the CLI's by 0.05 dB or more"

/usr/bin/python3 Tests/Options/check_options.py "$build" --gimp "$work/results.json" || fail "the GIMP procedure"

if [ -n "$fixtures" ]; then
  same=$("$cli" metrics "$work/cli-generative.png" "$work/generative.png" | sed -n 's/^PSNR: \(.*\) dB/\1/p')
  echo "check-gimp: a generative model (refine, tiny random weights): new layer against the CLI's PSNR $same dB"
  awk -v p="$same" 'BEGIN { exit !(p == "inf" || p >= 50) }' || fail "GIMP's generative restore differs from the CLI's"
fi

python3 - "$work/results.json" "$analysed" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def check(cond, what):
    if not cond:
        sys.exit("check-gimp: FAIL: %s: %s" % (what, json.dumps(r, indent=1)))
check(r["registered"], "plug-in-restorekit is not registered")
for mode in ("in-place", "new-layer", "non-destructive"):
    check(r[mode]["ok"], mode + " failed")
check(r["new-layer"]["layers"] == 2, "new-layer mode did not add a layer")
check(r["non-destructive"]["filters"] == ["restorekit:restore"], "non-destructive mode: not exactly one filter")
check(r["in-place"]["filters"] == [], "in-place mode left a filter")
s = r["selection"]
check(s["ok"] and s["outside_changed"] == 0 and s["inside_changed"] > 1000, "selection")
u = r["upsample"]
check(u["ok"] and u["layer"] == [2 * u["before"][0], 2 * u["before"][1]] and u["image"] == u["layer"], "upsample")
check(not r["invalid"]["ok"] and "expected a number" in r["invalid"]["message"], "invalid prompt")
check(r["analysed"]["ok"] and r["analysed"]["name"] == "RestoreKit: " + sys.argv[2], "analysed prompt")
check(not r["not-analysed"]["ok"] and "Analyse" in r["not-analysed"]["message"], "empty prompt without Analyse")
print("check-gimp: selection kept %d outside pixels exact, changed %d inside; upsampling gave %s; "
      "the invalid prompt failed with: %s" % (0, s["inside_changed"], u["layer"], r["invalid"]["message"]))
print("check-gimp: an empty prompt was analysed as '%s'" % sys.argv[2])
if "generative" in r:
    g, f = r["generative"], r["generative-filter"]
    check(g["ok"] and g["layers"] == 2, "the generative model's new layer")
    check(not f["ok"] and "non-destructive" in f["message"] and f["filters"] == 0, "the generative filter refusal")
    print("check-gimp: generative: a new layer; the non-destructive filter refused: %s" % f["message"])
PY
echo "check-gimp: passed"
