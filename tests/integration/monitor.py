"""Drive one monitor in QEMU through its serial port, as a person would.

The serial line is QEMU's stdio: we write keystrokes to its stdin and read
what the monitor prints from its stdout. Nothing here sleeps to synchronise:
every wait is for a pattern (the prompt, a marker) with a timeout.
"""
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

PROMPT_RE = re.compile(r"mon(\(stopped\))?> $")


class TestFailure(Exception):
    pass


class TestSkip(Exception):
    """The test cannot run on this machine; the message says why."""


class Monitor:
    def __init__(self, accel="tcg", boot=None, icount=None, reboot=False,
                 extra=(), memory="256M", firmware="bios", serial="stdio", cmdline=(),
                 smp=None):
        self.argv = qemu.qemu_argv(accel, boot=boot, icount=icount, reboot=reboot,
                                   extra=extra, memory=memory, firmware=firmware,
                                   serial=serial, cmdline=cmdline, smp=smp)
        self.accel = accel
        self.buf = ""
        self.cond = threading.Condition()
        self.proc = None
        self.exited = False
        self.started_at = None

    # -- process -----------------------------------------------------------
    def start(self):
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     bufsize=0)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        while True:
            data = self.proc.stdout.read1(65536) if hasattr(self.proc.stdout, "read1") \
                else os.read(self.proc.stdout.fileno(), 65536)
            with self.cond:
                if not data:
                    self.exited = True
                    self.cond.notify_all()
                    return
                self.buf += data.decode("latin-1")
                self.cond.notify_all()

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- waiting -----------------------------------------------------------
    def tail(self, n=1500):
        return self.buf[-n:]

    def wait_for(self, pattern, timeout=30.0, start=0):
        """Wait until regex pattern matches the output from index start."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, start)
                if m:
                    return m
                if self.exited:
                    raise TestFailure("QEMU exited while waiting for %r; output ends:\n%s"
                                      % (rx.pattern, self.tail()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure("timeout (%.0fs) waiting for %r; output ends:\n%s"
                                      % (timeout, rx.pattern, self.tail()))
                self.cond.wait(left)

    def wait_exit(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.exited:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure("QEMU still running after %.0fs" % timeout)
                self.cond.wait(left)

    def boot(self, timeout=60.0):
        """Wait for the banner and the first prompt; returns seconds taken."""
        self.wait_for(r"mon> $", timeout)
        return time.monotonic() - self.started_at

    # -- typing ------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise TestFailure("QEMU is gone; output ends:\n" + self.tail())

    def mark(self):
        with self.cond:
            return len(self.buf)

    def cmd(self, line, timeout=30.0, prompt=r"\r\nmon(\(stopped\))?> $"):
        """Type a line and Enter; return what the command printed (LF line
        ends, without the echoed line and without the next prompt)."""
        start = self.mark()
        self.send(line + "\r")
        m = self.wait_for(prompt, timeout, start)
        out = self.buf[start:m.start()]
        echo = line + "\r\n"
        if out.startswith(echo):
            out = out[len(echo):]
        return out.replace("\r\n", "\n")

    def lines(self, line, timeout=30.0):
        return [x for x in self.cmd(line, timeout).split("\n") if x]


def expect(cond, message):
    if not cond:
        raise TestFailure(message)


def expect_eq(got, want, what):
    if got != want:
        raise TestFailure("%s: got %r, want %r" % (what, got, want))
