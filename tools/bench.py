#!/usr/bin/env python3
"""make bench: how fast and how cheap the monitor is, measured, never asserted.

Prints one line per figure, `name value unit`, then a summary table, and
writes the lines to build/bench.txt. Method (PERFORMANCE.md): under TCG with
`-icount shift=3,sleep=off` (PERFORMANCE.md's setting, the peer's) the TSC
advances exactly 8 per executed instruction, so the monitor's own TSC deltas
/ 8 are exact instruction counts, the same every run, and a rate in Hz means
the same samples per instruction as for the peer. A fixed amount of `work mix` is timed with sampling off
and on; extra instructions / samples = cost per sample (NMI entry to IRET,
the whole path), extra / base = overhead.
"""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

import qemu  # noqa: E402
import nmi_breakdown  # noqa: E402
from monitor import Monitor  # noqa: E402

RESULTS = []
ROUNDS = 2000        # work mix rounds: about 7*10^8 instructions at 7:2:1
SHIFT = 3            # -icount shift: 2**SHIFT ns of virtual time (= TSC) per instruction


def figure(name, value, unit):
    line = "%s %s %s" % (name, value, unit)
    RESULTS.append(line)
    print(line, flush=True)


def boot_time(accel):
    times = []
    for _ in range(3):
        with Monitor(accel=accel) as m:
            times.append(m.boot(timeout=120))
    return min(times)


def achieved_hz(out):
    r = re.search(r"rate: asked (\d+) Hz, achieved (\d+) Hz", out)
    return (int(r.group(1)), int(r.group(2))) if r else (0, 0)


def lossless(samples, lost, out):
    """Nothing lost: no ring overflow and (timer NMIs that arrive while NMIs
    are blocked merge into one) at least 95% of the asked rate delivered."""
    asked, got = achieved_hz(out)
    return samples > 0 and lost == 0 and got >= 0.95 * asked


def highest_lossless(m, ratio, rounds, rates):
    best = 0
    for hz in rates:
        _, samples, lost, out = mix_insns(m, ratio, rounds, "hz=%d callchain" % hz)
        if lossless(samples, lost, out):
            best = hz
    return best


def mix_insns(m, ratio, rounds, record=None):
    """Run a fixed amount of work mix; return (instructions, samples, lost, output)."""
    cmd = "work mix %s rounds=%d" % (ratio, rounds)
    if record:
        m.cmd("prof reset")     # each figure from its own samples
        cmd = "prof record %s %s" % (record, cmd)
    out = m.cmd(cmd, timeout=1200)
    t = re.search(r"\((\d+) tsc\)", out)
    if not t:
        raise SystemExit("bench: unexpected output:\n" + out)
    s = re.search(r"samples: (\d+), lost (\d+)", out)
    return int(t.group(1)) >> SHIFT, int(s.group(1)) if s else 0, int(s.group(2)) if s else 0, out


def leaf_shares(m):
    out = m.cmd("prof report top=50")
    got = {name: int(n) for _, n, name in
           re.findall(r"^\s+([\d.]+)%\s+(\d+)\s+(\S+)$", out, re.M)}
    leaves = [got.get("work_mix_leaf_" + x, 0) for x in "abc"]
    return leaves


def breakdown(m, syms, hmp_sock, log):
    """Where a warm sample's instructions go (tools/nmi_breakdown.py): a few
    samples with and without a callchain, and nmi test's nested NMIs, from
    QEMU's execution log."""
    _, nmis = nmi_breakdown.capture(m, nmi_breakdown.Hmp(hmp_sock), log, [
        "prof record hz=20000 work mix 7:2:1 rounds=1",
        "prof record hz=20000 callchain work mix 7:2:1 rounds=1",
        "nmi test 1"], syms)
    figures = nmi_breakdown.summarise(nmis)
    print("where a sample's instructions go (QEMU's execution log, averages):")
    print(nmi_breakdown.table(figures), flush=True)
    for name, value, unit in figures:
        RESULTS.append("tcg.%s %s %s" % (name, value, unit))


def breakdown_paths():
    """The image's symbols, and a fresh HMP socket and execution log path for a
    monitor whose samples breakdown() reads."""
    syms = nmi_breakdown.Symbols.from_elf(qemu.ELF)
    hmp_sock = os.path.join(ROOT, "build", "bench-hmp.sock")
    log = os.path.join(ROOT, "build", "bench-exec.log")
    if os.path.exists(hmp_sock):
        os.unlink(hmp_sock)
    return syms, hmp_sock, log


def bench_tcg_icount():
    syms, hmp_sock, log = breakdown_paths()
    with Monitor(accel="tcg", icount=SHIFT,
                 extra=nmi_breakdown.qemu_args(syms, hmp_sock, log)) as m:
        m.boot(timeout=120)
        base, _, _, _ = mix_insns(m, "7:2:1", ROUNDS)
        figure("tcg.mix_instructions", base, "instructions")
        # the ring holds about 123,000 samples per CPU: at 50 kHz (one sample
        # per 2,500 instructions at shift=3) a quarter of the run fits
        short = mix_insns(m, "7:2:1", ROUNDS // 4)[0]
        # warm up: the first samples fault the ring's pages in (two quarter
        # runs at 50 kHz go round all of it); measure steady state
        for _ in range(2):
            mix_insns(m, "7:2:1", ROUNDS // 4, "hz=50000 callchain")
        for hz in (1000, 4000, 10000, 50000):
            rounds, b = (ROUNDS, base) if hz <= 10000 else (ROUNDS // 4, short)
            for cc in ("", " callchain"):
                ins, samples, lost, _ = mix_insns(m, "7:2:1", rounds, "hz=%d%s" % (hz, cc))
                tag = "callchain" if cc else "plain"
                if samples:
                    figure("tcg.cost_per_sample.%s.%dhz" % (tag, hz),
                           (ins - b) // samples, "instructions")
                figure("tcg.overhead.%s.%dhz" % (tag, hz),
                       "%.3f" % (100.0 * (ins - b) / b), "%")
                figure("tcg.lost.%s.%dhz" % (tag, hz), lost, "samples")
        figure("tcg.highest_rate_no_loss",
               highest_lossless(m, "7:2:1", ROUNDS // 4, (1000, 4000, 10000, 20000, 50000)), "Hz")
        out = m.cmd("prof status")
        d = re.search(r"(\d+) early duplicate ticks", out)
        if d:
            # QEMU's periodic HPET fires twice per period under -icount; the
            # duplicate NMI is dropped but its entry and exit are in the cost
            figure("tcg.duplicate_timer_nmis_since_boot", d.group(1), "NMIs")
        worst = 0.0
        for ratio, truth in (("7:2:1", (0.7, 0.2, 0.1)), ("1:1:3", (0.2, 0.2, 0.6)),
                             ("1:1:1", (1 / 3, 1 / 3, 1 / 3))):
            mix_insns(m, ratio, 2 * ROUNDS, "hz=10000 callchain")
            leaves = leaf_shares(m)
            total = sum(leaves) or 1
            err = max(abs(l / total - t) for l, t in zip(leaves, truth)) * 100
            figure("tcg.accuracy.%s" % ratio.replace(":", "-"), "%.2f" % err, "pp")
            worst = max(worst, err)
        figure("tcg.accuracy.worst", "%.2f" % worst, "pp")
        mix_insns(m, "1:1:3", ROUNDS // 4, "hz=4000 callchain")
        for fmt in ("folded", "perf", "raw"):
            out = m.cmd("prof dump " + fmt, timeout=600)
            n = int(re.search(r"samples=(\d+)", out).group(1))
            body = out.split("\n", 1)[1].rsplit("--- prof dump end", 1)[0]
            figure("dump_bytes_per_sample.%s" % fmt, "%.2f" % (len(body) / max(n, 1)), "bytes")
        out = m.cmd("prof status")
        c = re.search(r"sample cost: min (\d+) avg (\d+) max (\d+)", out)
        if c:
            figure("tcg.sampler_insns_min_avg_max",
                   "/".join(str(int(x) >> SHIFT) for x in c.groups()), "instructions")
        breakdown(m, syms, hmp_sock, log)
    os.unlink(hmp_sock)     # QEMU leaves its listening socket behind


def bench_tcg_smp4():
    """The same 10 kHz profile at -smp 4 (issue 15): each timer tick is one
    sample on the ticking CPU plus one all-but-self NMI IPI that makes the
    three others sample their own context. Under -icount the idle APs' HLT
    takes no instructions, so the TSC counts every CPU's sampling work."""
    with Monitor(accel="tcg", icount=SHIFT, smp=4) as m:
        m.boot(timeout=120)
        base = mix_insns(m, "7:2:1", ROUNDS // 4)[0]
        ins, samples, lost, out = mix_insns(m, "7:2:1", ROUNDS // 4, "hz=10000")
        ticks = int(re.search(r"nmis: (\d+) timer ticks", out).group(1))
        figure("tcg.smp4.cost_per_tick.plain.10000hz", (ins - base) // max(ticks, 1),
               "instructions")
        figure("tcg.smp4.cost_per_sample.plain.10000hz", (ins - base) // max(samples, 1),
               "instructions")
        figure("tcg.smp4.samples_per_tick", "%.2f" % (samples / max(ticks, 1)), "samples")
        figure("tcg.smp4.lost.plain.10000hz", lost, "samples")


def bench_nmi_test(accel, n):
    with Monitor(accel=accel) as m:
        m.boot(timeout=120)
        out = m.cmd("nmi test %d" % n, timeout=1800)
        r = re.search(r"(\d+) NMIs \((\d+) nested\) in (\d+) ms, (\d+) NMIs/s", out)
        if r:
            figure("%s.nmi_test_rate" % accel, r.group(4), "NMIs/s")
        out = m.cmd("nmi")
        c = re.search(r"handler cycles: min (\d+) avg (\d+) max (\d+)", out)
        if c:
            figure("%s.nmi_handler_cycles_min_avg_max" % accel, "%s/%s/%s" % c.groups(), "TSC")


KVM_ROUNDS = 10     # kvm_pvm runs work mix's loop at about 1 instruction per microsecond


def bench_kvm_profile():
    with Monitor(accel="kvm") as m:
        m.boot(timeout=120)
        base, _, _, _ = mix_insns(m, "7:2:1", KVM_ROUNDS)
        best = highest_lossless(m, "7:2:1", KVM_ROUNDS, (100, 250, 500, 1000, 2000, 4000, 10000))
        figure("kvm.highest_rate_no_loss", best, "Hz")
        for hz in sorted({1000, 4000, best} - {0}):
            ins, samples, lost, out = mix_insns(m, "7:2:1", KVM_ROUNDS, "hz=%d callchain" % hz)
            figure("kvm.overhead.callchain.%dhz" % hz, "%.2f" % (100.0 * (ins - base) / base), "%")
            figure("kvm.lost.%dhz" % hz, lost, "samples")
            figure("kvm.achieved_rate.%dhz" % hz, achieved_hz(out)[1], "Hz")
            c = re.search(r"sample cost: min (\d+) avg (\d+) max (\d+)", out)
            if c:
                figure("kvm.sampler_cycles_min_avg_max.%dhz" % hz, "%s/%s/%s" % c.groups(), "TSC")


def bench_quick():
    """`tools/bench.py quick`: only the sample's cost (10 kHz, a quarter run,
    after a warm-up), the sampler's own figure and the breakdown: a minute or
    two, for working on the NMI path. Nothing is written to build/bench.txt."""
    syms, hmp_sock, log = breakdown_paths()
    with Monitor(accel="tcg", icount=SHIFT,
                 extra=nmi_breakdown.qemu_args(syms, hmp_sock, log)) as m:
        m.boot(timeout=120)
        base = mix_insns(m, "7:2:1", ROUNDS // 4)[0]
        mix_insns(m, "7:2:1", ROUNDS // 4, "hz=50000 callchain")
        for cc in ("", " callchain"):
            ins, samples, _, out = mix_insns(m, "7:2:1", ROUNDS // 4, "hz=10000" + cc)
            tag = "callchain" if cc else "plain"
            figure("tcg.cost_per_sample.%s.10000hz" % tag, (ins - base) // max(samples, 1),
                   "instructions")
            c = re.search(r"sample cost: min (\d+) avg (\d+) max (\d+)", m.cmd("prof status"))
            if c:
                figure("tcg.sampler_insns_min_avg_max.%s" % tag,
                       "/".join(str(int(x) >> SHIFT) for x in c.groups()), "instructions")
        breakdown(m, syms, hmp_sock, log)
    os.unlink(hmp_sock)


def main():
    if sys.argv[1:] == ["quick"]:
        return bench_quick()
    t0 = time.monotonic()
    figure("tcg.boot_to_prompt", "%.2f" % boot_time("tcg"), "s")
    kvm = qemu.kvm_usable()
    if kvm:
        figure("kvm.boot_to_prompt", "%.2f" % boot_time("kvm"), "s")
    bench_tcg_icount()
    bench_tcg_smp4()
    bench_nmi_test("tcg", 100000)
    if kvm:
        bench_nmi_test("kvm", 1000)
        bench_kvm_profile()
    else:
        print("kvm: skipped (/dev/kvm cannot be opened)")
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "bench.txt"), "w") as f:
        f.write("\n".join(RESULTS) + "\n")
    print("\nsummary (%s, %.0f s)" % (time.strftime("%Y-%m-%d"), time.monotonic() - t0))
    for line in RESULTS:
        name, value, unit = line.split(" ", 2)
        print("  %-44s %14s %s" % (name, value, unit))


if __name__ == "__main__":
    main()
