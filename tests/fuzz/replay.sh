#!/bin/sh
# replay.sh BUILD — replay the committed fuzz corpora under ASan+UBSan without
# libFuzzer (the binaries $BUILD/fuzz/replay_<harness> of `make fuzz-replay`).
#   tests/fuzz/corpus/<harness>/crash-*  reproducers of reported bugs: replayed as
#                                        they are (each fails until its bug is fixed)
#   every other corpus file              replayed with HUMEUR_FUZZ_MASK_KNOWN=1, so
#                                        that a known bug shows once, in its reproducer
# Prints the failures, one "RESULT <pass> <fail> 0 <harness>" line per harness and
# part, and last "RESULT <pass> <fail> 0 fuzz-replay" (the sum).  Exit status 1
# when something failed.
BUILD=${1:-build}
D=$(dirname "$0")
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS
PASS=0 FAIL=0 SKIP=0
OUT=$(mktemp /tmp/humeur-replay.XXXXXX)
trap 'rm -f "$OUT"' EXIT

for c in "$D"/corpus/*/; do
    h=$(basename "$c")
    bin=$BUILD/fuzz/replay_$h
    if [ ! -x "$bin" ]; then
        echo "SKIP: $bin not built (make fuzz-replay)"
        SKIP=$((SKIP + 1))
        continue
    fi
    HUMEUR_FUZZ_MASK_KNOWN=1 "$bin" -q -n "$h" -x crash- "$c" > "$OUT" 2> "$OUT.err"
    HUMEUR_FUZZ_MASK_KNOWN=0 "$bin" -q -n "$h-reproducers" -p crash- "$c" >> "$OUT" 2>> "$OUT.err"
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
