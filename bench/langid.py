#!/usr/bin/env python3
"""langid.py HUMEUR DATA — language id accuracy of humeur on every post of 30
characters or more in the test splits of the staged datasets (tweets and reviews,
French and English).  Prints a Markdown table; `und` counts as wrong."""
import collections, gzip, json, os, subprocess, sys

def main():
    humeur = sys.argv[1] if len(sys.argv) > 1 else "build/humeur"
    data = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    rows = []
    for name in sorted(os.listdir(data)):
        d = os.path.join(data, name)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if not fn.startswith(name + ".jsonl"):
                continue
            op = gzip.open if fn.endswith(".gz") else open
            with op(os.path.join(d, fn), "rt", encoding="utf-8") as f:
                for line in f:
                    o = json.loads(line)
                    if o.get("split") == "test" and len(o["text"]) >= 30:
                        rows.append((name, o["lang"], o["text"]))
    inp = "".join(json.dumps({"text": t}) + "\n" for _, _, t in rows)
    out = subprocess.run([humeur, "score", "--no-progress", "--scorer", "lexicon", "--threads", "2"],
                         input=inp.encode(), capture_output=True).stdout.decode().splitlines()
    st = collections.defaultdict(lambda: [0, 0, 0])
    for (n, lang, _), line in zip(rows, out):
        p = json.loads(line)["lang"]
        s = st[n]
        s[0] += 1
        s[1] += p == lang
        s[2] += p == "und"
    print("| test set | posts (>= 30 chars) | correct | und |")
    print("|---|---:|---:|---:|")
    for n, s in sorted(st.items()):
        print(f"| {n} | {s[0]:,} | {s[1] / s[0]:.4f} | {s[2]} |")
    tot = sum(s[0] for s in st.values())
    ok = sum(s[1] for s in st.values())
    print(f"| **all** | {tot:,} | **{ok / tot:.4f}** | {sum(s[2] for s in st.values())} |")

if __name__ == "__main__":
    main()
