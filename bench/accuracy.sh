#!/bin/sh
# accuracy.sh BUILD — the accuracy table: humeur (default blend scorer and
# --scorer lexicon) against fastText (trained on humeur's training data),
# VADER and AFINN on every labelled test set.  Prints Markdown and writes it
# into bench/RESULTS.md (accuracy section).  humeur is always re-run; fastText
# models and peer predictions are cached in bench/out/.  See bench/README.md.
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib/common.sh"
bench_start "$BUILD"
mkdir -p "$OUT/acc"

FT_OK=1; ensure_apt fasttext fasttext || FT_OK=0
ensure_npm
FT=
if [ $FT_OK = 1 ]; then
    en=$(ft_model en) && fr=$(ft_model fr) && FT="--ft-en $en --ft-fr $fr"
fi
NPM=; [ "$NPM_OK" = 1 ] || NPM=--no-npm

say "evaluating (humeur is re-run; peers come from bench/out/acc when cached) ..."
# shellcheck disable=SC2086
python3 "$LIB/accuracy.py" --humeur "$HUMEUR" --data "$DATA" --out "$OUT/acc" $FT $NPM \
    > "$OUT/accuracy.table.md" || die "accuracy.py failed"

{
    echo "Test split of each set unless noted (airline-tweets is evaluation-only for every tool: all rows; vader: all rows are test, one row per domain). Gold and metrics as in \`humeur eval\`: polarity, else VADER score/4 with ±0.05, else stars 1–2 negative / 3 neutral / 4–5 positive (french-book-reviews 0.5–5: < 2.5 / 2.5–3.5 / > 3.5). ² = binary gold (no neutral class): a predicted neutral counts by the sign of the score (humeur, VADER, AFINN; 0 counts as positive) or by the larger of p(negative) and p(positive) (fastText), and macro averages are over the two classes."
    echo
    echo "- humeur blend: \`$BUILD/humeur eval --json --split test [--where domain=D] FILE\` (the default scorer: blend when models are embedded, else lexicon); humeur lexicon: the same with \`--scorer lexicon\`."
    echo "- fastText: Debian \`fasttext\` $(dpkg-query -W -f '${Version}' fasttext 2>/dev/null || echo '?'), \`supervised $FT_ARGS\`, one model per language trained on humeur's training data (train rows of EN semeval17-4a-en, imdb-50k, uci-sentences; FR umsab-fr, tvseries-fr, french-book-reviews, insurance-reviews-fr, trustpilot-fr, plus allocine-rescrape-fr dev), text lower-cased with punctuation split off; Pearson r on p(positive) − p(negative)."
    echo "- VADER: npm vader-sentiment, compound ≥ 0.05 positive, ≤ −0.05 negative. AFINN: npm sentiment, comparative > 0 positive, < 0 negative, 0 neutral. Both are English-only: their French rows (in italics) are for information."
    echo "- vader rows: every tool's class comes from its score with the ±0.05 band of VADER's paper (humeur: \`--score-threshold 0.05\` on p(positive) − p(negative))."
    echo
    cat "$OUT/accuracy.table.md"
    echo
    machine "$LOAD0"
    echo
    echo "Command: \`sh bench/accuracy.sh $BUILD\`."
} > "$OUT/accuracy.md"
[ "$NPM_OK" = 1 ] || echo "- VADER and AFINN: not run (npm peers unavailable)" >> "$OUT/accuracy.md"
[ -n "$FT" ] || echo "- fastText: not run (fasttext unavailable or training failed)" >> "$OUT/accuracy.md"

cat "$OUT/accuracy.md"
python3 "$LIB/report.py" splice "$BENCH/RESULTS.md" accuracy < "$OUT/accuracy.md"
say "written to $BENCH/RESULTS.md (accuracy section)"
