"""The x86-64 instruction decoder against objdump -d: over the monitor's
whole text on the host (tests/host/insn_walk.c), and through `dis` in the
running monitor."""
import bisect
import re
import subprocess

from elf import ROOT, ELF, nm_symbols, objdump_insns, section
from monitor import expect, expect_eq
from test_shell import one_error, parse_md, still_works

DIS_LINE_RE = re.compile(r"^([0-9a-f]{16}) (\S+) +([0-9a-f]{2}(?: [0-9a-f]{2})*) +(\d+)$")


def function_starts(path=ELF):
    """{address: name} of every code symbol (nm T/t), a global name winning
    over a static one at the same address."""
    out = subprocess.run(["nm", "--defined-only", path], check=True, capture_output=True,
                         text=True).stdout
    starts = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "Tt":
            addr = int(f[0], 16)
            if addr not in starts or f[1] == "T":
                starts[addr] = f[2]
    return starts


def not_an_instruction(text):
    """objdump's words for bytes it could not decode."""
    return text.startswith("(bad)") or text.startswith(".byte")


def oracle(path=ELF):
    """Decodes every code symbol of the image's .text from its start up to
    the next symbol (alignment padding included), compares each length with
    objdump -d, and checks that every objdump line was compared or
    deliberately skipped. Returns (instructions compared, objdump lines
    skipped, where and why they were skipped)."""
    subprocess.run(["make", "-C", ROOT, "--no-print-directory", "-s", "build/insn_walk"],
                   check=True)
    lo, size = section(".text", path)
    names = {a: n for a, n in function_starts(path).items() if lo <= a < lo + size}
    starts = sorted(set(names) | {lo})
    ends = starts[1:] + [lo + size]
    objdump = {a: (b, t) for a, b, t in objdump_insns(path)}

    def where(addr):
        s = starts[bisect.bisect_right(starts, addr) - 1]
        return "0x%x %s+0x%x" % (addr, names.get(s, ".text"), addr - s)

    ranges = "".join("%x %x\n" % r for r in zip(starts, ends))
    p = subprocess.run([ROOT + "/build/insn_walk", path], input=ranges, capture_output=True,
                       text=True, check=True)
    compared, skipped, skips = set(), set(), []
    for line in p.stdout.splitlines():
        addr, ours = line.split()
        addr, ours = int(addr, 16), int(ours)
        expect(addr in objdump, "%s: we decode an instruction there, objdump has no "
               "boundary there (an earlier length differs?)" % where(addr))
        raw, text = objdump[addr]
        if ours == -1:
            expect(not_an_instruction(text),
                   "%s: bytes %s: objdump length %d (%s), ours: not decodable"
                   % (where(addr), raw.hex(" "), len(raw), text))
            # the next boundary is unknown: the rest of this range is skipped
            end = ends[bisect.bisect_right(starts, addr) - 1]
            rest = {a for a in objdump if addr <= a < end}
            skipped |= rest
            skips.append("%s (objdump: %s) and the %d objdump lines after it up to the "
                         "next symbol" % (where(addr), text, len(rest) - 1))
            continue
        expect(not not_an_instruction(text) and ours == len(raw),
               "%s: bytes %s: objdump length %d (%s), ours %d"
               % (where(addr), raw.hex(" "), len(raw), text, ours))
        compared.add(addr)
    missed = sorted(set(objdump) - compared - skipped)
    expect(not missed, "objdump lines never compared, the first at %s"
           % (where(missed[0]) if missed else ""))
    return len(compared), len(skipped), skips


def test_insn_oracle_agrees_with_objdump(accel):
    checked, skipped, skips = oracle()
    expect(checked > 10000, "only %d instructions compared" % checked)
    print("    insn oracle: %d instructions of build/monitor.elf .text decode to objdump -d's "
          "lengths; %d objdump lines skipped after undecodable bytes: %s"
          % (checked, skipped, "; ".join(skips) or "none"), flush=True)


def parse_dis(out, allow_error=False):
    """[(addr, symbol, bytes, length)] of the listing, every line checked;
    an error line fails the parse unless allow_error."""
    rows = []
    for line in out.splitlines():
        if allow_error and line.startswith("error: "):
            continue
        m = DIS_LINE_RE.match(line)
        expect(m, "not a dis line: %r" % line)
        raw = bytes.fromhex(m.group(3))
        expect_eq(int(m.group(4)), len(raw), "length column of %r" % line)
        rows.append((int(m.group(1), 16), m.group(2), raw, int(m.group(4))))
    return rows


def sym_off(name, base, addr):
    return name if addr == base else "%s+0x%x" % (name, addr - base)


def expect_objdump_listing(mon, name, n):
    base, size, _ = nm_symbols()[name]
    want = [(a, sym_off(name, base, a), b, len(b))
            for a, b, _ in objdump_insns(start=base, stop=base + size)][:n]
    expect_eq(len(want), n, "objdump instructions in %s" % name)
    got = parse_dis(mon.cmd("dis %s %d" % (name, n)))
    expect_eq(got, want, "dis %s %d against objdump -d" % (name, n))


def test_dis_lists_what_objdump_says(mon):
    expect_objdump_listing(mon, "work_spin", 8)
    expect_objdump_listing(mon, "trap_other", 40)
    expect_eq(len(parse_dis(mon.cmd("dis work_mix"))), 16, "default count")


def test_dis_errors(mon):
    one_error(mon.cmd("dis 0xffff800000000000"), "0xffff800000000000", "page fault")
    one_error(mon.cmd("dis nosuchsym"), "nosuchsym")
    one_error(mon.cmd("dis work_spin 0"), "out of range")
    one_error(mon.cmd("dis work_spin 257"), "out of range")
    one_error(mon.cmd("dis"), "usage")
    # the middle of an instruction: the first one in work_spin longer than a byte
    base, size, _ = nm_symbols()["work_spin"]
    addr, raw, _ = next(i for i in objdump_insns(start=base, stop=base + size) if len(i[1]) > 1)
    one_error(mon.cmd("dis 0x%x" % (addr + 1)), "inside the %d-byte instruction at 0x%x"
              % (len(raw), addr))
    # lines already printed stay; the undecodable byte (06: PUSH ES, gone
    # in 64-bit mode) is one error line after them
    scratch = nm_symbols()["scratch_area"][0]
    mon.cmd("mw scratch_area 0x06e5894855")
    out = mon.cmd("dis scratch_area 4")
    expect_eq([(a, b) for a, _, b, _ in parse_dis(out, allow_error=True)],
              [(scratch, b"\x55"), (scratch + 1, b"\x48\x89\xe5")], "lines before the error")
    expect(out.splitlines()[-1].startswith("error: "), "error is not the last line:\n" + out)
    one_error(out, "0x%x scratch_area+0x4" % (scratch + 4), "not a valid")
    still_works(mon)


def test_dis_knows_every_boundary_of_a_function(mon):
    """insn_at (what bp add will ask) at every byte of work_spin: a
    boundary lists that instruction, any other byte names the instruction
    it is in, as objdump -d has them."""
    base, size, _ = nm_symbols()["work_spin"]
    insns = objdump_insns(start=base, stop=base + size)
    expect(len(insns) > 10, "objdump lists %d instructions in work_spin" % len(insns))
    for addr, raw, _ in insns:
        for a in range(addr, addr + len(raw)):
            out = mon.cmd("dis 0x%x 1" % a)
            if a == addr:
                expect_eq([(r[0], r[2]) for r in parse_dis(out)], [(addr, raw)], "dis 0x%x 1" % a)
            else:
                one_error(out, "inside the %d-byte instruction at 0x%x" % (len(raw), addr))


def test_dis_shows_the_byte_under_a_breakpoint(mon):
    """Under an int3 the listing and insn_at see the replaced byte: plant
    one on work_spin's longest instruction (its cc would read as a 1-byte
    instruction and the rest as others), then list work_spin, and ask for
    each later instruction and its second byte (insn_at decodes from
    work_spin's start through the int3 to refuse the second byte)."""
    base, size, _ = nm_symbols()["work_spin"]
    insns = objdump_insns(start=base, stop=base + size)
    k = max(range(len(insns)), key=lambda j: len(insns[j][1]))
    expect(len(insns[k][1]) > 2, "work_spin's longest instruction: %r" % (insns[k],))
    mon.cmd("bp add 0x%x trace" % insns[k][0])
    expect_eq(parse_md(mon.cmd("md 0x%x 1" % insns[k][0]))[insns[k][0]], 0xcc, "int3 planted")
    expect_objdump_listing(mon, "work_spin", min(len(insns), k + 4))
    for addr, raw, _ in insns[k + 1:]:
        expect_eq([(r[0], r[2]) for r in parse_dis(mon.cmd("dis 0x%x 1" % addr))], [(addr, raw)],
                  "dis 0x%x 1 after the breakpoint" % addr)
        if len(raw) > 1:
            one_error(mon.cmd("dis 0x%x 1" % (addr + 1)), "inside the %d-byte instruction at 0x%x"
                      % (len(raw), addr))
