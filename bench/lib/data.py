#!/usr/bin/env python3
"""Data preparation for the humeur benchmarks (bench/run.sh, bench/accuracy.sh).

  data.py corpus  DATA OUT         speed corpus: OUT/corpus.jsonl + OUT/corpus.txt
  data.py fttrain DATA OUT LANG    fastText training text (LANG en, fr or pooled)
  data.py testset DATA OUT NAME SPLIT WHERE
                                   one test set: OUT/NAME.gold.jsonl, .raw.txt, .ft.txt
  data.py longlines CORPUS OUT     lines of 0.26 and 10 MB made of the corpus's texts
                                   (OUT/long.jsonl, held.jsonl, long.txt), for peak RSS

Every output is rebuilt only when it is missing or older than its inputs (or this
script).  Texts never contain newlines in the .txt files (replaced by spaces).
"""
import gzip, hashlib, json, os, random, re, sys

# ---- reading the shared data ----------------------------------------------------

def data_file(data, name):
    """<DATA>/<name>/<name>.jsonl or .jsonl.gz"""
    for ext in (".jsonl", ".jsonl.gz"):
        p = os.path.join(data, name, name + ext)
        if os.path.exists(p):
            return p
    sys.exit(f"data.py: no {name}.jsonl[.gz] under {data}")

def rows(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)

def one_line(text):
    """the text on a single line (for the plain-text files)"""
    return re.sub(r"[\r\n\u2028\u2029\x85\x0b\x0c]+", " ", text)

def gold(o):
    """Gold polarity, exactly as `humeur eval` reads it: "polarity"; else a VADER
    "score" (-4..4, ±0.05 on score/4); else a star "rating" (< 2.5 negative,
    2.5-3.5 neutral, > 3.5 positive).  Returns (label or None, score or None)."""
    p = o.get("polarity")
    if isinstance(p, str):
        return (p if p in ("negative", "neutral", "positive") else None), None
    s = o.get("score")
    if isinstance(s, (int, float)) and not isinstance(s, bool):
        n = s / 4.0
        return ("positive" if n >= 0.05 else "negative" if n <= -0.05 else "neutral"), s
    r = o.get("rating")
    if isinstance(r, (int, float)) and not isinstance(r, bool):
        return ("negative" if r < 2.5 else "neutral" if r <= 3.5 else "positive"), None
    return None, None

_punct = re.compile(r"([^\w\s])")
def ft_tokens(text):
    """fastText preprocessing, the same for training and test: lower-case, put
    spaces around every punctuation or symbol character, squeeze spaces."""
    t = _punct.sub(r" \1 ", one_line(text).lower())
    return " ".join(t.split())

def up_to_date(outputs, inputs):
    inputs = list(inputs) + [os.path.abspath(__file__)]
    if not all(os.path.exists(o) for o in outputs):
        return False
    newest_in = max(os.path.getmtime(i) for i in inputs)
    return min(os.path.getmtime(o) for o in outputs) > newest_in

def write_atomic(path, lines):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for l in lines:
            f.write(l + "\n")
    os.replace(tmp, path)

# ---- speed corpus ----------------------------------------------------------------

CORPUS_SETS = ["semeval17-4a-en", "trustpilot-fr", "insurance-reviews-fr", "airline-tweets"]

def corpus(data, out):
    srcs = [data_file(data, n) for n in CORPUS_SETS]
    jl, txt = os.path.join(out, "corpus.jsonl"), os.path.join(out, "corpus.txt")
    if up_to_date([jl, txt], srcs):
        return
    js, tx = [], []
    for name, path in zip(CORPUS_SETS, srcs):
        for o in rows(path):            # all splits: it is a speed corpus
            js.append(json.dumps({"id": f"{name}:{o['id']}", "text": o["text"]}, ensure_ascii=False))
            tx.append(one_line(o["text"]))
    write_atomic(jl, js)
    write_atomic(txt, tx)
    print(f"corpus: {len(tx)} posts, {os.path.getsize(txt) / 1e6:.1f} MB of text -> {out}", file=sys.stderr)

# ---- long lines, for peak RSS ------------------------------------------------------

def longlines(corpus_jsonl, out):
    """From the corpus's texts: long.jsonl, three JSON lines of 10 MB (the text
    itself; the text with every non-ASCII character escaped; a short text with
    10 MB of other fields: an escaped id's neighbour, a nested array) read in
    pieces; held.jsonl, 64 lines just under the 256 KiB that are held whole,
    with escapes, so that jansson parses them; long.txt, three 10 MB lines."""
    dst = [os.path.join(out, n) for n in ("long.jsonl", "held.jsonl", "long.txt")]
    if up_to_date(dst, [corpus_jsonl]):
        return
    texts, n = [], 0
    for o in rows(corpus_jsonl):
        texts.append(one_line(o["text"]))
        n += len(texts[-1]) + 1
        if n > 10_500_000:
            break
    big = " ".join(texts)
    ten = big.encode()[:10_000_000].decode("utf-8", "ignore")
    under = big[:262_000]
    while len(json.dumps({"id": "x", "text": under}).encode()) > 262_000:
        under = under[:-2_000]
    write_atomic(dst[0], [json.dumps({"id": 1, "text": ten}, ensure_ascii=False),
                          json.dumps({"id": "\u00e9-2", "text": ten}),
                          json.dumps({"id": 3, "text": "court", "x": [ten, {"y": [1, 2.5, None]}]}, ensure_ascii=False)])
    write_atomic(dst[1], [json.dumps({"id": f"\u00e9-{i}", "text": under}) for i in range(64)])
    write_atomic(dst[2], [ten] * 3)

# ---- fastText training text (same training data as humeur) -------------------------

# (dataset, split) pairs per language
FT_TRAIN = {
    "en": [("semeval17-4a-en", "train"), ("imdb-50k", "train"), ("uci-sentences", "train")],
    "fr": [("umsab-fr", "train"), ("tvseries-fr", "train"), ("french-book-reviews", "train"),
           ("insurance-reviews-fr", "train"), ("trustpilot-fr", "train"), ("allocine-rescrape-fr", "dev")],
}

def fttrain(data, out, lang):
    parts = FT_TRAIN["en"] + FT_TRAIN["fr"] if lang == "pooled" else FT_TRAIN[lang]
    srcs = [data_file(data, n) for n, _ in parts]
    dst = os.path.join(out, f"train.{lang}.txt")
    if not up_to_date([dst], srcs):
        lines = []
        for (name, split), path in zip(parts, srcs):
            for o in rows(path):
                label, _ = gold(o)
                if o.get("split") == split and label:
                    lines.append(f"__label__{label} {ft_tokens(o['text'])}")
        random.Random(1).shuffle(lines)   # datasets interleaved, reproducibly
        write_atomic(dst, lines)
    return dst

# ---- one test set ------------------------------------------------------------------

def testset(data, out, name, split, where):
    """split '-' = all rows; where 'FIELD=VALUE' or '-'.  Rows without gold are
    skipped, like humeur eval does."""
    src = data_file(data, name)
    tag = name + ("" if split == "-" else "." + split) + ("" if where == "-" else "." + where.replace("=", "-"))
    base = os.path.join(out, tag)
    outs = [base + ".gold.jsonl", base + ".raw.txt", base + ".ft.txt"]
    if not up_to_date(outs, [src]):
        wf, wv = where.split("=", 1) if where != "-" else (None, None)
        g, raw, ft = [], [], []
        for o in rows(src):
            if split != "-" and o.get("split") != split:
                continue
            if wf and str(o.get(wf)) != wv:
                continue
            label, score = gold(o)
            if not label:
                continue
            g.append(json.dumps({"id": o["id"], "gold": label, "score": score}))
            raw.append(one_line(o["text"]))
            ft.append(ft_tokens(o["text"]))
        write_atomic(outs[0], g)
        write_atomic(outs[1], raw)
        write_atomic(outs[2], ft)
    return base

if __name__ == "__main__":
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd in ("corpus", "fttrain", "testset", "longlines"):
        os.makedirs(args[1], exist_ok=True)
        r = {"corpus": corpus, "fttrain": fttrain, "testset": testset, "longlines": longlines}[cmd](*args)
        if r:
            print(r)
    else:
        sys.exit(__doc__)
