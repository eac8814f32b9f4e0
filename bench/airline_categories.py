#!/usr/bin/env python3
"""airline_categories.py HUMEUR DATA — recall of humeur's complaint categories on the
negative tweets of airline-tweets (evaluation only), through the mapping of the set's
`reason` labels onto humeur's categories (a reason counts as found when humeur raises
any of its categories).  Prints a Markdown table."""
import json, subprocess, sys, collections

MAP = {
    "Late Flight": {"wait_time"},
    "longlines": {"wait_time"},
    "Lost Luggage": {"delivery"},
    "Damaged Luggage": {"delivery"},
    "Flight Attendant Complaints": {"rudeness", "incompetence"},
    "Flight Booking Problems": {"digital", "incompetence"},
}

def main():
    humeur = sys.argv[1] if len(sys.argv) > 1 else "build/humeur"
    data = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    rows = [json.loads(l) for l in open(f"{data}/airline-tweets/airline-tweets.jsonl")]
    rows = [r for r in rows if r.get("polarity") == "negative" and r.get("reason") in MAP]
    inp = "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows)
    out = subprocess.run([humeur, "score", "--no-progress", "--lang", "en"], input=inp.encode(),
                         capture_output=True, check=False).stdout.decode().split("\n")
    found, total, complaint = collections.Counter(), collections.Counter(), collections.Counter()
    for r, line in zip(rows, out):
        o = json.loads(line)
        cats = {c["id"] for c in o.get("categories", [])}
        total[r["reason"]] += 1
        found[r["reason"]] += bool(cats & MAP[r["reason"]])
        complaint[r["reason"]] += bool(o.get("complaint"))
    print("| airline reason | humeur categories | tweets | complaint flagged | category recall |")
    print("|---|---|---:|---:|---:|")
    for k in MAP:
        print(f"| {k} | {', '.join(sorted(MAP[k]))} | {total[k]} | {complaint[k] / total[k]:.3f} | {found[k] / total[k]:.3f} |")
    t, f = sum(total.values()), sum(found.values())
    print(f"| **all mapped** | | {t} | {sum(complaint.values()) / t:.3f} | {f / t:.3f} |")

if __name__ == "__main__":
    main()
