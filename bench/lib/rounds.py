#!/usr/bin/env python3
"""rounds.py --rounds N -- CMD_A... ::: CMD_B...   time two commands in alternation.

Each round runs A then B (one untimed warm-up round first), output to /dev/null,
and keeps A's time / B's time.  On a shared machine whose speed drifts over
minutes, the median of these per-round ratios compares the two more fairly than
the ratio of two medians taken minutes apart.  Prints one line:

    MEDIAN_RATIO MIN_RATIO MAX_RATIO MEDIAN_A_S MEDIAN_B_S ROUNDS
"""
import argparse, statistics, sys

import walltime

ap = argparse.ArgumentParser()
ap.add_argument("--rounds", type=int, default=7)
ap.add_argument("cmd", nargs="+")
a = ap.parse_args()
if ":::" not in a.cmd:
    sys.exit("rounds.py: the two commands are separated by :::")
cut = a.cmd.index(":::")
cmd_a, cmd_b = a.cmd[:cut], a.cmd[cut + 1:]
if not cmd_a or not cmd_b or a.rounds < 1:
    sys.exit("rounds.py: two commands and at least one round are needed")


def run(cmd):
    return walltime.run(cmd, who="rounds.py")


run(cmd_a)
run(cmd_b)
ta, tb, ratios = [], [], []
for _ in range(a.rounds):
    x, y = run(cmd_a), run(cmd_b)
    ta.append(x)
    tb.append(y)
    ratios.append(x / y)
print(f"{statistics.median(ratios):.3f} {min(ratios):.3f} {max(ratios):.3f} "
      f"{statistics.median(ta):.3f} {statistics.median(tb):.3f} {a.rounds}")
