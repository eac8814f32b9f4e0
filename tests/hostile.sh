#!/bin/sh
# hostile.sh BUILD — pathological inputs for `humeur score`, each under a time
# limit (timeout 20): huge lines, floods of emoji, "!", negations and contrast
# words, deeply nested JSON, invalid UTF-8 of every class, NUL bytes, RTL and
# zero-width characters, no final newline, CRLF, SIGINT in the middle of a run,
# a closed pipe and a full disk.
# For each case: no crash (exit status < 128, except SIGINT: 130), finished in
# time, exactly one output line per input line, every output line one JSON
# object (checked with python3).  Prints "ok ..." or "FAIL: ..." per check and
# last "RESULT <pass> <fail> 0 hostile".  About 30 s (55 s while the two
# quadratic cases still time out).  HOSTILE_LIMIT=N: another limit (sanitizer builds).
BUILD=${1:-build}
H=$BUILD/humeur
LIMIT=${HOSTILE_LIMIT:-20}   # seconds allowed per case
PASS=0 FAIL=0
T=$(mktemp -d /tmp/humeur-hostile.XXXXXX)
trap 'rm -rf "$T"' EXIT
# sanitizer builds (make asan): a finding must look like a crash, not exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

ok()  { PASS=$((PASS + 1)); echo "ok $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

if [ ! -x "$H" ]; then
    bad "no executable $H"
    echo "RESULT $PASS $FAIL 0 hostile"
    exit 1
fi
if ! command -v python3 > /dev/null 2>&1; then
    echo "SKIP: python3 is needed"
    echo "RESULT 0 0 1 hostile"
    exit 0
fi

# ---- helpers ----
cat > "$T/check.py" << 'EOF'
# check.py OUT EXPECTED_LINES: every line of OUT is one JSON object (strict:
# valid UTF-8, no raw control character, no NaN), terminated by "\n", and
# there are EXPECTED_LINES of them (-1: any number).  Prints the problem.
import json, sys
data = open(sys.argv[1], "rb").read()
want = int(sys.argv[2])
if data and not data.endswith(b"\n"):
    sys.exit("the output ends with an incomplete line")
lines = data.split(b"\n")[:-1] if data else []
if want >= 0 and len(lines) != want:
    sys.exit("%d output lines for %d input lines" % (len(lines), want))
def bad_constant(c):
    raise ValueError("non-standard constant " + c)
for i, l in enumerate(lines, 1):
    try:
        o = json.loads(l.decode("utf-8"), parse_constant=bad_constant)
    except Exception as e:
        sys.exit("line %d is not valid JSON (%s): %.120r" % (i, e, l))
    if not isinstance(o, dict) or ("lang" not in o and "error" not in o):
        sys.exit("line %d is not a result or error object: %.120r" % (i, l))
print(len(lines))
EOF
cat > "$T/gen.py" << 'EOF'
# gen.py NAME OUT: write one hostile input file.
import sys
name, out = sys.argv[1], sys.argv[2]
MB = 1 << 20
def w(b):
    open(out, "wb").write(b)
def text(n):  # n bytes of ordinary French/English post text
    s = "Ça fait 2h qu'on attend, très déçu mais the staff was nice 😡 ! ".encode()
    return (s * (n // len(s) + 1))[:n].decode("utf-8", "ignore").encode()
INVALID = [  # one line per class of invalid UTF-8
    b"overlong 2: \xc0\xaf \xc1\xbf caf\xc0\xa9",
    b"overlong 3: \xe0\x80\xaf \xe0\x9f\xbf",
    b"overlong 4: \xf0\x80\x80\xaf \xf0\x8f\xbf\xbf",
    b"surrogates: \xed\xa0\x80 \xed\xbf\xbf \xed\xa0\xbd\xed\xb8\xa1",
    b"above U+10FFFF: \xf4\x90\x80\x80 \xf5\x80\x80\x80 \xf7\xbf\xbf\xbf",
    b"5 and 6 bytes: \xf8\x88\x80\x80\x80 \xfc\x84\x80\x80\x80\x80",
    b"never valid: \xfe \xff \xc0 \xc1 \xf5 \xff\xfe",
    b"truncated: d\xc3 \xe2\x82 \xf0\x9f\x98 caf\xc3",
    b"lone continuation: \x80 \xbf \x80\x80\x80 tr\xa9s",
    b"truncated at the end \xf0\x9f\x98",
    b"\xe2\x82",
    b"latin-1: tr\xe8s d\xe9\xe7u",
]
if name == "bigline":      # a 10 MB line of text
    w(text(10 * MB) + b"\n")
elif name == "bigjson":    # the same as a JSON string
    w(b'{"id":1,"text":"' + text(10 * MB) + b'"}\n')
elif name == "emoji":      # a million emoji on one line
    w("😡".encode() * 1000000 + b"\n")
elif name == "emoji-json": # a million emoji as JSON escapes
    w(b'{"id":1,"text":"' + b"\\ud83d\\ude21" * 1000000 + b'"}\n')
elif name == "excl":       # 100k "!"
    w(b"nul" + b"!" * 100000 + b"\n")
elif name == "nepas":      # 100k "ne pas"
    w(b"ne pas " * 100000 + b"\n")
elif name == "contrast":   # 1 MiB of contrast words: "mais mais mais ..."
    w(b"mais " * (MB // 5) + b"\n")
elif name == "cues":       # 1 MiB of one category cue
    w(b"attente " * (MB // 8) + b"\n")
elif name == "nested":     # 100k '[' then a valid line
    w(b"[" * 100000 + b'\n{"id":"deep","text":' + b"[" * 100000 + b"]" * 100000 +
      b'}\n{"id":2,"text":"ok"}\n')
elif name == "invalid-lines":
    w(b"\n".join(INVALID) + b"\n")
elif name == "invalid-json":  # raw invalid bytes inside JSON strings (and ids)
    w(b"".join(b'{"id":%d,"text":"%s"}\n' % (i, l) for i, l in enumerate(INVALID)) +
      b'{"id":"\xc0\xaf","text":"ok"}\n{"id":"x","text":"\\ud800 \\udfff lone surrogate escapes"}\n')
elif name == "invalid-tsv":
    w(b"id\ttext\n" + b"".join(b"%d\xff\t%s\n" % (i, l) for i, l in enumerate(INVALID)))
elif name == "nul-json":   # NUL as \u0000 escapes, and raw NUL bytes inside strings
    w(b'{"id":1,"text":"super\\u0000nul\\u0000"}\n'
      b'{"id":"\\u0000","text":"\\u0000\\u0000\\u0000"}\n'
      b'{"id":3,"text":"raw\x00nul"}\n'
      b'{"id":4,"text":"ok"}\x00\n'
      b'\x00\n')
elif name == "nul-lines":
    w(b"super\x00nul\n\x00\x00\x00\n\x00\ntr\xc3\xa8s\x00bien\x00\n")
elif name == "rtl":        # bidi controls, RTL scripts, zero-width characters
    s = ["\u202eالخدمة سيئة جدا\u202c", "שירות גרוע \u200f\u200e\u061c ok",
         "nu\u200bl s\u200cu\u2060p\ufeffer d\u00adéçu", "\u200b" * 1000,
         "\u2066\u2067\u2068\u2069\u202a\u202b\u202d", "\ufeff\ufeffBOMs \u200d\u200d"]
    w("".join('{"id":%d,"text":"%s"}\n' % (i, x) for i, x in enumerate(s)).encode())
elif name == "rtl-lines":
    w("\u202eالخدمة سيئة\u202c\n\u200b\u200b\n\u200f\n\ufeffbon\n".encode())
elif name == "nofinalnl":
    w(b'{"id":1,"text":"bien"}\n{"id":2,"text":"mal"}')
elif name == "nofinalnl-lines":
    w(b"bien\nmal")
elif name == "crlf":
    w(b'{"id":1,"text":"bien"}\r\n{"id":2,"text":"mal"}\r\n\r\n{"id":4,"text":"x\\r\\n"}\r\n')
elif name == "crlf-tsv":
    w(b"id\ttext\r\nA\ttr\xc3\xa8s bon\r\nB\tnul\r\n")
elif name == "big":        # 200k ordinary lines (SIGINT, closed pipe, full disk)
    line = '{"id":%d,"text":"commande %d jamais reçue, service nul, on a attendu 2h 😡"}\n'
    w("".join(line % (i, i) for i in range(200000)).encode())
else:
    sys.exit("unknown input " + name)
EOF

gen() { python3 "$T/gen.py" "$1" "$T/$1" || bad "cannot generate input $1"; }

# lines_of FILE [tsv]: input lines (a last line without "\n" counts; TSV: minus the header)
lines_of() {
    python3 - "$1" "${2:-}" << 'EOF'
import sys
d = open(sys.argv[1], "rb").read()
n = d.count(b"\n") + (1 if d and not d.endswith(b"\n") else 0)
print(max(0, n - 1) if sys.argv[2] == "tsv" and n else n)
EOF
}

sanitizer_said() { grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$1"; }

# case NAME INPUT WANT_STATUS [score options...]: run `humeur score` on INPUT
# WANT_STATUS: "0", "1", or "01" (either)
case_() {
    name=$1 inp=$2 want=$3
    shift 3
    fmt=
    case " $* " in *" tsv "*) fmt=tsv ;; esac
    n=$(lines_of "$T/$inp" $fmt)
    timeout -k 2 $LIMIT "$H" score --no-progress "$@" "$T/$inp" > "$T/out" 2> "$T/err"
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        bad "$name: did not finish within $LIMIT s"
        return # (its output is cut short: no line check)
    elif [ $rc -ge 128 ] || sanitizer_said "$T/err"; then
        bad "$name: crashed (status $rc): $(grep -m1 -E 'ERROR|runtime error|Sanitizer' "$T/err")"
    else
        case $want in
        *$rc*) ok "$name: no crash, in time, exit status $rc" ;;
        *) bad "$name: exit status $rc, expected $want: $(head -c 200 "$T/err")" ;;
        esac
    fi
    if msg=$(python3 "$T/check.py" "$T/out" "$n" 2>&1); then
        ok "$name: $n input lines -> $n JSON lines"
    else
        bad "$name: $msg"
    fi
}

# ---- 1. big and repetitive inputs ----
gen bigline;  case_ "10 MB line (lines)" bigline 0 --format lines
grep -q '"truncated":true' "$T/out" && ok "10 MB line flagged truncated" || bad "10 MB line not flagged truncated"
rm -f "$T/bigline"
gen bigjson;  case_ "10 MB JSON string" bigjson 0
rm -f "$T/bigjson"
gen emoji;    case_ "a million emoji (lines)" emoji 0 --format lines
gen emoji-json; case_ "a million emoji (JSON escapes)" emoji-json 0
rm -f "$T/emoji" "$T/emoji-json"
gen excl;     case_ "100k '!' in a row" excl 0 --format lines
gen nepas;    case_ "100k 'ne pas'" nepas 0 --format lines
gen contrast; case_ "1 MiB of contrast words ('mais mais ...')" contrast 0 --format lines --max-text 1048576
gen cues;     case_ "1 MiB of one category cue ('attente attente ...')" cues 0 --format lines --max-text 1048576
gen nested;   case_ "100k '[' nested JSON" nested 1

# ---- 2. bytes ----
gen invalid-lines; case_ "invalid UTF-8, every class (lines)" invalid-lines 0 --format lines
gen invalid-json;  case_ "invalid UTF-8 inside JSON strings" invalid-json 01
gen invalid-tsv;   case_ "invalid UTF-8 in TSV id and text" invalid-tsv 0 --format tsv
gen nul-json;      case_ "NUL bytes inside JSON strings" nul-json 01
gen nul-lines;     case_ "NUL bytes inside raw lines" nul-lines 0 --format lines
gen rtl;           case_ "RTL, bidi and zero-width characters (JSON)" rtl 0
gen rtl-lines;     case_ "RTL and zero-width characters (lines)" rtl-lines 0 --format lines
gen nofinalnl;     case_ "no final newline (JSON)" nofinalnl 0
gen nofinalnl-lines; case_ "no final newline (lines)" nofinalnl-lines 0 --format lines
gen crlf;          case_ "CRLF line endings (JSON)" crlf 01
grep -q '^{"id":2,' "$T/out" && ok "CRLF: ids read through the CR" || bad "CRLF: id 2 lost"
gen crlf-tsv;      case_ "CRLF line endings (TSV)" crlf-tsv 0 --format tsv
grep -q '^{"id":"B",' "$T/out" && ok "CRLF TSV: ids read through the CR" || bad "CRLF TSV: ids wrong"

# ---- 3. signals, pipes, full disk ----
gen big
total=$(lines_of "$T/big")

# wait_gone PID SECONDS: wait for PID to end (it is our child); 1 when it is still running
wait_gone() {
    _i=0
    while kill -0 "$1" 2> /dev/null; do
        _i=$((_i + 1))
        [ $_i -gt $(($2 * 10)) ] && return 1
        sleep 0.1
    done
    return 0
}

# SIGINT in the middle of a large file: exit 130 with the "interrupted" message,
# only complete lines.  The signal is sent once the first block of output is out.
rm -f "$T/out"
"$H" score --no-progress "$T/big" > "$T/out" 2> "$T/err" &
pid=$!
i=0
while ! grep -q . "$T/out" 2> /dev/null && [ $i -lt $((LIMIT * 20)) ] && kill -0 $pid 2> /dev/null; do
    sleep 0.05
    i=$((i + 1))
done
kill -INT $pid 2> /dev/null
if wait_gone $pid $LIMIT; then
    wait $pid
    rc=$?
    if [ $rc -eq 130 ] && grep -q interrupted "$T/err"; then ok "SIGINT: exit status 130, 'interrupted' message"
    else bad "SIGINT: exit status $rc, expected 130 and a message: $(head -c 200 "$T/err")"; fi
    if msg=$(python3 "$T/check.py" "$T/out" -1 2>&1); then
        if [ "$msg" -gt 0 ] && [ "$msg" -lt "$total" ]; then
            ok "SIGINT: stopped after $msg of $total lines, every output line complete JSON"
        else
            bad "SIGINT: not interrupted in the middle ($msg of $total lines)"
        fi
    else
        bad "SIGINT: $msg"
    fi
else
    kill -KILL $pid 2> /dev/null
    wait $pid 2> /dev/null
    bad "SIGINT: still running $LIMIT s after SIGINT"
fi

# SIGINT while waiting for input on a pipe (a slow producer): exit 130 promptly
mkfifo "$T/fifo"
rm -f "$T/out"
(printf '{"id":1,"text":"bien"}\n'; sleep 5) > "$T/fifo" &
wpid=$!
"$H" score --no-progress < "$T/fifo" > "$T/out" 2> "$T/err" &
pid=$!
sleep 1
kill -INT $pid 2> /dev/null
if wait_gone $pid 3; then
    wait $pid
    rc=$?
    if [ $rc -eq 130 ] && grep -q interrupted "$T/err"; then ok "SIGINT on a waiting pipe: exit status 130"
    else bad "SIGINT on a waiting pipe: exit status $rc, expected 130: $(head -c 200 "$T/err")"; fi
    if msg=$(python3 "$T/check.py" "$T/out" -1 2>&1); then ok "SIGINT on a waiting pipe: complete JSON lines only ($msg)"
    else bad "SIGINT on a waiting pipe: $msg"; fi
else
    bad "SIGINT on a waiting pipe: still running 3 s after SIGINT"
    kill -KILL $pid 2> /dev/null
    wait $pid 2> /dev/null
fi
kill $wpid 2> /dev/null
wait $wpid 2> /dev/null

# closed pipe: `humeur score big | head -1` ends promptly (SIGPIPE, or EPIPE -> status 3)
t0=$(date +%s%N)
timeout -k 2 $LIMIT sh -c "{ '$H' score --no-progress '$T/big' 2> '$T/err'; echo \$? > '$T/rc'; } | head -1 > '$T/out'"
rc=$?
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
hrc=$(cat "$T/rc" 2> /dev/null)
if [ $rc -eq 124 ]; then
    bad "closed pipe: still running after $LIMIT s"
elif [ $ms -gt 5000 ]; then
    bad "closed pipe: took $ms ms to notice"
else
    case $hrc in
    141 | 3) ok "closed pipe: ended after $ms ms (status $hrc)" ;;
    *) bad "closed pipe: humeur exit status $hrc, expected SIGPIPE (141) or 3" ;;
    esac
fi
if msg=$(python3 "$T/check.py" "$T/out" 1 2>&1); then ok "closed pipe: the one line read is complete JSON"
else bad "closed pipe: $msg"; fi

# full disk
if [ -w /dev/full ]; then
    head -n 20000 "$T/big" > "$T/mid"
    timeout -k 2 $LIMIT "$H" score --no-progress "$T/mid" > /dev/full 2> "$T/err"
    rc=$?
    if [ $rc -eq 3 ] && grep -q 'write error' "$T/err"; then
        ok "/dev/full: exit status 3 with a write error message"
    else
        bad "/dev/full: exit status $rc, message: $(head -c 200 "$T/err")"
    fi
    timeout -k 2 $LIMIT "$H" score --no-progress --format lines "$T/nofinalnl-lines" > /dev/full 2> "$T/err"
    rc=$?
    if [ $rc -eq 3 ] && grep -q 'write error' "$T/err"; then
        ok "/dev/full, two short lines: exit status 3 with a write error message"
    else
        bad "/dev/full, two short lines: exit status $rc, message: $(head -c 200 "$T/err")"
    fi
else
    echo "SKIP: no writable /dev/full"
fi

echo "RESULT $PASS $FAIL 0 hostile"
[ $FAIL -eq 0 ]
