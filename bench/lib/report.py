#!/usr/bin/env python3
"""report.py — Markdown for the benchmark results.

  report.py speed RESULTS.jsonl HEADER_FILE   the speed table (stdout)
  report.py fact RESULTS.jsonl NAME VALUE     append a note line to RESULTS.jsonl
  report.py median RESULTS.jsonl NAME         median seconds of the row NAME
  report.py splice RESULTS.md SECTION         replace the text between
        <!-- SECTION:begin --> and <!-- SECTION:end --> in RESULTS.md by stdin
        (file and markers created when absent; the rest is left untouched)
"""
import json, os, sys

def speed(results, header):
    rows = [json.loads(l) for l in open(results) if l.strip()]
    thr = [r for r in rows if r["kind"] == "throughput"]
    start = {r["tool"]: r for r in rows if r["kind"] == "startup"}
    facts = [r for r in rows if r["kind"] == "fact"]
    base = next((r for r in thr if r["name"].startswith("fastText")), None)
    out = [open(header).read().rstrip("\n"), "",
           "| tool | command | wall s (median) | MB/s | posts/s | speed vs fastText | peak RSS MB | start-up ms |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in thr:
        t = r["median_s"]
        ratio = f"{base['median_s'] / t:.2f}×" if base else "n/a"
        s = start.get(r["tool"])
        out.append("| {} | `{}` | {:.3f} | {:.2f} | {:,.0f} | {} | {} | {} |".format(
            r["name"], r["cmd"], t, r["bytes"] / 1e6 / t, r["posts"] / t, ratio,
            f"{r['rss_kb'] / 1024:.0f}" if r["rss_kb"] else "?",
            f"{s['median_s'] * 1000:.1f}" if s else "?"))
    out.append("")
    tools = {r["tool"] for r in thr}
    out += [f"- start-up of {r['name']}: {r['median_s'] * 1000:.1f} ms (median of {r['runs']})"
            for r in start.values() if r["tool"] not in tools]
    out += [f"- {f['name']}: {f['value']}" for f in facts]
    print("\n".join(out))

def fact(results, name, value):
    with open(results, "a") as f:
        f.write(json.dumps({"kind": "fact", "name": name, "value": value}) + "\n")

def median(results, name):
    for l in open(results):
        r = json.loads(l)
        if r.get("name") == name and "median_s" in r:
            print(f"{r['median_s']:.6f}")
            return
    sys.exit(f"report.py: no row {name!r}")

def splice(path, section):
    body = sys.stdin.read().rstrip("\n")
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    if not os.path.exists(path):
        text = ("# humeur benchmark results\n\nWritten by `bench/run.sh` (speed) and "
                "`bench/accuracy.sh` (accuracy); see bench/README.md.\n\n## Speed\n\n"
                "<!-- speed:begin -->\n<!-- speed:end -->\n\n## Accuracy\n\n"
                "<!-- accuracy:begin -->\n<!-- accuracy:end -->\n")
    else:
        text = open(path, encoding="utf-8").read()
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:      # markers missing: add them at the end
        text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
        i, j = text.find(begin), text.find(end)
    text = text[:i + len(begin)] + "\n" + body + "\n" + text[j:]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)

if __name__ == "__main__":
    cmds = {"speed": speed, "fact": fact, "median": median, "splice": splice}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
