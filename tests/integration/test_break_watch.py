"""The Ctrl-C watch for commands that run with interrupts off (a DR0 break
planted from the timer NMI), and recovery: an aborted command undoes what
it set up, and only that."""
import re

from monitor import TestFailure, expect
from test_debug import STOPPED, stopped_cmd
from test_shell import one_error, still_works


def ctrl_c_until_stopped(mon, start):
    # a Ctrl-C that lands before the stopped shell has let go is only a
    # cancelled line there: press it again until the workload stops
    for _ in range(20):
        mon.send("\x03")
        try:
            # not anchored at the prompt: a later Ctrl-C may already have
            # cancelled a line in the stopped shell
            mon.wait_for(r"stopped: break \(Ctrl-C\) at \S+( on cpu \d+)?\r\n", 3, start)
            mon.wait_for(STOPPED, 60, start)
            return mon.buf[start:]
        except TestFailure:
            continue
    raise TestFailure("Ctrl-C never stopped the workload:\n" + mon.tail())


def start_workload(mon, line):
    start = mon.mark()
    mon.send(line + "\r")
    mon.wait_for(r"running for \d+ ms \(Ctrl-C stops it\)\r\n", 30, start)
    return start


def test_ctrl_c_stops_a_rep_movsb_with_interrupts_off(mon):
    out = ctrl_c_until_stopped(mon, start_workload(mon, "work rep-cli 100000"))
    expect(re.search(r"stopped: break \(Ctrl-C\) at work_rep_cli\+0x", out),
           "stopped outside the workload:\n" + out)
    regs = stopped_cmd(mon, "regs")
    m = re.search(r"rflags ([0-9a-f]+)", regs)
    expect(m and not int(m.group(1), 16) & 0x200, "stopped with interrupts on:\n" + regs)
    bt = re.findall(r"#\d+ +0x[0-9a-f]+ (\S+)", stopped_cmd(mon, "bt"))
    expect(bt and bt[0].startswith("work_rep_cli+"), "bt: %r" % bt)
    expect(any(f.startswith("cmd_work+") for f in bt), "bt lacks cmd_work: %r" % bt)


def test_fault_in_stopped_shell_keeps_the_outer_watch(mon):
    ctrl_c_until_stopped(mon, start_workload(mon, "work spin-cli 100000"))
    out = stopped_cmd(mon, "trap gp")
    expect("command aborted" in out, out)
    start = mon.mark()
    mon.send("cont\r")
    mon.wait_for(r"cont\r\n", 60, start)
    # interrupts are off in the workload: only the outer command's watch
    # can stop it again
    out = ctrl_c_until_stopped(mon, start)
    expect(re.search(r"stopped: break \(Ctrl-C\) at work_spin", out), out)


def test_prof_record_aborted_stops_sampling(mon):
    out = mon.cmd("prof record event=timer hz=1000 trap gp", timeout=60)
    expect("command aborted" in out, out)
    expect("state: stopped" in mon.cmd("prof status"), "still sampling after the abort")
    out = mon.cmd("prof record event=timer hz=1000 work mix 7:2:1 100", timeout=120)
    expect("already sampling" not in out and re.search(r"work mix 7:2:1: \d+ rounds", out), out)
    expect("state: stopped" in mon.cmd("prof status"), "sampling after prof record")
    one_error(mon.cmd("prof stop"), "not sampling")
    still_works(mon)
