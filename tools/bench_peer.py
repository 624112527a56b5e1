#!/usr/bin/env python3
"""make bench-peer: our profiler beside Linux perf, measured the same way.

PERFORMANCE.md's method, both sides in one run: QEMU TCG, -cpu max,
-icount shift=3,sleep=off, where RDTSC advances 8 per executed instruction,
so a workload's own TSC delta / 8 is an exact instruction count, whatever
the host is doing. The workload is the same monitor/work/work_mix.c on both sides
(tools/peer/work_mix_main.c wraps it for Linux), the same ratios, the same
number of rounds.

Peer: Debian 12's 6.1 kernel, linux-perf and busybox-static from Debian's
packages (tools/peer/guest.py, cached under build/peer/), `perf record -e
cpu-clock` (the guest has no PMU). Ours: the monitor's `prof record` from
the HPET timer NMI. Per run: instructions per sample = (instructions with
sampling - without) / samples; overhead = extra / without; worst leaf error
= worst |sampled share - true share| of the three leaves, in percentage
points; samples and lost samples; and one configuration twice, to see
whether identical runs give identical profiles.

Prints `name value unit` lines, then one table, and writes both to
build/bench-peer.txt. Failures are one line naming what failed.
"""
import os
import re
import subprocess
import sys
import time
from urllib.parse import unquote

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "peer"))

import qemu  # noqa: E402
import guest  # noqa: E402
from monitor import Monitor, TestFailure  # noqa: E402

PEER = os.path.join(ROOT, "build", "peer")
WORKLOAD = os.path.join(PEER, "work_mix")
INITRD = os.path.join(PEER, "initramfs.gz")
OUT = os.path.join(ROOT, "build", "bench-peer.txt")

ICOUNT = 3
TSC_PER_INSN = 1 << ICOUNT
# About 10^9 instructions per run (PERFORMANCE.md): a 7:2:1 round runs
# 10 * 4.5 * 4096 leaf iterations of 2 instructions on average, 1:1:3 half that.
RATIOS = (("7:2:1", 2700, (0.7, 0.2, 0.1)), ("1:1:3", 5400, (0.2, 0.2, 0.6)))
RATES = (1000, 4000)
REPEAT = ("7:2:1", 1000, True)      # the configuration run twice
LEAVES = ["work_mix_leaf_" + x for x in "abc"]
TSC_RE = re.compile(r"\((\d+) tsc\)")

RESULTS = []


class BenchError(Exception):
    pass


def figure(name, value, unit):
    line = "%s %s %s" % (name, value, unit)
    RESULTS.append(line)
    print(line, flush=True)


def worst_error(counts, truth):
    """Worst leaf error in pp, shares taken among the three leaves' samples."""
    leaves = [counts.get(name, 0) for name in LEAVES]
    total = sum(leaves)
    if not total:
        return None
    return max(abs(n / total - t) for n, t in zip(leaves, truth)) * 100


class Guest(Monitor):
    """The peer's Linux guest, driven through /init's command loop: each line
    typed runs, then /init prints `@@done <status>` (tools/peer/init)."""

    def __init__(self, kernel):
        super().__init__()
        self.argv = qemu.linux_guest_argv(kernel, INITRD, "console=ttyS0 quiet panic=-1",
                                          ICOUNT)

    def boot(self, timeout=300.0):
        m = self.wait_for(r"@@peer ready (\S+)\r?\n", timeout)
        return time.monotonic() - self.started_at, m.group(1)

    def run(self, line, timeout=600.0):
        start = self.mark()
        self.send(line + "\n")
        m = self.wait_for(r"@@done (\d+)\r?\n", timeout, start)
        out = self.buf[start:m.start()].replace("\r\n", "\n")
        if m.group(1) != "0":
            raise BenchError("guest: `%s` exited %s: %s" % (line, m.group(1),
                                                            out.strip()[-300:]))
        return out


def peer_mix(g, ratio, rounds, hz=None, callchain=False):
    """One run in the guest: (instructions, samples, lost, {symbol: samples})."""
    cmd = "/work_mix %s %d" % (ratio, rounds)
    if hz is None:
        out = g.run(cmd)
        return int(TSC_RE.search(out).group(1)) // TSC_PER_INSN, 0, 0, {}
    # -N: no build-id cache to fill (a copy of every binary into ~/.debug)
    out = g.run("perf record -e cpu-clock -F %d%s -N -o /tmp/perf.data -- %s 2>&1"
                % (hz, " -g" if callchain else "", cmd))
    t = TSC_RE.search(out)
    s = re.search(r"\((\d+) samples\)", out)
    if not t or not s:
        raise BenchError("guest: unexpected perf record output: " + out.strip()[-300:])
    # self samples per symbol, callchains folded away (--no-children, -g none);
    # the console is a tty, where perf would colour the percentages
    rep = g.run("perf report -i /tmp/perf.data --stdio --stdio-color never --no-children "
                "-n --sort sym -g none 2>&1")
    lost = re.search(r"# Total Lost Samples: (\d+)", rep)
    counts = {name: int(n) for n, name in
              re.findall(r"^\s+[\d.]+%\s+(\d+)\s+\[[.k]\]\s+(\S+)", rep, re.M)}
    if not counts:
        raise BenchError("guest: perf report printed no symbols: " + rep.strip()[-300:])
    return int(t.group(1)) // TSC_PER_INSN, int(s.group(1)), \
        int(lost.group(1)) if lost else 0, counts


def our_mix(m, ratio, rounds, hz=None, callchain=False):
    """One run in the monitor, the same four values as peer_mix."""
    cmd = "work mix %s rounds=%d" % (ratio, rounds)
    if hz is not None:
        m.cmd("prof reset")     # each figure from its own samples
        cmd = "prof record hz=%d%s %s" % (hz, " callchain" if callchain else "", cmd)
    out = m.cmd(cmd, timeout=1800)
    t = TSC_RE.search(out)
    if not t:
        raise BenchError("monitor: unexpected output: " + out.strip()[-300:])
    insns = int(t.group(1)) // TSC_PER_INSN
    if hz is None:
        return insns, 0, 0, {}
    s = re.search(r"samples: (\d+), lost (\d+)", out)
    rep = m.cmd("prof report top=50")
    counts = {name: int(n) for n, name in
              re.findall(r"^\s+[\d.]+%\s+(\d+)\s+(\S+)$", rep, re.M)}
    return insns, int(s.group(1)), int(s.group(2)), counts


def measure(side, mix, warm_up):
    """The same runs on either side; returns {figure key: value}."""
    got = {}
    warm_up()
    for ratio, rounds, truth in RATIOS:
        r = ratio.replace(":", "-")
        base, _, _, _ = mix(ratio, rounds)
        figure("%s.instructions.%s" % (side, r), base, "instructions")
        for hz in RATES:
            for cc in (False, True):
                tag = "%s.%s.%dhz" % (r, "callchain" if cc else "plain", hz)
                ins, samples, lost, counts = mix(ratio, rounds, hz, cc)
                got[("per_sample", ratio, hz, cc)] = (ins - base) / samples if samples else None
                got[("overhead", ratio, hz, cc)] = 100.0 * (ins - base) / base
                got[("error", ratio, hz, cc)] = worst_error(counts, truth)
                got[("samples", ratio, hz, cc)] = samples
                got[("lost", ratio, hz, cc)] = lost
                if samples:
                    figure("%s.per_sample.%s" % (side, tag), "%.0f" % ((ins - base) / samples),
                           "instructions")
                figure("%s.overhead.%s" % (side, tag), "%.3f" % (100.0 * (ins - base) / base), "%")
                err = worst_error(counts, truth)
                figure("%s.leaf_error.%s" % (side, tag), "-" if err is None else "%.3f" % err,
                       "pp")
                figure("%s.samples.%s" % (side, tag), samples, "samples")
                figure("%s.lost.%s" % (side, tag), lost, "samples")
                if (ratio, hz, cc) == REPEAT:
                    got["first"] = counts
    ratio, hz, cc = REPEAT
    rounds = dict((x[0], x[1]) for x in RATIOS)[ratio]
    _, _, _, again = mix(ratio, rounds, hz, cc)
    same = again == got["first"]
    figure("%s.identical_profiles.%s.%dhz" % (side, ratio.replace(":", "-"), hz),
           "yes" if same else "no", "")
    got["identical"] = same
    return got


def check_same_leaves(workload):
    """The leaves must be the monitor's instructions: compare the disassembly
    of work_mix and the leaves in both binaries, addresses masked."""
    def listing(path, fn):
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "--disassemble=" + fn,
                              path], capture_output=True, text=True).stdout
        body = out.split("<%s>:" % fn, 1)[-1]
        return [re.sub(r"[0-9a-f]{5,}( <[^>]*>)?", "ADDR", m.group(1)) for m in
                re.finditer(r"^\s*[0-9a-f]+:\s+(.*)$", body, re.M)]
    elf = os.path.join(ROOT, "build", "monitor.elf")
    for fn in ["work_mix"] + LEAVES:
        a, b = listing(elf, fn), listing(workload, fn)
        if not a or a != b:
            raise BenchError("%s in %s differs from the monitor's build (compiler flags?)"
                             % (fn, os.path.relpath(workload, ROOT)))
    figure("workload.same_instructions_as_monitor", "yes", "")


def pack_if_stale(g):
    """The initramfs is cheap to write but the packages are not to fetch: it
    alone is rebuilt when the workload, /init or the packer changes."""
    inputs = [WORKLOAD, os.path.join(PEER, "guest.json")] + \
        [os.path.join(HERE, "peer", n) for n in ("init", "guest.py")]
    if not os.path.exists(INITRD) or \
            os.path.getmtime(INITRD) < max(os.path.getmtime(p) for p in inputs):
        guest.pack(PEER, g, WORKLOAD, INITRD)


def cell(v, spec):
    """spec: a format() spec, then an optional unit after a space"""
    spec, _, unit = spec.partition(" ")
    return "-" if v is None else format(v, spec) + unit


def ratio_cell(p, o):
    if p is None or o is None:
        return "-"
    if o == 0:
        return "inf" if p else "-"
    return "%.1fx" % (p / o)


def table(peer, ours):
    head = "| | " + " | ".join("%s %d kHz" % (who, hz // 1000) for hz in RATES
                               for who in ("peer", "ours", "peer/ours")) + " |"
    rows = [head, "|" + " --- |" * (1 + 3 * len(RATES))]

    def row(label, key, fmt, ratio=True):
        cells = []
        for hz in RATES:
            p, o = key(peer, hz), key(ours, hz)
            cells += [cell(p, fmt), cell(o, fmt), ratio_cell(p, o) if ratio else "-"]
        rows.append("| %s | %s |" % (label, " | ".join(cells)))
    for cc, name in ((False, "no callchain"), (True, "callchain")):
        row("instructions per sample, %s" % name,
            lambda s, hz, cc=cc: s[("per_sample", "7:2:1", hz, cc)], ",.0f")
    for cc, name in ((False, "no callchain"), (True, "callchain")):
        row("overhead, %s" % name,
            lambda s, hz, cc=cc: s[("overhead", "7:2:1", hz, cc)], ".2f %")
    for ratio, _, _ in RATIOS:
        for cc, name in ((False, "no callchain"), (True, "callchain")):
            row("worst leaf error (pp), %s, %s" % (ratio, name),
                lambda s, hz, cc=cc, ratio=ratio: s[("error", ratio, hz, cc)], ".2f")
    row("samples, 7:2:1, callchain", lambda s, hz: s[("samples", "7:2:1", hz, True)], ",d")
    row("lost samples, all runs",
        lambda s, hz: sum(v for k, v in s.items() if k[0] == "lost" and k[2] == hz), ",d",
        ratio=False)
    r, hz, _ = REPEAT
    cells = []
    for rate in RATES:
        cells += ["yes" if peer["identical"] else "no", "yes" if ours["identical"] else "no",
                  "-"] if rate == hz else ["-"] * 3
    rows.append("| identical profiles in two runs (%s, callchain) | %s |" % (r, " | ".join(cells)))
    return rows


def main():
    t0 = time.monotonic()
    try:
        g = guest.fetch(PEER)
        pack_if_stale(g)
        check_same_leaves(WORKLOAD)
        figure("peer.packages", " ".join("%s=%s" % (p, unquote(v)) for p, v in
                                         sorted(g["packages"].items())
                                         if not p.startswith(("lib", "zlib"))), "")
        with Guest(g["kernel"]) as vm:
            try:
                secs, release = vm.boot()
            except TestFailure as e:
                last = [l for l in vm.tail().splitlines() if l.strip()] or ["no output"]
                raise BenchError("the Linux guest did not boot (%s): %s"
                                 % (str(e).split(";")[0], last[-1].strip()))
            figure("peer.boot_to_shell", "%.1f" % secs, "s")
            figure("peer.kernel", release, "")
            # warm-up: the first perf run pages in perf and its libraries
            peer = measure("peer", lambda *a: peer_mix(vm, *a),
                           lambda: peer_mix(vm, "7:2:1", 100, 4000, True))
            vm.send("poweroff -f\n")
        with Monitor(accel="tcg", icount=ICOUNT) as m:
            m.boot(timeout=120)
            # warm-up: the sample ring's pages fault in on first use, inside
            # the NMI (about 20,000 instructions each) and stay mapped; a
            # 50 kHz run wraps the whole ring, so every figure is steady state
            ours = measure("ours", lambda *a: our_mix(m, *a),
                           lambda: our_mix(m, "7:2:1", RATIOS[0][1], 50000, True))
    except guest.GuestError as e:
        sys.exit("bench-peer: guest: %s" % e)
    except (BenchError, TestFailure) as e:
        sys.exit("bench-peer: %s" % str(e).splitlines()[0])
    rows = table(peer, ours)
    summary = ["", "bench-peer %s, %.0f s; TCG -cpu max -icount shift=%d,sleep=off; "
               "rounds %s" % (time.strftime("%Y-%m-%d"), time.monotonic() - t0, ICOUNT,
                              ", ".join("%s=%d" % (r, n) for r, n, _ in RATIOS))] + rows
    print("\n".join(summary))
    with open(OUT, "w") as f:
        f.write("\n".join(RESULTS + summary) + "\n")


if __name__ == "__main__":
    main()
