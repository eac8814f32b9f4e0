"""walltime.run: the wall time of one command, shared by timeit.py and rounds.py."""
import subprocess, sys, time


def run(cmd, stdin="/dev/null", stdout="/dev/null", who="bench"):
    """Run cmd with stdin and stdout redirected; return its wall time in seconds.
    Exit statuses 0 and 1 count as success (humeur exits 1 when some lines
    yielded error objects); any other ends the script."""
    with open(stdin, "rb") as i, open(stdout, "wb") as o:
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, stdin=i, stdout=o)
        dt = time.perf_counter() - t0
    if rc not in (0, 1):
        sys.exit(f"{who}: exit status {rc}: {' '.join(cmd)}")
    return dt
