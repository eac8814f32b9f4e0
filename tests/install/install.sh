#!/bin/sh
# install.sh BUILD — `make install` into a temporary prefix, then build
# tests/install/example.c outside the tree with pkg-config, against the shared
# and the static library, and run it (two threads must agree with one).
BUILD=${1:-build}
T=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$T/../.." && pwd)
P=$(mktemp -d /tmp/humeur-install.XXXXXX)
trap 'rm -rf "$P"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
if make -s -C "$ROOT" BUILD="$BUILD" install PREFIX="$P/usr" > "$P/log" 2>&1; then ok; else bad "make install"; cat "$P/log" >&2; fi
for f in lib/libhumeur.a lib/libhumeur.so lib/libhumeur.so.0 include/humeur.h lib/pkgconfig/humeur.pc bin/humeur; do
    if [ -e "$P/usr/$f" ]; then ok; else bad "installed $f"; fi
done
export PKG_CONFIG_PATH="$P/usr/lib/pkgconfig"
cflags=$(pkg-config --cflags humeur) && libs=$(pkg-config --libs humeur) && ok || bad "pkg-config humeur"
# shared
if cc $cflags -o "$P/ex_shared" "$T/example.c" $libs -lpthread 2> "$P/err"; then ok; else bad "build against the shared library"; cat "$P/err" >&2; fi
if LD_LIBRARY_PATH="$P/usr/lib" "$P/ex_shared" > "$P/out" 2>&1; then ok; else bad "example (shared)"; cat "$P/out" >&2; fi
# static
slibs=$(pkg-config --libs --static humeur)
if cc $cflags -o "$P/ex_static" "$T/example.c" "$P/usr/lib/libhumeur.a" $(echo "$slibs" | sed 's/-lhumeur//') -lpthread 2> "$P/err"; then ok; else bad "build against the static library"; cat "$P/err" >&2; fi
if "$P/ex_static" > "$P/out" 2>&1; then ok; else bad "example (static)"; cat "$P/out" >&2; fi
# only hm_* symbols exported, SONAME
if nm -D --defined-only "$P/usr/lib/libhumeur.so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^hm_' | grep -q .; then
    bad "the shared library exports symbols outside hm_*"; else ok; fi
if readelf -d "$P/usr/lib/libhumeur.so" | grep -q 'SONAME.*libhumeur.so.0'; then ok; else bad "SONAME libhumeur.so.0"; fi
if make -s -C "$ROOT" BUILD="$BUILD" uninstall PREFIX="$P/usr" > /dev/null 2>&1 && [ ! -e "$P/usr/lib/libhumeur.a" ] && [ ! -e "$P/usr/bin/humeur" ]; then ok; else bad "make uninstall"; fi
echo "RESULT $pass $fail 0 install"
