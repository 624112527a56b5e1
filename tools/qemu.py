#!/usr/bin/env python3
"""Launch the monitor in QEMU: the one place that knows the QEMU command line.

Used by `make run` (shell on this terminal, or through picocom) and imported
by the test harness and the benchmarks, so every run boots the same way.

Accelerator: KVM when /dev/kvm can be opened, else TCG; --accel overrides.
Boot path: the ISO through GRUB (multiboot2), except under kvm_pvm (the
development machines' KVM, see ARCHITECTURE.md), where GRUB never starts and
only QEMU's own multiboot1 loader works: there `-kernel build/monitor.elf`.
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
              reboot=False, extra=(), cmdline=()):
    """The QEMU command line. serial: a QEMU -serial argument. cmdline: boot
    options for the monitor (hpet=oneshot, ...); the ISO's grub.cfg passes
    none, so they boot with -kernel and -append."""
    boot = boot or default_boot(accel)
    append = list(cmdline)
    if append:
        boot = "kernel"
    if icount is not None:
        # with -icount sleep=off and no guest timer armed, QEMU 7.2 never wakes
        # a HLT-idle guest for serial input: idle by polling (a boot option,
        # so the multiboot1 path that takes -append)
        boot = "kernel"
        append.append("idle=poll")
    argv = [QEMU, "-machine", "pc", "-m", memory, "-display", "none",
            "-monitor", "none", "-serial", serial, "-vga", "none",
            "-net", "none"]
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


def run_stdio(accel):
    argv = qemu_argv(accel, serial="mon:stdio", reboot=True)
    print("booting with %s (%s); quit with Ctrl-A then X" %
          (accel, "ISO via GRUB" if "-cdrom" in argv else "-kernel monitor.elf"),
          flush=True)
    os.execvp(argv[0], argv)


def start_on_pty(accel):
    """QEMU with its serial port on a new pty; returns (process, pty path)."""
    argv = qemu_argv(accel, serial="pty", reboot=True)
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


def run_pty(accel):
    """The serial port stays on a pty until Ctrl-C here: attach and detach
    picocom, tools/profcap.py or both in turn, and the monitor keeps its state."""
    q, pty = start_on_pty(accel)
    print("serial on %s (picocom -b 115200 %s, or tools/profcap.py --pty %s); "
          "Ctrl-C here stops QEMU" % (pty, pty, pty), flush=True)
    try:
        q.wait()
    except KeyboardInterrupt:
        q.send_signal(signal.SIGTERM)
        q.wait()


def run_picocom(accel):
    q, pty = start_on_pty(accel)
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
    args = ap.parse_args()
    accel = args.accel or default_accel()
    if accel == "kvm" and not kvm_usable():
        sys.exit("error: ACCEL=kvm but /dev/kvm cannot be opened")
    if args.console == "picocom":
        run_picocom(accel)
    elif args.console == "pty":
        run_pty(accel)
    else:
        run_stdio(accel)


if __name__ == "__main__":
    main()
