"""Values, not labels: each test checks a number the monitor prints against
something outside it (QEMU's -m, the ELF, nm, the host clock, arithmetic on
the monitor's own other numbers)."""
import re
import time

from elf import nm_symbols, read_bytes
from monitor import expect, expect_eq
from test_prof import DUMP_RE, dump, counts
from test_shell import one_error, parse_md, still_works


def field(out, rx, what):
    m = re.search(rx, out, re.M)
    expect(m, "%s missing:\n%s" % (what, out))
    return m.groups() if len(m.groups()) > 1 else m.group(1)


def test_info_values(mon):
    """Memory matches QEMU's -m (256M), the regions listed add up to the
    usable total, the frames fit in it, one CPU has APIC id 0 everywhere."""
    out = mon.cmd("info")
    usable_mib = int(field(out, r"^memory: (\d+) MiB usable", "memory line"))
    regions = [(int(a, 16), int(b, 16)) for a, b in
               re.findall(r"^  ([0-9a-f]{16})-([0-9a-f]{16}) usable$", out, re.M)]
    usable = sum(b - a + 1 for a, b in regions)
    expect_eq(usable_mib, usable >> 20, "usable MiB vs the sum of the usable regions")
    # QEMU pc with -m 256M: 639 KiB below 1 MiB, then 1 MiB to 256 MiB - 128 KiB
    expect_eq(usable_mib, 255, "usable MiB with -m 256M")
    expect_eq(max(b for _, b in regions), 256 * 2**20 - 128 * 2**10 - 1, "top of usable RAM")
    total, free, used = (int(x) for x in field(out, r"^frames: (\d+) total, (\d+) free, (\d+) used",
                                               "frames"))
    expect(free <= total and total * 4096 <= usable and total * 4096 > usable - 8 * 2**20,
           "frames %d total (%d free) vs %d usable bytes" % (total, free, usable))
    expect_eq(free + used, total, "free + used frames")
    expect_eq(field(out, r"local APIC id (\d+)\)", "NMI sources' APIC id"), "0", "APIC id")
    expect_eq(field(out, r"^cpu (\d+), apic id (\d+);", "cpu line"), ("0", "0"),
              "cpu number and APIC id")
    if mon.accel == "tcg":
        # TCG offers no invariant TSC (QEMU 7.2 warns and drops +invtsc)
        expect_eq(field(out, r"^features: .*, invariant tsc (\w+),", "features line"), "no",
                  "invariant tsc under TCG")


# QEMU answers a CPUID leaf past the maximum with the highest basic leaf, as
# Intel CPUs do: with the basic leaves cut to 1, an unguarded read of leaf
# 0x80000007 would find leaf 1's EDX, whose bit 8 (CX8) is set where
# invariant TSC would be
# a brand string with spaces around (as some vendors pad theirs): info trims them
OLD_CPU = ("-cpu", "max,level=1,xlevel=0x80000006,model-id=   An  Old CPU   ")


def test_info_reads_no_cpuid_leaf_past_the_maximum(mon):
    """With OLD_CPU (the last -cpu wins): no invariant TSC (leaf 0x80000007
    is past the maximum), no PMU (leaf 0xa is), NX read from 0x80000001."""
    out = mon.cmd("info")
    expect_eq(field(out, r"^features: nx (\w+) \(\w+\), apic (\w+), x2apic \w+, "
                    r"invariant tsc (\w+), hypervisor (\w+)$", "features line"),
              ("yes", "yes", "no", "yes"), "nx, apic, invariant tsc, hypervisor")
    expect(re.search(r"^pmu: none \(", out, re.M), "a PMU without CPUID leaf 0xa:\n" + out)
    expect(re.search(r"^cpu brand: An  Old CPU$", out, re.M),
           "brand string not trimmed to 'An  Old CPU':\n" + out)


def test_tsc_rate_follows_the_host_clock(mon):
    """Under TCG and KVM the guest TSC runs at the host's: `work spin 2000`
    (a TSC deadline of 2000 ms at the rate info states) cannot end before 2
    s of host time have passed, and uptime (TSC / that rate) advances by at
    least what the host saw."""
    out = mon.cmd("info")
    mhz = float(field(out, r"^tsc: (\d+\.\d+) MHz", "tsc line"))
    expect(100 < mhz < 10000, "TSC %.3f MHz is not a plausible rate" % mhz)
    # the median of five 10 ms windows, out of at most 20 tried (tsc.c)
    m = re.search(r"^tsc: .* \(the median of (\d+) PIT windows of (\d+) ms, (\d+) tried\)$",
                  out, re.M)
    expect(m, "tsc line lacks its calibration:\n" + out)
    windows, ms, tries = (int(x) for x in m.groups())
    expect((windows, ms) == (5, 10) and 5 <= tries <= 20,
           "calibration: %d windows of %d ms, %d tried" % (windows, ms, tries))
    up0 = float(field(mon.cmd("info"), r"^uptime: (\d+\.\d+) s", "uptime"))
    t0 = time.monotonic()
    mon.cmd("work spin 2000", timeout=60)
    host = time.monotonic() - t0
    up1 = float(field(mon.cmd("info"), r"^uptime: (\d+\.\d+) s", "uptime"))
    # a TSC rate measured 3% too high would end the spin 3% early
    expect(host >= 2.0 * 0.97, "work spin 2000 ended after %.3f s of host time" % host)
    # the host's interval lies inside the two uptime readings: a rate too
    # low would make uptime run fast, too high slow
    expect(0.97 * host <= up1 - up0 <= host + 3.0,
           "uptime advanced %.3f s around a %.3f s host interval" % (up1 - up0, host))


def test_pmu_line_matches_what_prof_can_do(mon):
    """info says whether there is a PMU; prof start event=cycles and
    event=instructions work exactly when it says so (a PMU on the host must
    not fail the suite, its absence must refuse the events)."""
    out = mon.cmd("info")
    has_pmu = not re.search(r"^pmu: none \(", out, re.M)
    expect_eq("pmu: none (see above)" not in out, has_pmu, "the two PMU lines of info agree")
    for event in ("cycles", "instructions"):
        out = mon.cmd("prof start event=%s hz=1000" % event)
        if has_pmu:
            expect(re.search(r"sampling at about 1000 Hz from PMU counter 0", out), out)
            mon.cmd("prof stop")
        else:
            one_error(out, "event %s needs a counting PMU" % event)
            one_error(mon.cmd("prof stop"), "not sampling")
    out = mon.cmd("prof start hz=1000")
    want = "from PMU counter 0" if has_pmu else "from the HPET timer NMI"
    expect(want in out, "default source with%s a PMU:\n%s" % ("" if has_pmu else "out", out))
    mon.cmd("prof stop")


def trap_report(mon, which):
    out = mon.cmd("trap " + which)
    m = re.search(r"\*\*\* exception (\d+) \S+ \(.*\), error code 0x([0-9a-f]+), at "
                  r"cmd_trap\+0x([0-9a-f]+)", out)
    expect(m, "no report for trap %s:\n%s" % (which, out))
    rip = int(field(out, r"rip ([0-9a-f]{16})", "rip register"), 16)
    expect_eq(rip, nm_symbols()["cmd_trap"][0] + int(m.group(3), 16),
              "report's cmd_trap+off vs its rip register")
    return out, int(m.group(1)), int(m.group(2), 16)


def test_exception_error_codes_and_cr2(mon):
    # #GP from a non-canonical address: error code 0 (no selector involved)
    _, vec, err = trap_report(mon, "gp")
    expect_eq((vec, err), (13, 0), "trap gp vector, error code")
    # #PF reading an unmapped supervisor address: P=0 W=0 U=0 I=0 -> 0
    out, vec, err = trap_report(mon, "pf")
    expect_eq((vec, err), (14, 0), "trap pf vector, error code")
    expect_eq(field(out, r"^  cr2 ([0-9a-f]{16})$", "cr2"), "ffff800000000000", "cr2")
    _, vec, err = trap_report(mon, "ud")
    expect_eq((vec, err), (6, 0), "trap ud")
    _, vec, err = trap_report(mon, "de")
    expect_eq((vec, err), (0, 0), "trap de")
    # the fault-safe path decodes the #PF error code of a write to text
    # (present + write = 0x3) into words
    one_error(mon.cmd("mw kmain 0x90 1"), "page fault (protection violation, write)")


def test_md_error_names_the_first_unreadable_byte(mon):
    # a dump starting mid-line: the first byte that fails is 0x100000000,
    # not the line's start; nothing of that line is printed
    out = mon.cmd("md 0xfffffff8 16")
    expect_eq(out.strip(), "error: cannot read 0x100000000: page fault (not present)",
              "md across the end of the identity map")
    out = mon.cmd("md 0xffffffe0 0x30")
    lines = out.splitlines()
    expect_eq(len(lines), 3, "two readable lines then the error:\n" + out)
    expect(lines[0].startswith("00000000ffffffe0:") and lines[1].startswith("00000000fffffff0:"),
           "readable lines:\n" + out)
    expect_eq(lines[2], "error: cannot read 0x100000000: page fault (not present)", "error")


def test_stack_pointer_same_after_100_traps(mon):
    def rsp():
        return int(field(mon.cmd("regs"), r"rsp ([0-9a-f]{16})", "rsp"), 16)
    before = rsp()
    for i in range(100):
        out = mon.cmd("trap " + ("ud", "gp", "pf", "de")[i % 4])
        expect("command aborted; back to the shell" in out, "trap %d did not return" % i)
    expect_eq(rsp(), before, "the shell's rsp in regs before and after 100 traps")


def test_regs_names_rip(mon):
    syms = nm_symbols()
    out = mon.cmd("regs")
    rip = int(field(out, r"rip ([0-9a-f]{16})  rflags", "rip register"), 16)
    at, name, off = field(out, r"^  rip ([0-9a-f]{16}) (\w+)\+0x([0-9a-f]+)$", "rip symbol line")
    expect_eq(int(at, 16), rip, "the rip line's address")
    expect_eq(name, "cmd_regs", "regs of the shell run in cmd_regs")
    expect_eq(syms[name][0] + int(off, 16), rip, "symbol+offset vs nm")
    # capture_regs(&f) in cmd_regs: rdi is f, a local of cmd_regs, and rbp
    # cmd_regs's frame: both just above the rsp it returns to
    reg = {r: int(v, 16) for r, v in re.findall(r"\b(r\w\w?) ([0-9a-f]{16})\b", out)}
    for r in ("rdi", "rbp"):
        expect(0 <= reg[r] - reg["rsp"] < 0x400,
               "%s %#x is not in cmd_regs's frame above rsp %#x:\n%s" % (r, reg[r], reg["rsp"], out))
    expect(reg["rdi"] < reg["rbp"], "f lies below the saved rbp:\n" + out)


def test_nmi_context_hit_registers(mon):
    """A trace breakpoint on sample_in_nmi(f): its last NMI-context hit is in
    NMI context (IF clear), on the NMI stack (in ist_area), with rdi = the
    trap frame, which sits above the hit's stack pointer on that stack."""
    syms = nm_symbols()
    ist, ist_size, _ = syms["ist_area"]
    mon.cmd("bp add sample_in_nmi trace")
    mon.cmd("prof record hz=1000 work spin 200", timeout=120)
    out = mon.cmd("bp list")
    rsp, rbp, rflags, rdi = (int(x, 16) for x in field(
        out, r"last NMI-context hit: rsp 0x([0-9a-f]+) rbp 0x([0-9a-f]+) rflags 0x([0-9a-f]+) "
        r"rdi 0x([0-9a-f]+)", "NMI-context registers"))
    expect(ist <= rsp < ist + ist_size, "rsp 0x%x not on an IST stack" % rsp)
    expect_eq(rflags & 0x200, 0, "IF in NMI context (rflags 0x%x)" % rflags)
    expect(rsp < rdi < ist + ist_size and rdi - rsp < 4096,
           "rdi 0x%x is not a trap frame above rsp 0x%x" % (rdi, rsp))
    expect(rsp < rbp < ist + ist_size, "rbp 0x%x is not the caller's frame" % rbp)
    mon.cmd("bp del all")


def test_report_percentages_match_counts(mon):
    out = mon.cmd("prof record hz=4000 work mix 1:1:3 300", timeout=120)
    total = counts(out)["samples"]
    out = mon.cmd("prof report top=3")
    expect_eq(int(field(out, r"^samples: (\d+),", "report total")), total, "report total")
    rows = re.findall(r"^\s+(\d+\.\d\d)%\s+(\d+)\s+(\S+)$", out, re.M)
    expect_eq(len(rows), 3, "rows of top=3:\n" + out)
    for pct, n, name in rows:
        # printed truncated to two decimals (README: 265 of 1227 is 21.59%)
        expect_eq(int(pct.replace(".", "")), 10000 * int(n) // total,
                  "%s: %s%% for %s of %d samples" % (name, pct, n, total))
    counts_ = [int(n) for _, n, _ in rows]
    expect_eq(counts_, sorted(counts_, reverse=True), "rows sorted by samples")
    full = re.findall(r"^\s+\d+\.\d\d%\s+(\d+)\s+\S+$", mon.cmd("prof report top=1000"), re.M)
    expect_eq(sum(int(n) for n in full), total, "the full report's rows add up to the samples")
    # prof check's shares: each leaf's samples (the report's rows) over the
    # three leaves', truncated to hundredths of a percent as the report's
    leaves = {name[-1]: int(n) for _, n, name in
              re.findall(r"^\s+(\d+\.\d\d)%\s+(\d+)\s+(work_mix_leaf_[abc])$",
                         mon.cmd("prof report top=1000"), re.M)}
    out = mon.cmd("prof check 1:1:3")
    got = {k: int(v.replace(".", "")) for k, v in
           re.findall(r"^  work_mix_leaf_([abc])\s+(\d+\.\d\d)% want", out, re.M)}
    in_leaves = sum(leaves.values())
    expect_eq(got, {k: 10000 * v // in_leaves for k, v in leaves.items()},
              "prof check's shares vs the report's leaf counts %r:\n%s" % (leaves, out))


def test_identical_runs_give_identical_profiles(mon):
    """Under -icount the same prof record twice in one boot samples the same
    instructions: the same rows, symbol by symbol. Each run starts its
    ring over at slot 0 (a ring left at slot N timed other samples, 1 in
    16, and shifted every later sample: bench-peer saw it). The first run
    maps the ring's pages; the second and third are compared."""
    cmd = "prof record hz=2000 callchain work mix 7:2:1 150"
    reports = []
    for _ in range(3):
        mon.cmd(cmd, timeout=120)
        reports.append(re.findall(r"^\s+\d+\.\d\d%\s+\d+\s+\S+$",
                                  mon.cmd("prof report top=1000"), re.M))
    expect(len(reports[1]) >= 3, "rows: %r" % reports[1])
    expect_eq(reports[2], reports[1], "the third run's report vs the second's")


def is_after_call(ret):
    code = read_bytes(ret - 8, 8)
    # call rel32 (e8), or an indirect call ff /2 (2 to 8 bytes with REX,
    # SIB and displacement)
    return code[3] == 0xe8 or any(code[8 - k] == 0xff and (code[9 - k] >> 3) & 7 == 2
                                  for k in range(2, 9))


def test_perf_frames_match_the_symbol_table(mon):
    """Each perf frame `addr sym+off`: nm's address of sym + off == addr, the
    first frame lies inside sym, later frames are return addresses (right
    after a call instruction in the ELF)."""
    syms = nm_symbols()
    mon.cmd("prof record hz=2000 callchain work mix 7:2:1 200", timeout=120)
    lines, n = dump(mon, "perf")
    expect(n > 100, "too few samples: %d" % n)
    frames = 0
    first = True
    for line in lines:
        if not line:
            first = True
            continue
        m = re.match(r"^\t +([0-9a-f]+) (\S+)\+0x([0-9a-f]+) \(monitor\.elf\)$", line)
        if not m:
            expect(re.match(r"^nmimon ", line) or re.match(r"^\t +[0-9a-f]+ \S+ \(", line),
                   "odd perf line %r" % line)
            if line.startswith("\t"):
                first = False
            continue
        addr, name, off = int(m.group(1), 16), m.group(2), int(m.group(3), 16)
        base, size, _ = syms[name]
        expect_eq(base + off, addr, "perf frame %r: nm %s = 0x%x" % (line, name, base))
        # nm gives assembly symbols (long_mode_entry) no size
        expect(size == 0 or off < size or (not first and off == size),
               "%r is outside %s (size 0x%x)" % (line, name, size))
        if not first:
            expect(is_after_call(addr), "return address %r does not follow a call" % line)
        first = False
        frames += 1
    expect(frames > 3 * n, "frames checked: %d for %d samples" % (frames, n))


def test_rep_cli_copies_64k_each(mon):
    """Under -icount shift=3 each instruction (each REP MOVSB iteration) is
    8 ns of virtual time, the TSC's and the deadline's time base: a 64 KiB
    copy takes 65536 iterations, 524,288 ns, so 200 ms hold 381 of them, and
    one more starts before the deadline (382 seen). 1% either way for the
    TSC's calibration: 63 KiB copies would fit 388, 65 KiB ones 376."""
    out = mon.cmd("work rep-cli 200", timeout=120)
    n = int(field(out, r"^work rep-cli: (\d+) copies of 64 KiB in 200 ms", "rep-cli line"))
    most = int(200e6 * 1.01 / (65536 * 8)) + 1
    least = int(200e6 * 0.99 / (65536 * 8))
    expect(least <= n <= most, "%d copies of 64 KiB in 200 ms (%d to %d)" % (n, least, most))
