"""ACPI discovery on QEMU's pc machine: the tables the RSDT lists with their
checksums, the MADT's CPUs for -smp 1, 4 and 2,maxcpus=4 (QEMU 7.2 lists
the two absent hot-pluggable CPUs with flags 0), the IOAPIC and the HPET at
the addresses QEMU's tables give, a table damaged in memory listed as BAD,
and without ACPI (-machine acpi=off) the fixed addresses, with the timer
working from them."""
import re

import test_prof as prof
from monitor import expect, expect_eq

TABLE = re.compile(r"^(\S{4}) 0x([0-9a-f]{8}) +(\d+) (.{6}) (ok|BAD)$", re.M)
CPU = re.compile(r"^cpu (\d+): apic id (\d+) uid (\d+) (xapic|x2apic)( enabled)?( online-capable)?"
                 r"( \(not usable: skipped\))?$", re.M)


def tables(mon):
    """{signature: (address, length, oem, verdict)} and the raw output."""
    out = mon.cmd("acpi")
    found = {}
    for sig, addr, length, oem, verdict in TABLE.findall(out):
        expect(sig not in found, "%s listed twice:\n%s" % (sig, out))
        found[sig] = (int(addr, 16), int(length), oem, verdict)
    return found, out


def madt(out):
    """(cpus, usable) from the summary line, and [(apic id, enabled, usable)]."""
    m = re.search(r"^madt: local APIC 0x([0-9a-f]+), flags 0x([0-9a-f]+).*, "
                  r"(\d+) CPUs, (\d+) usable$", out, re.M)
    expect(m, "no MADT summary:\n" + out)
    expect_eq(int(m.group(1), 16), 0xFEE00000, "local APIC address")
    cpus = [(int(i), int(a), bool(en), not skipped)
            for i, a, _, kind, en, _, skipped in CPU.findall(out)]
    expect_eq([c[0] for c in cpus], list(range(len(cpus))), "cpu numbering")
    expect_eq((len(cpus), sum(c[3] for c in cpus)), (int(m.group(3)), int(m.group(4))),
              "cpu lines vs the summary's counts")
    return [(a, en, usable) for _, a, en, usable in cpus]


def check_machine(mon, ncpus, present):
    """QEMU's tables, checked against each other and against memory: every
    table ok, the MADT's length is what its entries add up to, the HPET table
    where the listing says it is, and the addresses the monitor took from
    them are QEMU's."""
    found, out = tables(mon)
    # GRUB hands the RSDP over (multiboot2); QEMU's multiboot1 loader does
    # not, and SeaBIOS keeps it in the BIOS area
    source = re.search(r"^rsdp: revision \d+ from (.*), rsdt 0x", out, re.M)
    expect(source, "no rsdp line:\n" + out)
    expect_eq(source.group(1), "BIOS area search" if "-kernel" in mon.argv else
              "GRUB's copy (multiboot2 tag)", "RSDP source")
    root = "XSDT" if "XSDT" in found else "RSDT"
    for sig in (root, "FACP", "APIC", "HPET"):
        expect(sig in found, "%s not listed:\n%s" % (sig, out))
    expect_eq(sorted(s for s, t in found.items() if t[3] != "ok"), [], "tables not ok")
    cpus = madt(out)
    expect_eq(cpus, [(i, i < present, i < present) for i in range(ncpus)],
              "(apic id, enabled, usable) per MADT entry")
    ioapics = re.findall(r"^ioapic \d+: id \d+ at 0x([0-9a-f]+), gsi base (\d+)$", out, re.M)
    expect_eq(ioapics, [("fec00000", "0")], "IOAPICs")
    overrides = re.findall(r"^override: bus 0 irq (\d+) -> gsi (\d+)", out, re.M)
    expect(("0", "2") in overrides, "no IRQ 0 -> GSI 2 override:\n" + out)
    nmis = re.findall(r"^nmi: lint(\d) of every CPU", out, re.M)
    expect_eq(nmis, ["1"], "LINT1 as NMI on every CPU")
    # 44 bytes of header and fixed fields, then 8 per local APIC, 12 per
    # IOAPIC, 10 per override, 6 per NMI entry (ACPI 6.5 5.2.12)
    expect_eq(found["APIC"][1], 44 + 8 * ncpus + 12 + 10 * len(overrides) + 6 * len(nmis),
              "MADT length vs its entries")
    expect_eq(found["HPET"][1], 56, "HPET table length")
    md = mon.cmd("md 0x%x 4" % found["HPET"][0])
    expect(" 48 50 45 54 " in md, "no HPET signature at the listed address:\n" + md)
    expect(re.search(r"^hpet: 0xfed00000 \(ACPI HPET table\)$", out, re.M), out)
    expect(re.search(r"^ioapic: 0xfec00000 \(MADT's first IOAPIC\)$", out, re.M), out)
    info = mon.cmd("info")
    m = re.search(r"^acpi: (\d+) CPUs in the MADT, (\d+) usable$", info, re.M)
    expect(m, "no MADT line in info:\n" + info)
    expect_eq((int(m.group(1)), int(m.group(2))), (ncpus, present), "info's CPU counts")
    return found


def flip_bit(mon, addr):
    """Flips bit 0 of the byte at addr; returns the byte as it was."""
    byte = int(mon.cmd("md 0x%x 1" % addr).split(":")[1].split()[0], 16)
    mon.cmd("mw 0x%x 0x%x 1" % (addr, byte ^ 1))
    return byte


def test_smp4_tables_cpus_hpet_and_damaged_tables(mon):
    found = check_machine(mon, 4, 4)
    # one bit flipped in memory in the HPET table, then in the MADT: each
    # listed as BAD, the rest still ok, the MADT's damage said in one line;
    # flipped back: ok again
    for sig in ("HPET", "APIC"):
        addr = found[sig][0] + 40
        byte = flip_bit(mon, addr)
        now, out = tables(mon)
        expect_eq({s: t[3] for s, t in now.items()},
                  {s: ("BAD" if s == sig else "ok") for s in found}, "verdicts")
        madt_line = re.findall(r"^madt: .*$", out, re.M)
        if sig == "APIC":
            expect_eq(madt_line, ["madt: MADT at 0x%x: bad checksum (byte 9)" % found["APIC"][0]],
                      "the damaged MADT's line")
            expect(not CPU.search(out), "CPUs listed from a damaged MADT:\n" + out)
        else:
            expect_eq(len(madt(out)), 4, "CPUs with the HPET table damaged")
        mon.cmd("mw 0x%x 0x%x 1" % (addr, byte))
    check_machine(mon, 4, 4)


def test_smp1_one_cpu(mon):
    check_machine(mon, 1, 1)


def test_hotpluggable_cpus_are_listed_not_usable(mon):
    check_machine(mon, 4, 2)


def test_without_acpi_fixed_addresses_and_the_timer_works(mon):
    out = mon.lines("acpi")
    expect_eq(out, ["acpi: no RSDP: not in the EBDA or the BIOS area",
                    "hpet: 0xfed00000 (fixed: no RSDP)",
                    "ioapic: 0xfec00000 (fixed: no usable MADT)"], "acpi without ACPI")
    info = mon.cmd("info")
    expect(re.search(r"^acpi: HPET at 0xfed00000 \(fixed: no RSDP\), IOAPIC at 0xfec00000 "
                     r"\(fixed: no usable MADT\)$", info, re.M), info)
    # the HPET answered at the fixed address and its NMIs arrive: samples
    out = mon.cmd("prof record event=timer hz=1000 work spin 200", timeout=120)
    expect(prof.counts(out)["samples"] > 0, "no timer samples from the fixed HPET:\n" + out)


def check_xsdt(mon):
    """OVMF's revision-2 RSDP: the XSDT is the root, its tables all ok, the
    HPET address from its table (UEFI smoke boot)."""
    found, out = tables(mon)
    for sig in ("XSDT", "FACP", "APIC", "HPET"):
        expect(sig in found, "%s not listed:\n%s" % (sig, out))
    expect_eq(sorted(s for s, t in found.items() if t[3] != "ok"), [], "tables not ok")
    expect_eq(madt(out), [(0, True, True)], "(apic id, enabled, usable) per MADT entry")
    expect(re.search(r"^hpet: 0xfed00000 \(ACPI HPET table\)$", out, re.M), out)
