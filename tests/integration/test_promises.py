"""What README.md promises, one test each where no other test checks it:
md's default and cap, the breakpoint limit, bp del's restored byte, the
history and line limits, hpet= options and early-tick drops, period=, top=N,
the 50,000/s bound, profcap's --pty, --unix, raw format and its refusal to
write a bad dump, make profile, make run CONSOLE=..."""
import contextlib
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import select
import tty
import types

import qemu
from elf import ROOT, nm_symbols, read_bytes
from monitor import Monitor, TestFailure, expect, expect_eq
from test_prof import counts, dump
from test_shell import one_error, parse_md, still_works
from test_tools import PROFCAP, framed, read_folded

MD_LINE_RE = re.compile(r"^[0-9a-f]{16}:")


def test_md_default_length_and_64k_cap(mon):
    addr = nm_symbols()["kmain"][0]
    got = parse_md(mon.cmd("md kmain"))
    expect_eq(sorted(got), list(range(addr, addr + 64)), "md without a length: 64 bytes")
    out = mon.cmd("md 0x200000 64k", timeout=120)
    lines = [l for l in out.splitlines() if MD_LINE_RE.match(l)]
    expect_eq(len(lines), 4096, "lines of md 64k")
    expect(lines[-1].startswith("000000000020fff0:"), "last line: " + lines[-1])
    one_error(mon.cmd("md 0x200000 65537"), "out of range (1 to 65536)")
    still_works(mon)


# sixteen plus one places to put a breakpoint, none on the path of `bp`
BP_SITES = ["work_spin", "work_spin_cli", "work_lazy", "work_recurse", "work_mix",
            "work_mix_leaf_a", "work_mix_leaf_b", "work_mix_leaf_c", "cmd_md", "cmd_mw",
            "cmd_sym", "cmd_regs", "cmd_bt", "cmd_lazy", "cmd_reboot", "cmd_trap", "cmd_info"]


def test_sixteen_breakpoints_at_most(mon):
    syms = nm_symbols()
    for i, name in enumerate(BP_SITES[:16], 1):
        out = mon.cmd("bp add %s trace" % name)
        expect(re.search(r"^breakpoint %d at 0x%016x %s \(trace\)$" % (i, syms[name][0], name),
                         out, re.M), "bp add %s: %s" % (name, out))
    one_error(mon.cmd("bp add %s trace" % BP_SITES[16]), "no room: at most 16 breakpoints")
    listed = re.findall(r"^\s+\d+\s+0x[0-9a-f]{16} (\S+)", mon.cmd("bp list"), re.M)
    expect_eq(listed, BP_SITES[:16], "bp list")
    expect("deleted 16 breakpoints" in mon.cmd("bp del all"), "bp del all")
    # every byte is back: the text matches the ELF
    for name in BP_SITES[:16]:
        got = parse_md(mon.cmd("md %s 1" % name))
        expect_eq(got[syms[name][0]], read_bytes(syms[name][0], 1)[0], "first byte of " + name)


def test_bp_del_restores_the_original_byte(mon):
    addr = nm_symbols()["work_spin"][0]
    orig = read_bytes(addr, 8)
    for cycle in range(3):
        mon.cmd("bp add work_spin")
        expect_eq(parse_md(mon.cmd("md work_spin 1"))[addr], 0xcc, "int3 planted")
        mon.cmd("bp del all")
        got = parse_md(mon.cmd("md work_spin 8"))
        expect_eq(bytes(got[addr + i] for i in range(8)), orig, "bytes after bp del (%d)" % cycle)
    # and the code runs without a breakpoint exception
    out = mon.cmd("work spin 10", timeout=60)
    expect(re.search(r"work spin: \d+ iterations in 10 ms", out), out)


def test_history_holds_32_lines(mon):
    base = nm_symbols()["kmain"][0]
    for i in range(33):
        out = mon.cmd("sym 0x%x" % (base + i))
        expect(out.startswith("0x%016x kmain" % (base + i)), "sym %d: %s" % (i, out))
    # 33 lines typed: the first is gone, Up stops at the second (32 back)
    out = mon.cmd("\x1b[A" * 40)
    expect_eq(out.strip().splitlines()[-1], "0x%016x kmain+0x1" % (base + 1),
              "the oldest line Up reaches")
    out = mon.cmd("\x1b[A" * 32)
    # history now ends with the line just run (sym ...+1): 32 back is line 3
    expect_eq(out.strip().splitlines()[-1], "0x%016x kmain+0x2" % (base + 2), "32 back")


def test_line_of_255_accepted_256_refused(mon):
    out = mon.cmd("sym " + "k" * 251)
    one_error(out, "'" + "k" * 251 + "'")
    out = mon.cmd("sym " + "k" * 252)
    one_error(out, "line too long (256 characters, at most 255)")
    still_works(mon)


def test_hpet_periodic_option_and_early_tick_drops(mon):
    """Booted hpet=periodic under -icount: info says periodic, and QEMU's
    periodic HPET fires twice a period there: every second tick is an early
    one, dropped, and the profiler still gets the asked rate."""
    out = mon.cmd("info")
    expect("HPET timer 0 (periodic," in out, "hpet=periodic not taken:\n" + out)
    out = mon.cmd("prof record hz=1000 work spin 1000", timeout=120)
    c = counts(out)
    m = re.search(r"(\d+) early duplicate ticks dropped", out)
    expect(m, out)
    expect(abs(c["samples"] - 1000) <= 10, "samples at 1000 Hz for 1 s:\n" + out)
    expect(int(m.group(1)) >= 0.95 * c["samples"], "early ticks dropped:\n" + out)


def test_hpet_option_loses_to_quirk_nmi_late(mon):
    """hpet=oneshot with quirk=nmi-late: the quirk keeps it periodic."""
    expect("HPET timer 0 (periodic," in mon.cmd("info"), "quirk=nmi-late did not win")


def test_hpet_oneshot_option(mon):
    expect("HPET timer 0 (one-shot," in mon.cmd("info"), "hpet=oneshot not taken")


def test_period_and_the_50000_bound(mon):
    """Under -icount: period= is in TSC cycles (timer source), the achieved
    rate is within 1% of tsc/period; the bound is 50,000 samples/s for hz=
    and period= alike."""
    out = mon.cmd("prof start period=1")
    m = re.search(r"period 1 TSC cycles out of range \((\d+) to (\d+)\)", out)
    expect(m, out)
    low, tsc = int(m.group(1)), int(m.group(2))
    # the shortest period whose rate, tsc // period, is at most 50,000
    expect_eq(low, tsc // 50001 + 1, "shortest period")
    one_error(mon.cmd("prof start period=%d" % (low - 1)), "out of range")
    out = mon.cmd("prof start period=%d" % low)
    expect("sampling at %d Hz" % (tsc // low) in out and tsc // low <= 50000, out)
    mon.cmd("prof stop")
    one_error(mon.cmd("prof start hz=50001"), "out of range (1 to 50000)")
    expect("sampling at 50000 Hz" in mon.cmd("prof start hz=50000"), "hz=50000")
    mon.cmd("prof stop")
    period = tsc // 2000
    out = mon.cmd("prof record period=%d work spin 1000" % period, timeout=120)
    hz = tsc // period
    m = re.search(r"rate: asked (\d+) Hz, achieved (\d+) Hz", out)
    expect(m and int(m.group(1)) == hz and abs(int(m.group(2)) - hz) <= hz // 100,
           "period=%d at %d Hz:\n%s" % (period, hz, out))
    expect(abs(counts(out)["samples"] - hz) <= hz // 100, "samples in 1 s:\n" + out)


def test_report_top_n(mon):
    mon.cmd("prof record hz=4000 callchain work mix 7:2:1 300", timeout=120)
    full = re.findall(r"^\s+[\d.]+%\s+\d+\s+(\S+)$", mon.cmd("prof report top=1000"), re.M)
    expect(len(full) >= 3, "symbols in the full report: %r" % full)
    out = mon.cmd("prof report top=2")
    rows = re.findall(r"^\s+[\d.]+%\s+\d+\s+(\S+)$", out, re.M)
    expect_eq(rows, full[:2], "top=2 rows")
    expect("(%d more symbols)" % (len(full) - 2) in out, "more-symbols line:\n" + out)
    # exactly as many as there are: every row, and no more-symbols line
    out = mon.cmd("prof report top=%d" % len(full))
    expect_eq(re.findall(r"^\s+[\d.]+%\s+\d+\s+(\S+)$", out, re.M), full, "top=all rows")
    expect("more symbols" not in out, "a more-symbols line with none left:\n" + out)
    one_error(mon.cmd("prof report top=0"), "top=N")


# -- profcap against a monitor that keeps running ------------------------------

RECORD = "prof record hz=2000 work mix 7:2:1 300"
RAW_RE = re.compile(r"^[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ [0-9a-f]+( [0-9a-f]+)*$")


def profcap(*args, timeout=300):
    return subprocess.run([sys.executable, PROFCAP] + list(args), capture_output=True,
                          text=True, timeout=timeout)


def check_raw_capture(p, path):
    expect_eq(p.returncode, 0, "profcap exit status (stderr: %s)" % p.stderr.strip())
    m = re.search(r"samples: (\d+), lost 0,", p.stdout)
    expect(m, "no sample count:\n" + p.stdout[-800:])
    with open(path) as f:
        lines = f.read().splitlines()
    expect_eq(len(lines), int(m.group(1)), "raw lines vs samples")
    expect(all(RAW_RE.match(l) for l in lines), "raw line format: %r" % lines[:3])


def test_profcap_unix_raw(accel):
    """QEMU -serial unix:PATH,server,nowait, as the README says; -kernel so
    that no key reaches GRUB."""
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "serial")
        argv = qemu.qemu_argv("tcg", boot="kernel", serial="unix:%s,server,nowait" % sock)
        q = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(sock):
                expect(time.monotonic() < deadline and q.poll() is None, "no socket from QEMU")
                time.sleep(0.05)    # polling for QEMU to create a file, not a sync
            out = os.path.join(d, "prof.raw")
            p = profcap("--unix", sock, "--run", RECORD, "--format", "raw", "-o", out)
            check_raw_capture(p, out)
        finally:
            q.kill()
            q.wait()


def test_profcap_pty(accel):
    q, pty = qemu.start_on_pty("tcg")
    try:
        # wait for the first prompt ourselves (keys typed earlier would go to GRUB)
        fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        seen, deadline = b"", time.monotonic() + 60
        while not seen.endswith(b"mon> "):
            expect(time.monotonic() < deadline, "no prompt on %s: %r" % (pty, seen[-200:]))
            if select.select([fd], [], [], 1.0)[0]:
                seen += os.read(fd, 4096)
        os.close(fd)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "prof")
            p = profcap("--pty", pty, "--run", RECORD, "--format", "folded,raw", "-o", out)
            check_raw_capture(p, out + ".raw")
            total = len(open(out + ".raw").read().splitlines())
            expect_eq(sum(n for _, n in read_folded(out + ".folded")), total,
                      "folded counts vs raw samples")
    finally:
        q.terminate()
        q.wait()


def fake_monitor(path, dump_text):
    """A unix-socket 'monitor' that answers profcap's sync and its dump
    request with dump_text, then the prompt; returns the serving thread."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        buf = b""
        with conn:
            conn.sendall(b"mon> ")
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
                while b"\r" in buf:
                    line, buf = buf.split(b"\r", 1)
                    line = line.replace(b"\x15", b"").decode()
                    if line.startswith("prof dump"):
                        conn.sendall(dump_text.encode())
                    else:
                        conn.sendall(("%s\r\nerror: unknown command '%s'\r\nmon> "
                                      % (line, line)).encode())
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t, srv


def test_profcap_does_not_write_a_bad_dump(accel):
    body = ["long_mode_entry;kmain;cmd_work;work_mix;work_mix_leaf_a 7"]
    good = framed("folded", body, 7)
    with tempfile.TemporaryDirectory() as d:
        for text, why in ((good.replace("leaf_a 7", "leaf_b 7"), "crc32 mismatch"),
                          (framed("folded", body, 7, end=False), "prof dump end")):
            sock = os.path.join(d, "mon")
            out = os.path.join(d, "prof.folded")
            with open(out, "w") as f:
                f.write("an earlier capture\n")
            t, srv = fake_monitor(sock, text)
            p = profcap("--unix", sock, "--format", "folded", "-o", out, "--timeout", "3")
            srv.close()
            os.unlink(sock)
            expect_eq(p.returncode, 1, "exit status for a bad dump")
            errs = p.stderr.splitlines()
            expect(len(errs) == 1 and errs[0].startswith("profcap: error: ") and why in errs[0],
                   "stderr: %r" % p.stderr)
            expect_eq(open(out).read(), "an earlier capture\n", "the file after a bad dump")
            expect(not os.path.exists(out + ".tmp"), "a partial file was left")
        # a dump that stops coming: a timeout, and no file either
        half = good[:good.index("--- prof dump end")]
        t, srv = fake_monitor(sock, half)
        p = profcap("--unix", sock, "--format", "folded", "-o", out, "--timeout", "2")
        srv.close()
        os.unlink(sock)
        expect(p.returncode == 1 and p.stderr.startswith("profcap: error: timeout") and
               len(p.stderr.splitlines()) == 1, "a stalled dump: %r" % p.stderr)
        expect_eq(open(out).read(), "an earlier capture\n", "the file after a stalled dump")
        # the same fake monitor with a good dump: written
        t, srv = fake_monitor(sock, good)
        p = profcap("--unix", sock, "--format", "folded", "-o", out, "--timeout", "3")
        srv.close()
        expect_eq(p.returncode, 0, "exit status for a good dump (%s)" % p.stderr)
        expect_eq(open(out).read(), body[0] + "\n", "the file after a good dump")


def test_make_profile(accel):
    """make profile, with a short workload: both files written, and they
    agree with each other and with the sample count profcap reported."""
    folded = os.path.join(ROOT, "build", "profile.folded")
    perf = os.path.join(ROOT, "build", "profile.perf")
    t0 = time.time()
    p = subprocess.run(["make", "--no-print-directory", "profile", "WORK=work mix 1:1:3 300",
                        "HZ=2000"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    expect_eq(p.returncode, 0, "make profile (%s)" % p.stderr[-500:])
    m = re.search(r"profile\.folded: (\d+) samples", p.stdout)
    expect(m, p.stdout[-800:])
    for path in (folded, perf):
        expect(os.path.getmtime(path) >= t0 - 1, "%s not rewritten" % path)
    stacks = read_folded(folded)
    expect_eq(sum(n for _, n in stacks), int(m.group(1)), "folded counts")
    expect(int(m.group(1)) > 500, "samples: %s" % m.group(1))
    headers = sum(1 for l in open(perf) if l.startswith("nmimon "))
    expect_eq(headers, int(m.group(1)), "perf samples")


def test_make_run_console_argv(accel):
    """make run CONSOLE=stdio|pty|picocom: make passes the console to
    qemu.py, and qemu.py starts QEMU (and picocom) with the right arguments;
    nothing is booted, the launches are recorded."""
    for console in ("stdio", "pty", "picocom"):
        p = subprocess.run(["make", "-n", "--no-print-directory", "run", "ACCEL=tcg",
                            "CONSOLE=" + console], cwd=ROOT, capture_output=True, text=True)
        expect(re.search(r"tools/qemu\.py run --accel tcg --console %s( \\)?$" % console,
                         p.stdout, re.M), "make -n run CONSOLE=%s:\n%s" % (console, p.stdout))
    launched = []

    class FakeQemu:
        def __init__(self, argv, **kw):
            launched.append(("popen", argv))
            self.stdout = iter(["QEMU 7.2 monitor\n",
                                "char device redirected to /dev/pts/77 (label serial0)\n"])

        def wait(self):
            return 0

        def send_signal(self, sig):
            launched.append(("signal", sig))

        def kill(self):
            launched.append(("kill",))

    # qemu.py's own names for the two modules are swapped, not the modules:
    # other tests start QEMU with subprocess meanwhile, in other threads
    fake_subprocess = types.SimpleNamespace(**dict(
        vars(subprocess), Popen=FakeQemu,
        call=lambda argv, **kw: launched.append(("call", argv))))
    fake_os = types.SimpleNamespace(**dict(
        vars(os), execvp=lambda f, argv: launched.append(("exec", argv))))
    real = (qemu.subprocess, qemu.os)
    qemu.subprocess, qemu.os = fake_subprocess, fake_os
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            qemu.run_stdio("tcg")
            qemu.run_pty("tcg")
            qemu.run_picocom("tcg")
    finally:
        qemu.subprocess, qemu.os = real
    kinds = [x[0] for x in launched]
    expect_eq(kinds, ["exec", "popen", "popen", "call", "signal"], "launches")
    stdio, pty1, pty2, picocom = launched[0][1], launched[1][1], launched[2][1], launched[3][1]
    want = qemu.qemu_argv("tcg", serial="mon:stdio", reboot=True)
    expect_eq(stdio, want, "CONSOLE=stdio argv")
    expect(stdio[stdio.index("-serial") + 1] == "mon:stdio" and "-no-reboot" not in stdio,
           "stdio: serial and monitor multiplexed, reboot allowed: %r" % stdio)
    for argv in (pty1, pty2):
        expect_eq(argv, qemu.qemu_argv("tcg", serial="pty", reboot=True), "CONSOLE=pty argv")
    expect_eq(picocom, ["picocom", "-b", "115200", "--imap", "lfcrlf", "/dev/pts/77"],
              "picocom argv")
    expect(any(re.search(r"-cdrom|-kernel", a) for a in stdio), "no boot image")


def test_idle_shell_is_sampled_between_start_and_stop(mon):
    """README: between prof start and prof stop the idle shell is sampled
    too, as ...;run_loop;console_getc; prof record samples only its command."""
    # the shell must sit idle for a while to be sampled idle: the sleep is
    # the condition under test, not a synchronisation (no -icount: there
    # virtual time hardly moves while the host has typed nothing). A loaded
    # host may give QEMU no time in it, so a run without an idle sample is
    # tried again, a bounded number of times; the work is sampled each time.
    for _ in range(10):
        mon.cmd("prof start hz=1000 callchain")
        mon.cmd("work spin 200", timeout=60)
        time.sleep(0.3)
        mon.cmd("sym kmain")
        mon.cmd("prof stop")
        lines, _ = dump(mon, "folded")
        expect(any(";cmd_work;work_spin" in l for l in lines),
               "the work was not sampled:\n" + "\n".join(lines[:10]))
        if any(re.search(r";run_loop;console_getc(;\S+)? \d+$", l) for l in lines):
            break
        mon.cmd("prof reset")
    expect(any(re.search(r";run_loop;console_getc(;\S+)? \d+$", l) for l in lines),
           "no idle-shell stack in 10 tries:\n" + "\n".join(lines[:10]))
    mon.cmd("prof record hz=1000 callchain work spin 200", timeout=60)
    lines, _ = dump(mon, "folded")
    expect(lines and all("cmd_prof" in l.rsplit(" ", 1)[0].split(";") and "console_getc" not in l
                         for l in lines) and any(";cmd_work;work_spin" in l for l in lines),
           "prof record sampled more than its command:\n" + "\n".join(lines[:10]))


def test_make_test_only_and_accel(accel):
    p = subprocess.run(["make", "-n", "--no-print-directory", "test", "ONLY=prof/",
                        "ACCEL=tcg"], cwd=ROOT, capture_output=True, text=True)
    expect(re.search(r"tests/run_tests\.py.*--accel tcg", p.stdout) and
           re.search(r"tests/run_tests\.py.*--only prof/", p.stdout),
           "make -n test ONLY=prof/ ACCEL=tcg:\n" + p.stdout)
