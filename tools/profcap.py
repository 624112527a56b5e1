#!/usr/bin/env python3
"""Capture a profile from a running monitor over its serial line.

Connects to the monitor (a pty or serial device, a QEMU unix socket, a
console server's raw TCP port, or a QEMU it boots itself), optionally runs
one command (usually `prof record ...`), then asks for `prof dump FORMAT`,
checks the framing of SHELL.md ("Profile dumps"): begin line, end line,
CRC-32 of the body, sample count; and writes the body, which flame-graph
tools read as it is.

Every wait is for a pattern with a timeout; nothing sleeps to synchronise.
Failures are one `profcap: error: ...` line and exit status 1.
"""
import argparse
import os
import re
import secrets
import select
import socket
import subprocess
import sys
import tempfile
import termios
import time
import tty
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

FORMATS = ("folded", "perf", "raw")
PROMPT_RE = re.compile(r"\nmon(\(stopped\))?> ")
BOOT_PROMPT_RE = re.compile(r"(^|\n)mon> ")
BEGIN_RE = re.compile(r"^--- prof dump begin (\w+) ---$")
# counts are 64-bit: at most 20 ASCII digits (a longer one is a broken
# dump, and Python's int() refuses more than 4300 digits with a ValueError)
END_RE = re.compile(r"^--- prof dump end samples=([0-9]{1,20}) crc32=([0-9a-f]{8}) ---$")
FOLDED_RE = re.compile(r"^\S+ ([0-9]{1,20})$")
PERF_HEADER_RE = re.compile(r"^\S+ \d+ \[\d+\] \d+\.\d{6}: \d+ \S+:$")
RAW_RE = re.compile(r"^[0-9a-f]+( [0-9a-f]+){3,}$")


class CaptureError(Exception):
    """Anything that makes the capture unusable; the message is one line."""


class DumpError(CaptureError):
    """A dump that is not what SHELL.md frames: the capture cannot be trusted."""


# -- checking a dump ---------------------------------------------------------

def count_samples(fmt, lines):
    """Samples the body holds, by the rules of its format; raises DumpError
    on a line that does not fit the format."""
    if fmt == "folded":
        total = 0
        for i, line in enumerate(lines):
            m = FOLDED_RE.match(line)
            if not m:
                raise DumpError("folded line %d is not 'stack count': %r" % (i + 1, line[:80]))
            total += int(m.group(1))
        return total
    if fmt == "perf":
        return sum(1 for line in lines if PERF_HEADER_RE.match(line))
    for i, line in enumerate(lines):
        if not RAW_RE.match(line):
            raise DumpError("raw line %d is not hex fields: %r" % (i + 1, line[:80]))
    return len(lines)


def body_crc32(lines):
    return zlib.crc32("".join(line + "\n" for line in lines).encode("latin-1"))


def find_begin(lines):
    """Index of the begin line; an `error:` line before it is the monitor
    refusing the dump, and is reported as it is."""
    for i, line in enumerate(lines):
        if BEGIN_RE.match(line):
            return i
        if line.startswith("error:"):
            raise DumpError("monitor said: " + line)
    raise DumpError("no '--- prof dump begin' line")


def parse_dump(text):
    """Check one framed dump in text (the monitor's output, LF or CRLF line
    ends, anything before the begin line is ignored: the echoed command).

    Returns (fmt, body_lines, samples); raises DumpError when the end line is
    missing, the CRC-32 or the sample count disagrees with the body, or the
    monitor answered with an error."""
    lines = text.replace("\r", "").split("\n")
    begin = find_begin(lines)
    fmt = BEGIN_RE.match(lines[begin]).group(1)
    if fmt not in FORMATS:
        raise DumpError("unknown dump format %r in the begin line" % fmt)
    for end in range(begin + 1, len(lines)):
        m = END_RE.match(lines[end])
        if m:
            break
        if lines[end].startswith("--- prof dump "):
            raise DumpError("malformed framing line: %r" % lines[end][:80])
    else:
        raise DumpError("no '--- prof dump end' line after %d body lines (truncated?)"
                        % (len(lines) - begin - 1))
    body = lines[begin + 1:end]
    samples, want_crc = int(m.group(1)), m.group(2)
    got_crc = "%08x" % body_crc32(body)
    if got_crc != want_crc:
        raise DumpError("crc32 mismatch: body has %s, end line says %s" % (got_crc, want_crc))
    counted = count_samples(fmt, body)
    if counted != samples:
        raise DumpError("%s body holds %d samples, end line says samples=%d"
                        % (fmt, counted, samples))
    return fmt, body, samples


# -- the serial line ---------------------------------------------------------

class Link:
    """One byte stream to the monitor's console. Output is kept, CR removed
    (the monitor ends lines with CRLF), in self.text; waits search it."""

    # every pattern we wait for is shorter than this: after new bytes only
    # the tail needs searching again, which keeps multi-megabyte perf dumps
    # linear
    OVERLAP = 256

    def __init__(self, rfd, wfd, what, on_close=None, complaint=None):
        self.rfd, self.wfd, self.what = rfd, wfd, what
        self.on_close = on_close
        self.complaint = complaint or (lambda: "")
        self.text = ""

    def close(self):
        if self.on_close:
            self.on_close()

    def send(self, line):
        data = line.encode("latin-1")
        while data:
            try:
                n = os.write(self.wfd, data)
            except OSError as e:
                raise CaptureError("cannot write to %s: %s" % (self.what, e.strerror))
            data = data[n:]

    def mark(self):
        return len(self.text)

    def _fill(self, timeout):
        """Read what is there within timeout; False when nothing came."""
        ready, _, _ = select.select([self.rfd], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.rfd, 65536)
        except OSError as e:
            raise CaptureError("cannot read from %s: %s" % (self.what, e.strerror))
        if not data:
            raise CaptureError("%s closed the connection" % self.what)
        self.text += data.decode("latin-1").replace("\r", "")
        return True

    def wait_for(self, rx, start, timeout, idle=None, waiting_for="the prompt"):
        """First match of rx in the output from index start. Fails after
        timeout seconds in all, or after idle seconds without a byte (a dump
        over a real 115200 line takes minutes, but never pauses)."""
        now = time.monotonic()
        deadline = now + timeout
        idle_deadline = now + idle if idle else deadline
        pos = start
        while True:
            m = rx.search(self.text, pos)
            if m:
                return m
            pos = max(start, len(self.text) - self.OVERLAP)
            now = time.monotonic()
            left = min(deadline, idle_deadline) - now
            if left <= 0:
                quiet = idle and idle_deadline <= deadline
                raise CaptureError("timeout waiting for %s (%s %.0f s); output ends: %r"
                                   % (waiting_for, "no output for" if quiet else "after",
                                      idle if quiet else timeout, self.text[-120:]))
            if self._fill(left) and idle:
                idle_deadline = time.monotonic() + idle

    def command(self, line, timeout, idle=None):
        """Type line and Enter; the output up to the next prompt (echo
        included), LF line ends."""
        start = self.mark()
        self.send(line + "\r")
        m = self.wait_for(PROMPT_RE, start, timeout, idle, "the prompt after '%s'" % line)
        return self.text[start:m.start() + 1]

    SYNC_RETRY = 5.0

    def sync(self, timeout):
        """Get to a fresh prompt whatever was typed or printed before we
        connected: clear the line (Ctrl-U), then type a name that cannot be a
        command and wait for its error, which only the monitor's answer (not
        the echo) contains. A monitor still booting when the line came (its
        UART holds 16 bytes until the shell reads it) never saw it whole: a
        new line with a new name every SYNC_RETRY seconds, until timeout."""
        deadline = time.monotonic() + timeout
        while True:
            token = "profcap-sync-" + secrets.token_hex(4)
            start = self.mark()
            self.send("\x15" + token + "\r")
            rx = re.compile(r"error: [^\n]*%s[^\n]*" % re.escape(token) + PROMPT_RE.pattern)
            left = deadline - time.monotonic()
            try:
                self.wait_for(rx, start, min(self.SYNC_RETRY, max(left, 0.0)),
                              waiting_for="the monitor's prompt")
                return
            except CaptureError:
                if left <= self.SYNC_RETRY:
                    raise CaptureError("timeout waiting for the monitor's prompt (after %.0f s)"
                                       "; output ends: %r" % (timeout, self.text[-120:]))


def open_pty(path):
    """A pty (QEMU -serial pty) or a real serial port: raw, 115200 8N1, so
    that the tty layer neither echoes the monitor's output back to it nor
    rewrites line ends."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError as e:
        raise CaptureError("cannot open %s: %s" % (path, e.strerror))
    try:
        tty.setraw(fd)
        attrs = termios.tcgetattr(fd)
        attrs[2] |= termios.CLOCAL | termios.CREAD
        attrs[4] = attrs[5] = termios.B115200
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error as e:
        os.close(fd)
        raise CaptureError("%s is not a terminal: %s" % (path, e.args[-1]))
    return Link(fd, fd, path, lambda: os.close(fd))


def open_unix(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        sock.close()
        raise CaptureError("cannot connect to %s: %s" % (path, e.strerror))
    return Link(sock.fileno(), sock.fileno(), path, sock.close)


def parse_tcp(spec):
    """HOST:PORT or [IPv6]:PORT -> (host, port); argparse's type."""
    m = re.match(r"^\[([^\]]+)\]:(\d+)$", spec) or re.match(r"^([^:\[\]]+):(\d+)$", spec)
    if not m or not 0 < int(m.group(2)) < 65536:
        raise argparse.ArgumentTypeError("%r is not HOST:PORT (or [IPv6]:PORT)" % spec)
    return m.group(1), int(m.group(2))


def open_tcp(address, timeout):
    """A console server's raw TCP port (ser2net in raw mode, QEMU -serial
    tcp:): the console's bytes and nothing else. A telnet port would add its
    option negotiation to the stream."""
    host, port = address
    what = ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)
    try:
        sock = socket.create_connection(address, timeout=timeout)
    except OSError as e:
        raise CaptureError("cannot connect to %s: %s" % (what, e.strerror or e))
    # Link waits with select(); keystrokes go out at once, not batched
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return Link(sock.fileno(), sock.fileno(), what, sock.close)


def boot_qemu(accel, icount):
    """Start QEMU with the serial port on our pipes (the same command line
    make run and the tests use). QEMU's own messages go to a file, so they
    never mix with the dump, and are shown if it exits early."""
    for image in (qemu.ELF, qemu.ISO):
        if not os.path.exists(image):
            raise CaptureError("%s is missing (run make first)" % os.path.relpath(image))
    argv = qemu.qemu_argv(accel, serial="stdio", icount=icount)
    errlog = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=errlog)
    except OSError as e:
        raise CaptureError("cannot start %s: %s" % (argv[0], e.strerror))

    def stop():
        if proc.poll() is None:
            proc.terminate()
        proc.wait()
        errlog.close()

    def complaint():
        errlog.seek(0)
        text = errlog.read().decode("latin-1").strip().replace("\n", " | ")
        return " (QEMU: %s)" % text[-200:] if text else ""

    return Link(proc.stdout.fileno(), proc.stdin.fileno(), "QEMU", stop, complaint)


# -- the capture -------------------------------------------------------------

def output_path(out, fmt, several):
    return "%s.%s" % (out, fmt) if several else out


def write_body(path, lines):
    """Replace path only with a complete, checked body."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="latin-1", newline="\n") as f:
            f.write("".join(line + "\n" for line in lines))
        os.replace(tmp, path)
    except OSError as e:
        raise CaptureError("cannot write %s: %s" % (e.filename or path, e.strerror))


def check_no_error(output, what):
    for line in output.split("\n"):
        if line.startswith("error:"):
            raise CaptureError("'%s': monitor said: %s" % (what, line))


def capture(link, args):
    if args.boot:
        # keys typed before the shell runs would reach GRUB's menu instead
        link.wait_for(BOOT_PROMPT_RE, 0, args.boot_timeout, waiting_for="the first prompt")
    link.sync(args.timeout)
    if args.run:
        out = link.command(args.run, args.run_timeout)
        body = out.split("\n", 1)[1] if "\n" in out else ""
        # a dump written to stdout must come out clean
        (sys.stdout if args.output else sys.stderr).write(body)
        check_no_error(body, args.run)
    several = len(args.formats) > 1
    for fmt in args.formats:
        out = link.command("prof dump " + fmt, args.run_timeout, idle=args.timeout)
        got, lines, samples = parse_dump(out)
        if got != fmt:
            raise DumpError("asked for a %s dump, got %s" % (fmt, got))
        path = output_path(args.output, fmt, several) if args.output else None
        if path:
            write_body(path, lines)
            print("profcap: %s: %d samples, %d lines, crc32 ok" % (path, samples, len(lines)))
        else:
            sys.stdout.write("".join(line + "\n" for line in lines))
        if samples == 0:
            print("profcap: warning: the %s dump holds no samples" % fmt, file=sys.stderr)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", metavar="DEV", help="a pty (QEMU -serial pty) or serial device")
    where.add_argument("--unix", metavar="PATH",
                       help="QEMU -serial unix:PATH,server,nowait")
    where.add_argument("--tcp", metavar="HOST:PORT", type=parse_tcp,
                       help="a console server's raw TCP port (ser2net, "
                       "QEMU -serial tcp:HOST:PORT,server=on,wait=off)")
    where.add_argument("--boot", action="store_true", help="boot the monitor in QEMU first")
    ap.add_argument("--accel", choices=["tcg", "kvm"], default="tcg",
                    help="with --boot (default tcg)")
    ap.add_argument("--icount", type=int, metavar="N",
                    help="with --boot under TCG: -icount shift=N, repeatable profiles")
    ap.add_argument("--boot-timeout", type=float, default=60.0, metavar="S",
                    help="with --boot: for the first prompt (default 60)")
    ap.add_argument("--run", metavar="CMD", help="a monitor command to run first, "
                    "e.g. 'prof record hz=2000 callchain work mix 7:2:1 3000'")
    ap.add_argument("--format", action="append", metavar="FMT",
                    help="folded, perf or raw; repeat or comma-separate for several "
                    "(default folded)")
    ap.add_argument("-o", "--output", metavar="FILE",
                    help="write the body here (FILE.FMT with several formats); "
                    "default stdout")
    ap.add_argument("--timeout", type=float, default=30.0, metavar="S",
                    help="for the prompt, and for silence during a dump (default 30)")
    ap.add_argument("--run-timeout", type=float, default=600.0, metavar="S",
                    help="for the --run command and each whole dump (default 600)")
    args = ap.parse_args(argv)
    args.formats = [f for spec in (args.format or ["folded"]) for f in spec.split(",") if f]
    for f in args.formats:
        if f not in FORMATS:
            ap.error("unknown format %r (folded, perf, raw)" % f)
    if len(args.formats) > 1 and not args.output:
        ap.error("several formats need -o FILE")
    if args.icount is not None and (not args.boot or args.accel != "tcg"):
        ap.error("--icount needs --boot under TCG")
    return args


def connect(args):
    if args.pty:
        return open_pty(args.pty)
    if args.unix:
        return open_unix(args.unix)
    if args.tcp:
        return open_tcp(args.tcp, args.timeout)
    return boot_qemu(args.accel, args.icount)


def main(argv=None):
    args = parse_args(argv)
    link = None
    try:
        link = connect(args)
        capture(link, args)
    except CaptureError as e:
        detail = link.complaint() if link else ""
        print("profcap: error: %s%s" % (e, detail), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("profcap: error: interrupted", file=sys.stderr)
        return 1
    finally:
        if link:
            link.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
