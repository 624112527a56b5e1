"""The sampling profiler, driven by the timer NMI source (no PMU under TCG or
kvm_pvm): start, workload, stop, report, and the framed dumps."""
import re
import zlib

from monitor import Monitor, TestFailure, expect, expect_eq
from test_shell import one_error, still_works

DUMP_RE = re.compile(r"--- prof dump begin (\w+) ---\n(.*?)--- prof dump end samples=(\d+) "
                     r"crc32=([0-9a-f]{8}) ---$", re.S)


def dump(mon, fmt):
    out = mon.cmd("prof dump " + fmt, timeout=120)
    m = DUMP_RE.search(out)
    expect(m, "no framed dump:\n" + out[:2000])
    expect_eq(m.group(1), fmt, "format in the begin line")
    body = m.group(2)
    lines = body.split("\n")[:-1]
    crc = zlib.crc32("".join(l + "\n" for l in lines).encode())
    expect_eq("%08x" % crc, m.group(4), "crc32 of the %s body" % fmt)
    return lines, int(m.group(3))


def counts(out):
    """samples, lost, dropped and source NMIs from prof status/stop output;
    every NMI the source raised while sampling is exactly one of the three."""
    m = re.search(r"samples: (\d+), lost (\d+), dropped for lack of memory (\d+)", out)
    n = re.search(r"nmis: (\d+) (?:timer ticks|counter overflows), (\d+) nested", out)
    expect(m and n, "no counters in:\n" + out)
    samples, lost, dropped = (int(x) for x in m.groups())
    expect_eq(samples + lost + dropped, int(n.group(1)), "samples + lost + dropped vs NMIs")
    return dict(samples=samples, lost=lost, dropped=dropped, nested=int(n.group(2)))


def started_at(out, hz):
    # the PMU source says "about": its period is in cycles at the TSC's rate
    expect(re.search(r"sampling at (about )?%d Hz" % hz, out), out)


def profile_mix(mon, ratio, ms, hz=1000, min_samples=100):
    """Sample exactly while the workload runs (the shell's own printing and
    waiting would otherwise be in the profile, slow under KVM)."""
    out = mon.cmd("prof record hz=%d callchain work mix %s %d" % (hz, ratio, ms), timeout=300)
    started_at(out, hz)
    expect("state: stopped" in out, out)
    c = counts(out)
    expect(c["samples"] >= min_samples, "too few samples:\n" + out)
    expect_eq(c["lost"], 0, "lost samples")
    return out


def shares(mon):
    out = mon.cmd("prof report top=50")
    total = int(re.search(r"samples: (\d+)", out).group(1))
    got = {}
    for pct, n, name in re.findall(r"^\s+([\d.]+)%\s+(\d+)\s+(\S+)$", out, re.M):
        got[name] = int(n)
    return out, total, got


def test_prof_status_at_boot_and_errors(mon):
    out = mon.cmd("prof status")
    expect("state: stopped" in out, out)
    one_error(mon.cmd("prof stop"), "not sampling")
    # refused exactly when info says there is no PMU (values/pmu_line_... runs both events)
    if re.search(r"^pmu: none \(", mon.cmd("info"), re.M):
        one_error(mon.cmd("prof start event=cycles"), "needs a counting PMU")
    else:
        mon.cmd("prof start event=cycles")
        mon.cmd("prof stop")
    one_error(mon.cmd("prof start event=bogus"), "unknown event")
    one_error(mon.cmd("prof start hz=0"), "out of range")
    one_error(mon.cmd("prof start hz=1000000"), "out of range")
    one_error(mon.cmd("prof dump xml"), "unknown dump format")
    one_error(mon.cmd("prof report top=x"), "top=N")
    one_error(mon.cmd("prof start period=0"), "bad period")
    one_error(mon.cmd("prof record hz=100"), "needs a command")
    one_error(mon.cmd("prof record prof status"), "cannot record prof")
    out = mon.cmd("prof report")
    expect("no samples" in out and "%" not in out, "report without samples:\n" + out)
    mon.cmd("prof start")
    one_error(mon.cmd("prof start"), "already sampling")
    mon.cmd("prof stop")
    still_works(mon)


def test_prof_report_finds_the_mix_leaves(mon):
    profile_mix(mon, "7:2:1", 3000)
    out, total, got = shares(mon)
    a, b, c = (got.get("work_mix_leaf_" + x, 0) for x in "abc")
    # under kvm_pvm b and c (20% and 10%) have come out in either order
    # (measured: 15.1% and 15.3%)
    expect(a > b > c > 0 if mon.accel == "tcg" else a > max(b, c) and min(b, c) > 0,
           "leaf order wrong:\n" + out)
    leaves = a + b + c
    # under kvm_pvm every byte of the workload's own two lines of serial
    # output is a trip to QEMU: on a loaded host they took 18% of the samples
    expect(leaves > (0.9 if mon.accel == "tcg" else 0.5) * total,
           "leaves are not most of the samples:\n" + out)
    # The timer samples time. Under TCG -icount time follows instructions
    # and the README promises 2 pp. Under kvm_pvm on a shared host the time
    # an instruction takes is not the guest's to choose (shares have come out
    # 9 and 18 pp off on a loaded CI machine), so there the order above is
    # the assertion and `make bench` measures the accuracy.
    if mon.accel == "tcg":
        for n, want in ((a, 0.7), (b, 0.2), (c, 0.1)):
            expect(abs(n / leaves - want) < 0.02,
                   "share %.3f, want %.2f:\n%s" % (n / leaves, want, out))
    out = mon.cmd("prof status")
    counts(out)
    out = mon.cmd("nmi")
    expect(re.search(r"unknown 0,", out), "unknown NMIs while profiling:\n" + out)
    expect(re.search(r"#PF \d+", out), "ring pages did not fault in NMI context:\n" + out)
    # a new recording is of its command alone, as perf record's new perf.data
    out = mon.cmd("prof record hz=1000 work spin 300", timeout=120)
    expect(re.search(r"discarding %d earlier samples" % total, out), out)
    out, _, got = shares(mon)
    expect(got.get("work_spin", 0) > 0 and "work_mix_leaf_a" not in got,
           "second recording mixed with the first:\n" + out)


def test_prof_dumps_are_framed_with_crc(mon):
    # few samples under KVM: every dump line is a slow serial write there
    # (and a loaded host delivered a quarter of the timer's NMIs)
    if mon.accel == "tcg":
        profile_mix(mon, "1:1:3", 400)
    else:
        profile_mix(mon, "1:1:3", 300, hz=200, min_samples=5)
    _, total, _ = shares(mon)
    lines, n = dump(mon, "folded")
    expect_eq(n, total, "folded samples= vs report")
    expect_eq(sum(int(l.rsplit(" ", 1)[1]) for l in lines), total, "sum of folded counts")
    expect(any(l.startswith("long_mode_entry;kmain;") and ";cmd_work;work_mix;work_mix_leaf_c " in l
               for l in lines), "no full stack down to a leaf:\n" + "\n".join(lines[:10]))
    lines, n = dump(mon, "raw")
    expect_eq(n, total, "raw samples=")
    expect_eq(len(lines), total, "raw lines")
    expect(all(re.match(r"^[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ [0-9a-f]+( [0-9a-f]+)*$", l) for l in lines),
           "raw line format: %r" % lines[:3])
    lines, n = dump(mon, "perf")
    expect_eq(n, total, "perf samples=")
    headers = [l for l in lines if re.match(r"^nmimon 0 \[\d{3}\] \d+\.\d{6}: 1 cpu-clock:$", l)]
    expect_eq(len(headers), total, "perf sample headers")
    expect(any(re.match(r"^\t +[0-9a-f]+ work_mix_leaf_c\+0x[0-9a-f]+ \(monitor\.elf\)$", l)
               for l in lines), "perf frame lines")
    expect("samples discarded" in mon.cmd("prof reset"), "prof reset")
    one_error(mon.cmd("prof stop"), "not sampling")
    lines, n = dump(mon, "folded")
    expect_eq((lines, n), ([], 0), "dump after reset")


def record_mix(mon):
    out = mon.cmd("prof record hz=1000 callchain work mix 7:2:1 500", timeout=300)
    expect(re.search(r"work mix 7:2:1: \d+ rounds", out) and "state: stopped" in out, out)
    return dump(mon, "raw"), dump(mon, "folded")


def test_prof_identical_runs_give_identical_profiles(mon):
    """Under -icount the timer NMIs land on the same instructions every run:
    prof record starts them at the same instruction, so two boots agree."""
    first = record_mix(mon)
    expect(first[1][1] > 400, "too few samples: %d" % first[1][1])
    with Monitor(accel="tcg", icount=3) as other:
        other.boot()
        second = record_mix(other)
    # raw samples carry TSC stamps: equal only if every sample landed on
    # the same instruction at the same virtual time
    expect_eq(first[0][0][:5], second[0][0][:5], "first raw samples of two identical runs")
    expect_eq(first, second, "profiles (raw and folded) of two identical runs")


def leaf_errors(mon, ratio):
    """Worst |share - truth| of the three leaves, in percentage points, and
    the report it came from."""
    out, total, got = shares(mon)
    want = [int(x) for x in ratio.split(":")]
    leaves = [got.get("work_mix_leaf_" + x, 0) for x in "abc"]
    expect(sum(leaves) > 0.99 * total, "leaves are not the profile:\n" + out)
    return max(abs(100.0 * n / sum(leaves) - 100.0 * w / sum(want))
               for n, w in zip(leaves, want)), out


ACCURACY_RATIOS = ("7:2:1", "1:1:3", "2:5:3")


def accuracy_runs(mon):
    """2 kHz under -icount shift=3: about 5,900 samples a ratio (the rounds
    scale with the ratio's sum: 1000 rounds of 7:2:1 are 2.97 s of virtual
    time)."""
    reports = []
    for ratio in ACCURACY_RATIOS:
        rounds = 10000 // sum(int(x) for x in ratio.split(":"))
        mon.cmd("prof reset")
        out = mon.cmd("prof record event=timer hz=2000 work mix %s rounds=%d" % (ratio, rounds),
                      timeout=300)
        c = counts(out)
        expect(c["samples"] >= 5000 and c["lost"] == 0, "samples:\n" + out)
        err, report = leaf_errors(mon, ratio)
        expect(err < 2.0, "%s: worst leaf error %.2f pp:\n%s" % (ratio, err, report))
        reports.append(report)
    return reports


def test_prof_accuracy_within_2pp_and_repeatable(mon):
    first = accuracy_runs(mon)
    with Monitor(accel="tcg", icount=3) as other:
        other.boot()
        second = accuracy_runs(other)
    expect_eq(first, second, "reports of two identical boots")


def test_prof_lazy_workload_with_lazy_reset_between(mon):
    """Samples go on while the workload faults pages in and lazy reset takes
    them away again; the ring's own pages fault in inside the NMI."""
    # kvm_pvm delivers few timer NMIs and prints slowly: run longer there
    ms = 300 if mon.accel == "tcg" else 1000
    started_at(mon.cmd("prof start hz=1000 callchain"), 1000)
    first = mon.cmd("work lazy %d" % ms, timeout=120)
    m = re.search(r"work lazy: (\d+) page touches, (\d+) faults", first)
    # the count includes the ring pages the samples faulted in meanwhile
    expect(m and int(m.group(2)) >= int(m.group(1)) > 0, first)
    expect("unmapped" in mon.cmd("lazy reset"), "lazy reset")
    again = mon.cmd("work lazy %d" % ms, timeout=120)
    m = re.search(r"work lazy: (\d+) page touches, (\d+) faults", again)
    expect(m and int(m.group(2)) > 0, "pages did not fault back in:\n" + again)
    c = counts(mon.cmd("prof stop"))
    expect(c["samples"] > 0 and c["lost"] == 0, "samples")
    out = mon.cmd("prof report top=50")
    expect(re.search(r"^\s+[\d.]+%\s+\d+\s+(work_lazy|lazy_|paging_|frames?_|trap_|page_|memset|walk)",
                     out, re.M), "no samples in the lazy workload:\n" + out)
    lines, n = dump(mon, "folded")
    # in the loop itself, or in its page faults: the exception frame holds
    # work_lazy's RIP, so the chain goes on from its caller through the trap
    # (trap_dispatch calls trap_other for a #PF, or tail-calls it)
    expect(any(";cmd_work;work_lazy" in l or
               re.search(r";cmd_work;trap_common;(trap_dispatch;)?(trap_other;)?lazy_handle_fault", l)
               for l in lines),
           "no stack through work lazy:\n" + "\n".join(lines[:20]))
    still_works(mon)


def test_prof_trace_breakpoint_on_the_sampler(mon):
    """An int3 in the sample recorder, in NMI context, while nmi test forces
    nested NMIs: every timer NMI that reached the sampler is one breakpoint
    hit in NMI context, the counters add up, and the samples stay whole."""
    mon.cmd("bp add sample_in_nmi trace")
    started_at(mon.cmd("prof start event=timer hz=5000 callchain"), 5000)
    out = mon.cmd("nmi test 200", timeout=200)
    expect(re.search(r"^nmi test: PASS", out, re.M), "nmi test while sampling:\n" + out)
    mon.cmd("work mix 7:2:1 300", timeout=120)
    c = counts(mon.cmd("prof stop"))
    expect(c["nested"] > 0, "no nested NMIs while profiling")
    out = mon.cmd("bp list")
    m = re.search(r"sample_in_nmi +trace +(\d+) +(\d+)", out)
    expect(m, "bp list:\n" + out)
    expect_eq(int(m.group(1)), int(m.group(2)), "hits vs hits in NMI context")
    expect_eq(int(m.group(1)), c["samples"] + c["lost"] + c["dropped"], "hits vs sampler calls")
    lines, n = dump(mon, "raw")
    expect_eq(len(lines), c["samples"], "raw lines")
    out, total, got = shares(mon)
    expect(got.get("work_mix_leaf_a", 0) > got.get("work_mix_leaf_c", 0) > 0,
           "leaves under a breakpoint:\n" + out)
    mon.cmd("bp del all")
    still_works(mon)


def general_passes(mon):
    """NMI passes through nmi_dispatch so far: `nmi` times those only (the
    profiler's fast pass is not timed there; "no NMI yet" when none was)."""
    m = re.search(r"\((\d+) passes timed\)", mon.cmd("nmi"))
    return int(m.group(1)) if m else 0


def test_fast_pass_takes_the_ticks_and_yields_to_breakpoints(mon):
    """One CPU, the timer profiling, nothing else asking: every tick is the
    fast pass's, none goes through nmi_dispatch. With a breakpoint set
    (anywhere) every tick takes the general pass, where breakpoints on
    nmi_dispatch, the claims and sample_in_nmi are hit as before; with it
    deleted the fast pass is back."""
    def run():
        before = general_passes(mon)
        c = counts(mon.cmd("prof record hz=10000 work mix 7:2:1 100", timeout=120))
        expect(c["samples"] > 1000, "too few samples: %r" % c)
        return general_passes(mon) - before, c

    general, c = run()
    expect_eq(general, 0, "general passes while the fast pass may take every tick (%r)" % c)
    expect("breakpoint" in mon.cmd("bp add work_mix_leaf_c trace"), "bp add")
    general, c = run()
    ticks = c["samples"] + c["lost"] + c["dropped"]
    expect(general >= ticks, "general passes %d, ticks %d: the fast pass ran under a "
           "breakpoint" % (general, ticks))
    mon.cmd("bp del all")
    general, c = run()
    expect_eq(general, 0, "general passes after bp del all (%r)" % c)
    # a breakpoint in the fast pass itself would hold it off: never a hit
    for where in ("fast_pass_in_nmi", "fast_pass_in_nmi+0x10"):
        out = mon.cmd("bp add " + where)
        expect(re.fullmatch(r"error: cannot break at 0x[0-9a-f]+: the NMI fast pass runs only "
                            r"while no breakpoint is set \(the general pass does its work "
                            r"then: break on sample_in_nmi or nmi_dispatch\)", out.strip()),
               "bp add %s:\n%s" % (where, out))
    expect("no breakpoints" in mon.cmd("bp list"), "a refused breakpoint listed")
