#!/bin/sh
# quality.sh BUILD — the measurements that are not the accuracy table: language id,
# the lexicon scorer alone (VADER's four domains, French sets), complaint detection,
# complaint categories (the fixtures written for humeur, airline-tweets mapped recall,
# restaurant review sentences' negative aspects),
# calibration of the blend.  Written to stdout and into bench/RESULTS.md between
# <!-- quality:begin --> and <!-- quality:end -->.
BUILD=${1:-build}
H=$BUILD/humeur
B=$(cd "$(dirname "$0")" && pwd)
D=${HUMEUR_DATA:-$B/../../shared/data}
if [ ! -d "$D" ]; then echo "SKIP: $D not found (the datasets are needed)"; exit 0; fi
[ -x "$H" ] || { echo "quality.sh: $H not built" >&2; exit 1; }
j() { python3 -c "import json,sys; a=json.load(sys.stdin)$1; print($2)"; }
# fixtures SET TITLE NOTE [complaint]: the category figures (and the complaint
# figures) of tests/data/categories_SET_{en,fr}.jsonl; SET "" for the fixtures
# the cue files were written from
fixtures() {
    f=categories${1:+_$1}
    echo "### $2 (\`humeur eval --task categories tests/data/${f}_{en,fr}.jsonl\`)"
    echo
    echo "$3"
    echo
    for l in en fr; do
        echo "$l:"
        echo
        "$H" eval --task categories "$B/../tests/data/${f}_$l.jsonl" | sed 's/^/    /'
        [ -z "${4:-}" ] || "$H" eval --task complaint "$B/../tests/data/${f}_$l.jsonl" | sed 's/^/    /'
        echo
    done
}
OUT=$(mktemp)
{
echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC') with \`sh bench/quality.sh $BUILD\` ($("$H" --version))."
echo
echo "### Language id (posts of 30 characters or more, test splits; \`python3 bench/langid.py $H\`)"
echo
python3 "$B/langid.py" "$H" "$D"
echo
echo "### The lexicon-and-rules scorer alone (\`humeur eval --scorer lexicon\`)"
echo
echo "| set | metric | humeur lexicon | VADER (paper) |"
echo "|---|---|---:|---:|"
for dom in tweets movie amazon nyt; do
    case $dom in tweets) v=0.881;; movie) v=0.451;; amazon) v=0.565;; nyt) v=0.492;; esac
    r=$("$H" eval --json --scorer lexicon --where domain=$dom "$D/vader/vader.jsonl" | j '["all"]["pearson_r"]' 'round(a,3)')
    echo "| vader $dom (evaluation only) | Pearson r | $r | $v |"
done
for f in tvseries-fr umsab-fr; do
    a=$("$H" eval --json --scorer lexicon --split test "$D/$f/$f.jsonl" | j '["all"]' '"%.3f / %.3f" % (a["accuracy"], a["macro_f1"])')
    echo "| $f test | accuracy / macro-F1 | $a | – |"
done
echo
echo "### Complaints (\`humeur eval --task complaint --split test complaints-twitter.jsonl\`)"
echo
"$H" eval --task complaint --split test "$D/complaints-twitter/complaints-twitter.jsonl" | sed 's/^/    /'
echo
fixtures "" "Categories on the fixtures written for humeur" "The cue files were written looking at the misses on these fixtures: they overstate what a new post gets."
fixtures "dev" "Categories on the development fixtures" "270 posts per language written before reading the cue files, then used to tune them (with train rows of the allowed sets): they overstate too."
fixtures "dev2" "Categories on the second development fixtures" "151 en / 161 fr posts written later the same way, with more posts of the weakest categories; measured once before any cue change (micro-F1 0.825 en / 0.858 fr), then used to tune the cues: they overstate too."
fixtures "dev8" "Categories on the eighth development fixtures" "134 posts per language aimed at the weakest held-out categories (en wait_time and delivery, fr rudeness, wait_time and incompetence), a fifth hard negatives, written before reading the cue files; measured once before any cue change (micro-F1 0.803 en / 0.878 fr), then used to generalize the cues: they overstate too."
fixtures "dev11" "Categories on the eleventh development fixtures" "140 posts per language aimed at the weakest held-out categories (en wait_time, delivery and incompetence; fr rudeness, wait_time, incompetence and staffing), a fifth hard negatives, written blind; measured once before any change (micro-F1 0.793 en / 0.830 fr), then used to generalize the cues: they overstate as well."
fixtures "holdout" "Categories on the held-out fixtures" "157 posts per language written without looking at the cue files and never used to write them; four of them were later quoted as examples of misses to the writer of the seventh development set's cues, so they are no longer blind." complaint
fixtures "holdout2" "Categories on the second held-out fixtures" "150 posts per language written blind (without the cue files, the fixtures or the engine) and never used to change anything: the figure to trust." complaint
echo "### airline-tweets: recall of the mapped categories on negative tweets (\`python3 bench/airline_categories.py $H\`)"
echo
python3 "$B/airline_categories.py" "$H" "$D"
echo
echo "### Restaurant review sentences: the categories of their negative aspects (\`python3 bench/aspect_categories.py $H\`)"
echo
echo "Test rows (mams-acsa and semeval16-rest-en: their train rows were read to write cues; semeval16-rest-fr: evaluation only). A sentence with a negative aspect is not always a complaint (\"the food was good, the service so-so\"), and \"service\" is broader than humeur's five service categories."
echo
python3 "$B/aspect_categories.py" "$H" "$D"
} > "$OUT"
cat "$OUT"
python3 "$B/lib/report.py" splice "$B/RESULTS.md" quality < "$OUT"
rm -f "$OUT"
