#!/usr/bin/env python3
"""make fuzz: each libFuzzer target of build/fuzz/bin/ for --seconds, then
tools/fuzz_profcap.py for as long. Seeds come from tests/fuzz/corpus/TARGET/
(read only); what the fuzzer adds goes to build/fuzz/corpus/TARGET/ and a
failing input to build/fuzz/crashes/ (copy it into the checked-in corpus
once fixed, as a regression input). Prints executions per target."""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "fuzz")


def run_libfuzzer(target, seconds):
    work = os.path.join(BUILD, "corpus", target)
    crashes = os.path.join(BUILD, "crashes")
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    argv = [os.path.join(BUILD, "bin", target), "-max_total_time=%d" % seconds,
            "-print_final_stats=1", "-rss_limit_mb=1024", "-timeout=10",
            "-artifact_prefix=%s/%s-" % (crashes, target), work,
            os.path.join(ROOT, "tests", "fuzz", "corpus", target)]
    p = subprocess.run(argv, capture_output=True, text=True)
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)$", p.stderr, re.M))
    ok = p.returncode == 0
    if not ok:
        print(p.stderr[-3000:], file=sys.stderr)
    return ok, int(stats.get("number_of_executed_units", 0)), int(stats.get("new_units_added", 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    failed = []
    print("%-14s %12s %8s  %s" % ("target", "executions", "new", "result"))
    for t in args.targets:
        ok, execs, new = run_libfuzzer(t, args.seconds)
        print("%-14s %12d %8d  %s" % (t, execs, new, "ok" if ok else "FAILED"), flush=True)
        if not ok:
            failed.append(t)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fuzz_profcap.py"),
                        "--seconds", str(args.seconds)], capture_output=True, text=True)
    m = re.search(r"executions: (\d+)", p.stdout)
    print("%-14s %12s %8s  %s" % ("profcap.py", m.group(1) if m else "?", "-",
                                 "ok" if p.returncode == 0 else "FAILED"))
    if p.returncode != 0:
        print(p.stderr[-3000:], file=sys.stderr)
        failed.append("profcap")
    if failed:
        print("make fuzz: failures in %s (inputs in build/fuzz/crashes/)" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
