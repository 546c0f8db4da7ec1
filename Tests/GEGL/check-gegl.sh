#!/usr/bin/env bash
# The GEGL operation restorekit:restore: its menu path, the same
# restoration as the CLI through the gegl command line, upsampling, chunked
# rendering as GIMP does it, Python GObject introspection, and (given the
# Stable Diffusion test fixtures as the second argument) a generative model
# imported from them, whose whole-image stage renders as the CLI's.
set -euo pipefail
build=$(realpath "${1:-build}")
fixtures=${2:-}
cli=$build/bin/restorekit
export GEGL_PATH=$build/share/gegl-0.4/plug-ins:/usr/lib/x86_64-linux-gnu/gegl-0.4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-gegl: FAIL: $*" >&2; exit 1; }

# At exit the gegl CLI reports "GeglBuffers leaked", with the tile-cache check
# that goes with it, for whole-image ops (gegl:denoise-dct and
# gegl:stretch-contrast print the same pair); nothing else may appear.
run_gegl() {
  gegl "$@" 2>"$tmp/stderr" >/dev/null || fail "gegl $* failed: $(cat "$tmp/stderr")"
  if grep -v -e 'GeglBuffers leaked' -e 'gegl_tile_cache_destroy: runtime check failed' -e '^[[:space:]]*$' \
       "$tmp/stderr" | grep -q .; then
    fail "gegl $* wrote to stderr: $(cat "$tmp/stderr")"
  fi
}

# Every property's default and range against the core's declaration: make test-options.
gegl --info restorekit:restore > "$tmp/info" 2>&1
grep -q "gimp:menu-path *<Image>/Filters/Enhance" "$tmp/info" || fail "no GIMP menu path"

prompt="Denoise with sigma 0.06"
"$cli" degrade docs/samples/chelsea.png "$tmp/degraded.png" --restoration "$prompt" --seed 7 >/dev/null
"$cli" restore "$tmp/degraded.png" "$tmp/cli.png" --restoration "$prompt" --quiet
run_gegl "$tmp/degraded.png" -o "$tmp/gegl.png" -- restorekit:restore restoration-prompt="$prompt"
psnr() { "$cli" metrics docs/samples/chelsea.png "$1" | sed -n 's/^PSNR: \([0-9.]*\) dB/\1/p'; }
before=$(psnr "$tmp/degraded.png"); via_cli=$(psnr "$tmp/cli.png"); via_gegl=$(psnr "$tmp/gegl.png")
echo "check-gegl: PSNR degraded $before dB, CLI $via_cli dB, gegl $via_gegl dB"
awk -v a="$via_cli" -v b="$via_gegl" -v d="$before" 'BEGIN { exit !(a - d > 1 && (a - b < 0.05 && b - a < 0.05)) }' \
  || fail "gegl's gain differs from the CLI's by 0.05 dB or more"

# An empty restoration prompt: the whole input analysed once, the same prompt
# and pixels as the CLI's.
"$cli" restore "$tmp/degraded.png" "$tmp/cli-analysed.png" 2>"$tmp/cli-stderr"
cli_prompt=$(sed -n 's/^restorekit: \(.*\) — .*/\1/p' "$tmp/cli-stderr")
RESTOREKIT_GEGL_TRACE=1 gegl "$tmp/degraded.png" -o "$tmp/gegl-analysed.png" -- restorekit:restore \
  restoration-prompt="" 2>"$tmp/stderr" >/dev/null || fail "gegl with an empty prompt failed"
gegl_prompt=$(sed -n 's/^restorekit:restore analysed: //p' "$tmp/stderr" | sort -u)
[ -n "$cli_prompt" ] && [ "$cli_prompt" = "$gegl_prompt" ] \
  || fail "analysed prompts differ: CLI '$cli_prompt', gegl '$gegl_prompt'"
grep -q "NEEDS\|needs" "$tmp/stderr" && fail "gegl warned: $(cat "$tmp/stderr")"
via_cli=$(psnr "$tmp/cli-analysed.png"); via_gegl=$(psnr "$tmp/gegl-analysed.png")
awk -v a="$via_cli" -v b="$via_gegl" 'BEGIN { exit !(a - b < 0.05 && b - a < 0.05) }' \
  || fail "analysed restore: gegl $via_gegl dB, CLI $via_cli dB"
echo "check-gegl: an empty prompt is analysed as '$gegl_prompt': gegl $via_gegl dB, CLI $via_cli dB"

run_gegl "$tmp/degraded.png" -o "$tmp/up.png" -- restorekit:restore restoration-prompt="Upsample to 2"
"$cli" info "$tmp/up.png" | grep -q "size:      902 × 600" || fail "upsampling did not give 902 × 600"
echo "check-gegl: 'Upsample to 2' renders 902 × 600"

# An invalid prompt: the library's message, and the input passed through.
gegl "$tmp/degraded.png" -o "$tmp/bad.png" -- restorekit:restore restoration-prompt="Denoise with sigma lots" \
  2>"$tmp/stderr" >/dev/null || true
grep -q "expected a number" "$tmp/stderr" || fail "no library message for an invalid prompt: $(cat "$tmp/stderr")"
"$cli" metrics "$tmp/degraded.png" "$tmp/bad.png" | grep -q "PSNR: inf" || fail "invalid prompt did not pass the input through"
echo "check-gegl: an invalid prompt warns with the library's message and leaves the input as it was"

# Threads change no pixel: GEGL's own (GEGL_THREADS, which gegl_init reads in GEGL 0.4.42; the
# op itself is not threaded by GEGL, the other nodes of the graph are) and librestore's (the
# op's threads property), byte for byte in float (.npy), on a render of 12 tiles (tile-size
# 128 on 451 × 300) through deconvolution and BM3D, whose work is split across threads.
threads_prompt="Deblur with sigma 1.5, Denoise with sigma 0.06"
for threads in 1 4; do
  GEGL_THREADS=$threads RESTOREKIT_GEGL_TRACE=1 gegl "$tmp/degraded.png" -o "$tmp/threads-$threads.npy" -- \
    restorekit:restore restoration-prompt="$threads_prompt" tile-size=128 threads=$threads \
    2>"$tmp/stderr" >/dev/null || fail "gegl with GEGL_THREADS=$threads failed: $(cat "$tmp/stderr")"
  if grep -v -e '^restorekit:restore tile ' -e 'GeglBuffers leaked' -e 'gegl_tile_cache_destroy: runtime check failed' \
       -e '^[[:space:]]*$' "$tmp/stderr" | grep -q .; then
    fail "gegl with GEGL_THREADS=$threads wrote to stderr: $(cat "$tmp/stderr")"
  fi
  tiles=$(grep -c '^restorekit:restore tile ' "$tmp/stderr" || true)
  [ "$tiles" -ge 12 ] || fail "GEGL_THREADS=$threads rendered $tiles tiles, not 12 or more"
done
cmp -s "$tmp/threads-1.npy" "$tmp/threads-4.npy" \
  || fail "GEGL_THREADS=4 threads=4 renders other floats than GEGL_THREADS=1 threads=1"
echo "check-gegl: GEGL_THREADS=4 threads=4 renders the same floats as GEGL_THREADS=1 threads=1 ($tiles tiles)"

# A generative model (a small random one from the fixtures, refine with a ControlNet): the op
# renders in tiles what the CLI writes, the whole-image stage computed once.
if [ -n "$fixtures" ]; then
  models=$tmp/models
  mkdir -p "$models"
  export RESTOREKIT_MODELS=$models
  "$cli" models import "$fixtures/sd1" --name tiny-refine --controlnet "$fixtures/controlnet-sd1" >/dev/null
  "$cli" degrade docs/samples/chelsea.png "$tmp/small.png" --restoration "Upsample to 4"
  generative=(restoration-prompt="Upsample to 2" model=tiny-refine semantic-prompt="a cat" steps=3 strength=0.5 seed=4)
  "$cli" restore "$tmp/small.png" "$tmp/gen-cli.png" --restoration "Upsample to 2" --model tiny-refine --prompt "a cat" \
    --steps 3 --strength 0.5 --seed 4 --quiet
  RESTOREKIT_GEGL_TRACE=1 gegl "$tmp/small.png" -o "$tmp/gen-gegl.png" -- restorekit:restore "${generative[@]}" tile-size=64 \
    2>"$tmp/stderr" >/dev/null || fail "gegl with a generative model failed: $(cat "$tmp/stderr")"
  tiles=$(grep -c '^restorekit:restore tile ' "$tmp/stderr" || true)
  [ "$tiles" -ge 4 ] || fail "the generative render took $tiles tiles, not 4 or more"
  same=$("$cli" metrics "$tmp/gen-cli.png" "$tmp/gen-gegl.png" | sed -n 's/^PSNR: \(.*\) dB/\1/p')
  # The same floats, written by GEGL's PNG saver and the CLI's encoder: rounding apart.
  awk -v p="$same" 'BEGIN { exit !(p == "inf" || p >= 50) }' || fail "gegl's generative render differs from the CLI's (PSNR $same dB)"
  echo "check-gegl: a generative model (refine, tiny random weights) renders in $tiles tiles the CLI's pixels (PSNR $same dB)"
  unset RESTOREKIT_MODELS
fi

/usr/bin/python3 Tests/GEGL/gegl_introspection.py "$tmp/degraded.png" "$tmp/cli.png"
echo "check-gegl: passed"
