#!/usr/bin/env python3
"""accuracy.py — the accuracy table: humeur against fastText, VADER and AFINN.

  accuracy.py --humeur BUILD/humeur --data DATA --out DIR [--ft-en M.bin --ft-fr M.bin]
              [--no-npm] [--build-name build]

Prints Markdown.  humeur is always re-run (`humeur eval --json`, default scorer
and --scorer lexicon); the peers' predictions are cached in DIR, keyed on the
test text, the model or package version and the scripts, so re-runs are fast.
Peers are scored with the same gold and the same metric definitions as
`humeur eval` (src/cli/eval.c): macro averages over the 3 classes, or over
negative/positive when the gold has no neutral class ("binary" gold).
"""
import argparse, glob, hashlib, json, math, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402  (bench/lib/data.py: gold labels, test-set files)

# (dataset, split or "-" for all rows, where or "-", language, metrics)
# metrics: acc = accuracy, mf1 = macro-F1, mrec = macro-recall, r = Pearson r
SETS = [
    ("imdb-50k", "test", "-", "en", ["acc"]),
    ("semeval17-4a-en", "test", "-", "en", ["mrec", "acc"]),
    ("vader", "test", "domain=tweets", "en", ["r", "acc"]),
    ("vader", "test", "domain=movie", "en", ["r", "acc"]),
    ("vader", "test", "domain=amazon", "en", ["r", "acc"]),
    ("vader", "test", "domain=nyt", "en", ["r", "acc"]),
    ("airline-tweets", "-", "-", "en", ["acc", "mf1"]),    # evaluation only: all rows
    ("marc-en", "test", "-", "en", ["acc", "mf1"]),
    ("uci-sentences", "test", "-", "en", ["acc"]),
    ("marc-fr", "test", "-", "fr", ["acc", "mf1"]),
    ("umsab-fr", "test", "-", "fr", ["mf1", "acc"]),
    ("tvseries-fr", "test", "-", "fr", ["acc"]),
    ("allocine-rescrape-fr", "test", "-", "fr", ["acc"]),
    ("insurance-reviews-fr", "test", "-", "fr", ["acc", "mf1"]),
    ("french-book-reviews", "test", "-", "fr", ["acc", "mf1"]),
    ("trustpilot-fr", "test", "-", "fr", ["acc", "mf1"]),
]
METRIC = {"acc": ("accuracy", "accuracy"), "mf1": ("macro-F1", "macro_f1"),
          "mrec": ("macro-recall", "macro_recall"), "r": ("Pearson r", "pearson_r")}
CLASSES = ["negative", "neutral", "positive"]
HERE = os.path.dirname(os.path.abspath(__file__))


def sha(*parts):
    h = hashlib.sha1()
    for p in parts:
        if os.path.isfile(p):
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        else:
            h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()[:12]


def cached(path, produce):
    """lines of PATH (BASE.TOOL.KEY.txt), produced by produce(tmp_path) when
    absent; older versions BASE.TOOL.*.txt (other keys) are removed then"""
    if not os.path.exists(path):
        for old in glob.glob(path.rsplit(".", 2)[0] + ".*.txt"):
            os.remove(old)
        produce(path + ".tmp")
        os.replace(path + ".tmp", path)
    with open(path) as f:
        return f.read().splitlines()


# ---- metrics, as humeur eval computes them -------------------------------------------

def metrics(gold, pred, gscore=None, pscore=None):
    binary = "neutral" not in gold
    conf = {(g, p): 0 for g in CLASSES for p in CLASSES}
    for g, p in zip(gold, pred):
        conf[g, p] += 1
    n = len(gold)
    m = {"n": n, "binary": binary,
         "accuracy": sum(conf[c, c] for c in CLASSES) / n if n else 0}
    f1s, recs = [], []
    for c in CLASSES:
        if binary and c == "neutral":
            continue
        tp = conf[c, c]
        ng = sum(conf[c, k] for k in CLASSES)
        np_ = sum(conf[k, c] for k in CLASSES)
        P = tp / np_ if np_ else 0
        R = tp / ng if ng else 0
        f1s.append(2 * P * R / (P + R) if P + R else 0)
        recs.append(R)
    m["macro_f1"] = sum(f1s) / len(f1s)
    m["macro_recall"] = sum(recs) / len(recs)
    if gscore and pscore and gscore[0] is not None:
        m["pearson_r"] = pearson(pscore, gscore)
    return m


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def classify(tool, scores, binary):
    """VADER: compound >= 0.05 positive, <= -0.05 negative, else neutral.
    AFINN: comparative > 0 positive, < 0 negative, 0 neutral.  On binary gold
    the sign decides instead (0 counts as positive, as in humeur eval)."""
    if binary:
        return ["positive" if s >= 0 else "negative" for s in scores]
    lo, hi = (-0.05, 0.05) if tool == "vader" else (0.0, 0.0)
    return ["positive" if (s >= hi if tool == "vader" else s > hi) else
            "negative" if (s <= lo if tool == "vader" else s < lo) else "neutral" for s in scores]


# ---- the tools ----------------------------------------------------------------------

def humeur(args, name, split, where, scorer):
    cmd = [args.humeur, "eval", "--json"]
    if scorer:
        cmd += ["--scorer", scorer]
    if split != "-":
        cmd += ["--split", split]
    if where != "-":
        cmd += ["--where", where]
    if name == "vader":
        # VADER's own protocol on its sets: the class from the score with a +-0.05 band,
        # for humeur as for VADER
        cmd += ["--score-threshold", "0.05"]
    cmd.append(data.data_file(args.data, name))
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"accuracy.py: {' '.join(cmd)}: status {r.returncode}: {r.stderr.strip()[:300]}", file=sys.stderr)
        return None
    return json.loads(r.stdout)["all"]


def fasttext(model, base, binary):
    """predict-prob with all 3 labels; a predicted neutral on binary gold counts as
    the larger of p(negative) and p(positive); score = p(pos) - p(neg)"""
    if not model:
        return None, None
    out = os.path.join(os.path.dirname(base), f"{os.path.basename(base)}.fasttext.{sha(model, base + '.ft.txt')}.txt")

    def run(tmp):
        with open(tmp, "w") as f:
            subprocess.run(["fasttext", "predict-prob", model, base + ".ft.txt", "3"], stdout=f, check=True)
    pred, score = [], []
    for line in cached(out, run):
        t = line.split()
        p = {t[i][len("__label__"):]: float(t[i + 1]) for i in range(0, len(t) - 1, 2)}
        neg, neu, pos = (p.get(c, 0.0) for c in CLASSES)
        if binary:
            pred.append("positive" if pos >= neg else "negative")
        else:
            pred.append(max(CLASSES, key=lambda c: p.get(c, 0.0)))
        score.append(pos - neg)
    return pred, score


def npm_peer(tool, version, base):
    """VADER compound or AFINN comparative score for each line of BASE.raw.txt"""
    raw = base + ".raw.txt"
    out = f"{base}.{tool}.{sha(raw, version, os.path.join(HERE, 'peers.js'))}.txt"

    def run(tmp):
        with open(tmp, "w") as f:
            subprocess.run(["node", os.path.join(HERE, "peers.js"), tool, raw], stdout=f, check=True)
    return [float(x) for x in cached(out, run)]


def npm_version(out, pkg):
    try:
        with open(os.path.join(out, "..", "node_modules", pkg, "package.json")) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


# ---- the table ------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--humeur", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ft-en")
    ap.add_argument("--ft-fr")
    ap.add_argument("--no-npm", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    versions = {"vader": npm_version(args.out, "vader-sentiment"), "afinn": npm_version(args.out, "sentiment")}

    cols = ["humeur blend", "humeur lexicon", "fastText", "VADER", "AFINN"]
    lines = ["| test set | n | metric | " + " | ".join(cols) + " |",
             "|---|---:|---|" + "---:|" * len(cols)]
    for name, split, where, lang, wanted in SETS:
        print(f"  {name} {split} {where} ...", file=sys.stderr)
        base = data.testset(args.data, args.out, name, split, where)
        rows = [json.loads(l) for l in open(base + ".gold.jsonl")]
        gold = [r["gold"] for r in rows]
        gscore = [r["score"] for r in rows]
        binary = "neutral" not in gold
        res = {"humeur blend": humeur(args, name, split, where, None),
               "humeur lexicon": humeur(args, name, split, where, "lexicon")}
        pred, score = fasttext(args.ft_en if lang == "en" else args.ft_fr, base, binary)
        res["fastText"] = metrics(gold, pred, gscore, score) if pred else None
        for tool, col in (("vader", "VADER"), ("afinn", "AFINN")):
            s = None if args.no_npm else npm_peer(tool, versions[tool], base)
            res[col] = metrics(gold, classify(tool, s, binary), gscore, s) if s else None
        for c in ("humeur blend", "humeur lexicon"):
            if res[c] and res[c]["n"] != len(gold):
                print(f"accuracy.py: {name}: humeur eval saw {res[c]['n']} rows, peers {len(gold)}", file=sys.stderr)
        label = name + ("" if split in ("-", "test") else f" ({split})") + \
            (" (all rows)" if split == "-" else "") + ("" if where == "-" else f" {where.split('=')[1]}")
        label += " ²" if binary else ""
        for k in wanted:
            mname, key = METRIC[k]
            if k == "acc" and not binary:
                mname = "3-class accuracy"
            cells = []
            for c in cols:
                v = (res[c] or {}).get(key)
                cell = "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"
                if lang == "fr" and c in ("VADER", "AFINN") and cell != "–":
                    cell = f"*{cell}*"     # English-only tools: for information
                cells.append(cell)
            lines.append(f"| {label} | {len(gold):,} | {mname} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    print(f"\nVersions: vader-sentiment {versions['vader']}, sentiment (AFINN) {versions['afinn']}.")


if __name__ == "__main__":
    main()
