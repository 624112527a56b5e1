"""The shell as a person uses it: banner, help, memory, symbols, errors,
line editing, exception reports. Each test gets a freshly booted monitor."""
import glob
import os
import random
import re

from elf import ROOT, nm_symbols, read_bytes
from monitor import TestFailure, expect, expect_eq

ERROR_RE = re.compile(r"^error: ", re.M)


def parse_md(text):
    """{address: byte} from md output lines."""
    got = {}
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]{16}):((?: +[0-9a-f]{2})+)\s+\|", line)
        if not m:
            continue
        a = int(m.group(1), 16)
        for i, b in enumerate(m.group(2).split()):
            got[a + i] = int(b, 16)
    return got


def one_error(out, *needles):
    errs = [l for l in out.splitlines() if l.startswith("error: ")]
    expect(len(errs) == 1, "want exactly one error line, got:\n" + out)
    for n in needles:
        expect(n in errs[0], "error line lacks %r: %s" % (n, errs[0]))
    return errs[0]


def still_works(mon):
    syms = nm_symbols()
    out = mon.cmd("sym kmain")
    expect("0x%016x" % syms["kmain"][0] in out, "monitor no longer answers: " + out)


def test_boot_banner_and_prompt(mon):
    out = mon.buf
    expect(re.search(r"nmimon \S+ - bare-metal x86_64", out), "no banner name/version")
    expect(re.search(r"cpu: \S+ family \d+ model \d+", out), "no CPU line in banner")
    m = re.search(r"memory: (\d+) MiB usable", out)
    expect(m and 200 <= int(m.group(1)) <= 256, "memory line wrong: %r" % (m and m.group(0)))
    expect(out.endswith("mon> "), "no prompt")


def test_help_lists_every_command(mon):
    names = set()
    for path in glob.glob(os.path.join(ROOT, "cmds", "*.c")):
        names.update(re.findall(r'\.name = "([^"]+)"', open(path).read()))
    expect(len(names) >= 8, "found too few commands in cmds/: %r" % names)
    listed = set(re.findall(r"^  (\S+)", mon.cmd("help"), re.M))
    expect_eq(sorted(listed), sorted(names), "commands listed by help")
    out = mon.cmd("help md")
    expect("usage: md " in out, "help md gives no usage: " + out)
    one_error(mon.cmd("help nosuchcommand"), "nosuchcommand")
    one_error(mon.cmd("help md bp"), "usage: help")


def test_md_of_symbol_shows_its_bytes(mon):
    addr, size, _ = nm_symbols()["kmain"]
    want = read_bytes(addr, 48)
    got = parse_md(mon.cmd("md kmain 48"))
    expect_eq(sorted(got), list(range(addr, addr + 48)), "addresses shown")
    expect_eq(bytes(got[addr + i] for i in range(48)), want, "md kmain bytes")
    # symbol+offset and plain hex give the same bytes
    got2 = parse_md(mon.cmd("md kmain+0x10 16"))
    expect_eq(bytes(got2[addr + 0x10 + i] for i in range(16)), want[16:32], "md kmain+0x10")
    got3 = parse_md(mon.cmd("md 0x%x 16" % addr))
    expect_eq(bytes(got3[addr + i] for i in range(16)), want[:16], "md by hex address")


def md_line(addr, data):
    """md's line for up to 16 bytes: address, hex with a gap after the 8th,
    blanks for the bytes past the end, the printable ASCII."""
    cells = ["%02x" % b for b in data] + ["  "] * (16 - len(data))
    text = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in data)
    return "%016x: %s  %s  |%s|" % (addr, " ".join(cells[:8]), " ".join(cells[8:]), text)


def test_md_line_format(mon):
    """Exactly the expected text, the short last line included: nothing
    shown past the length asked for."""
    addr = nm_symbols()["kmain"][0]
    data = read_bytes(addr, 20)
    expect_eq(mon.lines("md kmain 20"), [md_line(addr, data[:16]), md_line(addr + 16, data[16:])],
              "md kmain 20")
    expect_eq(mon.lines("md kmain+3 1"), [md_line(addr + 3, data[3:4])], "md kmain+3 1")


def test_mw_md_round_trip(mon):
    addr = nm_symbols()["scratch_area"][0]
    out = mon.cmd("mw scratch_area 0x1122334455667788")
    expect(re.search(r"0x%016x scratch_area: 0x0+ -> 0x1122334455667788" % addr, out),
           "mw does not echo old -> new: " + out)
    got = parse_md(mon.cmd("md scratch_area 16"))
    expect_eq(bytes(got[addr + i] for i in range(8)),
              bytes.fromhex("8877665544332211"), "bytes after mw (little-endian)")
    out = mon.cmd("mw scratch_area+8 0xab 1")
    expect("0x00 -> 0xab" in out, "byte write echo: " + out)
    mon.cmd("mw scratch_area+10 0xbeef 2")
    mon.cmd("mw scratch_area+12 0xcafef00d 4")
    got = parse_md(mon.cmd("md scratch_area+8 8"))
    expect_eq(bytes(got[addr + 8 + i] for i in range(8)),
              bytes.fromhex("ab00efbe0df0feca"), "bytes after 1/2/4-byte writes")
    one_error(mon.cmd("mw scratch_area 0x100 1"), "does not fit")
    one_error(mon.cmd("mw scratch_area 1 3"), "width")


def test_md_unmapped_address_is_an_error(mon):
    err = one_error(mon.cmd("md 0xffff800000000000"), "0xffff800000000000", "page fault",
                    "not present")
    expect("guard" not in err, "an unmapped address called a guard page: " + err)
    # the guard pages below the stacks are named, with their CPU: an
    # overflow's CR2 read with md says whose stack it ran out of
    syms = nm_symbols()
    ist = syms["ist_area"][0]
    nmi_stack, df_stack = 16 * 1024, 8 * 1024	# percpu.h: struct ist_stacks
    guards = [(syms["boot_stack_guard"][0] + 0x123, "cpu 0's boot stack"),
              (ist + 0x10, "cpu 0's NMI stack"),
              (ist + 4096 + nmi_stack + 0xff8, "cpu 0's #DF stack"),
              (ist + 2 * 4096 + nmi_stack + df_stack, "cpu 0's #MC stack"),
              (ist + syms["ist_area"][1] // 8 + 4096 + nmi_stack, "cpu 1's #DF stack"),
              (syms["ap_stacks"][0] + syms["ap_stacks"][1] // 8 * 3 + 8, "cpu 3's AP stack")]
    for addr, whose in guards:
        one_error(mon.cmd("md 0x%x 8" % addr), "cannot read 0x%x" % addr,
                  "page fault (not present): the guard page below " + whose)
    # a byte above a guard page reads
    expect(parse_md(mon.cmd("md 0x%x 8" % (ist + 4096))), "the NMI stack's first byte")
    still_works(mon)


def test_md_noncanonical_address_is_an_error(mon):
    one_error(mon.cmd("md 0x0000800000000000 16"), "0x800000000000", "non-canonical")
    still_works(mon)


def test_md_stops_at_first_unreadable_byte(mon):
    # the identity map ends at 4 GiB: the first line is readable, the next is not
    out = mon.cmd("md 0xfffffff0 32")
    expect(out.startswith("00000000fffffff0:"), "first line missing: " + out)
    one_error(out, "0x100000000", "page fault")
    still_works(mon)


def test_mw_into_text_is_refused(mon):
    addr, _, _ = nm_symbols()["kmain"]
    before = parse_md(mon.cmd("md kmain 8"))
    one_error(mon.cmd("mw kmain 0x90 1"), "0x%x" % addr, "page fault", "protection", "write")
    expect_eq(parse_md(mon.cmd("md kmain 8")), before, "text after refused write")
    one_error(mon.cmd("mw 0xffff800000000000 1"), "page fault")
    still_works(mon)


def test_sym_agrees_with_nm(mon):
    syms = nm_symbols()
    names = ["kmain", "trap_dispatch", "scratch_area", "kernel_symtab", "uart_putc",
             "trap_common", "percpu_area", "boot_pml4"]
    for name in names:
        addr, size, typ = syms[name]
        out = mon.cmd("sym " + name)
        expect_eq(out.strip(), "%s 0x%016x size 0x%x %s" % (name, addr, size, typ),
                  "sym " + name)
    for name in ["kmain", "trap_dispatch", "uart_putc"]:
        addr, size, _ = syms[name]
        off = min(5, size - 1)
        out = mon.cmd("sym 0x%x" % (addr + off)).strip()
        want = "0x%016x %s+0x%x" % (addr + off, name, off) if off else \
            "0x%016x %s" % (addr, name)
        expect_eq(out, want, "sym of an address inside " + name)
    out = mon.cmd("sym kmain+0x3").strip()
    expect_eq(out, "0x%016x kmain+0x3" % (syms["kmain"][0] + 3), "sym kmain+0x3")
    one_error(mon.cmd("sym no_such_symbol_here"), "no_such_symbol_here")
    one_error(mon.cmd("sym 0xffff800000000000"), "no symbol")


def test_unknown_command_is_an_error(mon):
    one_error(mon.cmd("frobnicate 1 2"), "unknown command", "frobnicate")
    one_error(mon.cmd("md"), "usage: md")
    one_error(mon.cmd("md 12zz"), "12zz")
    one_error(mon.cmd("md 0x10 0"), "length")
    one_error(mon.cmd("md 99999999999999999999999"), "range")
    still_works(mon)


def test_overlong_line_is_refused(mon):
    out = mon.cmd("sym " + "k" * 400)
    one_error(out, "too long", "404")
    # a line of exactly the limit is accepted (and is an unknown command)
    out = mon.cmd("x" * 255)
    one_error(out, "unknown command")
    still_works(mon)


def test_random_bytes_then_command_works(mon):
    rng = random.Random(1234)
    junk = bytes(rng.randrange(256) for _ in range(3000))
    # also the escape sequences a terminal sends
    junk += b"\x1b[1;5C\x1b[3~\x1bOP\x1b[200~\x1b]0;title\x07\x1b[999999999999999999999999A"
    start = mon.mark()
    for i in range(0, len(junk), 256):
        mon.send(junk[i:i + 256])
    # Ctrl-C abandons whatever is left on the line; then a command must work
    mon.send(b"\x03sym kmain\r")
    mon.wait_for(r"\^C\r\nmon> sym kmain\r\nkmain 0x[0-9a-f]{16} size .*\r\nmon> $", 60, start)
    still_works(mon)
    expect(mon.proc.poll() is None, "QEMU exited")


def test_line_editing_keys(mon):
    addr = nm_symbols()["kmain"][0]
    want = "kmain 0x%016x" % addr
    expect(want in mon.cmd("sym kmainXY\x7f\x08"), "Backspace/DEL did not erase")
    expect(want in mon.cmd("garbage words\x15sym kmain"), "Ctrl-U did not clear the line")
    start = mon.mark()
    mon.send("sym kmain\x03")
    mon.wait_for(r"\^C\r\nmon> $", 60, start)
    expect(want not in mon.buf[start:], "Ctrl-C ran the line anyway")
    # unknown escape sequences are swallowed, not inserted
    expect(want in mon.cmd("sym \x1b[1;5Ckm\x1bOPain"), "escape sequence inserted")


def test_history_up_and_down(mon):
    syms = nm_symbols()
    mon.cmd("sym kmain")
    mon.cmd("sym uart_putc")
    out = mon.cmd("\x1b[A\x1b[A")          # two back: sym kmain
    expect("kmain 0x%016x" % syms["kmain"][0] in out, "Up Up: " + out)
    out = mon.cmd("\x1b[A\x1b[A\x1b[B")    # back two, forward one: sym kmain again?
    # history is now: kmain, uart_putc, kmain -> Up Up = uart_putc, Down = kmain
    expect("kmain 0x%016x" % syms["kmain"][0] in out, "Up Up Down: " + out)
    out = mon.cmd("\x1bOA")                  # SS3 form of Up
    expect("kmain 0x%016x" % syms["kmain"][0] in out, "ESC O A: " + out)
    out = mon.cmd("sym uart\x1b[A\x1b[B_putc")  # Down returns to the draft
    expect("uart_putc 0x%016x" % syms["uart_putc"][0] in out, "draft after Down: " + out)


def test_cr_lf_and_crlf_each_end_one_line(mon):
    addr = nm_symbols()["kmain"][0]
    for ending in ("\r", "\n", "\r\n"):
        start = mon.mark()
        mon.send("sym kmain" + ending + "sym uart_putc" + ending)
        mon.wait_for(r"uart_putc 0x[0-9a-f]+ size.*\r\nmon> $", 60, start)
        out = mon.buf[start:]
        expect_eq(out.count("mon> "), 2, "prompts after two lines ended with %r" % ending)
        expect("kmain 0x%016x" % addr in out, "first line with %r" % ending)


def test_regs_shows_the_shell(mon):
    syms = nm_symbols()
    out = mon.cmd("regs")
    m = re.search(r"rip ([0-9a-f]{16})", out)
    expect(m, "no rip in regs: " + out)
    rip = int(m.group(1), 16)
    lo, size, _ = syms["cmd_regs"]
    expect(lo <= rip < lo + size, "rip 0x%x not in cmd_regs" % rip)
    vals = dict((k, int(v, 16)) for k, v in re.findall(r"\b(r\w+|cs|ss)\s+([0-9a-f]+)\b", out))
    gprs = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"] + ["r%d" % i for i in range(8, 16)]
    expect_eq(sorted(k for k in vals if k in gprs), sorted(gprs), "registers shown")
    # regs fills its frame with 0x5a before capture_regs: a register it
    # did not capture would show that
    missed = [k for k, v in vals.items() if v == 0x5a5a5a5a5a5a5a5a or v == 0x5a5a5a5a]
    expect_eq(missed, [], "registers capture_regs left uncaptured")
    # the shell runs on the boot stack, in ring 0 with the GDT's code and data selectors
    lo, _, _ = syms["boot_stack_bottom"]
    hi, _, _ = syms["boot_stack_top"]
    expect(lo <= vals["rsp"] <= hi, "rsp 0x%x outside the boot stack" % vals["rsp"])
    expect_eq((vals["cs"] & 3, vals["rflags"] & 2), (0, 2), "cs's RPL, rflags bit 1")
    for r in ["cr0", "cr3"]:
        expect(r in out, "regs lacks " + r)


def check_report(mon, which, vector, mnemonic, extra=()):
    syms = nm_symbols()
    out = mon.cmd("trap " + which)
    m = re.search(r"\*\*\* exception (\d+) (\S+) \(.*\), error code 0x([0-9a-f]+), at (\S+)", out)
    expect(m, "no exception report for trap %s:\n%s" % (which, out))
    expect_eq(int(m.group(1)), vector, "vector")
    expect_eq(m.group(2), mnemonic, "mnemonic")
    # none of these carries information in its error code: 0 each
    expect_eq(int(m.group(3), 16), 0, "error code")
    expect(m.group(4).startswith("cmd_trap+0x"), "RIP not symbolized in cmd_trap: " + m.group(4))
    for r in ["rax", "rsp", "rip", "rflags", "r15"]:
        expect(r in out, "report lacks register " + r)
    bt = re.findall(r"#\d+ +0x[0-9a-f]+ (\S+)", out)
    expect(len(bt) >= 2 and bt[0].startswith("cmd_trap+"), "backtrace: %r" % bt)
    expect(any(f.startswith("shell_loop+") or f.startswith("run_line+") or f.startswith("run_loop+") for f in bt),
           "backtrace does not reach the shell: %r" % bt)
    for e in extra:
        expect(re.search(e, out), "report lacks %r" % e)
    expect("back to the shell" in out, "no return to the shell")
    still_works(mon)


def test_trap_de_reports_and_returns(mon):
    check_report(mon, "de", 0, "#DE")


def test_trap_ud_reports_and_returns(mon):
    check_report(mon, "ud", 6, "#UD")


def test_trap_gp_reports_and_returns(mon):
    check_report(mon, "gp", 13, "#GP")


def test_trap_pf_reports_and_returns(mon):
    check_report(mon, "pf", 14, "#PF", extra=[r"cr2 ffff800000000000"])


def test_repeated_traps_do_not_leak_the_stack(mon):
    for _ in range(50):
        out = mon.cmd("trap ud")
        expect("back to the shell" in out, "trap ud did not return")
    still_works(mon)
    one_error(mon.cmd("trap xx"), "unknown trap")


def test_info_reports_the_machine(mon):
    out = mon.cmd("info")
    for needle in [r"cpu: \S+ family", r"pmu: ", r"nmi sources: ", r"memory: \d+ MiB",
                   r"apic id \d+", r"uptime: \d+\.\d+ s", r"tsc: \d+"]:
        expect(re.search(needle, out), "info lacks %r:\n%s" % (needle, out))


def test_reboot_comes_back(mon):
    start = mon.mark()
    mon.send("reboot\r")
    mon.wait_for(r"rebooting", 60, start)
    mon.wait_for(r"nmimon \S+ - bare-metal", 60, start)
    mon.wait_for(r"mon> $", 30, start)
    still_works(mon)
