"""Every CPU: the APs the MADT names come up (INIT-SIPI-SIPI), `cpu` lists
them, `work ... cpu=N` runs a workload on another CPU and returns at once,
`bt all` backtraces every CPU by NMI, one spinning with interrupts off
included, a stop on the shell CPU stops every CPU (roundup by NMI), and
the profiler's timer NMI reaches every CPU. One boot per scenario."""
import re
import time

from elf import nm_symbols, objdump_insns
from monitor import TestFailure, expect, expect_eq
from test_break_watch import ctrl_c_until_stopped, start_workload
from test_shell import one_error, still_works


def cpu_table(mon):
    """(header line, {cpu: (apic id, state)}) from `cpu`."""
    out = mon.cmd("cpu")
    rows = {}
    for m in re.finditer(r"^cpu (\d+)  APIC id (\d+)\s+(\S.*)$", out, re.M):
        rows[int(m.group(1))] = (int(m.group(2)), m.group(3).strip())
    return out.splitlines()[0], rows


def bt_sections(out):
    """{cpu: text of its section} from `bt all`."""
    parts = re.split(r"^cpu (\d+) \(APIC id \d+\): ", out, flags=re.M)
    return {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def bt_all_answered(mon, cpus):
    """bt all until every CPU in cpus answered: a vCPU thread the host left
    unscheduled for the whole 100 ms is the host's doing, not ours (at most
    three tries, each printed)."""
    for _ in range(3):
        out = mon.cmd("bt all")
        secs = bt_sections(out)
        if all(c in secs and "did not answer" not in secs[c] for c in cpus):
            return secs
    raise TestFailure("bt all: some CPU never answered in 3 tries:\n" + out)


def wait_idle(mon, cpu, timeout=60.0):
    """Poll `cpu` until cpu is idle; returns everything printed meanwhile
    (the completion line comes before a prompt)."""
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = mon.cmd("cpu")
        seen += out + "\n"
        if re.search(r"^cpu %d  APIC id \d+\s+idle$" % cpu, out, re.M):
            return seen + mon.cmd("") + "\n"
    raise TestFailure("cpu %d still busy after %.0fs:\n%s" % (cpu, timeout, seen[-2000:]))


def test_four_cpus_bt_all_and_work_elsewhere(mon):
    # -smp 4,maxcpus=6: QEMU's MADT has six entries, two of them disabled
    head, rows = cpu_table(mon)
    expect("6 processor entries, 4 online" in head and "disabled entries skipped" in head,
           "cpu header: " + head)
    expect_eq(sorted(rows), [0, 1, 2, 3], "cpus listed")
    for c in range(4):
        expect_eq(rows[c][0], c, "cpu %d's APIC id" % c)
    expect_eq([rows[c][1] for c in range(4)], ["shell", "idle", "idle", "idle"], "states")
    check_trace_breakpoint_on_every_cpu(mon)

    out = mon.cmd("work spin-cli 30000 cpu=2")
    expect("started on cpu 2" in out, "work ... cpu=2 did not start: " + out)
    expect_eq(cpu_table(mon)[1][2][1], "running spin-cli", "cpu 2's state")
    one_error(mon.cmd("work spin 100 cpu=2"), "cpu 2 is busy running spin-cli")

    check_msr_on_each_cpu(mon, "cpu 2 spinning with interrupts off")
    secs = bt_all_answered(mon, [1, 2, 3])
    expect("cmd_bt" in secs[0], "cpu 0 (the shell) lacks cmd_bt:\n" + secs[0])
    expect(re.search(r"#0 .*work_spin\+", secs[2]) and "work_spin_cli+" in secs[2],
           "cpu 2 is not in work_spin_cli:\n" + secs[2])
    expect("interrupts off" in secs[2], "cpu 2 spins with interrupts off:\n" + secs[2])
    for c in (1, 3):
        expect(re.search(r"#0 .*idle_until_posted\+", secs[c]), "cpu %d not idle:\n%s" % (c, secs[c]))
        expect("work_spin" not in secs[c], "cpu %d shows work:\n%s" % (c, secs[c]))

    out = mon.cmd("work mix 7:2:1 rounds=5 cpu=1")
    expect("started on cpu 1" in out, "work mix cpu=1 did not start: " + out)
    # it may end before that command's prompt, which prints its line
    seen = out + "\n" + wait_idle(mon, 1)
    m = re.search(r"cpu 1: work mix 7:2:1: (\d+) rounds in \d+ ms; leaf iterations "
                  r"a=(\d+) b=(\d+) c=(\d+)", seen)
    expect(m, "no completion line for cpu 1:\n" + seen)
    expect_eq(int(m.group(1)), 5, "rounds run on cpu 1")
    a, b, c = (int(m.group(i)) for i in (2, 3, 4))
    expect(a > b > c > 0, "leaf iterations a=%d b=%d c=%d not in the order 7:2:1" % (a, b, c))
    expect_eq(seen.count("cpu 1: work mix"), 1, "completion lines printed")
    expect_eq(cpu_table(mon)[1][1][1], "idle", "cpu 1 after its work")

    one_error(mon.cmd("work spin 10 cpu=4"), "bad cpu '4'")
    one_error(mon.cmd("work lazy 10 cpu=3"), "not 'lazy'")
    one_error(mon.cmd("work mix 7:2:1 rounds=0 cpu=1"), "bad rounds '0' (1 to 10000000)")
    one_error(mon.cmd("cpu 2"), "nothing is stopped")

    check_stop_the_world(mon)

    # every NMI the other CPUs took was claimed by its source (the
    # backtrace requests, the roundup); the shell CPU got none of them
    out = mon.cmd("nmi")
    expect(re.search(r"unknown 0\b", out), "unknown NMIs on the shell CPU:\n" + out)
    for c in (1, 2, 3):
        m = re.search(r"^cpu %d: first-level (\d+), nested \d+, passes handled (\d+), "
                      r"unknown (\d+)," % c, out, re.M)
        expect(m, "no NMI line for cpu %d:\n%s" % (c, out))
        expect(int(m.group(1)) >= 2 and int(m.group(3)) == 0,
               "cpu %d: NMIs %s, unknown %s" % (c, m.group(1), m.group(3)))
    still_works(mon)


def msr_reads(out, msr):
    """{cpu: value} from msr's answer lines."""
    return {int(c): int(v, 16) for c, v in
            re.findall(r"^cpu (\d+): msr %s = 0x([0-9a-f]{16})$" % msr, out, re.M)}


def msr_cmd(mon, cmd):
    """An msr command, again (at most three times, each printed) while some
    vCPU did not answer within the monitor's 1 s: a vCPU thread the host
    left unscheduled that long is the host's doing, not ours."""
    outs = []
    for _ in range(3):
        outs.append(mon.cmd(cmd))
        if "did not answer" not in outs[-1]:
            return outs[-1]
    raise TestFailure("%s: some CPU never answered in 3 tries:\n%s" % (cmd, "\n".join(outs)))


def check_msr_on_each_cpu(mon, when):
    """An MSR is each CPU's own: `msr ... cpu=all` has every CPU read its
    own by an NMI call (monitor/smp/smp_call.c). IA32_APIC_BASE's
    bootstrap bit (8) is set on cpu 0 alone; a value written to cpu 2's
    IA32_TSC_AUX shows on cpu 2 alone; a value an MSR refuses is one error
    line naming every CPU."""
    out = msr_cmd(mon, "msr 0x1b cpu=all")
    base = msr_reads(out, "0x1b")
    expect_eq(sorted(base), [0, 1, 2, 3], "%s: cpus answering msr 0x1b:\n%s" % (when, out))
    expect_eq([base[c] >> 8 & 1 for c in range(4)], [1, 0, 0, 0],
              "%s: IA32_APIC_BASE's BSP bit per cpu" % when)
    expect(all(v >> 12 == 0xfee00 for v in base.values()), "%s: APIC bases %r" % (when, base))
    out = msr_cmd(mon, "msr 0xc0000103 cpu=all 0")
    expect_eq(re.findall(r"^cpu (\d): msr 0xc0000103 <- 0x0{16}$", out, re.M),
              ["0", "1", "2", "3"], "zeroed on every cpu:\n" + out)
    out = msr_cmd(mon, "msr 0xc0000103 0x2a5 cpu=2")
    expect_eq(out.strip(), "cpu 2: msr 0xc0000103 <- 0x00000000000002a5", "write on cpu 2")
    aux = msr_reads(msr_cmd(mon, "msr 0xc0000103 cpu=all"), "0xc0000103")
    expect_eq(aux, {0: 0, 1: 0, 2: 0x2a5, 3: 0}, "%s: IA32_TSC_AUX per cpu" % when)
    expect_eq(msr_reads(msr_cmd(mon, "msr 0xc0000103 cpu=3"), "0xc0000103"), {3: 0}, "cpu 3 alone")
    out = msr_cmd(mon, "msr 0xc0000103 0 cpu=2")
    expect_eq(out.strip(), "cpu 2: msr 0xc0000103 <- 0x0000000000000000", "cpu 2 zeroed")
    # IA32_PKRS's upper half is reserved: a #GP, on cpus 1-3 inside the
    # call's NMI (QEMU 7.2's TCG reads unknown MSRs as 0 without one)
    one_error(msr_cmd(mon, "msr 0x6e1 0x100000000 cpu=all"),
              "wrmsr msr 0x6e1: #GP on cpu 0,1,2,3 (no such MSR there, or a value it refuses)")
    one_error(mon.cmd("msr 0x1b cpu=4"), "bad cpu '4'")
    one_error(mon.cmd("msr 0x1b cpu=1 cpu=all"), "cpu= given twice")


def check_trace_breakpoint_on_every_cpu(mon):
    """A trace breakpoint on work_spin's loop counter increment, hit by all
    four CPUs at once (one with interrupts off): every hit is counted, so
    the hits are the sum of the iterations the four report."""
    addr, size, _ = nm_symbols()["work_spin"]
    inc = [a for a, _, text in objdump_insns(start=addr, stop=addr + size)
           if re.match(r"add\s+\$0x1,%r", text)]
    expect(len(inc) == 1, "work_spin's n++ not found: %r" % inc)
    expect("(trace)" in mon.cmd("bp add 0x%x trace" % inc[0]), "bp add")
    for c, w in ((1, "spin"), (2, "spin-cli"), (3, "spin")):
        expect("started on cpu %d" % c in mon.cmd("work %s 300 cpu=%d" % (w, c)), "work on cpu %d" % c)
    out = mon.cmd("work spin 300", timeout=60) + "\n"
    for c in (1, 2, 3):
        out += wait_idle(mon, c)
    its = [int(x) for x in re.findall(r"work spin(?:-cli)?: (\d+) iterations in 300 ms", out)]
    expect_eq(len(its), 4, "completion lines:\n" + out)
    m = re.search(r"work_spin\+0x[0-9a-f]+\s+trace\s+(\d+)\s+(\d+)", mon.cmd("bp list"))
    expect(m, "bp list")
    expect_eq((int(m.group(1)), int(m.group(2))), (sum(its), 0), "trace hits (in NMI) vs iterations %r" % its)
    mon.cmd("bp del all")


def check_stop_the_world(mon):
    """A Ctrl-C stop on the shell CPU parks the others by NMI: cpu N selects
    one for regs and bt, a step runs only the shell CPU, and the workload on
    another CPU makes no progress until cont (its deadline passes while it
    is parked, so it ends at once after)."""
    for _ in range(3):
        t0 = time.monotonic()
        out = mon.cmd("work spin-cli 2000 cpu=3")
        expect("started on cpu 3" in out, out)
        out = ctrl_c_until_stopped(mon, start_workload(mon, "work spin 5000"))
        expect("the other cpus stopped by NMI: 3 of 3" in out, "roundup:\n" + out)
        _, rows = cpu_table(mon)
        if rows[3][1] == "stopped (spin-cli)":
            break
        # the Ctrl-C took longer than cpu 3's 2 s (a loaded host): again
        mon.cmd("cont", timeout=60)
        wait_idle(mon, 3)
    expect_eq([rows[c][1] for c in range(4)],
              ["stopped", "stopped (idle)", "stopped (spin-cli)", "stopped (spin-cli)"],
              "states while stopped")
    expect("cpu 3 selected" in mon.cmd("cpu 3"), "cpu 3 not selected")
    regs = mon.cmd("regs")
    rip = re.search(r"^  rip ([0-9a-f]+) \S+$", regs, re.M)
    expect("registers of cpu 3" in regs and rip, "regs of cpu 3:\n" + regs)
    bt = mon.cmd("bt")
    # parked anywhere in its workload (at its start, inside tsc_hz)
    expect("work_spin_cli+" in bt and "smp_work_run+" in bt, "bt of cpu 3:\n" + bt)
    expect(re.search(r"#0 +0x0*%s " % rip.group(1).lstrip("0"), bt),
           "regs and bt of cpu 3 disagree on rip:\n%s\n%s" % (regs, bt))
    one_error(mon.cmd("step"), "cpu 0 first")
    check_msr_on_each_cpu(mon, "while stopped (cpus 1-3 parked in NMI)")
    seen = ""
    deadline = t0 + 3.0	# cpu 3 would have ended 2 s after t0
    while time.monotonic() < deadline:
        seen += mon.cmd("cpu") + "\n"
    expect("cpu 3: work spin-cli" not in seen and
           re.search(r"^cpu 3  APIC id 3\s+stopped \(spin-cli\)  \(selected\)$",
                     seen.rsplit("4 cpus", 1)[-1], re.M),
           "cpu 3 ran on while stopped:\n" + seen[-1500:])
    mon.cmd("cpu 0")
    expect("stopped: step at" in mon.cmd("step"), "step")
    expect_eq(cpu_table(mon)[1][3][1], "stopped (spin-cli)", "cpu 3 after a step of cpu 0")
    out = mon.cmd("cont", timeout=60) + "\n" + mon.cmd("")
    expect(re.search(r"cpu 3: work spin-cli: \d+ iterations in 2000 ms", out),
           "no completion of cpu 3 after cont:\n" + out)
    expect_eq(cpu_table(mon)[1][3][1], "idle", "cpu 3 after cont")


def perf_leaves(dump):
    """{cpu: [first frame's symbol of each sample]} from `prof dump perf`."""
    leaves = {}
    for m in re.finditer(r"^nmimon 0 \[(\d+)\] \S+: 1 cpu-clock:\n\t\s*[0-9a-f]+ (\S+?)\+", dump,
                         re.M):
        leaves.setdefault(int(m.group(1)), []).append(m.group(2))
    return leaves


def cpu1_ledger(st):
    """(samples, lost, fan-out NMIs sent, taken, merged) of cpu 1 in prof status."""
    m = re.search(r"^  cpu 1: samples (\d+), lost (\d+), fan-out NMIs sent (\d+), taken (\d+), "
                  r"merged (\d+)$", st, re.M)
    expect(m, "no line for cpu 1 in prof status:\n" + st)
    return tuple(int(m.group(i)) for i in range(1, 6))


def profile_mix_on_cpu1(mon, rounds, hz):
    """prof start, work mix 7:2:1 on CPU 1, prof stop; checks CPU 1's
    fan-out ledger and returns (its samples, prof status)."""
    mon.cmd("prof reset")
    mon.cmd("prof start event=timer hz=%d" % hz)
    out = mon.cmd("work mix 7:2:1 rounds=%d cpu=1" % rounds)
    expect("started on cpu 1" in out, "work mix cpu=1 did not start: " + out)
    wait_idle(mon, 1, timeout=120)
    mon.cmd("prof stop")
    st = mon.cmd("prof status")
    samples, lost, sent, taken, merged = cpu1_ledger(st)
    ticks = int(re.search(r"nmis: (\d+) timer ticks", st).group(1))
    expect_eq(sent, ticks, "fan-out NMIs sent to cpu 1 vs the ticks sampled")
    expect_eq(sent, taken + merged, "cpu 1: fan-out NMIs sent vs taken + merged")
    # an NMI taken as prof stop ends sampling may find it stopped
    expect(taken - 1 <= samples + lost <= taken,
           "cpu 1: samples %d + lost %d vs taken %d" % (samples, lost, taken))
    return samples, st


def test_every_cpu_samples_its_own_context(mon):
    """-smp 2 -icount: the timer NMI reaches CPU 1 by the fan-out, CPU 1
    samples its own context into its own ring, its ledger adds up, and a
    profile of work mix 7:2:1 run there attributes the leaves to CPU 1 in
    their ratio within 2 pp (instruction counts are exact under -icount)."""
    # a short run, dumped: which CPU each sample is from
    samples, _ = profile_mix_on_cpu1(mon, 300, 1000)
    leaves = perf_leaves(mon.cmd("prof dump perf", timeout=120))
    expect_eq(len(leaves.get(1, [])), samples, "cpu 1's samples in the dump")
    expect(not any(x.startswith("work_mix") for x in leaves.get(0, [])), "work mix sampled on cpu 0")
    mix = [x for x in leaves[1] if x.startswith("work_mix_leaf_")]
    expect(len(mix) * 10 >= samples * 9, "cpu 1 mostly outside the leaves: %r" % leaves[1])
    # a long one, for the shares: about 5000 leaf samples, all of them cpu 1's
    samples, _ = profile_mix_on_cpu1(mon, 2500, 5000)
    out = mon.cmd("prof check 7:2:1")
    m = re.search(r"(\d+) samples in the leaves", out)
    expect(m and 4000 <= int(m.group(1)) <= samples, "leaf samples vs cpu 1's %d:\n%s" % (samples, out))
    worst = float(re.search(r"worst leaf error: ([\d.]+) pp", out).group(1))
    expect(worst <= 2.0, "cpu 1's leaves off by %.2f pp (at most 2):\n%s" % (worst, out))
    # prof report cpu=N: one CPU's samples
    out = mon.cmd("prof report cpu=1 top=3")
    expect(out.startswith("cpu 1: samples %d, lost 0" % samples), "report of cpu 1:\n" + out)
    expect_eq(re.findall(r"%\s+\d+\s+(\S+)", out),
              ["work_mix_leaf_a", "work_mix_leaf_b", "work_mix_leaf_c"], "cpu 1's top 3")
    out = mon.cmd("prof report cpu=0")
    expect(out.startswith("cpu 0: samples") and "work_mix" not in out, "report of cpu 0:\n" + out)
    one_error(mon.cmd("prof report cpu=2"), "cpu=0 to 1")


def test_one_cpu_lists_the_shell_alone(mon):
    head, rows = cpu_table(mon)
    expect(head.startswith("1 cpus, 1 online"), "cpu header: " + head)
    expect_eq(rows, {0: (0, "shell")}, "cpu table")
    secs = bt_sections(mon.cmd("bt all"))
    expect_eq(sorted(secs), [0], "bt all sections")
    expect("cmd_bt" in secs[0], "bt all on one CPU:\n" + secs[0])
    one_error(mon.cmd("work spin 10 cpu=1"), "bad cpu '1'")
    out = mon.cmd("msr 0x1b")
    base = msr_reads(out, "0x1b")
    expect(list(base) == [0] and base[0] >> 8 & 1, "msr 0x1b on one cpu:\n" + out)
    one_error(mon.cmd("msr 0x1b cpu=1"), "bad cpu '1'")
    one_error(mon.cmd("msr 0x100000000"), "bad MSR '0x100000000'")
    one_error(mon.cmd("msr 0x1b 1 2"), "usage: msr")
    still_works(mon)


def test_kvm_two_cpus(mon):
    """-smp 2 under KVM (x2APIC there): cpu 1 comes up, bt all reaches it
    spinning with interrupts off, the profiler's fan-out reaches it."""
    head, rows = cpu_table(mon)
    expect(head.startswith("2 cpus, 2 online"), "cpu header: " + head)
    expect_eq(sorted(rows), [0, 1], "cpus listed")
    out = mon.cmd("work spin-cli 10000 cpu=1")
    expect("started on cpu 1" in out, "work ... cpu=1 did not start: " + out)
    secs = bt_all_answered(mon, [1])
    expect("work_spin_cli+" in secs[1], "cpu 1 is not in work_spin_cli:\n" + secs[1])
    # the fan-out in x2APIC mode (a WRMSR with the all-but-self shorthand);
    # under kvm_pvm many requests merge (a vCPU the host runs late): the
    # ledger, not a rate
    mon.cmd("prof start event=timer hz=1000")
    mon.cmd("work spin 300")
    mon.cmd("prof stop")
    st = mon.cmd("prof status")
    samples, lost, sent, taken, merged = cpu1_ledger(st)
    expect(sent > 0 and sent == taken + merged and taken - 1 <= samples + lost <= taken,
           "cpu 1's fan-out ledger:\n" + st)
    still_works(mon)


def test_nine_cpus_eight_started(mon):
    """-smp 9, one more than MAX_CPUS (8): the first eight of the MADT come
    up with their APIC ids, the ninth is said not started, and all eight
    answer at once: bt all, an msr call on every CPU, and nmi test on
    every CPU with each CPU's counters exact."""
    from test_nmi_smp import run_on
    head, rows = cpu_table(mon)
    expect("9 processor entries, 8 online" in head and
           "more than MAX_CPUS: the rest not started" in head, "cpu header: " + head)
    expect_eq(rows, {c: (c, "shell" if c == 0 else "idle") for c in range(8)}, "cpu table")
    secs = bt_all_answered(mon, range(1, 8))
    for c in range(1, 8):
        expect(re.search(r"#0 .*idle_until_posted\+", secs[c]), "cpu %d not idle:\n%s" % (c, secs[c]))
    base = msr_reads(msr_cmd(mon, "msr 0x1b cpu=all"), "0x1b")
    expect_eq({c: v >> 8 & 1 for c, v in base.items()}, {c: int(c == 0) for c in range(8)},
              "IA32_APIC_BASE's BSP bit per cpu")
    run_on(mon, 10, list(range(8)))
    still_works(mon)
