#!/bin/sh
# induce.sh HUMEUR DATA [OUTDIR] — write OUTDIR/{en,fr}.tsv (default build/induced) with `humeur induce`
# from the train rows of the sets allowed for shipped models.  These files are
# proposals for review: they are NOT loaded (the loader reads emoji.tsv, en/, fr/ and
# categories/ only).  Measured on dev sets, adding them as they are lowers the lexicon
# scorer's accuracy (see bench/RESULTS.md), so entries are copied into en/ or fr/ only
# after review.
set -eu
H=${1:-build/humeur}
D=${2:-../shared/data}
O=${3:-$(dirname "$0")/../build/induced}
mkdir -p "$O"
"$H" induce --lang en --out "$O/en.tsv" \
    --train "$D/semeval17-4a-en/semeval17-4a-en.jsonl.gz@train" \
    --train "$D/imdb-50k/imdb-50k.jsonl.gz@train" \
    --train "$D/uci-sentences/uci-sentences.jsonl@train"
"$H" induce --lang fr --out "$O/fr.tsv" \
    --train "$D/umsab-fr/umsab-fr.jsonl@train" \
    --train "$D/tvseries-fr/tvseries-fr.jsonl@train" \
    --train "$D/french-book-reviews/french-book-reviews.jsonl@train" \
    --train "$D/insurance-reviews-fr/insurance-reviews-fr.jsonl.gz@train" \
    --train "$D/trustpilot-fr/trustpilot-fr.jsonl.gz@train" \
    --train "$D/allocine-rescrape-fr/allocine-rescrape-fr.jsonl.gz@dev"
