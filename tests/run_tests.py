#!/usr/bin/env python3
"""make test: host unit tests, then the QEMU integration tests of
tests/integration/manifest.py. Prints one line per test and ends with
`N passed, N failed` (and `, N skipped` when some could not run here).

--fail-fast stops at the first failure (tools/mutate.py: a mutant is killed
by the first test that fails); --order fast-first starts the tests with the
shortest timeouts first (manifest order among equals), so that a broken build
fails early."""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "integration"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import qemu  # noqa: E402
from manifest import TESTS  # noqa: E402
from monitor import Monitor, TestFailure, TestSkip  # noqa: E402


def run_unit():
    exe = os.path.join(ROOT, "build", "unit_tests")
    p = subprocess.run([exe], capture_output=True, text=True)
    passed = failed = 0
    for line in p.stdout.splitlines():
        if line.startswith("ok - "):
            passed += 1
            print("ok   unit/" + line[5:])
        elif line.startswith("FAIL - "):
            failed += 1
            print("FAIL unit/" + line[7:])
        elif line.startswith("    "):
            print(line)
    if p.returncode != 0 and failed == 0:
        failed += 1
        print("FAIL unit tests exited with %d\n%s%s" % (p.returncode, p.stdout[-2000:],
                                                       p.stderr[-2000:]))
    return passed, failed


def run_without_monitor(test, accel):
    t0 = time.monotonic()
    try:
        test["func"](accel)
        return True, "%.1fs" % (time.monotonic() - t0)
    except TestSkip as e:
        return None, str(e)
    except TestFailure as e:
        return False, str(e)
    except Exception:
        return False, traceback.format_exc()


# the monitors running now: --fail-fast kills them
LIVE = set()
LIVE_LOCK = threading.Lock()


def run_one(test, accel):
    if not test["monitor"]:
        return run_without_monitor(test, accel)
    mon = Monitor(accel=accel, boot=test["boot"], icount=test["icount"],
                  reboot=test["reboot"], firmware=test["firmware"], memory=test["memory"],
                  cmdline=test["cmdline"], extra=test["extra"], smp=test["smp"])
    with LIVE_LOCK:
        LIVE.add(mon)
    t0 = time.monotonic()
    try:
        mon.start()
        mon.boot(timeout=min(60, test["timeout"]))
        test["func"](mon)
        return True, "%.1fs" % (time.monotonic() - t0)
    except TestSkip as e:
        return None, str(e)
    except TestFailure as e:
        return False, str(e)
    except Exception:
        return False, traceback.format_exc() + "\noutput ends:\n" + mon.tail()
    finally:
        with LIVE_LOCK:
            LIVE.discard(mon)
        mon.close()


def stop_now(summary):
    """--fail-fast: kill the QEMUs still running and leave without waiting
    for the tests that were using them (a host tool's own children go with
    the caller's process group, see tools/mutate.py)."""
    with LIVE_LOCK:
        for mon in list(LIVE):
            mon.close()
    print(summary, flush=True)
    os._exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accel", choices=["tcg", "kvm"], help="run only this accelerator")
    ap.add_argument("--only", action="append", default=[], metavar="SUBSTRING",
                    help="run the integration tests whose name contains this (repeatable); "
                    "'unit': the unit tests")
    ap.add_argument("--jobs", type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument("--no-unit", action="store_true")
    ap.add_argument("--fail-fast", action="store_true",
                    help="stop at the first failure, killing the QEMUs still running")
    ap.add_argument("--skip", action="append", default=[], metavar="SUBSTRING",
                    help="leave out the integration tests whose name contains this")
    ap.add_argument("--order", choices=["manifest", "fast-first"], default="manifest",
                    help="start order of the tests (with --jobs 1, the run order)")
    args = ap.parse_args()

    passed = failed = skipped = 0
    if not args.no_unit and (not args.only or "unit" in args.only):
        passed, failed = run_unit()
        if failed and args.fail_fast:
            stop_now("%d passed, %d failed (fail-fast)" % (passed, failed))

    kvm_ok = qemu.kvm_usable()
    jobs = []
    for test in TESTS:
        if args.only and not any(o in test["name"] for o in args.only if o != "unit"):
            continue
        if any(skip in test["name"] for skip in args.skip):
            continue
        for accel in test["accels"]:
            if args.accel and accel not in (args.accel, "host"):
                continue
            label = "%s [%s%s%s]" % (test["name"], accel,
                                     "/" + test["boot"] if test["boot"] else "",
                                     "/uefi" if test["firmware"] == "uefi" else "")
            if test["firmware"] == "uefi" and qemu.uefi_missing():
                print("SKIP %s: %s" % (label, qemu.uefi_missing()))
                skipped += 1
                continue
            if accel == "kvm" and not kvm_ok:
                print("SKIP %s: /dev/kvm is missing or cannot be opened" % label)
                skipped += 1
                continue
            jobs.append((label, test, accel))
    if args.order == "fast-first":
        jobs.sort(key=lambda job: job[1]["timeout"])     # stable: manifest order among equals

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [(label, pool.submit(run_one, test, accel)) for label, test, accel in jobs]
        if args.fail_fast:
            # in completion order, so the first failure stops the run at once
            labels = {fut: label for label, fut in futures}
            futures = ((labels[fut], fut) for fut in concurrent.futures.as_completed(labels))
        for label, fut in futures:
            ok, detail = fut.result()
            if ok is None:
                skipped += 1
                print("SKIP %s: %s" % (label, detail), flush=True)
            elif ok:
                passed += 1
                print("ok   %s (%s)" % (label, detail), flush=True)
            else:
                failed += 1
                print("FAIL %s\n%s" % (label, re.sub(r"(?m)^", "    ", detail)), flush=True)
                if args.fail_fast:
                    stop_now("%d passed, %d failed (fail-fast)" % (passed, failed))

    summary = "%d passed, %d failed" % (passed, failed)
    if skipped:
        summary += ", %d skipped" % skipped
    print(summary)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
