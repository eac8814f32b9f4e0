#!/usr/bin/env python3
"""complaint_cv.py: 5-fold cross-validation of the complaint decision over
complaints-twitter train+dev rows (its test rows are never read).

Folds are stratified by domain and label (rows sorted by domain, label and
md5 of the id, dealt round-robin).  For fold k: fold k is scored, fold k+1 is
the dev split, the other three train, with the English recipe less imdb-50k
(long reviews) to save time.  Prints per-fold F1 of the complaint class and
the pooled out-of-fold F1; --json FILE keeps per-row predictions so that two
runs can be compared fold by fold (paired).

usage: complaint_cv.py HUMEUR DATA WORKDIR [--json OUT] [--train-opt ARG]...
       complaint_cv.py --compare A.json B.json   (B - A per fold: mean and standard error)
"""
import hashlib, json, os, subprocess, sys

def compare(fa, fb):
    A, B = json.load(open(fa)), json.load(open(fb))
    d = [b - a for a, b in zip(A["folds"], B["folds"])]
    m = sum(d) / len(d)
    se = (sum((x - m) ** 2 for x in d) / (len(d) - 1) / len(d)) ** 0.5
    print("A folds " + " ".join("%.4f" % x for x in A["folds"]) + "  pooled %.4f" % A["pooled"])
    print("B folds " + " ".join("%.4f" % x for x in B["folds"]) + "  pooled %.4f" % B["pooled"])
    print("B - A per fold: mean %+.4f, standard error %.4f, better in %d of %d folds"
          % (m, se, sum(x > 0 for x in d), len(d)))

def main():
    a = sys.argv[1:]
    if a[:1] == ["--compare"]:
        return compare(a[1], a[2])
    if len(a) < 3:
        sys.exit(__doc__)
    humeur, data, work = a[:3]
    out, topts = None, []
    i = 3
    while i < len(a):
        if a[i] == "--json":
            out = a[i + 1]; i += 2
        elif a[i] == "--train-opt":
            topts.append(a[i + 1]); i += 2
        else:
            sys.exit("unknown option " + a[i])
    rows = []
    with open(os.path.join(data, "complaints-twitter/complaints-twitter.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["split"] in ("train", "dev"):
                rows.append(r)
    rows.sort(key=lambda r: (r.get("domain", ""), r["complaint"],
                             hashlib.md5(r["id"].encode()).hexdigest()))
    fold = {r["id"]: j % 5 for j, r in enumerate(rows)}
    os.makedirs(work, exist_ok=True)
    preds = {}
    for k in range(5):
        fn = os.path.join(work, "fold%d.jsonl" % k)
        with open(fn, "w") as f:
            for r in rows:
                g = fold[r["id"]]
                s = dict(r)
                s["split"] = "test" if g == k else "dev" if g == (k + 1) % 5 else "train"
                f.write(json.dumps(s) + "\n")
        model = os.path.join(work, "fold%d.hmm" % k)
        cmd = [humeur, "train"] + topts + ["--lang", "en", "--out", model,
               "--train", data + "/semeval17-4a-en/semeval17-4a-en.jsonl.gz@train%10^recall",
               "--train", data + "/uci-sentences/uci-sentences.jsonl@train",
               "--dev", data + "/uci-sentences/uci-sentences.jsonl@dev",
               "--train", fn + "@train", "--dev", fn + "@dev"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dump = os.path.join(work, "fold%d.dump" % k)
        subprocess.run([humeur, "eval", "--task", "complaint", "--split", "test", "--lang", "en",
                        "--model", model, "--dump", dump, fn], check=True,
                       stdout=subprocess.DEVNULL)
        with open(dump) as f:
            for line in f:
                d = json.loads(line)
                preds[d["id"]] = (k, d)
    def f1(items):
        tp = fp = fn = 0
        for g, p in items:
            tp += g and p; fp += p and not g; fn += g and not p
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    res = {"folds": [], "rows": {}}
    for k in range(5):
        it = [(d["gold"], d["pred"]) for (kk, d) in preds.values() if kk == k]
        res["folds"].append(f1(it))
    res["pooled"] = f1([(d["gold"], d["pred"]) for (_, d) in preds.values()])
    res["rows"] = {i: [k, d["gold"], d["pred"], d.get("prob")] for i, (k, d) in preds.items()}
    print("folds " + " ".join("%.4f" % x for x in res["folds"]) + "  pooled %.4f" % res["pooled"])
    if out:
        with open(out, "w") as f:
            json.dump(res, f)

main()
