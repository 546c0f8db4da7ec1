#!/usr/bin/env bash
# Several contexts on several threads (concurrency.c) against BUILD/lib; then,
# given the ThreadSanitizer build of the library (make test-concurrency makes
# .build-tsan/release/librestore.so), the same harness under ThreadSanitizer.
#
# Usage: check-concurrency.sh BUILD [TSAN_LIBRARY]
# Env: CC (default cc), TSAN_CC (default the Swift toolchain's clang, whose
# ThreadSanitizer runtime matches the one swiftc instrumented the library for),
# CONCURRENCY_ROUNDS (default 2; 1 under ThreadSanitizer).
set -euo pipefail
build=$(realpath "${1:-build}")
tsan_library=${2:-}
here=$(dirname "$0")
out=$build/reliability
mkdir -p "$out"
cc=${CC:-cc}
flags=(-std=c11 -g -Wall -Wextra -Werror -I"$here/../../include")

"$cc" "${flags[@]}" -O2 "$here/concurrency.c" -o "$out/concurrency" -L"$build/lib" -lrestore \
  -Wl,-rpath,"$build/lib" -lpthread -lm
start=$SECONDS
"$out/concurrency" "${CONCURRENCY_ROUNDS:-2}"
echo "check-concurrency: plain run $((SECONDS - start)) s"

[ -n "$tsan_library" ] || exit 0

# The TSan library is linked as librestore.so.0 (its soname) from a folder of its own.
tsan_library=$(realpath "$tsan_library")
nm -D "$tsan_library" | grep ' U __tsan_write' >/dev/null \
  || { echo "check-concurrency: $tsan_library is not built with ThreadSanitizer" >&2; exit 1; }
mkdir -p "$out/tsan-lib"
ln -sf "$tsan_library" "$out/tsan-lib/librestore.so.0"
ln -sf librestore.so.0 "$out/tsan-lib/librestore.so"
swift_bin=$(dirname "$(realpath "$(command -v "${SWIFT:-swift}")")")
tsan_cc=${TSAN_CC:-$swift_bin/clang}
# The toolchain's static ThreadSanitizer runtime carries libdispatch
# interceptors: they need the toolchain's libdispatch and BlocksRuntime.
swift_linux=$swift_bin/../lib/swift/linux
"$tsan_cc" "${flags[@]}" -O1 -fsanitize=thread "$here/concurrency.c" -o "$out/concurrency-tsan" \
  -L"$out/tsan-lib" -lrestore -Wl,-rpath,"$out/tsan-lib" \
  -L"$swift_linux" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swift_linux" -lpthread -lm

# Under ThreadSanitizer (about 50 times slower): one round, no serial-only
# checks, two small jobs per learned model; cancels may take longer to return.
# Any report fails the run (exit status 66). No suppressions: none were needed.
start=$SECONDS
TSAN_OPTIONS="exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
CONCURRENCY_SERIAL_CHECKS=0 CONCURRENCY_LEARNED=few CONCURRENCY_CANCEL_LIMIT=60 \
  "$out/concurrency-tsan" 1
echo "check-concurrency: ThreadSanitizer run $((SECONDS - start)) s, no reports"
