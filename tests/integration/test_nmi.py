"""The nested-safe NMI path: nmi test forces every nesting window; the
counters `nmi` shows afterwards must be the ones the cases predict."""
import re

from monitor import TestFailure, expect, expect_eq
from test_shell import one_error, still_works

CASES = ["basic-int3", "basic-lazy", "canary", "no-exception", "collapse", "repeat-state",
         "window-copy", "window-exit", "cr2", "accounting"]


def nmi_stats(mon):
    out = mon.cmd("nmi")
    st = {}
    for key, rx in [("total", r"total (\d+)"), ("first", r"first-level (\d+)"),
                    ("nested", r"nested (\d+)"), ("window", r"in repeat window (\d+)"),
                    ("repeats", r"repeats (\d+)"), ("unknown", r"unknown (\d+)"),
                    ("swallowed", r"swallowed (\d+)"), ("latched", r"c-latch entries (\d+)"),
                    ("deepest", r"deepest stack use: (\d+) of"),
                    ("usable", r"deepest stack use: \d+ of (\d+) bytes")]:
        m = re.search(rx, out)
        expect(m, "nmi lacks %s:\n%s" % (key, out))
        st[key] = int(m.group(1))
    return st, out


def allowed_skips(mon):
    """{case: reason} the self-test may skip on this monitor, asked of the
    monitor itself (and its boot options) before the run: any other SKIP,
    or a SKIP for another reason, is a failure."""
    skips = {}
    argv = " ".join(mon.argv)
    if "quirk=no-int3" in argv:
        skips["basic-int3"] = "boot option quirk=no-int3"
    if "no breakpoints" not in mon.cmd("bp list"):
        skips["collapse"] = "breakpoints are set"
    elif "state: sampling" in mon.cmd("prof status"):
        skips["collapse"] = "timer NMIs are arriving"
    elif "quirk=nmi-late" in argv:
        skips["collapse"] = "quirk=nmi-late"
    return skips


def run_nmi_test(mon, n, timeout):
    skips = allowed_skips(mon)
    out = mon.cmd("nmi test %d" % n, timeout=timeout)
    lines = out.splitlines()
    for case in CASES:
        # the name is printed before the risky step, then one verdict line
        expect(any(l.startswith("running " + case) for l in lines),
               "case %s not announced:\n%s" % (case, out))
        verdicts = [l for l in lines if l.startswith("case %s: " % case)]
        expect(verdicts, "no verdict for case %s:\n%s" % (case, out))
        for v in verdicts:
            if "FAIL" in v:
                raise TestFailure("case failed: %s\n%s" % (v, out))
            if " SKIP: " in v:
                expect(case in skips and v.startswith("case %s: SKIP: %s" % (case, skips[case])),
                       "case %s skipped, allowed here: %r\n%s" % (case, skips, v))
            else:
                expect(" PASS" in v or "lazy faults=" in v, "odd verdict line: " + v)
    for case in skips:
        expect("case %s: SKIP: " % case in out, "case %s ran although %s" % (case, skips[case]))
    m = re.search(r"^nmi test: PASS (\d+) passed, 0 failed, (\d+) skipped; (\d+) NMIs "
                  r"\((\d+) nested\)", out, re.M)
    expect(m, "no PASS verdict line:\n" + out)
    return out, int(m.group(3)), int(m.group(4))


def counts(out, case):
    line = next(l for l in out.splitlines() if l.startswith("case %s: PASS" % case))
    return {k: int(v) for k, v in re.findall(r"([A-Za-z#-]+)=(\d+)", line)}


def test_nmi_stats_at_boot(mon):
    st, out = nmi_stats(mon)
    expect_eq(st["total"], 0, "NMIs at boot")
    expect_eq(st["unknown"], 0, "unknown NMIs at boot")
    expect("nmi log: empty" in out, "NMI log not empty at boot:\n" + out)


def test_nmi_test_1000_passes_and_counts_agree(mon):
    out, nmis, nested = run_nmi_test(mon, 1000, timeout=400)
    st, _ = nmi_stats(mon)
    expect_eq(st["unknown"], 0, "unknown NMIs")
    expect_eq(st["latched"], 0, "C-latch entries")
    expect_eq(st["nested"], nested, "nested NMIs in nmi vs nmi test")
    expect_eq(st["total"], nmis, "NMIs in nmi vs nmi test")
    # the exact counts the cases predict, per iteration
    if "case basic-int3: PASS" in out:
        c = counts(out, "basic-int3")
        expect_eq((c["first"], c["repeats"], c["nested"], c["#BP"]), (1000,) * 4, "basic-int3")
    c = counts(out, "basic-lazy")
    expect_eq((c["nested"], c["repeats"], c["#PF"], c["lazy-in-nmi"]), (1000,) * 4, "basic-lazy")
    c = counts(out, "no-exception")
    expect_eq((c["nested"], c["repeats"]), (2000, 1000), "no-exception")
    c = counts(out, "repeat-state")
    expect_eq((c["first"], c["repeats"], c["nested"]), (1000, 3000, 3000), "repeat-state")
    c = counts(out, "window-copy")
    expect_eq((c["in-window"], c["repeats"], c["hooks"]), (1000, 1000, 1000), "window-copy")
    c = counts(out, "window-exit")
    expect_eq((c["nested"], c["repeats"], c["hooks"]), (1000, 1000, 1000), "window-exit")
    expect(272 < st["deepest"] < st["usable"], "deepest NMI stack use %d" % st["deepest"])
    still_works(mon)


def test_nmi_test_with_debug_unmask(mon):
    """debug-unmask opens the NMI window in every pass: the collapse case's
    ten self-NMIs, sent in the pass, nest at once instead of merging into
    one that waits for the IRET."""
    out = mon.cmd("nmi debug-unmask on")
    expect("debug-unmask on" in out, out)
    # kvm_pvm runs ~300 NMIs/s: fewer iterations there keep make test short
    n = 1000 if mon.accel == "tcg" else 200
    out, _, _ = run_nmi_test(mon, n, timeout=400)
    if "case collapse: PASS" in out:
        c = counts(out, "collapse")
        expect_eq((c["first"], c["repeats"], c["nested"], c["handled"]), (n, n, 10 * n, 2 * n),
                  "collapse with debug-unmask: first, repeats, nested, handled")
    st, _ = nmi_stats(mon)
    expect_eq((st["unknown"], st["latched"]), (0, 0), "unknown, latched")
    mon.cmd("nmi debug-unmask off")
    still_works(mon)


def test_nmi_test_100000(mon):
    run_nmi_test(mon, 100000, timeout=240)
    st, _ = nmi_stats(mon)
    expect_eq((st["unknown"], st["latched"]), (0, 0), "unknown, latched")
    still_works(mon)


def test_nmi_bad_arguments(mon):
    one_error(mon.cmd("nmi test 0"), "range")
    one_error(mon.cmd("nmi test x"), "x")
    one_error(mon.cmd("nmi frob"), "usage")
    still_works(mon)


def test_nmi_stack_overflow_ends_in_double_fault_report(mon):
    start = mon.mark()
    mon.send("trap nmi-overflow\r")
    mon.wait_for(r"cannot resume from here: halted", 60, start)
    out = mon.buf[start:]
    expect(re.search(r"\*\*\* exception 8 #DF \(double fault\)", out), "no #DF report:\n" + out)
    expect("ran into the NMI stack's guard page" in out, "overflow not named:\n" + out)
    expect(re.search(r"#\d+ +0x[0-9a-f]+ nmi_dispatch\+", out), "backtrace lacks the NMI path")
    expect(mon.proc.poll() is None, "QEMU exited: triple fault or reset")


def test_int3_refused_under_kvm_pvm(mon):
    expect("quirk=no-int3" in " ".join(mon.argv), "KVM here is not kvm_pvm: run the int3 tests")
    one_error(mon.cmd("trap bp"), "quirk=no-int3")
    one_error(mon.cmd("bp add work_spin"), "quirk=no-int3")
    expect("no breakpoints" in mon.cmd("bp list"), "a refused breakpoint was listed")


def sampled_so_far(mon):
    """(samples, ms) of the running profiler, from prof status."""
    out = mon.cmd("prof status")
    m = re.search(r"over (\d+) ms", out)
    n = re.search(r"samples: (\d+), lost (\d+), dropped for lack of memory (\d+)", out)
    expect(m and n, out)
    return sum(int(x) for x in n.groups()), int(m.group(1))


def test_nmi_test_passes_while_sampling(mon):
    """Timer NMIs keep arriving (the profiler at a high rate) while nmi test
    forces its nestings: everything still passes, counts as lower bounds."""
    hz, n = 20000, 1000
    out = mon.cmd("prof start event=timer hz=%d" % hz)
    expect("sampling at %d Hz" % hz in out, out)
    out, _, _ = run_nmi_test(mon, n, timeout=400)
    expect("counts are checked as lower bounds" in out, out)
    # Thousands of foreign NMIs must not have pushed the timer ahead of
    # time: right after them it still samples at the asked rate. Under
    # -icount (the manifest's icount=3) virtual time follows instructions,
    # so host load cannot move the rate: 1% plus one tick of phase.
    before = sampled_so_far(mon)
    mon.cmd("work spin 300", timeout=60)
    after = sampled_so_far(mon)
    ms = max(after[1] - before[1], 1)
    rate = (after[0] - before[0]) * 1000.0 / ms
    expect(abs(rate - hz) <= hz / 100 + 1000.0 / ms,
           "timer rate after nmi test: %.0f Hz, asked %d" % (rate, hz))
    out = mon.cmd("prof stop")
    m = re.search(r"samples: (\d+), lost (\d+)", out)
    expect(m and int(m.group(1)) > 0, "no samples taken during nmi test:\n" + out)
    st, _ = nmi_stats(mon)
    expect_eq((st["unknown"], st["latched"]), (0, 0), "unknown, latched")
    still_works(mon)
