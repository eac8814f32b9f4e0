#!/bin/sh
# induce.sh HUMEUR DATA — regenerate lexicons/en/induced.tsv and lexicons/fr/induced.tsv
# (`make lexicons-induced`) with `humeur induce`, from the rows the shipped models train
# on (models/train.sh): the train rows of the sets allowed for shipped models, less the
# hold-outs the models tune on (allocine-rescrape-fr has no train split: its dev rows,
# less 10%).  Never a test split, never vader.
#
# The hand-written files are the reference ("already scored" words are left out), so
# humeur reads lexicons/ without the induced files; each language's induced.exclude
# lists words left out after reading the output (topics, dates, amounts, groups of
# people).  The options were chosen on dev rows (bench/RESULTS.md, "Lexicon and rules
# alone").  The output depends only on the data and these files: a second run gives
# the same bytes.
set -eu
H=${1:-build/humeur}
D=${2:-../shared/data}
L=$(cd "$(dirname "$0")" && pwd)
[ -d "$D" ] || { echo "induce.sh: $D not found: the datasets are needed" >&2; exit 1; }

# the hand-written lexicons alone
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
mkdir "$T/en" "$T/fr"
ln -s "$L/emoji.tsv" "$T/emoji.tsv"
ln -s "$L/categories" "$T/categories"
for f in "$L"/en/*.tsv "$L"/fr/*.tsv; do
    case $f in */induced.tsv) continue ;; esac
    ln -s "$f" "$T/$(basename "$(dirname "$f")")/$(basename "$f")"
done

"$H" induce --lang en --out "$L/en/induced.tsv" --lexicons "$T" \
    --exclude "$L/en/induced.exclude" --min-sources 1 --scale 0.5 --min-valence 0.3 \
    --train "$D/semeval17-4a-en/semeval17-4a-en.jsonl.gz@train%10" \
    --train "$D/imdb-50k/imdb-50k.jsonl.gz@train%10=movie_id" \
    --train "$D/uci-sentences/uci-sentences.jsonl@train"

"$H" induce --lang fr --out "$L/fr/induced.tsv" --lexicons "$T" \
    --exclude "$L/fr/induced.exclude" --min-sources 2 --min-share 1 --scale 0.5 --min-valence 0.5 \
    --train "$D/umsab-fr/umsab-fr.jsonl@train" \
    --train "$D/tvseries-fr/tvseries-fr.jsonl@train" \
    --train "$D/french-book-reviews/french-book-reviews.jsonl@train" \
    --train "$D/insurance-reviews-fr/insurance-reviews-fr.jsonl.gz@train" \
    --train "$D/trustpilot-fr/trustpilot-fr.jsonl.gz@train" \
    --train "$D/allocine-rescrape-fr/allocine-rescrape-fr.jsonl.gz@dev%10"
