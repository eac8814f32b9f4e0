#!/bin/sh
# replay.sh BUILD — replay the committed fuzz corpora under ASan+UBSan without
# libFuzzer (the binaries $BUILD/fuzz/replay_<harness> of `make fuzz-replay`).
# Every file of tests/fuzz/corpus/<harness>/ is replayed; the crash-* files (the
# reproducers of the bugs found, README.md "Findings") are counted apart.
# Prints the failures (and to stderr the first lines of their reports), per
# harness "<harness>: N passed, N failed", and last
# "RESULT <pass> <fail> <skip> fuzz-replay" (skip: harnesses not built).
# Exit status 1 when something failed.
BUILD=${1:-build}
D=$(dirname "$0")
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS
PASS=0 FAIL=0 SKIP=0
OUT=$(mktemp /tmp/humeur-replay.XXXXXX)
trap 'rm -f "$OUT" "$OUT.err"' EXIT

for c in "$D"/corpus/*/; do
    h=$(basename "$c")
    bin=$BUILD/fuzz/replay_$h
    if [ ! -x "$bin" ]; then
        echo "SKIP: $bin not built (make fuzz-replay)"
        SKIP=$((SKIP + 1))
        continue
    fi
    "$bin" -q -n "$h" -x crash- "$c" > "$OUT" 2> "$OUT.err"
    if ls "$c"crash-* > /dev/null 2>&1; then
        "$bin" -q -n "$h-reproducers" -p crash- "$c" >> "$OUT" 2>> "$OUT.err"
    fi
    grep '^FAIL' "$OUT"
    # the first sanitizer or invariant report of each failure, for the log
    grep -E '^(INVARIANT|  |.*runtime error|==[0-9]+==ERROR|SUMMARY)' "$OUT.err" | head -20 >&2
    rm -f "$OUT.err"
    while read -r tag p f s name; do
        [ "$tag" = RESULT ] || continue
        echo "  $name: $p passed, $f failed"
        PASS=$((PASS + p))
        FAIL=$((FAIL + f))
    done < "$OUT"
done
echo "RESULT $PASS $FAIL $SKIP fuzz-replay"
[ "$FAIL" -eq 0 ]
