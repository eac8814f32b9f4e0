#!/usr/bin/env python3
"""aspect_categories.py HUMEUR DATA [SPLIT] — humeur's complaint categories on restaurant
review sentences labelled with aspect categories and their polarity (mams-acsa and
semeval16-rest-en, which may train shipped models: their train rows tune the cues, their
test rows measure; semeval16-rest-fr, evaluation only: test rows).

Three aspects map onto humeur's categories: food (FOOD#QUALITY, DRINKS#QUALITY, mams'
food) -> product_quality; prices (*#PRICES, mams' price) -> price_billing; service
(SERVICE#GENERAL, mams' service and staff) -> any of wait_time, rudeness, incompetence,
no_response, staffing (a plain "the service was poor" names none of them, so this
recall stays low by design).  For each aspect: of the sentences with that aspect
negative, the share humeur calls a complaint and the share where it raises a mapped
category (recall); of the sentences with that aspect only positive, the share where it
raises one (spurious).  Prints a Markdown table."""
import collections, json, subprocess, sys

SERVICE = {"wait_time", "rudeness", "incompetence", "no_response", "staffing"}
ASPECT = {  # source category -> aspect
    "food": "food", "FOOD#QUALITY": "food", "DRINKS#QUALITY": "food",
    "price": "prices", "FOOD#PRICES": "prices", "DRINKS#PRICES": "prices",
    "RESTAURANT#PRICES": "prices",
    "service": "service", "staff": "service", "SERVICE#GENERAL": "service",
}
CATS = {"food": {"product_quality"}, "prices": {"price_billing"}, "service": SERVICE}
SETS = [("mams-acsa", "test"), ("semeval16-rest-en", "test"), ("semeval16-rest-fr", "test")]
EVAL_ONLY = {"semeval16-rest-fr"}


def measure(humeur, path, split):
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    rows = [r for r in rows if r.get("split") == split]
    inp = "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows)
    out = subprocess.run([humeur, "score", "--no-progress"], input=inp.encode(),
                         capture_output=True, check=True).stdout.decode().split("\n")
    c = collections.defaultdict(collections.Counter)
    for r, line in zip(rows, out):
        o = json.loads(line)
        cats = {x["id"] for x in o.get("categories", [])}
        pols = collections.defaultdict(set)
        for a in r.get("aspects", []):
            if a["category"] in ASPECT:
                pols[ASPECT[a["category"]]].add(a["polarity"])
        for k, p in pols.items():
            hit = bool(cats & CATS[k])
            if "negative" in p:
                c[k]["neg"] += 1
                c[k]["complaint"] += bool(o.get("complaint"))
                c[k]["found"] += hit
            elif p == {"positive"}:
                c[k]["pos"] += 1
                c[k]["spurious"] += hit
    return c


def main():
    humeur = sys.argv[1] if len(sys.argv) > 1 else "build/humeur"
    data = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    # another split (train rows, to write cues from) only of the sets that may
    # train shipped models: never semeval16-rest-fr's, which is evaluation only
    sets = ([(n, sys.argv[3]) for n, _ in SETS if n not in EVAL_ONLY]
            if len(sys.argv) > 3 and sys.argv[3] != "test" else SETS)
    print("| set | aspect → humeur categories | negative sentences | complaint | category recall "
          "| positive-only sentences | category raised (spurious) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, split in sets:
        c = measure(humeur, f"{data}/{name}/{name}.jsonl", split)
        for k in ("food", "prices", "service"):
            n, p = c[k]["neg"], c[k]["pos"]
            if not n:
                continue
            print(f"| {name} {split} | {k} → {', '.join(sorted(CATS[k]))} | {n} | "
                  f"{c[k]['complaint'] / n:.3f} | {c[k]['found'] / n:.3f} | {p} | "
                  f"{c[k]['spurious'] / p if p else 0:.3f} |")


if __name__ == "__main__":
    main()
