"""Hardware watchpoints in the shell (issue 19): wp add/del/list, a write
stops with the old and new value once per write, an execute watchpoint
resumes (RF) instead of faulting forever, hits inside a stop only count,
the Ctrl-C break keeps its own debug register, protected memory and the
debug path's data are refused."""
import re

from elf import nm_symbols
from monitor import expect, expect_eq
from test_debug import STOPPED, start_and_stop_at, stopped_cmd
from test_shell import one_error, still_works


def wp_row(mon, name, prompt=None):
    """(hits, kind, register) of the watchpoint at symbol name."""
    out = mon.cmd("wp list", prompt=prompt) if prompt else mon.cmd("wp list")
    m = re.search(r"^  \d+ +0x[0-9a-f]+ %s +\d+ (\w+) +DR(\d) +(\d+) +-$" % re.escape(name),
                  out, re.M)
    expect(m, "no watchpoint %s in:\n%s" % (name, out))
    return int(m.group(3)), m.group(1), int(m.group(2))


def test_write_watchpoint_stops_once_per_write_with_old_and_new(mon):
    addr = nm_symbols()["scratch_area"][0]
    out = mon.cmd("wp add scratch_area 8 w")
    expect_eq(out.strip(), "watchpoint 1 at 0x%016x scratch_area (8 bytes, write)" % addr,
              "wp add")
    # a write by a shell command stops too (after the write: mw is mid-way)
    out = mon.cmd("mw scratch_area 41")
    expect(re.search(r"stopped: watchpoint 1 \(write\) at fault_safe_write64\+0x[0-9a-f]+, "
                     r"scratch_area = 0x0 -> 0x29$", out, re.M), "mw's write:\n" + out)
    out = mon.cmd("cont")
    expect("0x0000000000000000 -> 0x0000000000000029" in out, "mw after cont:\n" + out)
    start = mon.mark()
    start_and_stop_at(mon, "work scratch 3",
                      r"stopped: watchpoint 1 \(write\) at work_scratch\+0x[0-9a-f]+, "
                      r"scratch_area = 0x29 -> 0x2a\r\n")
    for old in (0x2a, 0x2b):
        s = mon.mark()
        mon.send("cont\r")
        mon.wait_for(STOPPED, 60, s)
        expect(re.search(r"scratch_area = 0x%x -> 0x%x\r\n" % (old, old + 1), mon.buf[s:]),
               "want %#x -> %#x:\n%s" % (old, old + 1, mon.buf[s:]))
    out = mon.cmd("cont", timeout=60)
    expect("work scratch: scratch_area[0] = 44" in out, "workload did not finish:\n" + out)
    expect_eq(mon.buf[start:].count("stopped: watchpoint 1"), 3, "stops during work scratch 3")
    expect_eq(wp_row(mon, "scratch_area"), (4, "write", 0), "wp list (mw + 3 writes)")
    expect_eq(mon.cmd("wp del 1").strip(), "deleted watchpoint 1", "wp del")
    out = mon.cmd("work scratch 5", timeout=60)
    expect("stopped" not in out and "scratch_area[0] = 49" in out, "after wp del:\n" + out)
    expect_eq(mon.cmd("wp list").strip(), "no watchpoints", "wp list after del")


def test_execute_watchpoint_stops_and_cont_runs_the_instruction(mon):
    mon.cmd("wp add work_spin x")
    start_and_stop_at(mon, "work spin 10",
                      r"stopped: watchpoint 1 \(execute\) at work_spin, work_spin\r\n")
    out = stopped_cmd(mon, "regs")
    expect_eq(int(re.search(r"rip ([0-9a-f]{16})", out).group(1), 16),
              nm_symbols()["work_spin"][0], "rip at the execute watchpoint")
    # without RF the instruction would fault into the same #DB forever
    out = mon.cmd("cont", timeout=60)
    expect(re.search(r"work spin: \d+ iterations in 10 ms", out), "did not resume:\n" + out)
    # step from an execute hit: one instruction, then a step stop
    start_and_stop_at(mon, "work spin 10", r"watchpoint 1 \(execute\) at work_spin,")
    s = mon.mark()
    mon.send("step\r")
    mon.wait_for(STOPPED, 60, s)
    expect(re.search(r"stopped: step at work_spin\+0x1\r\n", mon.buf[s:]),
           "step from the hit:\n" + mon.buf[s:])
    mon.cmd("cont", timeout=60)
    expect_eq(wp_row(mon, "work_spin"), (2, "execute", 0), "wp list")
    mon.cmd("wp del all")


def test_hits_inside_a_stop_only_count(mon):
    mon.cmd("wp add scratch_area+8 8 rw")
    mon.cmd("bp add work_spin")
    start_and_stop_at(mon, "work spin 10", r"stopped: breakpoint 1 at work_spin\r\n")
    out = stopped_cmd(mon, "mw scratch_area+8 7")
    expect("stopped" not in out and "-> 0x0000000000000007" in out, "mw in a stop:\n" + out)
    out = mon.cmd("wp list", prompt=STOPPED)
    expect(re.search(r"^     3 hits could not stop \(interrupt context, or inside a stop\): "
                     r"counted only$", out, re.M), "counted-only line:\n" + out)
    # mw reads, writes and reads back: three accesses
    expect_eq(wp_row(mon, "scratch_area+0x8", prompt=STOPPED)[0], 3, "rw hits of mw")
    mon.cmd("cont", timeout=60)
    mon.cmd("bp del all")
    mon.cmd("wp del all")


def test_ctrl_c_break_keeps_its_register_when_watchpoints_take_the_rest(mon):
    for i, off in enumerate((0, 8, 16)):
        mon.cmd("wp add scratch_area+%d" % off)
        expect_eq(wp_row(mon, "scratch_area" + ("+0x%x" % off if off else ""))[2], i,
                  "register of watchpoint %d" % (i + 1))
    one_error(mon.cmd("wp add scratch_area+24"),
              "no debug register free: at most 3 watchpoints (DR3 is the Ctrl-C break's)")
    start = mon.mark()
    mon.send("work spin-cli 100000\r")
    mon.wait_for(r"running for 100000 ms", 30, start)
    mon.send("\x03")
    mon.wait_for(r"stopped: break \(Ctrl-C\) at work_spin\S*\r\n" + STOPPED[4:], 60, start)
    out = stopped_cmd(mon, "regs")
    m = re.search(r"rflags ([0-9a-f]+)", out)
    expect(m and not int(m.group(1), 16) & 0x200,
           "stopped with interrupts on: the NMI path was not what stopped it\n" + out)
    expect_eq(wp_row(mon, "scratch_area+0x10", prompt=STOPPED), (0, "write", 2),
              "watchpoints kept through the break")


def test_wp_refusals(mon):
    for line, want in [
        ("wp add percpu_area", "per-CPU area and TSS must never trap"),
        ("wp add idt_table", "IDT must never trap"),
        ("wp add gdt_table", "GDT must never trap"),
        ("wp add ist_area", "NMI/#DF/#MC stacks must never trap"),
        ("wp add nmi_entry x", "interrupt and NMI entry text must never trap"),
        ("wp add debug_trap x", "breakpoint trap path must never trap"),
        ("wp add bps", "breakpoint trap path's data must never trap"),
        ("wp add wps", "breakpoint trap path's data must never trap"),
        ("wp add cpu_steps", "breakpoint trap path's data must never trap"),
        ("wp add scratch_area+4 8", "not aligned to 8 bytes"),
        ("wp add scratch_area 3", "bad length 3"),
        ("wp add scratch_area 8 x", "an execute watchpoint has length 1"),
        ("wp add 0 8", "cannot watch 0x0: page fault"),
        ("wp add scratch_area 8 q", "bad argument 'q'"),
        ("wp add nosuchsymbol", "bad address 'nosuchsymbol'"),
        ("wp del 7", "no watchpoint 7"),
        ("wp del x", "bad watchpoint id 'x'"),
        ("wp", "usage: wp add"),
    ]:
        one_error(mon.cmd(line), want)
    expect_eq(mon.cmd("wp list").strip(), "no watchpoints", "nothing was added")
    mon.cmd("wp add scratch_area")
    one_error(mon.cmd("wp add scratch_area"), r"already watched that way")
    mon.cmd("wp del all")
    still_works(mon)
