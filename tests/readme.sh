#!/bin/sh
# readme.sh HUMEUR — the README's examples are tests: every "$ build/humeur ..."
# line in a code block is run, and each line shown after it must match the
# output (a shown line ending in "..." matches any line starting with the rest).
HUMEUR=${1:-build/humeur}
README=$(dirname "$0")/../README.md
TMP=$(mktemp -d /tmp/humeur-readme.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
awk '
    /^```/ { inblock = !inblock; if (!inblock && cmd != "") { print "END"; cmd = "" } next }
    inblock && /^\$ build\/humeur / { if (cmd != "") print "END"; cmd = $0; print "CMD " substr($0, 3); next }
    inblock && cmd != "" { print "EXP " $0 }
' "$README" > "$TMP/cases"
n=0
while IFS= read -r line; do
    case "$line" in
    CMD\ *)
        n=$((n + 1)); : > "$TMP/exp.$n"
        printf '%s\n' "${line#CMD }" > "$TMP/cmd.$n" ;;
    EXP\ *) printf '%s\n' "${line#EXP }" >> "$TMP/exp.$n" ;;
    esac
done < "$TMP/cases"
i=1
while [ $i -le $n ]; do
    cmd=$(cat "$TMP/cmd.$i")
    # run the shown command with this build's binary
    eval "\"$HUMEUR\" ${cmd#build/humeur }" > "$TMP/got" 2>&1
    k=1 ok=1 skip=0
    total=$(wc -l < "$TMP/got")
    while IFS= read -r want; do
        # a line "..." alone skips output lines until the next shown line matches
        if [ "$want" = "..." ]; then skip=1; continue; fi
        while :; do
            got=$(sed -n "${k}p" "$TMP/got")
            m=1
            case "$want" in
            *...) prefix=${want%...}; case "$got" in "$prefix"*) ;; *) m=0 ;; esac ;;
            *) [ "$got" = "$want" ] || m=0 ;;
            esac
            if [ $m = 1 ] || [ $skip = 0 ] || [ $k -gt "$total" ]; then break; fi
            k=$((k + 1))
        done
        skip=0
        [ $m = 1 ] || { ok=0; echo "FAIL: README example '$cmd' line $k: want '$want', got '$got'" >&2; break; }
        k=$((k + 1))
    done < "$TMP/exp.$i"
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    i=$((i + 1))
done
[ $n -gt 0 ] || { echo "FAIL: no example found in README" >&2; fail=$((fail + 1)); }
echo "RESULT $pass $fail 0 readme"
