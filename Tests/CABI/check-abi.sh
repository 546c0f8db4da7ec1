#!/usr/bin/env bash
# Builds the C ABI test against the *installed* header and library (via
# pkg-config), runs it, then runs it again under valgrind (no errors, no leaks);
# the header must also compile as C++.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make --no-print-directory install PREFIX="$tmp/prefix" GIMP_PLUGINS="$tmp/gimp" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs restore)
# shellcheck disable=SC2086
cc -std=c99 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L Tests/CABI/abi_test.c -o "$tmp/abi_test" $flags -lm -lpthread
# shellcheck disable=SC2086
c++ -std=c++11 -Wall -Wextra -Werror Tests/CABI/header_test.cpp -o "$tmp/header_test" $flags
export LD_LIBRARY_PATH="$tmp/prefix/lib"
"$tmp/header_test"
"$tmp/abi_test"
echo "check-abi: again under valgrind"
valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$tmp/abi_test" > "$tmp/valgrind.out"
echo "check-abi: valgrind found no errors and no leaks"
