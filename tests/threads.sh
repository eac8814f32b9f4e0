#!/bin/sh
# threads.sh BUILD — the same corpus through `humeur score` with 1, 2 and 8 threads
# must give byte-identical output (run under ThreadSanitizer by `make tsan`).
BUILD=${1:-build}
H=$BUILD/humeur
T=$(dirname "$0")
TMP=$(mktemp -d /tmp/humeur-threads.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
# a corpus of the fixtures' posts, repeated so that blocks are split between threads
for i in 1 2 3 4 5 6 7 8 9 10; do
    cat "$T/data/categories_en.jsonl" "$T/data/categories_fr.jsonl" "$T/batch/basic.jsonl"
done > "$TMP/in"
"$H" score --no-progress --threads 1 "$TMP/in" > "$TMP/o1" 2> "$TMP/e1"
for n in 2 8; do
    if "$H" score --no-progress --threads $n "$TMP/in" > "$TMP/o$n" 2> "$TMP/e$n" || [ $? -eq 1 ]; then :; fi
    if cmp -s "$TMP/o1" "$TMP/o$n" && ! grep -q 'WARNING: ThreadSanitizer' "$TMP/e$n"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $n threads differ from 1 or ThreadSanitizer reported" >&2
        head -30 "$TMP/e$n" >&2
    fi
done
echo "RESULT $pass $fail 0 threads"
[ $fail -eq 0 ]
