#!/usr/bin/env bash
# restorekit batch end to end: a folder of 44 small generated images and 3 corrupt
# files; every output byte for byte what a single `restore` writes; a run killed
# with SIGKILL and rerun redoes nothing it finished and leaves no partial file; a
# changed or deleted output's input is redone; failures give a non-zero status on
# every run; shards split the work with no overlap; manifests override settings
# per image; bad arguments fail with clear messages.
#   Tests/CLI/check-batch.sh build/bin/restorekit
set -euo pipefail
cli=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d)
batch_pid=
cleanup() { [ -z "$batch_pid" ] || kill -9 "$batch_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "check-batch: FAIL: $*" >&2; exit 1; }
start=$(date +%s.%N)
cd "$tmp"

# Enlarging makes each image take long enough (tens of ms) to kill a run mid-way.
restoration="Denoise with sigma 0.05, Deblur with sigma 1.2, Upsample to 4"
opts=(--restoration "$restoration" --model classic)

# 44 images in four folders, four of them JPEGs, and three corrupt files.
python3 "$here/make-images.py" in 44 48 40 7
for i in 001 005 009 013; do
  "$cli" convert "in/a/img$i.png" "in/a/img$i.jpg" --quality 70
  rm "in/a/img$i.png"
done
head -c 120 in/img000.png > in/b/truncated.png
echo "not an image" > in/a/deep/text.png
: > in/empty.jpg
good=$(cd in && find . -type f \( -name '*.png' -o -name '*.jpg' \) ! -name truncated.png ! -name text.png ! -name empty.jpg | sed 's|^\./||' | sort)
[ "$(echo "$good" | wc -l)" -eq 44 ] || fail "expected 44 good inputs"

# The reference: one `restore` per image, serially, with three threads (the batch runs
# give each image cores ÷ jobs threads: the bytes must not depend on it).
for rel in $good; do
  mkdir -p "ref/$(dirname "$rel")"
  "$cli" restore "in/$rel" "ref/$rel" "${opts[@]}" --threads 3 --quiet
done
t_ref=$(date +%s.%N)

same_as_ref() {  # every good output of folder $1 byte for byte the reference
  for rel in $good; do
    cmp -s "ref/$rel" "$1/$rel" || fail "$1/$rel differs from a single restore (or is missing)"
  done
}
only_outputs() {  # folder $1 holds only outputs and the batch's *.jsonl files
  local extra
  extra=$(cd "$1" && find . -type f | sed 's|^\./||' | grep -Ev '\.jsonl$' | grep -Fxv "$good" || true)
  [ -z "$extra" ] || fail "$1 holds files that are not finished outputs: $extra"
}
record=out/.restorekit-batch-0-of-1.jsonl
log=out/restorekit-batch-0-of-1.log.jsonl
count() { python3 - "$@" <<'PY'
import json, sys
path, status = sys.argv[1], sys.argv[2]
out = sys.argv[3] if len(sys.argv) > 3 else None
n = 0
for line in open(path):
    try: r = json.loads(line)
    except ValueError: continue
    n += r["status"] == status and (out is None or r["output"] == out)
print(n)
PY
}

# 1. Two at a time, killed with SIGKILL after a few images (tried again from scratch
#    should a busy machine let the whole batch finish before the kill).
for attempt in 1 2 3; do
  rm -rf out
  "$cli" batch in out "${opts[@]}" --jobs 2 2>batch1.err &
  batch_pid=$!
  for _ in $(seq 2000); do
    [ -f "$record" ] && [ "$(grep -c '"done"' "$record" || true)" -ge 4 ] && break
    kill -0 "$batch_pid" 2>/dev/null || break
    sleep 0.01
  done
  if kill -9 "$batch_pid" 2>/dev/null; then wait "$batch_pid" 2>/dev/null || true; batch_pid=; break; fi
  wait "$batch_pid" 2>/dev/null || true; batch_pid=
  [ $attempt -lt 3 ] || fail "the batch finished before it could be killed, three times: $(cat batch1.err)"
done
finished=$(count "$record" done)
[ "$finished" -ge 4 ] && [ "$finished" -lt 44 ] || fail "killed run: $finished finished"
# What the killed run wrote is whole: each output there is the reference's bytes.
for f in $(cd out && find . -type f ! -name '.*' ! -name '*.jsonl' | sed 's|^\./||'); do
  cmp -s "ref/$f" "out/$f" || fail "the killed run left a partial or wrong out/$f"
done
# A temporary file like the ones an atomic write killed mid-way leaves.
cp in/img000.png out/.img000.png.tmp-AbC123
echo "check-batch: killed after $finished of 47 images"

# 2. Rerun: finishes the rest, redoes nothing, fails on the three corrupt files.
if "$cli" batch in out "${opts[@]}" --jobs 2 2>batch2.err; then fail "a batch with corrupt files exited 0"; fi
grep -q "3 failed" batch2.err || fail "summary lacks the failures: $(cat batch2.err)"
grep -q "b/truncated.png: FAILED" batch2.err || fail "truncated.png not reported: $(cat batch2.err)"
same_as_ref out
only_outputs out
[ ! -e out/.img000.png.tmp-AbC123 ] || fail "the rerun left the killed run's temporary file"
for rel in $good; do
  [ "$(count "$record" done "$rel")" -eq 1 ] || fail "$rel was restored $(count "$record" done "$rel") times"
done
[ "$(count "$log" skipped)" -eq "$finished" ] || fail "the rerun skipped $(count "$log" skipped), not $finished"
[ "$(count "$log" failed)" -eq 3 ] || fail "log: $(count "$log" failed) failed, not 3"
python3 - "$log" <<'PY' || fail "log records lack fields"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert {"output", "input", "status", "seconds", "prompt", "restorers", "request"} <= r.keys(), r
    if r["status"] == "failed": assert r["error"], r
    else: assert r["prompt"].startswith("Deblur with sigma 1.2") and len(r["restorers"]) >= 2, r
PY

# 3. Still failing: non-zero again; nothing restored twice.
if "$cli" batch in out "${opts[@]}" --quiet 2>batch3.err; then fail "a rerun with failures still there exited 0"; fi
[ "$(count "$log" skipped)" -eq 44 ] || fail "third run skipped $(count "$log" skipped), not 44"

# 4. A changed input and a deleted output are redone; nothing else.
python3 "$here/make-images.py" new 1 48 40 99
cp new/img000.png in/b/img003.png
rm out/a/img005.jpg
"$cli" batch in out "${opts[@]}" --quiet 2>batch4.err || true
[ "$(count "$log" done)" -eq 2 ] || fail "after a change: $(count "$log" done) redone, not 2"
[ "$(count "$log" done b/img003.png)" -eq 1 ] && [ "$(count "$log" done a/img005.jpg)" -eq 1 ] || fail "wrong images redone"
"$cli" restore in/b/img003.png ref/b/img003.png "${opts[@]}" --quiet
same_as_ref out
# Other settings are another request: everything is redone.
"$cli" batch in out --restoration "Denoise with sigma 0.04" --model classic --quiet 2>/dev/null || true
[ "$(count "$log" done)" -eq 44 ] || fail "a new prompt redid $(count "$log" done), not 44"
t_batch=$(date +%s.%N)

# 5. Three shards, run at once: together the whole batch, each image once.
rm -f in/b/truncated.png in/a/deep/text.png in/empty.jpg
for i in 0 1 2; do "$cli" batch in sharded "${opts[@]}" --shard "$i/3" --quiet & done
wait
same_as_ref sharded
only_outputs sharded
python3 - sharded 44 <<'PY' || fail "shards overlap or miss images"
import glob, json, sys
seen = {}
for path in glob.glob(sys.argv[1] + "/.restorekit-batch-*-of-3.jsonl"):
    for line in open(path):
        r = json.loads(line)
        assert r["output"] not in seen, (r["output"], path, seen.get(r["output"]))
        seen[r["output"]] = path
assert len(seen) == int(sys.argv[2]), len(seen)
PY

# GNU parallel as the shards' launcher (README, "Without a cluster").
if command -v parallel >/dev/null; then
  parallel --will-cite -q "$cli" batch in par "${opts[@]}" --quiet --shard {}/3 ::: 0 1 2
  same_as_ref par
fi

# 6. Manifests: per-image settings, outputs elsewhere; CSV quoting; JSON Lines.
cat > list.csv <<'CSV'
input,output,restoration,strength
in/img000.png,x/first.png,,
"in/a/img001.jpg","x/second, quoted.png","Denoise with sigma 0.02",0.5
# a comment
in/b/img003.png,,,
CSV
"$cli" batch list.csv man "${opts[@]}" --quiet
cmp -s ref/img000.png man/x/first.png || fail "manifest: first output"
"$cli" restore in/a/img001.jpg second.png --restoration "Denoise with sigma 0.02" --strength 0.5 --model classic --quiet
cmp -s second.png "man/x/second, quoted.png" || fail "manifest: per-image settings not those of restore"
cmp -s ref/b/img003.png man/in/b/img003.png || fail "manifest: default output path"
printf '%s\n' '{"input": "in/img000.png", "output": "j.png", "restoration": "Denoise with sigma 0.02", "strength": 0.5}' > list.jsonl
"$cli" batch list.jsonl manj --model classic --quiet
"$cli" restore in/img000.png j.png --restoration "Denoise with sigma 0.02" --strength 0.5 --model classic --quiet
cmp -s j.png manj/j.png || fail "JSON Lines manifest"

# 7. Mistakes, each with a clear message and no work done.
expect_failure() {
  local pattern=$1; shift
  if "$@" >o 2>e; then fail "succeeded: $*"; fi
  grep -q -- "$pattern" e || fail "stderr of '$*' lacks '$pattern': $(cat e)"
}
expect_failure "cannot open 'missing'" "$cli" batch missing out9
expect_failure "I must be 0–3" "$cli" batch in out9 --shard 4/4
expect_failure "--shard takes I/N" "$cli" batch in out9 --shard x/2
expect_failure "--shard takes I/N" "$cli" batch in out9 --shard 1/-2
printf 'input,strength\nin/img000.png,0.5\nin/img004.png,3\n' > bad.csv
expect_failure "bad.csv:3: strength must be 0–1" "$cli" batch bad.csv out9
printf '{"input": "in/img000.png"}\n{"input": "in/img004.png",\n' > bad.jsonl
expect_failure "bad.jsonl:2: not JSON" "$cli" batch bad.jsonl out9
printf 'input,output\nin/img000.png,../escape.png\n' > esc.csv
expect_failure "esc.csv:2: output '../escape.png' must be a relative path" "$cli" batch esc.csv out9
printf 'input,output\nin/img000.png,a.png\nin/img004.png,a.png\n' > dup.csv
expect_failure "dup.csv:3: output 'a.png' is already written by line 2" "$cli" batch dup.csv out9
expect_failure "neither a folder nor a manifest" "$cli" batch in/img000.png out9
[ "$("$cli" batch in out9 "${opts[@]}" --shard 1/3 --dry-run | wc -l)" -eq 15 ] || fail "--dry-run: not 15 of 44 images"
[ ! -e out9 ] || fail "a refused batch or a dry run created its output folder"

end=$(date +%s.%N)
python3 -c "import sys; a,b,c,d=map(float,sys.argv[1:]); print('check-batch: passed (44 single restores %.1f s; batch runs %.1f s; all %.1f s)' % (b-a, c-b, d-a))" "$start" "$t_ref" "$t_batch" "$end"
