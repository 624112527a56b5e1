"""The same ISO under UEFI (OVMF on q35, TCG: GRUB never starts under
kvm_pvm), and where the serial console comes from: the boot option
serial=, the ACPI SPCR table (given to QEMU with -acpitable), or COM1.

UEFI boots take several seconds under TCG, so the smoke set shares one boot
and the rest boots BIOS."""
import os
import re
import struct
import tempfile

import test_acpi as acpi
import test_debug as debug
import test_nmi as nmi
import test_prof as prof
import test_shell as shell
from monitor import Monitor, expect, expect_eq

UEFI_FIRMWARE = "firmware: UEFI (multiboot2 EFI system table tag)"


def info_line(out, prefix):
    m = re.search(r"^%s.*$" % re.escape(prefix), out, re.M)
    expect(m, "info lacks %r:\n%s" % (prefix, out))
    return m.group(0)


def test_uefi_smoke_boot_info_md_bp_nmi_prof(accel):
    """One UEFI boot for the smoke set, its console on COM2 because the SPCR
    says so (COM1 goes nowhere: every byte of the session proves the move),
    through the XSDT of OVMF's revision-2 RSDP."""
    with tempfile.TemporaryDirectory() as tmp, \
            Monitor(accel=accel, firmware="uefi", serial=["null", "stdio"],
                    extra=spcr_args(tmp, 1, 0x2F8, 3)) as mon:
        mon.boot(timeout=120)
        smoke(mon)


def smoke(mon):
    out = mon.cmd("info")
    expect_eq(info_line(out, "firmware: "), UEFI_FIRMWARE, "firmware line")
    mem = info_line(out, "memory: ")
    m = re.match(r"memory: (\d+) MiB usable in (\d+) regions \(multiboot2, from the "
                 r"multiboot2 EFI memory map\)$", mem)
    expect(m, "memory not from the EFI map: " + mem)
    # 256 MiB of guest RAM, less what OVMF keeps for itself
    expect(200 <= int(m.group(1)) < 256, mem)
    expect("did not fit" not in out, "EFI map regions dropped:\n" + out)
    expect(re.search(r"^acpi: rsdp revision 2 from GRUB's copy", out, re.M), out)
    expect_eq(info_line(out, "console: "), "console: I/O port 0x2f8, 115200 baud, IRQ 3: "
              "ACPI SPCR names I/O port 0x2f8", "console line")
    acpi.check_xsdt(mon)
    shell.test_md_of_symbol_shows_its_bytes(mon)
    debug.test_breakpoint_stop_regs_bt_step_cont(mon)
    out, nmis, nested = nmi.run_nmi_test(mon, 200, timeout=300)
    st, _ = nmi.nmi_stats(mon)
    expect_eq((st["total"], st["nested"], st["unknown"]), (nmis, nested, 0),
              "nmi counters vs nmi test")
    # how many timer ticks land in 300 ms depends on the host's load under
    # TCG: the counts must agree with each other, not reach a number
    out = mon.cmd("prof record hz=1000 callchain work mix 1:1:3 300", timeout=300)
    c = prof.counts(out)		# samples + lost + dropped == the source's NMIs
    expect(c["samples"] > 0 and "state: stopped" in out, "no samples:\n" + out)
    _, total, _ = prof.shares(mon)
    expect_eq(total, c["samples"], "prof report samples vs prof record")
    lines, n = prof.dump(mon, "folded")
    expect_eq(n, total, "folded samples= vs report")
    expect_eq(sum(int(l.rsplit(" ", 1)[1]) for l in lines), total, "sum of folded counts")


def spcr_args(tmp, space, address, irq):
    """QEMU arguments adding an SPCR (revision 2) after the 36-byte header
    QEMU writes: 16550, the UART's generic address, its 8259 IRQ, 115200."""
    body = struct.pack("<B3xBBBBQBBIBBBBBxHHBBBIB4x", 0, space, 8, 0, 1, address, 1, irq, 0,
                       7, 0, 1, 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0)
    path = os.path.join(tmp, "spcr.bin")
    with open(path, "wb") as f:
        f.write(body)
    return ["-acpitable", "sig=SPCR,rev=2,data=" + path]


def console_line(accel, boot=None, serial="stdio", extra=()):
    with Monitor(accel=accel, boot=boot, serial=serial, extra=extra) as mon:
        mon.boot(timeout=120)
        out = mon.cmd("info")
        shell.still_works(mon)		# typed and answered on that port
        return info_line(out, "console: "), info_line(out, "firmware: ")


def test_bios_console_on_com2_from_spcr(accel):
    """GRUB's revision-0 RSDP copy and the RSDT, under SeaBIOS."""
    with tempfile.TemporaryDirectory() as tmp:
        line, fw = console_line(accel, serial=["null", "stdio"], extra=spcr_args(tmp, 1, 0x2F8, 3))
    expect_eq(fw, "firmware: BIOS (no multiboot2 EFI tag)", "firmware line")
    expect_eq(line, "console: I/O port 0x2f8, 115200 baud, IRQ 3: ACPI SPCR names I/O port 0x2f8",
              "console line")


def test_bios_serial_option_beats_spcr(accel):
    with tempfile.TemporaryDirectory() as tmp:
        line, fw = console_line(accel, boot="kernel", serial=["null", "stdio"],
                                extra=spcr_args(tmp, 1, 0x3F8, 4) + ["-append", "serial=com2"])
    expect_eq(fw, "firmware: BIOS (multiboot1: QEMU's loader on SeaBIOS)", "firmware line")
    expect_eq(line, "console: I/O port 0x2f8, 115200 baud, IRQ 3: boot option serial=com2",
              "console line")


def test_bios_spcr_mmio_uart_is_named_and_com1_used(accel):
    with tempfile.TemporaryDirectory() as tmp:
        line, _ = console_line(accel, extra=spcr_args(tmp, 0, 0xFE030000, 4))
    expect_eq(line, "console: I/O port 0x3f8, 115200 baud, IRQ 4: ACPI SPCR names an MMIO "
              "UART at 0xfe030000, not supported yet: COM1 default", "console line")


def test_bios_bad_serial_option_is_named_and_com1_used(accel):
    line, _ = console_line(accel, boot="kernel", extra=["-append", "serial=com2,m1"])
    expect_eq(line, "console: I/O port 0x3f8, 115200 baud, IRQ 4: serial=com2,m1 is invalid; "
              "no ACPI SPCR: COM1 default", "console line")
