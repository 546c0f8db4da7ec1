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
for model in auto classic; do
  "$cli" restore "$tmp/small.png" "$tmp/r.png" --restoration "Denoise with sigma 0.05" --steps 8 --model "$model" \
    2>"$tmp/err" || fail "restore with --steps 8 --model $model failed: $(cat "$tmp/err")"
  grep -q "note: --steps has no effect" "$tmp/err" || fail "no notice naming --steps (--model $model): $(cat "$tmp/err")"
done
"$cli" restore "$tmp/small.png" "$tmp/r.png" --restoration "Denoise with sigma 0.05" 2>"$tmp/err"
grep -q "note:" "$tmp/err" && fail "a notice without a setting to name: $(cat "$tmp/err")"
expect_failure "steps must be 1–1000, not 0" "$cli" restore "$tmp/small.png" "$tmp/r.png" --steps 0
"$cli" options --json | grep -q '"name": "seed"' || fail "options --json lacks the seed"

leftovers=$(find "$tmp" -name '.*.tmp-*')
[ -z "$leftovers" ] || fail "temporary files left behind: $leftovers"
echo "check-cli: passed"
