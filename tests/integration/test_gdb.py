"""The GDB remote stub (issue 19), with Debian's gdb in batch mode on
build/monitor.elf, attached to QEMU's serial port over TCP (gdb_link.py):
what gdb reads must be what the ELF and the workloads say; and a packet
fuzz that must get exactly one '+' per good packet and one '-' per bad one,
after which gdb still attaches."""
import os
import random
import re

from elf import nm_symbols, read_bytes
from gdb_link import TcpMonitor, run_gdb
from monitor import expect, expect_eq
from test_bpnest import objdump
from test_shell import one_error, still_works


def section(out, name):
    m = re.search(r"^@@ %s\n(.*?)(?=^@@ |\Z)" % re.escape(name), out, re.M | re.S)
    expect(m, "gdb output has no section %s:\n%s" % (name, out))
    return m.group(1)


def rip(text):
    m = re.search(r"^rip +0x([0-9a-f]+)", text, re.M)
    expect(m, "no rip in:\n" + text)
    return int(m.group(1), 16)


def steps(*pairs):
    """gdb -ex commands, each after an `echo @@ NAME` marker."""
    out = []
    for name, cmd in pairs:
        out += ["echo @@ %s\\n" % name, cmd]
    return out


def test_gdb_attach_break_bt_stepi_watch_monitor_detach(accel):
    syms = nm_symbols()
    spin = syms["work_spin"][0]
    first_len = objdump("work_spin")[0][1]
    with TcpMonitor(accel) as mon:
        mon.boot(120)
        before = mon.mark()
        # nothing typed: gdb's first packet at the prompt switches the line
        out = run_gdb(mon, steps(
            ("rip", "info registers rip"),
            ("bytes", "x/16xb work_spin"),
            ("help", "monitor help"),
            ("setvar", "set var scratch_area[1] = 0x1234"),
            ("md", "monitor md scratch_area+8 8"),
            ("badmem", "x/4xb 0xffff800000000000"),
            ("break", "break work_spin"),
            ("queue", "monitor work recurse 3"),
            ("cont", "continue"),
            ("bt", "bt"),
            ("rip1", "info registers rip"),
            ("stepi", "stepi"),
            ("rip2", "info registers rip"),
            ("del", "delete"),
            ("watch", "watch scratch_area[0]"),
            ("queue2", "monitor work scratch 2"),
            ("hit1", "continue"),
            ("hit2", "continue"),
            ("del2", "delete"),
            ("hbreak", "hbreak work_spin"),
            ("queue3", "monitor work spin 1"),
            ("hhit", "continue"),
            ("del3", "delete"),
            ("done", "continue"),
            ("detach", "detach"),
        ))
        # attached: the shell's own registers
        expect(syms["run_loop"][0] <= rip(section(out, "rip")) <
               syms["run_loop"][0] + syms["run_loop"][1], "rip not in run_loop:\n" + out)
        got = [int(x, 16) for x in re.findall(r"\t0x([0-9a-f]{2})", section(out, "bytes"))]
        expect_eq(bytes(got), read_bytes(spin, 16), "x/16xb work_spin")
        for name in ("md", "wp", "gdb", "bp", "work"):
            expect(re.search(r"^  %s +" % name, section(out, "help"), re.M),
                   "monitor help lacks %s:\n%s" % (name, section(out, "help")))
        # gdb's write (X or M) lands where the shell's md reads it
        expect(re.search(r": 34 12 00 00 00 00 00 00 ", section(out, "md")), section(out, "md"))
        expect("Cannot access memory at address 0xffff800000000000" in section(out, "badmem"),
               section(out, "badmem"))
        expect("'work recurse 3' runs when gdb resumes the target" in section(out, "queue"),
               section(out, "queue"))
        expect(re.search(r"Breakpoint 1, work_spin \(", section(out, "cont")),
               "continue did not stop at work_spin:\n" + section(out, "cont"))
        frames = re.findall(r"^#(\d+) +(?:0x[0-9a-f]+ in )?(\w+) \(([^)]*)\)", section(out, "bt"),
                            re.M)
        want = [("0", "work_spin"), ("1", "work_recurse"), ("2", "work_recurse"),
                ("3", "work_recurse"), ("4", "cmd_work")]
        expect_eq([f[:2] for f in frames[:5]], want, "bt")
        expect(frames[1][2].endswith("=1") and frames[3][2].endswith("=3"),
               "bt arguments: %r" % frames[:4])
        expect_eq(rip(section(out, "rip1")), spin, "rip at the breakpoint")
        expect_eq(rip(section(out, "rip2")), spin + first_len, "rip after stepi")
        for name, old, new in (("hit1", 0, 1), ("hit2", 1, 2)):
            expect(re.search(r"Hardware watchpoint 2: scratch_area\[0\]\s+Old value = %d\s+"
                             r"New value = %d\s" % (old, new), section(out, name)),
                   "%s: want %d -> %d:\n%s" % (name, old, new, section(out, name)))
        expect("work scratch: scratch_area[0] = 2" in section(out, "hhit"), section(out, "hhit"))
        # hbreak is Z1: an execute watchpoint, reported as hwbreak
        expect(re.search(r"Breakpoint 3, work_spin \(", section(out, "hhit")), section(out, "hhit"))
        expect(re.search(r"work spin: \d+ iterations in 1 ms", section(out, "done")),
               section(out, "done"))
        expect("detached" in section(out, "detach"), section(out, "detach"))
        # the stop replies gdb got carry their reasons
        for reason in ("T05thread:1;swbreak:;#", "T05thread:1;watch:%x;#" % syms["scratch_area"][0],
                       "T05thread:1;hwbreak:;#"):
            expect(reason in mon.buf[before:], "no stop reply %s from the monitor" % reason)
        # the shell is back, and gdb left no breakpoint or watchpoint behind
        mon.wait_for(r"mon> ", 30, before)
        expect_eq(mon.cmd("bp list").strip(), "no breakpoints", "bp list after detach")
        expect_eq(mon.cmd("wp list").strip(), "no watchpoints", "wp list after detach")
        still_works(mon)


# -- fuzz ---------------------------------------------------------------------
MAX = 4096      # GDB_PACKET_MAX
# what a good fuzz packet may not be: it would resume, detach, write memory or
# registers, plant breakpoints, or run a monitor command
FORBIDDEN = re.compile(rb"^([cCsSDkMXGPZz]|qRcmd|vCont;)")


def checksum(body):
    return b"%02x" % (sum(body) & 0xff)


def frame(body):
    return b"$" + body + b"#" + checksum(body)


class Framing:
    """The monitor's receive state machine (monitor/gdb/gdb_packet.c)."""

    def __init__(self):
        self.state, self.body, self.sum, self.sent, self.over = "idle", b"", 0, 0, False
        self.good, self.bad, self.packets = 0, 0, []

    def copy(self):
        c = Framing()
        c.__dict__.update(self.__dict__)
        c.body = bytearray(self.body)
        c.packets = []
        return c

    def start(self):
        self.state, self.body, self.sum, self.over = "body", bytearray(), 0, False

    def feed(self, data):
        for c in data:
            s = self.state
            if s == "idle":
                if c == 0x24:
                    self.start()
            elif s in ("body", "esc"):
                if s == "body" and c == 0x24:
                    self.bad += 1
                    self.start()
                elif s == "body" and c == 0x23:
                    self.state = "hi"
                else:
                    self.sum += c
                    if s == "body" and c == 0x7d:
                        self.state = "esc"
                        continue
                    if len(self.body) < MAX:
                        self.body.append(c ^ 0x20 if s == "esc" else c)
                    else:
                        self.over = True
                    self.state = "body"
            else:
                d = int(chr(c), 16) if chr(c) in "0123456789abcdefABCDEF" else -1
                if d < 0:
                    self.bad += 1
                    self.state = "idle"
                    if c == 0x24:
                        self.start()
                elif s == "hi":
                    self.sent, self.state = d << 4, "lo"
                else:
                    self.state = "idle"
                    if self.over or (self.sent | d) != self.sum & 0xff:
                        self.bad += 1
                    else:
                        self.good += 1
                        self.packets.append(bytes(self.body))


def fuzz_items(rng, text):
    lo, hi = text
    good = [b"g", b"?", b"qC", b"qAttached", b"qfThreadInfo", b"qsThreadInfo", b"Hg0",
            b"Hc-1", b"T1", b"vCont?", b"vMustReplyEmpty", b"qTStatus", b"p10", b"p38",
            b"p39", b"qSupported:multiprocess+;swbreak+",
            b"qXfer:features:read:target.xml:0,100", b"qXfer:features:read:nosuch.xml:0,10"]
    while True:
        k = rng.random()
        if k < 0.3:
            body = rng.choice(good)
        elif k < 0.5:
            body = b"m%x,%x" % (rng.randrange(lo, hi), rng.randrange(0, 64))
        elif k < 0.55:
            body = b"m%x,%x" % (rng.getrandbits(64), rng.randrange(0, 16))
        elif k < 0.6:
            body = b"p%x" % rng.randrange(0, 100)
        else:
            body = bytes(rng.randrange(32, 127) for _ in range(rng.randrange(0, 24)))
        pkt = bytearray(frame(body))
        r = rng.random()
        if r < 0.25 and len(pkt) > 1:       # one byte changed
            pkt[rng.randrange(len(pkt))] = rng.choice(b"$#}+-\x03az09" + bytes([rng.randrange(256)]))
        elif r < 0.35:                      # cut short
            pkt = pkt[:rng.randrange(1, len(pkt))]
        elif r < 0.45:                      # line noise
            pkt = bytearray(rng.choice(b"$#}+-\x03xyz\r\n") for _ in range(rng.randrange(1, 12)))
        elif r < 0.452:                     # overlong (rare: 4 KiB each)
            pkt = bytearray(frame(b"q" * (MAX + rng.randrange(1, 40))))
        yield bytes(pkt)


def fuzz_stream(n, seed):
    syms = nm_symbols()
    text = (syms["kmain"][0], syms["kmain"][0] + 0x10000)
    rng = random.Random(seed)
    model = Framing()
    chunks = []
    items = fuzz_items(rng, text)
    while model.good + model.bad < n:
        item = next(items)
        trial = model.copy()
        trial.feed(item)
        if any(FORBIDDEN.match(p) for p in trial.packets):
            continue
        model = trial
        chunks.append(item)
    # end outside any packet: a lone '$' left open would swallow the sync
    tail = model.copy()
    tail.feed(b"#00")
    if tail.good + tail.bad > model.good + model.bad and not any(
            FORBIDDEN.match(p) for p in tail.packets):
        model = tail
        chunks.append(b"#00")
    return b"".join(chunks), model


class Replies:
    """Acks and frames in what the monitor sends, parsed as it arrives."""

    def __init__(self):
        self.pos, self.acks, self.naks, self.frames, self.state, self.cur = 0, 0, 0, [], "out", []

    def feed(self, text, upto):
        for ch in text[self.pos:upto]:
            if self.state == "out":
                if ch == "+":
                    self.acks += 1
                elif ch == "-":
                    self.naks += 1
                elif ch == "$":
                    self.state, self.cur = "in", []
            elif self.state == "in":
                if ch == "#":
                    self.state = 2
                else:
                    self.cur.append(ch)
            else:
                self.state -= 1
                if self.state == 0:
                    self.frames.append("".join(self.cur))
                    self.state = "out"
        self.pos = upto


def test_packet_fuzz_then_gdb_attaches(accel):
    n = int(os.environ.get("GDB_FUZZ_PACKETS", "10000"))
    stream, model = fuzz_stream(n, seed=19)
    with TcpMonitor(accel) as mon:
        mon.boot(120)
        mon.cmd("gdb", prompt=r"detach returns here\)\r\n")
        # the gdb command has returned once the stub answers (a ^C in the fuzz
        # while it still ran would be a break of the command itself)
        mon.send(frame(b"qC"))
        start = mon.wait_for(re.escape("+$QC1#c5"), 60).end()
        sync = b"qXfer:features:read:target.xml:10,7"
        mon.send(stream + frame(sync))
        replies = Replies()
        replies.pos = start
        deadline = 240
        with mon.cond:
            while replies.acks < model.good + 1:
                replies.feed(mon.buf, len(mon.buf))
                if replies.acks >= model.good + 1:
                    break
                expect(mon.cond.wait(deadline), "fuzz: %d of %d acks, %d of %d naks; ends:\n%s"
                       % (replies.acks, model.good + 1, replies.naks, model.bad, mon.tail()))
        expect_eq((replies.acks, replies.naks), (model.good + 1, model.bad),
                  "acks and naks for %d good and %d bad packets" % (model.good, model.bad))
        # the sync's reply (after its '+') is the 7 bytes of target.xml at 0x10
        mon.wait_for(re.escape('$m.0"?><!#'), 60, start)
        s = mon.mark()
        mon.send(frame(b"D"))
        mon.wait_for(r"\$OK#9amon> $", 60, s)
        still_works(mon)
        before = mon.mark()
        out = run_gdb(mon, steps(("rip", "info registers rip"), ("bytes", "x/8xb kmain"),
                                 ("detach", "detach")))
        got = [int(x, 16) for x in re.findall(r"\t0x([0-9a-f]{2})", section(out, "bytes"))]
        expect_eq(bytes(got), read_bytes(nm_symbols()["kmain"][0], 8), "x/8xb kmain after fuzz")
        expect("detached" in section(out, "detach"), out)
        mon.wait_for(r"mon> ", 30, before)
        still_works(mon)
        ctrl_c_stops_the_target(mon)
        print("fuzz: %d packets (%d good, %d bad), %d bytes" % (model.good + model.bad, model.good,
                                                               model.bad, len(stream)))


def exchange(mon, data, want, timeout=60):
    s = mon.mark()
    mon.send(data)
    return mon.wait_for(want, timeout, s)


def ctrl_c_stops_the_target(mon):
    """0x03 from gdb: while the target idles at the top level (SIGINT there),
    and while a queued workload runs (a stop in the workload)."""
    exchange(mon, frame(b"qC"), re.escape("+$QC1#c5"))     # '$' at the prompt
    exchange(mon, frame(b"c"), re.escape("+"))
    exchange(mon, b"\x03", re.escape("$T02thread:1;#"))
    start, size = nm_symbols()["work_spin"][:2]
    # the UART interrupt's break, then (interrupts off) the timer NMI's
    for cmd, want_if in ((b"work spin 3000", True), (b"work spin-cli 100000", False)):
        exchange(mon, frame(b"qRcmd," + cmd.hex().encode()), re.escape("$OK#9a"))
        exchange(mon, frame(b"c"), r"\$O%s" % (b" ".join(cmd.split()[:2]) + b": running").hex())
        exchange(mon, b"\x03", re.escape("$T02thread:1;#"))
        m = exchange(mon, frame(b"p10"), r"\+\$([0-9a-f]{16})#")
        rip = int.from_bytes(bytes.fromhex(m.group(1)), "little")
        expect(start <= rip < start + size, "^C stopped at %#x, not in work_spin" % rip)
        m = exchange(mon, frame(b"p11"), r"\+\$([0-9a-f]{8})#")
        eflags = int.from_bytes(bytes.fromhex(m.group(1)), "little")
        expect_eq(bool(eflags & 0x200), want_if, "IF at the ^C stop of %s" % cmd.decode())
        if want_if:
            # the rest of the 3 s spin, then SIGTRAP: the command finished
            exchange(mon, frame(b"c"), re.escape("$T05thread:1;#"), timeout=120)


def test_a_dollar_line_that_is_no_packet_is_one_error(mon):
    """A person's line that starts with '$' does not leave the shell in gdb's
    hands: it ends at Enter (or at a bad checksum) with one error."""
    for line in ("$ ls", "$m0,4#00"):
        one_error(mon.cmd(line), "a line that starts with '$' is a gdb packet; this one was not")
    still_works(mon)
    # a good packet switches; gdb's detach gives the shell back
    s = mon.mark()
    mon.send("+" + frame(b"qC").decode())
    mon.wait_for(re.escape("+$QC1#c5"), 30, s)
    mon.send(frame(b"D").decode())
    mon.wait_for(re.escape("$OK#9a") + r"mon> $", 30, s)
    still_works(mon)


def test_qxfer_features_replies_exactly(mon):
    """One reply per packet, byte for byte: an annex other than target.xml
    (or cut short, or without its ':') is E00 and nothing more, bad offsets
    E01, a part of target.xml 'm' and its bytes, the part that reaches the
    end 'l'."""
    read = b"qXfer:features:read:"
    exchanges = [(b"nosuch.xml:0,10", b"E00"), (b"target.xml:x,5", b"E01"),
                 (b"target.xml:", b"E01"), (b"target.xml:0,5", b"m<?xml"),
                 (b"target.xm", b"E00"),
                 (b"target.xmlz0,5", b"E00"), (b"target.xml:10,7", b'm.0"?><!'),
                 (b"target.xml:ffffff,5", b"l")]
    s = mon.mark()
    mon.send(b"".join(frame(read + p) for p, _ in exchanges).decode() + frame(b"qC").decode())
    end = mon.wait_for(re.escape("$QC1#c5"), 30, s).end()
    want = b"".join(b"+" + frame(r) for r in [r for _, r in exchanges] + [b"QC1"])
    expect_eq(mon.buf[s:end], want.decode(), "replies to the qXfer packets and qC")
    # the whole description in one reply: the clamp to the reply's size
    # (GDB_PACKET_MAX - 1) is never reached, which tests/mutants_equivalent.txt
    # relies on for the mutants of that clamp
    m = exchange(mon, frame(read + b"target.xml:0,ffff"), r"\+\$([ml])([^#]*)#[0-9a-f]{2}")
    xml = m.group(2)
    expect(m.group(1) == "l" and xml.startswith("<?xml") and xml.endswith("</target>"),
           "target.xml in one read: %s, %d bytes: %r...%r" % (m.group(1), len(xml), xml[:20],
                                                             xml[-20:]))
    expect(len(xml) < 4095, "target.xml (%d bytes) outgrew one reply: the equivalent mutants "
           "of gdb_stub.c's clamp to the reply size are not equivalent any more" % len(xml))
    # continue/step at an address that is no hex number: E01, and nothing
    # resumes (the target still answers, at the same place)
    for bad in (b"c12zz", b"s0x10", b"C05;4g", b"S05;zz"):
        exchange(mon, frame(bad), re.escape("+$E01#a6"))
        exchange(mon, frame(b"qC"), re.escape("+$QC1#c5"))
    s = mon.mark()
    mon.send(frame(b"D").decode())
    mon.wait_for(re.escape("$OK#9a") + r"mon> $", 30, s)
    still_works(mon)
