# common.sh — sourced by bench/run.sh and bench/accuracy.sh.
# Sets BENCH (bench/), LIB, OUT (bench/out, gitignored), DATA; defines helpers.

BENCH=$(cd "$(dirname "$0")" && pwd)
LIB=$BENCH/lib
OUT=$BENCH/out
DATA=${HUMEUR_DATA:-$BENCH/../../shared/data}
FT_ARGS="-wordNgrams 2 -dim 50 -epoch 10 -lr 0.5"   # fastText hyper-parameters
export NODE_PATH="$OUT/node_modules"

say() { echo "$*" >&2; }
die() { say "$*"; exit 1; }

# Skip (exit 0) when the labelled data is not there.
need_data() {
    if [ ! -f "$DATA/README.md" ]; then
        echo "SKIP: no labelled data at $DATA (set HUMEUR_DATA=DIR to point elsewhere)"
        exit 0
    fi
    DATA=$(cd "$DATA" && pwd)
}

# need_humeur BUILD -> HUMEUR=BUILD/humeur (absolute)
need_humeur() {
    [ -x "$1/humeur" ] || die "no $1/humeur: build it first (make BUILD=$1)"
    HUMEUR=$(cd "$1" && pwd)/humeur
}

# bench_start BUILD: the data and BUILD/humeur are there (else skip or stop);
# LOAD0 = the load average when the run starts, for the report.
bench_start() {
    need_data
    need_humeur "$1"
    LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
}

# ensure_apt COMMAND PACKAGE: install PACKAGE with apt-get when COMMAND is
# missing.  Returns 1 (with a message) when it stays missing.
ensure_apt() {
    command -v "$1" >/dev/null 2>&1 && return 0
    say "installing $2 (apt-get install -y $2) ..."
    apt-get install -y "$2" >"$OUT/apt-$2.log" 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >>"$OUT/apt-$2.log" 2>&1; }
    command -v "$1" >/dev/null 2>&1 && return 0
    say "WARNING: could not install $2 (see $OUT/apt-$2.log); going on without it"
    return 1
}

# ensure_npm: vader-sentiment and sentiment (AFINN) into bench/out/node_modules.
# Sets NPM_OK=1 when both load.
ensure_npm() {
    NPM_OK=0
    command -v node >/dev/null 2>&1 || { say "WARNING: no node: VADER and AFINN skipped"; return 0; }
    if ! node -e 'require("vader-sentiment"); require("sentiment")' 2>/dev/null; then
        say "installing npm peers (npm install --prefix $OUT vader-sentiment sentiment) ..."
        npm install --prefix "$OUT" vader-sentiment sentiment >"$OUT/npm.log" 2>&1 ||
            say "WARNING: npm install failed (see $OUT/npm.log)"
    fi
    if node -e 'require("vader-sentiment"); require("sentiment")' 2>/dev/null; then
        NPM_OK=1
    else
        say "WARNING: npm peers unavailable: VADER and AFINN skipped"
    fi
}

# npm_version PKG -> version installed in bench/out/node_modules
npm_version() {
    node -p "require('$OUT/node_modules/$1/package.json').version" 2>/dev/null || echo "?"
}

# ft_model LANG -> path of a fastText model trained on the humeur training
# recipe (LANG en, fr or pooled); cached, keyed on the training text and the
# hyper-parameters, so it is retrained only when the data changes.
ft_model() {
    mkdir -p "$OUT/ft"
    train=$(python3 "$LIB/data.py" fttrain "$DATA" "$OUT/ft" "$1") || return 1
    key=$( (cat "$train"; echo "$FT_ARGS") | sha1sum | cut -c1-12)
    model=$OUT/ft/model.$1.$key
    if [ ! -f "$model.bin" ]; then
        say "training fastText ($1, $(wc -l < "$train") texts, $FT_ARGS) ..."
        rm -f "$OUT/ft/model.$1."*
        # shellcheck disable=SC2086
        fasttext supervised -input "$train" -output "$model.tmp" $FT_ARGS \
            -thread "$(nproc)" -verbose 1 >"$OUT/ft/train.$1.log" 2>&1 ||
            { say "fastText training failed (see $OUT/ft/train.$1.log)"; return 1; }
        mv "$model.tmp.bin" "$model.bin"
        rm -f "$model.tmp.vec"
    fi
    echo "$model.bin"
}

# commas N -> N with thousands separators
commas() { python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$1"; }

# machine [LOAD_AT_START]: one Markdown line describing this machine
machine() {
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    mem=$(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)
    load="${1:+$1 at the start, }$(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr); load average (1, 5, 15 min) $load of the run; $(date -u '+%Y-%m-%d %H:%M UTC')."
}
