#!/usr/bin/env python3
"""timeit.py [options] -- COMMAND...   time a command, append one JSON line to --out.

  --name NAME      row name in the report          --runs N       runs (median kept)
  --tool TOOL      groups a start-up row with the throughput rows of the same tool
  --stdin FILE     standard input (/dev/null)      --stdout FILE  standard output (/dev/null)
  --posts N --bytes N   corpus size, for posts/s and MB/s
  --warmup N       untimed runs first (default 1: input and model in the page cache)
  --kind throughput|startup   startup: no /usr/bin/time wrapper (it would add its
                   own exec to a few-millisecond number), so no peak RSS either

Wall time is measured here (time.perf_counter around the child); peak RSS comes
from `/usr/bin/time -f %M` (KB, the largest of the runs).
"""
import argparse, json, os, statistics, sys, tempfile

import walltime

ap = argparse.ArgumentParser()
ap.add_argument("--name", required=True)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--stdin", default="/dev/null")
ap.add_argument("--stdout", default="/dev/null")
ap.add_argument("--posts", type=int, default=0)
ap.add_argument("--bytes", type=int, default=0)
ap.add_argument("--warmup", type=int, default=1)
ap.add_argument("--tool", default="")
ap.add_argument("--kind", default="throughput", choices=["throughput", "startup"])
ap.add_argument("--out", required=True)
ap.add_argument("cmd", nargs="+")
a = ap.parse_args()

def run(cmd):
    return walltime.run(cmd, a.stdin, a.stdout, f"timeit.py: {a.name}")

rss_file = tempfile.NamedTemporaryFile(prefix="rss.", delete=False).name
wrap = [] if a.kind == "startup" else ["/usr/bin/time", "-f", "%M", "-o", rss_file]
for _ in range(a.warmup):
    run(wrap + a.cmd)
times, rss = [], 0
for _ in range(a.runs):
    times.append(run(wrap + a.cmd))
    if wrap:
        with open(rss_file) as f:
            rss = max(rss, int(f.read().split()[-1]))
os.unlink(rss_file)
med = statistics.median(times)
row = {"kind": a.kind, "tool": a.tool or a.name, "name": a.name, "cmd": " ".join(a.cmd), "runs": len(times),
       "median_s": med, "min_s": min(times), "max_s": max(times),
       "rss_kb": rss or None, "posts": a.posts, "bytes": a.bytes}
with open(a.out, "a") as f:
    f.write(json.dumps(row) + "\n")
print(f"  {a.name}: median {med:.3f} s over {len(times)} runs"
      + (f", peak RSS {rss / 1024:.0f} MB" if rss else ""), file=sys.stderr)
