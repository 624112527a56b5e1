#!/usr/bin/env python3
"""Launch the monitor in QEMU: the one place that knows the QEMU command line.

Used by `make run` (shell on this terminal, or through picocom) and imported
by the test harness and the benchmarks, so every run boots the same way.

Accelerator: KVM when /dev/kvm can be opened, else TCG; --accel overrides.
Boot path: the ISO through GRUB (multiboot2), except under kvm_pvm (the
development machines' KVM, see ARCHITECTURE.md), where GRUB never starts and
only QEMU's own multiboot1 loader works: there `-kernel build/monitor.elf`.
Firmware: BIOS (SeaBIOS) on -machine pc, or with --firmware uefi Debian's
OVMF on -machine q35, booting the same ISO through GRUB's EFI build.
"""
import argparse
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELF = os.path.join(ROOT, "build", "monitor.elf")
ISO = os.path.join(ROOT, "build", "monitor.iso")
QEMU = "qemu-system-x86_64"
# Debian's ovmf package; Secure Boot off (no keys enrolled in these VARS)
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def uefi_missing():
    """Why UEFI boots cannot run here, or None."""
    for f in (OVMF_CODE, OVMF_VARS):
        if not os.path.exists(f):
            return "%s is missing (Debian package ovmf)" % f
    if not os.path.isdir("/usr/lib/grub/x86_64-efi"):
        return "GRUB's EFI build is missing (Debian package grub-efi-amd64-bin)"
    return None


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def kvm_is_pvm():
    return os.path.isdir("/sys/module/kvm_pvm")


def default_accel():
    return "kvm" if kvm_usable() else "tcg"


def default_boot(accel):
    return "kernel" if accel == "kvm" and kvm_is_pvm() else "iso"


def qemu_argv(accel, boot=None, serial="stdio", memory="256M", icount=None,
              reboot=False, extra=(), firmware="bios", cmdline=(), smp=None):
    """The QEMU command line. serial: a QEMU -serial argument (or a list of
    them: COM1, COM2, ...). cmdline: boot options for the monitor
    (hpet=oneshot, ...); the ISO's grub.cfg passes none, so they boot with
    -kernel and -append. smp: the number of CPUs (QEMU's default, 1, if None)."""
    boot = boot or default_boot(accel)
    if firmware == "uefi":
        boot = "iso"  # OVMF has no multiboot1 loader: GRUB's EFI build it is
    append = list(cmdline)
    if append:
        boot = "kernel"
    if icount is not None:
        # with -icount sleep=off and no guest timer armed, QEMU 7.2 never wakes
        # a HLT-idle guest for serial input: idle by polling (a boot option,
        # so the multiboot1 path that takes -append)
        boot = "kernel"
        append.append("idle=poll")
    argv = [QEMU, "-machine", "q35" if firmware == "uefi" else "pc", "-m", memory,
            "-display", "none", "-monitor", "none", "-vga", "none", "-net", "none"]
    for s in [serial] if isinstance(serial, str) else serial:
        argv += ["-serial", s]
    if firmware == "uefi":
        # the VARS copy-on-write (snapshot=on): OVMF's writes to its
        # variable store never reach the package's file
        argv += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                 "-drive", "if=pflash,format=raw,snapshot=on,file=" + OVMF_VARS]
    if accel == "kvm":
        # -cpu host aborts under kvm_pvm ("failed to set MSR 0x10a")
        cpu = "host,-arch-capabilities" if kvm_is_pvm() else "host"
        argv += ["-accel", "kvm", "-cpu", cpu,
                 "-global", "kvm-pit.lost_tick_policy=discard"]
    else:
        argv += ["-accel", "tcg", "-cpu", "max"]
        if icount is not None:
            argv += ["-icount", "shift=%d,sleep=off" % icount]
    if boot == "kernel":
        argv += ["-kernel", ELF]
        if accel == "kvm" and kvm_is_pvm():
            # kvm_pvm stops the guest ("KVM internal error ... emulation
            # failure") on any int3, and delivers a self-NMI sent while NMIs
            # are blocked only merged into a later one: tell the monitor
            append += ["quirk=no-int3", "quirk=nmi-late"]
        if append:
            argv += ["-append", " ".join(append)]
    else:
        argv += ["-cdrom", ISO, "-boot", "d"]
    if smp is not None:
        argv += ["-smp", str(smp)]
    if not reboot:
        argv += ["-no-reboot"]
    return argv + list(extra)


def linux_guest_argv(kernel, initrd, append, icount, memory="1G"):
    """A Linux guest booted the way PERFORMANCE.md measured the peer (perf in
    a guest): TCG, -cpu max, -icount with sleep=off, console on ttyS0=stdio."""
    return [QEMU, "-machine", "pc", "-m", memory, "-display", "none",
            "-monitor", "none", "-serial", "stdio", "-vga", "none", "-net", "none",
            "-accel", "tcg", "-cpu", "max", "-icount", "shift=%d,sleep=off" % icount,
            "-kernel", kernel, "-initrd", initrd, "-append", append, "-no-reboot"]


def run_stdio(accel, firmware="bios"):
    argv = qemu_argv(accel, serial="mon:stdio", reboot=True, firmware=firmware)
    print("booting with %s, %s (%s); quit with Ctrl-A then X" %
          (accel, "UEFI (OVMF, q35)" if firmware == "uefi" else "BIOS (pc)",
           "ISO via GRUB" if "-cdrom" in argv else "-kernel monitor.elf"),
          flush=True)
    os.execvp(argv[0], argv)


def start_on_pty(accel, firmware="bios"):
    """QEMU with its serial port on a new pty; returns (process, pty path)."""
    argv = qemu_argv(accel, serial="pty", reboot=True, firmware=firmware)
    q = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    pty = None
    for line in q.stdout:
        m = re.search(r"char device redirected to (/dev/pts/\d+)", line)
        if m:
            pty = m.group(1)
            break
    if not pty:
        q.kill()
        sys.exit("qemu did not report its serial pty")
    return q, pty


def run_pty(accel, firmware="bios"):
    """The serial port stays on a pty until Ctrl-C here: attach and detach
    picocom, tools/profcap.py or both in turn, and the monitor keeps its state."""
    q, pty = start_on_pty(accel, firmware)
    print("serial on %s (picocom -b 115200 %s, or tools/profcap.py --pty %s); "
          "Ctrl-C here stops QEMU" % (pty, pty, pty), flush=True)
    try:
        q.wait()
    except KeyboardInterrupt:
        q.send_signal(signal.SIGTERM)
        q.wait()


def run_picocom(accel, firmware="bios"):
    q, pty = start_on_pty(accel, firmware)
    print("serial on %s; quit picocom with Ctrl-A then Ctrl-X (QEMU stops too)" % pty,
          flush=True)
    try:
        subprocess.call(["picocom", "-b", "115200", "--imap", "lfcrlf", pty])
    finally:
        q.send_signal(signal.SIGTERM)
        q.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["run"])
    ap.add_argument("--accel", choices=["kvm", "tcg"], default=None)
    ap.add_argument("--console", choices=["stdio", "picocom", "pty"], default="stdio")
    ap.add_argument("--firmware", choices=["bios", "uefi"], default="bios")
    args = ap.parse_args()
    accel = args.accel or default_accel()
    if args.firmware == "uefi" and not args.accel and kvm_is_pvm():
        accel = "tcg"  # GRUB never starts under kvm_pvm
    if args.firmware == "uefi" and uefi_missing():
        sys.exit("error: FIRMWARE=uefi but " + uefi_missing())
    if args.firmware == "uefi" and accel == "kvm" and kvm_is_pvm():
        sys.exit("error: FIRMWARE=uefi boots GRUB, which never starts under kvm_pvm: use ACCEL=tcg")
    if accel == "kvm" and not kvm_usable():
        sys.exit("error: ACCEL=kvm but /dev/kvm cannot be opened")
    if args.console == "picocom":
        run_picocom(accel, args.firmware)
    elif args.console == "pty":
        run_pty(accel, args.firmware)
    else:
        run_stdio(accel, args.firmware)


if __name__ == "__main__":
    main()
