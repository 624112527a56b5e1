"""What the built image says about itself: nm's symbols, objdump's
disassembly and the bytes the loader places at an address (from the ELF
program headers)."""
import os
import re
import struct
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ELF = os.path.join(ROOT, "build", "monitor.elf")


def nm_symbols(path=ELF):
    """{name: (addr, size, type)} for function and object symbols."""
    out = subprocess.run(["nm", "-S", "--defined-only", path], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "TtDdBbRr":
            addr, size, typ, name = int(f[0], 16), int(f[1], 16), f[2], f[3]
        elif len(f) == 3 and f[1] in "TtDdBbRr":
            addr, size, typ, name = int(f[0], 16), 0, f[1], f[2]
        else:
            continue
        # a global wins over a static of the same name, as in the monitor
        if name not in syms or (typ.isupper() and not syms[name][2].isupper()):
            syms[name] = (addr, size, typ)
    return syms


def read_bytes(addr, n, path=ELF):
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _flags, off, vaddr, _paddr, filesz, _memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and vaddr <= addr and addr + n <= vaddr + filesz:
            return data[off + addr - vaddr: off + addr - vaddr + n]
    raise KeyError("0x%x not in a loaded segment" % addr)


def section(name, path=ELF):
    """(address, size) of a section, from objdump -h."""
    out = subprocess.run(["objdump", "-h", path], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[1] == name:
            return int(f[3], 16), int(f[2], 16)
    raise KeyError("no section %s in %s" % (name, path))


def objdump_insns(path=ELF, start=None, stop=None):
    """[(addr, bytes, text)] of objdump -d for .text, in address order. -z
    shows zero runs as instructions rather than "...", and a wide
    --insn-width keeps every instruction on one line. text is objdump's
    "(bad)" or ".byte 0x.." where it found no instruction."""
    argv = ["objdump", "-d", "-z", "--insn-width=16", "-j", ".text", path]
    if start is not None:
        argv.append("--start-address=0x%x" % start)
    if stop is not None:
        argv.append("--stop-address=0x%x" % stop)
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"^ *([0-9a-f]+):\t([0-9a-f]{2}(?: [0-9a-f]{2})*) *\t?(.*)$", line)
        if m:
            insns.append((int(m.group(1), 16), bytes.fromhex(m.group(2)), m.group(3).strip()))
    return insns
