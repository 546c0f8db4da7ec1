#!/usr/bin/env bash
# Checks the shipped librestore.so: self-contained (no Swift toolchain at run
# time), only restore_* exported, loadable by dlopen from C and by Python ctypes,
# and installable with a working pkg-config file.
set -euo pipefail
build=$1
version=$2
lib=$build/lib/librestore.so.0
fail() { echo "check-library: FAIL: $*" >&2; exit 1; }

# Run everything with no Swift toolchain folder on any library path.
unset LD_LIBRARY_PATH
toolchain=$(dirname "$(dirname "$(command -v swift)")")

deps=$(ldd "$lib")
if grep -q 'libswift' <<<"$deps"; then fail "links a Swift runtime library:\n$deps"; fi
if grep -q "$toolchain" <<<"$deps"; then fail "depends on the toolchain ($toolchain):\n$deps"; fi
if grep -q 'not found' <<<"$deps"; then fail "unresolved dependencies:\n$deps"; fi
echo "check-library: ldd lists only system libraries"

exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
others=$(grep -v '^restore_' <<<"$exported" || true)
[ -z "$others" ] || fail "exports non-restore_ symbols: $(head -5 <<<"$others")"
echo "check-library: exports $(wc -l <<<"$exported") symbols, all restore_*"

# AVX2Kernels is the only code built for AVX2 + FMA, called after a CPU check. A weak
# definition there (a standard-library specialisation) could be the copy the linker
# keeps for baseline callers too, and stop the library on CPUs without AVX2.
weak=$(nm --defined-only .build-so/release/AVX2Kernels.build/*.o | awk '$2 ~ /^[Ww]$/ && $3 !~ /^\$s11AVX2Kernels/ { print $3 }')
[ -z "$weak" ] || fail "AVX2Kernels defines weak symbols outside its module: $(head -5 <<<"$weak")"
echo "check-library: AVX2Kernels defines no shared weak code"

[ "$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = librestore.so.0 ] || fail "SONAME is not librestore.so.0"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c99 -Wall -Wextra -Werror -Iinclude Tests/Library/dlopen.c -o "$tmp/dlopen" -ldl
"$tmp/dlopen" "$(realpath "$lib")"

python3 - "$(realpath "$lib")" "$version" <<'PY'
import ctypes, sys
library = ctypes.CDLL(sys.argv[1])
library.restore_version.restype = ctypes.c_char_p
got = library.restore_version().decode()
assert got == sys.argv[2], f"ctypes: version {got}, expected {sys.argv[2]}"
print(f"ctypes: librestore {got} loaded")
PY

make --no-print-directory install PREFIX="$tmp/prefix" GIMP_PLUGINS="$tmp/gimp" >/dev/null
flags=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs restore)
cat > "$tmp/use.c" <<'C'
#include <restore.h>
#include <stdio.h>
int main(void) { printf("pkg-config: librestore %s\n", restore_version()); return 0; }
C
# shellcheck disable=SC2086
cc -std=c99 -Wall -Werror "$tmp/use.c" -o "$tmp/use" $flags
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/use"
echo "check-library: passed"
