"""Breakpoints, stops, single-step, backtraces, Ctrl-C and the workloads."""
import re

from elf import nm_symbols
from monitor import TestFailure, expect, expect_eq
from test_shell import one_error, still_works

STOPPED = r"\r\nmon\(stopped\)> $"


def stopped_cmd(mon, line, timeout=30):
    return mon.cmd(line, timeout=timeout, prompt=STOPPED)


def rip_of(out):
    m = re.search(r"rip ([0-9a-f]{16})", out)
    expect(m, "no rip in:\n" + out)
    return int(m.group(1), 16)


def start_and_stop_at(mon, command, want):
    start = mon.mark()
    mon.send(command + "\r")
    mon.wait_for(STOPPED, 60, start)
    out = mon.buf[start:]
    expect(re.search(want, out), "stop line %r missing:\n%s" % (want, out))
    return out


def test_breakpoint_stop_regs_bt_step_cont(mon):
    syms = nm_symbols()
    out = mon.cmd("bp add work_spin")
    expect(re.search(r"breakpoint 1 at 0x%016x work_spin \(stop\)" % syms["work_spin"][0], out), out)
    start_and_stop_at(mon, "work recurse 4", r"stopped: breakpoint 1 at work_spin\r\n")
    expect_eq(rip_of(stopped_cmd(mon, "regs")), syms["work_spin"][0], "RIP at the breakpoint")
    bt = re.findall(r"#\d+ +0x[0-9a-f]+ (\S+)", stopped_cmd(mon, "bt"))
    expect(bt[0] == "work_spin", "bt frame 0: %r" % bt)
    expect_eq(sum(1 for f in bt if f.startswith("work_recurse+")), 4, "work_recurse frames in bt")
    expect(any(f.startswith("cmd_work+") for f in bt), "bt lacks cmd_work: %r" % bt)
    out = stopped_cmd(mon, "step")
    m = re.search(r"stopped: step at work_spin\+0x([0-9a-f]+)", out)
    expect(m, "step did not stop again: " + out)
    rip = rip_of(stopped_cmd(mon, "regs"))
    expect(syms["work_spin"][0] < rip < syms["work_spin"][0] + syms["work_spin"][1],
           "RIP after step 0x%x" % rip)
    # memory and symbols work while stopped
    expect("work_spin 0x" in stopped_cmd(mon, "sym work_spin"), "sym while stopped")
    out = mon.cmd("cont", timeout=60)
    expect("work recurse: reached depth 4" in out, "workload did not finish: " + out)
    out = mon.cmd("bp list")
    expect(re.search(r"1 +0x[0-9a-f]+ work_spin +stop +1 +0", out), "bp list: " + out)
    one_error(mon.cmd("cont"), "nothing is stopped")
    one_error(mon.cmd("step"), "nothing is stopped")


def test_trace_breakpoint_counts_leaf_calls(mon):
    mon.cmd("bp add work_mix_leaf_b trace")
    out = mon.cmd("work mix 7:2:1 200", timeout=60)
    m = re.search(r"(\d+) rounds", out)
    expect(m, out)
    rounds = int(m.group(1))
    out = mon.cmd("bp list")
    m = re.search(r"work_mix_leaf_b +trace +(\d+) +0", out)
    expect(m, out)
    # the parent calls each leaf exactly once per round
    expect_eq(int(m.group(1)), rounds, "trace hits vs rounds")


def test_trace_breakpoint_in_nmi_context_during_nmi_test(mon):
    mon.cmd("bp add nmi_dispatch")          # a stop breakpoint: must act as trace there
    mon.cmd("bp add nmi_ipi_send_self trace")
    out = mon.cmd("nmi test 200", timeout=120)
    expect(re.search(r"^nmi test: PASS", out, re.M), "nmi test with breakpoints:\n" + out)
    expect("FAIL" not in out, out)
    out = mon.cmd("bp list")
    m = re.search(r"nmi_dispatch +stop +(\d+) +(\d+)", out)
    expect(m and int(m.group(1)) > 0 and m.group(1) == m.group(2),
           "nmi_dispatch hits all in NMI context: " + out)
    expect("could not stop" in out and "counted as trace" in out, "bp list does not say so")
    expect("last NMI-context hit:" in out, "no registers recorded: " + out)
    out = mon.cmd("nmi")
    expect(re.search(r"#BP \d+", out) and re.search(r"#DB \d+", out), "no #BP/#DB in NMI: " + out)
    expect(re.search(r"nested [1-9]\d*", out), "no nested NMIs: " + out)
    expect(re.search(r"unknown 0, swallowed \d+, c-latch entries 0", out), out)
    mon.cmd("bp del all")
    still_works(mon)


def test_breakpoint_errors(mon):
    one_error(mon.cmd("bp add 0xffff800000000000"), "not mapped executable")
    one_error(mon.cmd("bp add scratch_area"), "not mapped executable")
    one_error(mon.cmd("bp add nmi_entry"), "must never trap")
    one_error(mon.cmd("bp add trap_dispatch"), "must never trap")
    mon.cmd("bp add work_spin")
    one_error(mon.cmd("bp add work_spin"), "already has a breakpoint")
    one_error(mon.cmd("bp del 42"), "no breakpoint 42")
    one_error(mon.cmd("bp frob"), "usage")
    expect("deleted 1 breakpoints" in mon.cmd("bp del all"), "bp del all")
    expect("no breakpoints" in mon.cmd("bp list"), "bp list after del all")
    still_works(mon)


def test_ctrl_c_stops_a_running_workload_and_cont_resumes(mon):
    start = mon.mark()
    mon.send("work spin 100000\r")
    mon.wait_for(r"running for 100000 ms \(Ctrl-C stops it\)\r\n", 30, start)
    # it stops wherever the command is: almost always in work_spin's loop;
    # under KVM it has stopped in the strcmp that picks the workload, a leaf
    # without a frame (the walk then goes from strcmp to cmd_work's caller):
    # cont and stop it again, in the loop
    from test_break_watch import ctrl_c_until_stopped  # it imports this module
    for _ in range(5):
        ctrl_c_until_stopped(mon, start)
        bt = re.findall(r"#\d+ +0x[0-9a-f]+ (\S+)", stopped_cmd(mon, "bt"))
        if not bt or not bt[0].startswith("strcmp+"):
            break
        start = mon.mark()
        mon.send("cont\r")
        mon.wait_for(r"cont\r\n", 60, start)
    expect(any(f.startswith("cmd_work+") for f in bt), "bt: %r" % bt)
    # cont resumes it; a second Ctrl-C stops it again; then let it be
    start = mon.mark()
    mon.send("cont\r")
    mon.wait_for(r"cont\r\n", 60, start)
    # a Ctrl-C that lands before the stopped shell has let go is only a
    # cancelled line there: press it again until the workload stops
    for _ in range(20):
        mon.send("\x03")
        try:
            mon.wait_for(r"stopped: break \(Ctrl-C\)", 3, start)
            break
        except TestFailure:
            continue
    else:
        raise TestFailure("Ctrl-C after cont never stopped the workload:\n" + mon.tail())
    stopped_cmd(mon, "regs")


def test_workloads_run_and_report(mon):
    out = mon.cmd("work list")
    for w in ["mix", "spin", "spin-cli", "lazy", "recurse"]:
        expect(re.search(r"^  %s " % w, out, re.M), "work list lacks " + w)
    out = mon.cmd("work mix 7:2:1 100", timeout=60)
    m = re.search(r"leaf iterations a=(\d+) b=(\d+) c=(\d+)", out)
    expect(m, out)
    a, b, c = map(int, m.groups())
    expect(a == 7 * c and b == 2 * c and c > 0, "mix ratio 7:2:1: %d %d %d" % (a, b, c))
    expect(re.search(r"work spin-cli: \d+ iterations in 50 ms with interrupts off",
                     mon.cmd("work spin-cli 50", timeout=60)), "spin-cli")
    out = mon.cmd("work lazy 50", timeout=60)
    expect(re.search(r"work lazy: [1-9]\d* page touches, [1-9]\d* faults", out), out)
    expect("reached depth 50" in mon.cmd("work recurse 50"), "recurse")
    one_error(mon.cmd("work mix 7:2"), "ratio")
    one_error(mon.cmd("work mix 0:0:0"), "all zero")
    one_error(mon.cmd("work spin 0"), "out of range")
    one_error(mon.cmd("work nosuch"), "no workload")
    one_error(mon.cmd("work recurse 100000"), "depth")


def test_ctrl_c_stops_a_workload_with_interrupts_off(mon):
    start = mon.mark()
    mon.send("work spin-cli 100000\r")
    mon.wait_for(r"running for 100000 ms \(Ctrl-C stops it\)\r\n", 30, start)
    mon.send("\x03")
    mon.wait_for(r"stopped: break \(Ctrl-C\) at \S+\r\n" + STOPPED[4:], 30, start)
    out = stopped_cmd(mon, "regs")
    m = re.search(r"rflags ([0-9a-f]+)", out)
    expect(m and not int(m.group(1), 16) & 0x200,
           "stopped with interrupts on: the NMI path was not what stopped it\n" + out)
    bt = re.findall(r"#\d+ +0x[0-9a-f]+ (\S+)", stopped_cmd(mon, "bt"))
    expect(any(f.startswith("work_spin_cli+") for f in bt), "bt lacks work_spin_cli: %r" % bt)
    out = mon.cmd("nmi", prompt=STOPPED)
    expect(re.search(r"unknown 0,", out), "unknown NMIs from the timer:\n" + out)
