#!/bin/sh
# run.sh BUILD — speed benchmark ("faster than fastText predict"): humeur
# against fastText predict-prob, VADER and AFINN on one mixed fr/en corpus.
# Prints a Markdown table and writes it into bench/RESULTS.md (speed section).
# Env: HUMEUR_DATA (labelled data, default ../shared/data beside the repo),
#      BENCH_RUNS (timed runs per tool, default 5).  See bench/README.md.
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib/common.sh"
bench_start "$BUILD"
mkdir -p "$OUT"
RUNS=${BENCH_RUNS:-5}
ROUNDS=${BENCH_ROUNDS:-7}
RES=$OUT/speed.jsonl            # one JSON line per measurement
: > "$RES"
fact() { python3 "$LIB/report.py" fact "$RES" "$1" "$2"; }
median() { python3 "$LIB/report.py" median "$RES" "$1"; }

# ---- tools (installed when missing) ----
ensure_apt /usr/bin/time time || die "need /usr/bin/time for peak RSS"
FT_OK=1;  ensure_apt fasttext fasttext || FT_OK=0
PAR_OK=1; ensure_apt parallel parallel || PAR_OK=0
ensure_npm

# ---- corpus (built once) and the fastText model (trained once) ----
python3 "$LIB/data.py" corpus "$DATA" "$OUT" || die "corpus preparation failed"
JSONL=$OUT/corpus.jsonl
TXT=$OUT/corpus.txt
EMPTY=$OUT/empty.txt; : > "$EMPTY"
POSTS=$(wc -l < "$TXT")
BYTES=$(wc -c < "$TXT")
if [ $FT_OK = 1 ]; then FTMODEL=$(ft_model pooled) || FT_OK=0; fi

# ---- output checks first (they also warm the page cache for the timed runs):
# --threads 2 and GNU parallel must give exactly the output of one process ----
STATUS=0
say "checking --threads 2 and GNU parallel outputs ..."
"$HUMEUR" score --no-progress --threads 1 "$JSONL" > "$OUT/score.t1.jsonl"
"$HUMEUR" score --no-progress --threads 2 "$JSONL" > "$OUT/score.t2.jsonl"
if cmp -s "$OUT/score.t1.jsonl" "$OUT/score.t2.jsonl"; then same=PASS; else same=FAIL; STATUS=1; fi
if [ $PAR_OK = 1 ]; then
    parallel --will-cite --pipe --keep-order -j 2 "$HUMEUR" score --no-progress \
        < "$JSONL" > "$OUT/score.parallel.jsonl" 2> "$OUT/parallel.log"
    if cmp -s "$OUT/score.t1.jsonl" "$OUT/score.parallel.jsonl"; then par=PASS; else par=FAIL; STATUS=1; fi
fi

T() { python3 "$LIB/timeit.py" --runs "$RUNS" --out "$RES" --posts "$POSTS" --bytes "$BYTES" "$@"; }
S() { python3 "$LIB/timeit.py" --runs 20 --kind startup --out "$RES" "$@"; }

say "timing ($RUNS runs each, $POSTS posts) ..."
[ $FT_OK = 1 ] &&     # one warm-up run: the 440 MB model into the page cache
    T --tool fastText --warmup 1 --name "fastText predict-prob (pooled fr+en model)" \
      -- fasttext predict-prob "$FTMODEL" "$TXT" 1
T --tool humeur --warmup 0 --name "humeur score, JSONL, --threads 1" -- "$HUMEUR" score --no-progress --threads 1 "$JSONL"
T --tool humeur --warmup 0 --name "humeur score, JSONL, --threads 2" -- "$HUMEUR" score --no-progress --threads 2 "$JSONL"
T --tool humeur --warmup 0 --name "humeur score, --format lines" -- "$HUMEUR" score --no-progress --format lines "$TXT"
if [ $NPM_OK = 1 ]; then
    T --tool VADER --warmup 0 --name "VADER (npm vader-sentiment, node)" -- node "$LIB/peers.js" vader "$TXT"
    T --tool AFINN --warmup 0 --name "AFINN (npm sentiment, node)" -- node "$LIB/peers.js" afinn "$TXT"
fi

say "start-up (median of 20 runs, empty input) ..."
S --tool humeur --name "humeur score < /dev/null" -- "$HUMEUR" score
[ $FT_OK = 1 ] && S --tool fastText --name "fasttext predict-prob on an empty file" -- fasttext predict-prob "$FTMODEL" "$EMPTY" 1
if [ $NPM_OK = 1 ]; then
    S --tool VADER --name "node peers.js vader (empty file)" -- node "$LIB/peers.js" vader "$EMPTY"
    S --tool AFINN --name "node peers.js afinn (empty file)" -- node "$LIB/peers.js" afinn "$EMPTY"
fi
S --tool baseline --name "/bin/true (process spawn baseline)" -- /bin/true

# ---- instructions per post: perf when the machine allows it, else callgrind ----
how=
if perf stat -e instructions -x, -o "$OUT/perf.txt" true 2>/dev/null && grep -q '^[0-9]' "$OUT/perf.txt"; then
    instr() { perf stat -e instructions -x, -o "$OUT/perf.txt" "$@" > /dev/null 2>&1
              cut -d, -f1 "$OUT/perf.txt" | grep '^[0-9]' | head -1; }
    n=$POSTS; sample=$JSONL; how="perf stat -e instructions on the whole corpus"
elif ensure_apt valgrind valgrind; then
    instr() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null |
              sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'; }
    n=2000; sample=$OUT/sample2000.jsonl; head -n $n "$JSONL" > "$sample"
    how="valgrind --tool=callgrind on the first 2,000 posts, as perf stat cannot count instructions on this machine"
fi
if [ -n "$how" ]; then
    say "instructions per post ($how) ..."
    full=$(instr "$HUMEUR" score --no-progress "$sample")
    none=$(instr "$HUMEUR" score --no-progress "$EMPTY")
    if [ -n "$full" ] && [ -n "$none" ]; then
        fact "humeur instructions per post" "$(commas $(( (full - none) / n ))) (start-up excluded; start-up itself: $(commas "$none") instructions); $how"
    else
        fact "humeur instructions per post" "not measured ($how failed)"
    fi
else
    fact "humeur instructions per post" "not measured (no perf counters and no valgrind)"
fi

# ---- peak RSS with long lines: the lines of more than 256 KiB are read in pieces,
# those just under it are held whole ----
say "peak RSS with long lines ..."
python3 "$LIB/data.py" longlines "$JSONL" "$OUT"
rss() { /usr/bin/time -f %M -o "$OUT/rss.txt" "$HUMEUR" score --no-progress "$@" > /dev/null 2>&1
        awk '{printf "%.0f", $1 / 1024}' "$OUT/rss.txt"; }
fact "humeur peak RSS with long lines (MB, --threads 1 / 2)" \
    "three JSON lines of 10 MB (bench/out/long.jsonl): $(rss --threads 1 "$OUT/long.jsonl") / $(rss --threads 2 "$OUT/long.jsonl"); 64 JSON lines of 0.26 MB with escapes, held whole (held.jsonl): $(rss --threads 1 "$OUT/held.jsonl") / $(rss --threads 2 "$OUT/held.jsonl"); three 10 MB lines, --format lines (long.txt): $(rss --threads 1 --format lines "$OUT/long.txt") / $(rss --threads 2 --format lines "$OUT/long.txt"); made by \`bench/lib/data.py longlines\` from the corpus's texts"

# ---- fastText and humeur in alternation: per-round ratios (the machine's speed
# drifts over minutes, and the medians above are taken minutes apart) ----
if [ $FT_OK = 1 ]; then
    say "alternating rounds: fastText, then humeur --threads 1 ($ROUNDS rounds) ..."
    r=$(python3 "$LIB/rounds.py" --rounds "$ROUNDS" -- fasttext predict-prob "$FTMODEL" "$TXT" 1 \
        ::: "$HUMEUR" score --no-progress --threads 1 "$JSONL") &&
        fact "fastText vs humeur --threads 1 in alternating rounds" \
            "$(echo "$r" | awk '{printf "median per-round ratio %.2f× (%.2f–%.2f over %d rounds; medians fastText %.3f s, humeur %.3f s): each round runs fastText predict-prob, then humeur score --threads 1 on the JSONL file, after one untimed round", $1, $2, $3, $6, $4, $5}')"
fi

# ---- threads: speed-up; outputs compared above ----
t1=$(median "humeur score, JSONL, --threads 1")
t2=$(median "humeur score, JSONL, --threads 2")
fact "humeur --threads 2 vs --threads 1" \
    "$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f× the speed (%.2f s -> %.2f s)", a / b, a, b}'); outputs byte-identical: $same"
if [ $PAR_OK = 1 ]; then
    fact "scale-out contract (\`parallel --pipe --keep-order -j 2 $BUILD/humeur score --no-progress < corpus.jsonl\` identical to one process)" "$par"
else
    fact "scale-out contract" "not checked (GNU parallel unavailable)"
fi

# ---- report ----
{
    echo "Corpus: $(commas "$POSTS") posts, $(awk -v b="$BYTES" 'BEGIN {printf "%.1f", b / 1e6}') MB of text (all rows of semeval17-4a-en, trustpilot-fr, insurance-reviews-fr and airline-tweets; fr + en), built by \`bench/lib/data.py corpus\` as bench/out/corpus.jsonl and, one post per line, bench/out/corpus.txt. Wall time is the median of $RUNS runs with output to /dev/null; MB/s and posts/s are on the text bytes (the JSONL file is $(awk -v b="$(wc -c < "$JSONL")" 'BEGIN {printf "%.1f", b / 1e6}') MB); \"speed vs fastText\" = fastText's time / the tool's time (above 1 = faster than fastText). Start-up: median of 20 runs on empty input."
    echo
    machine "$LOAD0"
    echo "Versions: $("$HUMEUR" --version 2>&1 | head -1); fastText $(dpkg-query -W -f '${Version}' fasttext 2>/dev/null || echo '?') (Debian package, $FT_ARGS, trained on the humeur training recipe, fr + en pooled); node $(node --version 2>/dev/null || echo '?'), vader-sentiment $(npm_version vader-sentiment), sentiment $(npm_version sentiment)."
    echo
    echo "Command: \`sh bench/run.sh $BUILD\` (\`make bench\` runs \`sh bench/run.sh build\`)."
} > "$OUT/speed.header.md"
[ $NPM_OK = 1 ] || echo "- VADER and AFINN: not measured (npm peers unavailable)" >> "$OUT/speed.header.md"
[ $FT_OK = 1 ] || echo "- fastText: not measured (fasttext unavailable)" >> "$OUT/speed.header.md"

# ---- the pipeline stage by stage, in process (bench/pipeline.c) ----
if [ -x "$BUILD/bench_pipeline" ]; then
    # the lexicons without the category files: what the categories cost
    rm -rf "$OUT/lex-nocat" && mkdir -p "$OUT/lex-nocat" &&
        cp -r lexicons/en lexicons/fr lexicons/*.tsv "$OUT/lex-nocat/"
    "$BUILD/bench_pipeline" "$JSONL" "$RUNS" "$OUT/lex-nocat" > "$OUT/pipeline.md" 2>&1 || STATUS=1
    {
        echo
        printf '%s\n' "Stage by stage, in process, one thread (bench/pipeline.c, run as: $BUILD/bench_pipeline bench/out/corpus.jsonl $RUNS bench/out/lex-nocat, the last a copy of lexicons/ without categories/):"
        echo
        cat "$OUT/pipeline.md"
    } >> "$OUT/speed.header.md"
fi

python3 "$LIB/report.py" speed "$RES" "$OUT/speed.header.md" |
    sed "s|$OUT/|bench/out/|g; s|$LIB/|bench/lib/|g; s|$HUMEUR|$BUILD/humeur|g" > "$OUT/speed.md"
cat "$OUT/speed.md"
python3 "$LIB/report.py" splice "$BENCH/RESULTS.md" speed < "$OUT/speed.md"
say "written to $BENCH/RESULTS.md (speed section)"
exit $STATUS
