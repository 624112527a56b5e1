#!/usr/bin/env python3
"""Where an NMI sample's instructions go, from QEMU's own execution log.

`make bench` (tools/bench.py) captures a log of a few samples with
capture(): QEMU's HMP `log in_asm,exec,nochain,cpu` and `singlestep on`, so
that every translation block is one guest instruction and each `Trace` line
is one executed instruction, followed by the registers it started with.
-dfilter leaves the workload's own code out of the log (it runs between
samples, never inside one), which keeps the log a few megabytes.

From that log, per NMI (nmi_entry to the IRET that leaves NMI context):
- instructions per function and per phase: entry (nmi_entry.S up to the
  call of the C pass), fast (the profiler's fast pass, fast_pass_in_nmi:
  latch, CR2/DR6/DR7, the timer's tick and HPET re-arm, the sample, all
  inline), dispatcher (the general pass, nmi_dispatch, and what it calls),
  source (a source's claim_in_nmi and its callees: the HPET check and
  re-arm), sampler (sample_in_nmi), callchain (walk_callchain), exit
  (nmi_entry.S after the C pass returns). A callee takes the phase of the nearest root
  function above it, found by following CALLs and RSP (a frame is left when
  RSP climbs back above the return address its CALL pushed).
- the slow kinds, from the disassembly of each executed instruction:
  RDMSR/WRMSR, reads and writes of CR and DR registers, RDTSC, port I/O
  (IN/OUT: the Ctrl-C watch polls the UART), serialising
  instructions (SDM 3A 9.3: CPUID, IRET, WRMSR, MOV to CR/DR, LGDT, LIDT,
  LLDT, LTR, INVD, WBINVD, INVLPG, RSM, SERIALIZE), and MMIO accesses by
  range (HPET, local APIC, IOAPIC). An MMIO access is found by computing the
  memory operand's address from the registers the log shows before the
  instruction (base + index * scale + displacement, RIP-relative from the
  instruction's length, %gs from the GS base): no guess from addresses in
  the image. A memory operand written last (AT&T order) is a write, else a
  read; read-modify-write instructions count both.
- a nested NMI (nmi_entry while one runs) is its own path; the repeat pass
  it causes (the final IRET landing in repeat_nmi) is counted apart too, in
  two parts: its protocol, the entry code it runs again (repeat_nmi to the
  C pass and the exit after it), which an unnested NMI never runs, and its
  work, the C pass for the NMI's cause, which an unnested NMI costs too.
  The nesting's own cost is the nested path plus the repeat's protocol.

Usage: nmi_breakdown.py LOG ELF   (prints the table for the log's samples)
"""
import bisect
import os
import re
import socket
import subprocess
import sys
import time

PHASES = ("entry", "fast", "dispatcher", "source", "sampler", "callchain", "exit")
# a call into one of these starts its phase; anything they call inherits it
ROOTS = {"fast_pass_in_nmi": "fast", "nmi_dispatch": "dispatcher", "claim_in_nmi": "source",
         "sample_in_nmi": "sampler", "walk_callchain": "callchain"}
# the C pass: nmi_entry.S's code after its call is the exit
PASSES = ("fast", "dispatcher")
# the profiler's rings (monitor/mem/lazy.h, LAZY_PROF_BASE and _SIZE): a
# pass that writes there took a sample (the fast pass writes it inline)
RING = (("ring", 0xffffc00080000000, 128 << 20),)
MMIO = (("hpet", 0xfed00000, 0x400), ("lapic", 0xfee00000, 0x1000),
        ("ioapic", 0xfec00000, 0x20))
SERIALISING = ("cpuid", "iret", "wrmsr", "lgdt", "lidt", "lldt", "ltr", "invd",
               "wbinvd", "invlpg", "rsm", "serialize")
# these only read their memory operand, wherever AT&T puts it
READ_ONLY = ("cmp", "test", "bt", "push", "ucomis", "comis", "bound")
# these read and then write a destination in memory
RMW = ("add", "sub", "and", "or", "xor", "adc", "sbb", "inc", "dec", "neg", "not",
       "shl", "shr", "sar", "sal", "rol", "ror", "rcl", "rcr", "xchg", "xadd",
       "cmpxchg", "bts", "btr", "btc")
SUB = {}
for _r in ("ax", "bx", "cx", "dx"):
    SUB.update({"r" + _r: "r" + _r, "e" + _r: "r" + _r, _r: "r" + _r, _r[0] + "l": "r" + _r})
for _r in ("si", "di", "bp", "sp"):
    SUB.update({"r" + _r: "r" + _r, "e" + _r: "r" + _r, _r: "r" + _r, _r + "l": "r" + _r})
for _n in range(8, 16):
    for _s in ("", "d", "w", "b"):
        SUB["r%d%s" % (_n, _s)] = "r%d" % _n

TRACE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/([0-9a-f]+)\]")
INSN = re.compile(r"^0x([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$")
REG = re.compile(r"\b(R[A-Z0-9]{1,2}) ?=([0-9a-f]{16})")
SEG_GS = re.compile(r"^GS =[0-9a-f]{4} ([0-9a-f]{16})")
MEM = re.compile(r"(?:%(fs|gs):)?(-?0x[0-9a-f]+|-?\d+)?\((%[a-z0-9]+)?(?:,(%[a-z0-9]+)(?:,(\d))?)?\)")


class Symbols:
    def __init__(self, nm_lines):
        """nm_lines: `nm -n` output; with -l, each symbol's source file too."""
        ents = []
        self.files = {}
        for line in nm_lines:
            p = line.split()
            if len(p) >= 3 and p[1] in "tTwW":
                f = p[3].rsplit(":", 1)[0] if len(p) == 4 else ""
                ents.append((int(p[0], 16), p[2], f))
                if f:
                    self.files[p[2]] = f
        ents.sort()
        self.file_at = [f for _, _, f in ents]
        self.dup = {}
        for _, n, _ in ents:
            self.dup[n] = self.dup.get(n, 0) + 1
        ents = [(a, n) for a, n, _ in ents]
        self.addrs = [a for a, _ in ents]
        self.names = [n for _, n in ents]
        self.by_name = {}
        for a, n in ents:
            self.by_name.setdefault(n, a)
        lo, hi = self.by_name.get("nmi_entry_start"), self.by_name.get("nmi_entry_end")
        self.folded = {n: "nmi_entry" for a, n in ents if lo is not None and lo <= a < hi}

    @classmethod
    def from_elf(cls, elf):
        return cls(subprocess.run(["nm", "-n", "-l", elf], capture_output=True, text=True,
                                  check=True).stdout.splitlines())

    def label(self, pc):
        """The function's name, with its source file where static functions
        of several files share it (claim_in_nmi)."""
        name = self.name(pc)
        if self.dup.get(name, 0) > 1 and name in self.files:
            lo = bisect.bisect_right(self.addrs, pc)
            return "%s[%s]" % (name, os.path.basename(self.file_at[lo - 1]))
        return name

    def name(self, pc):
        lo = bisect.bisect_right(self.addrs, pc)
        if lo == 0:
            return "?"
        # a static function GCC specialised (walk_callchain.isra.0) is itself
        name = self.names[lo - 1].split(".")[0]
        # nmi_entry.S's labels (repeat_nmi, ...) are all one function
        return self.folded.get(name, name)


def parse_log(lines):
    """Yield ('insn', pc, length, text) for each disassembled instruction and
    ('exec', pc, count, regs) for each executed block; count is the block's
    instruction limit (1 under singlestep, 0 for none)."""
    pending = None
    for line in lines:
        m = TRACE.match(line)
        if m:
            if pending:
                yield pending
            pending = ("exec", int(m.group(1), 16), int(m.group(2), 16) & 0x1ff, {})
            continue
        m = INSN.match(line)
        if m:
            if pending:
                yield pending
                pending = None
            yield ("insn", int(m.group(1), 16), len(m.group(2).split()), m.group(3).strip())
            continue
        if pending:
            regs = pending[3]
            for r, v in REG.findall(line):
                regs[r.strip().lower()] = int(v, 16)
            g = SEG_GS.match(line)
            if g:
                regs["gs_base"] = int(g.group(1), 16)
    if pending:
        yield pending


def mem_operand(text):
    """(operand index, match) of the instruction's memory operand, or None.
    lea computes an address without touching memory."""
    mnem, _, ops = text.partition(" ")
    if mnem.startswith("lea") or mnem.startswith("nop") or not ops.strip():
        return None
    parts = split_operands(ops.strip())
    for i, op in enumerate(parts):
        if op.startswith("$") or op.startswith("%") and ":" not in op:
            continue
        m = MEM.fullmatch(op)
        if m:
            return i, len(parts), m
        if re.fullmatch(r"(?:%(?:fs|gs):)?0x[0-9a-f]+", op) and not mnem.startswith(("j", "call")):
            return i, len(parts), re.match(r"(?:%(fs|gs):)?(0x[0-9a-f]+)()()()", op)
    return None


def split_operands(ops):
    out, depth, cur = [], 0, ""
    for ch in ops:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def reg_value(regs, name, pc, length):
    name = name.lstrip("%")
    if name == "rip":
        return pc + length
    return regs.get(SUB.get(name, name), 0)


def mmio_accesses(text, regs, pc, length, ranges=MMIO):
    """[(range name, 'read'|'write'), ...] of one executed instruction in
    one of ranges."""
    found = mem_operand(text)
    if not found:
        return []
    i, n, m = found
    seg, disp, base, index, scale = m.groups()
    addr = int(disp, 0) if disp else 0
    if base:
        addr += reg_value(regs, base, pc, length)
    if index:
        addr += reg_value(regs, index, pc, length) * int(scale or 1)
    if seg == "gs":
        addr += regs.get("gs_base", 0)
    addr &= (1 << 64) - 1
    for name, lo, size in ranges:
        if lo <= addr < lo + size:
            mnem = text.split()[0]
            if mnem.startswith(READ_ONLY):
                return [(name, "read")]
            if i == n - 1 and n > 1 or n == 1 and mnem.startswith(RMW + ("pop", "set")):
                if mnem.startswith(RMW):
                    return [(name, "read"), (name, "write")]
                return [(name, "write")]
            return [(name, "read")]
    return []


def slow_kinds(text):
    """Names of the slow kinds one instruction is (besides MMIO)."""
    mnem, _, ops = text.partition(" ")
    ops = ops.replace(" ", "")
    kinds = []
    if mnem == "rdmsr":
        kinds.append("rdmsr")
    if mnem.startswith("rdtsc"):
        kinds.append("rdtsc")
    if mnem in ("inb", "inw", "inl", "outb", "outw", "outl"):
        kinds.append("port_io")
    for reg in ("cr", "dr"):
        m = re.fullmatch(r"%(\w+),%(\w+)", ops) if mnem.startswith("mov") else None
        if m and m.group(1).startswith(reg):
            kinds.append("%s_read.%s" % (reg, m.group(1)))
        if m and m.group(2).startswith(reg):
            kinds.append("%s_write.%s" % (reg, m.group(2)))
            kinds.append("serialising")
    if mnem.startswith(SERIALISING):
        kinds.append("serialising")
        if mnem == "wrmsr":
            kinds.append("wrmsr")
    return kinds


class Nmi:
    """One NMI: its first pass, any nested paths, any repeat passes."""

    def __init__(self):
        self.funcs = {}
        self.phases = dict.fromkeys(PHASES, 0)
        self.slow = {}
        self.first = 0          # instructions of the first pass
        self.nested = 0         # of nested paths
        self.nestings = 0
        self.repeat = 0         # of repeat passes: protocol + work
        # the entry code a repeat runs because of the nesting (repeat_nmi to
        # the C pass's call, and the exit after it): an unnested NMI runs
        # none of it; the rest of a repeat pass is its C work, which the
        # NMI's cause would cost in an unnested pass too
        self.repeat_protocol = 0
        self.repeats = 0
        self.exception = False  # an exception stub ran inside it
        self.repeat_exception = False   # ... inside a repeat pass
        self.sampled = False
        self.callchain = False

    @property
    def total(self):
        return self.first + self.nested + self.repeat

    def count(self, key, n=1):
        self.slow[key] = self.slow.get(key, 0) + n


def analyse(lines, syms):
    """The NMIs of a log, in order, each complete (a log cut mid-NMI drops it)."""
    text = {}
    entry = syms.by_name["nmi_entry"]
    lo, hi = syms.by_name["nmi_entry_start"], syms.by_name["nmi_entry_end"]
    final = syms.by_name["nmi_final_iret"]
    repeat_at = syms.by_name["repeat_nmi"]
    stubs = (syms.by_name.get("trap_stubs", 0), syms.by_name.get("trap_common", 0))
    nmis, cur = [], None
    level = ""              # "first", "nested", "repeat"
    calls = []              # (phase, RSP before the CALL)
    after_call = None
    dispatched = False
    left_by_final = False
    prev = None
    for ev in parse_log(lines):
        if ev[0] == "insn":
            text[ev[1]] = (ev[2], ev[3])
            continue
        # under -icount an MMIO access not at the end of its block makes
        # QEMU leave the block before it and run it again: the same
        # instruction from the same registers, executed once (a REP
        # iteration, by contrast, has moved RCX)
        if ev == prev:
            continue
        prev = ev
        _, pc, limit, regs = ev
        if limit != 1:
            cur = None          # not single-stepped: counts would be blocks
            continue
        if left_by_final:
            left_by_final = False
            if pc == repeat_at and cur:
                level, dispatched, calls = "repeat", False, []
                cur.repeats += 1
            else:
                if cur:
                    nmis.append(cur)
                cur = None
        if pc == entry:
            if cur is None:
                cur, level, calls, dispatched = Nmi(), "first", [], False
            elif level != "nested":
                level = "nested"
                cur.nestings += 1
        if cur is None:
            continue
        length, insn = text.get(pc, (0, "?"))
        rsp = regs.get("rsp", 0)
        if level == "nested":
            cur.nested += 1
        else:
            if after_call is not None:
                target = syms.name(pc)
                phase = ROOTS.get(target, calls[-1][0] if calls else None)
                calls.append((phase, after_call))
                if not dispatched and phase in PASSES:
                    dispatched = True   # an indirect call: the fast pass
                after_call = None
            while calls and rsp >= calls[-1][1]:
                calls.pop()
            fn = syms.label(pc)
            if calls and calls[-1][0]:
                phase = calls[-1][0]
            elif lo <= pc < hi:
                phase = "exit" if dispatched else "entry"
            else:
                phase = "dispatcher"
            if level == "first":
                cur.first += 1
                cur.phases[phase] += 1
                cur.funcs[fn] = cur.funcs.get(fn, 0) + 1
            else:
                cur.repeat += 1
                if phase in ("entry", "exit"):
                    cur.repeat_protocol += 1
            if phase == "sampler" or ("ring", "write") in mmio_accesses(insn, regs, pc, length,
                                                                        RING):
                cur.sampled = True
            if phase == "callchain":
                cur.callchain = True
            if stubs[0] <= pc < stubs[1]:
                cur.exception = True
                if level == "repeat":
                    cur.repeat_exception = True
            if insn.startswith("call"):
                after_call = rsp
                if syms.name(int(insn.split()[-1], 16) if re.search(r"0x[0-9a-f]+$", insn)
                             else 0) == "nmi_dispatch":
                    dispatched = True
        for k in slow_kinds(insn):
            cur.count(k)
        for rng, rw in mmio_accesses(insn, regs, pc, length):
            cur.count("mmio_%s.%s" % (rw, rng))
        if insn.startswith("iret") and lo <= pc < hi:
            if level == "nested":
                level = "repeat" if cur.repeats else "first"
            elif pc == final:
                left_by_final = True
    return nmis


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def summarise(nmis):
    """Figures as (name, value, unit) of the clean (no exception, no nesting)
    samples with and without a callchain, and of the nested passes."""
    out = []
    for tag, want_cc in (("plain", False), ("callchain", True)):
        group = [n for n in nmis if n.sampled and n.callchain == want_cc and
                 not n.exception and not n.nestings and not n.repeats]
        if not group:
            continue
        pre = "breakdown.%s." % tag
        out.append((pre + "samples", len(group), "samples"))
        out.append((pre + "total", "%.1f" % mean([n.total for n in group]), "instructions"))
        for ph in PHASES:
            out.append((pre + "phase." + ph, "%.1f" % mean([n.phases[ph] for n in group]),
                        "instructions"))
        funcs = sorted({f for n in group for f in n.funcs},
                       key=lambda f: -sum(n.funcs.get(f, 0) for n in group))
        for f in funcs:
            out.append((pre + "function." + f, "%.1f" % mean([n.funcs.get(f, 0) for n in group]),
                        "instructions"))
        kinds = sorted({k for n in group for k in n.slow})
        for k in kinds:
            out.append((pre + "per_sample." + k, "%.2f" % mean([n.slow.get(k, 0) for n in group]),
                        "count"))
    # the first pass took the exception whose IRET let the nested NMI in
    nested = [n for n in nmis if n.nestings == 1 and n.repeats == 1 and not n.repeat_exception]
    if nested:
        out.append(("breakdown.nested.instances", len(nested), "nestings"))
        out.append(("breakdown.nested.path", "%.1f" % mean([n.nested for n in nested]),
                    "instructions"))
        out.append(("breakdown.nested.repeat_protocol",
                    "%.1f" % mean([n.repeat_protocol for n in nested]), "instructions"))
        # what the nesting itself costs: (a) + (b), the figure
        out.append(("breakdown.nested.nesting_cost",
                    "%.1f" % mean([n.nested + n.repeat_protocol for n in nested]),
                    "instructions"))
        out.append(("breakdown.nested.repeat_work",
                    "%.1f" % mean([n.repeat - n.repeat_protocol for n in nested]),
                    "instructions"))
        out.append(("breakdown.nested.repeat_pass", "%.1f" % mean([n.repeat for n in nested]),
                    "instructions"))
        out.append(("breakdown.nested.path_plus_repeat",
                    "%.1f" % mean([n.nested + n.repeat for n in nested]), "instructions"))
    return out


def table(figures):
    """The breakdown as a table: one row per figure, a column per kind of
    sample (plain, callchain), then the nested NMI's figures."""
    cols = ("plain", "callchain")
    rows, units, nested = [], {}, []
    cells = {}
    for name, value, unit in figures:
        _, kind, key = name.split(".", 2)
        if kind in cols:
            if key not in cells:
                rows.append(key)
                cells[key] = {}
            cells[key][kind] = value
            units[key] = unit
        else:
            nested.append("  %-44s %10s %s" % (kind + "." + key, value, unit))
    out = ["  %-44s %10s %10s" % ("", "plain", "callchain")]
    groups = ("samples", "total", "phase.", "function.", "per_sample.")
    rows.sort(key=lambda k: [i for i, g in enumerate(groups) if k.startswith(g)][0])
    for key in rows:
        out.append("  %-44s %10s %10s %s" % (key, cells[key].get("plain", "-"),
                                             cells[key].get("callchain", "-"), units[key]))
    return "\n".join(out + nested)


# -- capture -----------------------------------------------------------------

def dfilter(syms, skip):
    """A -dfilter for all text but the functions of the source files whose
    path ends in one of skip."""
    lo, hi = syms.by_name["__text_start"], syms.by_name["__text_end"]
    cuts = []
    for i, n in enumerate(syms.names):
        if syms.files.get(n, "").endswith(skip):
            end = syms.addrs[i + 1] if i + 1 < len(syms.addrs) else hi
            cuts.append((syms.addrs[i], end))
    ranges, at = [], lo
    for a, b in sorted(cuts):
        if a > at:
            ranges.append("0x%x..0x%x" % (at, a - 1))
        at = max(at, b)
    ranges.append("0x%x..0x%x" % (at, hi - 1))
    return ",".join(ranges)


# The workload, and nmi test's driver and actions: they wait in loops (for
# a self-NMI to arrive), and a repeat pass after a nesting never runs them
# (the test sends in the first pass only).
WORKLOAD = ("monitor/work/work_mix.c", "monitor/nmi/nmi_selftest.c")


def qemu_args(syms, sock, log):
    """Extra QEMU arguments for a monitor whose runs capture() may log."""
    return ["-monitor", "unix:%s,server,nowait" % sock, "-D", log,
            "-dfilter", dfilter(syms, WORKLOAD)]


class Hmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.cmd("")

    def cmd(self, line):
        """Send one HMP command and read until its next prompt."""
        self.s.sendall((line + "\n").encode())
        buf = b""
        deadline = time.monotonic() + 30
        while not buf.endswith(b"(qemu) ") and time.monotonic() < deadline:
            self.s.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = self.s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf


def capture(m, hmp, log, commands, syms, timeout=600):
    """Run monitor commands with the execution log on; return their outputs
    and the NMIs of the log (read as a stream: it may be hundreds of MB). One
    log for all: QEMU disassembles a block (in_asm) only when it first
    translates it, and keeps it."""
    hmp.cmd("logfile " + log)          # a new file: QEMU holds the old one open
    hmp.cmd("log in_asm,exec,nochain,cpu")
    hmp.cmd("singlestep on")
    outs = [m.cmd(c, timeout=timeout) for c in commands]
    hmp.cmd("singlestep off")
    hmp.cmd("log none")
    with open(log) as f:
        nmis = analyse(f, syms)
    os.unlink(log)
    return outs, nmis


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.rsplit("Usage: ", 1)[1])
    syms = Symbols.from_elf(sys.argv[2])
    with open(sys.argv[1]) as f:
        print(table(summarise(analyse(f, syms))))


if __name__ == "__main__":
    main()
