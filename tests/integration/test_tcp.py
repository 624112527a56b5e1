"""tools/profcap.py --tcp: against QEMU's TCP serial port on loopback (a
console server's raw port, as ser2net gives), and against a fake console on
loopback that sends damaged dumps or hangs up, where profcap must say one
`profcap: error:` line and write nothing."""
import argparse
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

import profcap
import qemu
from monitor import TestFailure, expect, expect_eq
from test_tools import PROFCAP, RECORD, read_folded, recorded_samples

LOOPBACK = "127.0.0.1"
BOOT_PROMPT = b"mon> "


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def read_until(read, marker, timeout, what):
    """Bytes from read() (b"" at end) up to and including marker."""
    data, deadline = b"", time.monotonic() + timeout
    while marker not in data:
        left = deadline - time.monotonic()
        expect(left > 0, "timeout waiting for %s; got %r" % (what, data[-200:]))
        chunk = read(left)
        expect(chunk, "end of stream waiting for %s; got %r" % (what, data[-200:]))
        data += chunk
    return data


def readable(fd):
    def read(timeout):
        if not select.select([fd], [], [], timeout)[0]:
            return None
        return os.read(fd, 4096)
    return read


class QemuOnTcp:
    """The monitor under TCG -icount with its serial port a TCP server on a
    free loopback port. wait=on: the guest starts when the first client
    connects, and QEMU says when it listens, so nothing is lost and no
    connect is tried before the port is there. The first client reads the
    boot prompt and hangs up; profcap then connects to a monitor at its
    prompt, as it would to a console server's port."""

    def __init__(self):
        self.port = free_port()
        serial = "tcp:%s:%d,server=on,wait=on" % (LOOPBACK, self.port)
        self.proc = subprocess.Popen(qemu.qemu_argv("tcg", serial=serial, icount=3),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)

    def boot(self):
        read_until(readable(self.proc.stderr.fileno()), b"waiting for connection", 30,
                   "QEMU's listening message")
        with socket.create_connection((LOOPBACK, self.port), timeout=10) as s:
            def read(timeout):
                s.settimeout(timeout)
                try:
                    return s.recv(4096)
                except socket.timeout:
                    return None
            read_until(read, BOOT_PROMPT, 60, "the boot prompt")

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stderr.close()


def profcap_tcp(address, *args):
    return subprocess.run([sys.executable, PROFCAP, "--tcp", address] + list(args),
                          capture_output=True, text=True, timeout=300)


def expect_one_error_line(p, why):
    expect_eq(p.returncode, 1, "profcap exit status (stdout %r)" % p.stdout[-300:])
    lines = p.stderr.splitlines()
    expect(len(lines) == 1 and lines[0].startswith("profcap: error: ") and why in lines[0],
           "stderr is not one error line saying %r: %r" % (why, p.stderr))


def test_profcap_tcp_captures_from_qemu_serial(accel):
    q = QemuOnTcp()
    try:
        q.boot()
        address = "%s:%d" % (LOOPBACK, q.port)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "profile")
            p = profcap_tcp(address, "--run", RECORD, "--format", "folded,raw", "-o", out)
            expect_eq(p.returncode, 0, "profcap exit status (stderr: %s)" % p.stderr.strip())
            total = recorded_samples(p.stdout)
            stacks = read_folded(out + ".folded")
            with open(out + ".raw") as f:
                raw = f.read().splitlines()
            # the same port again, the monitor refusing the command
            refused = os.path.join(d, "refused")
            p = profcap_tcp(address, "--run", "prof record hz=0 work mix 7:2:1 10", "-o", refused)
            expect_one_error_line(p, "out of range")
            expect(not os.path.exists(refused), "the refused run wrote a file")
    finally:
        q.close()
    expect(total > 500, "too few samples: %d" % total)
    expect_eq(sum(n for _, n in stacks), total, "sum of folded counts")
    expect_eq(len(raw), total, "raw samples")
    expect(any(frames[-1] == "work_mix_leaf_a" for frames, _ in stacks),
           "no work_mix_leaf_a stack: %r" % stacks[:5])


def test_profcap_tcp_connection_refused_is_one_line(accel):
    port = free_port()
    expect_one_error_line(profcap_tcp("%s:%d" % (LOOPBACK, port)),
                          "cannot connect to %s:%d: Connection refused" % (LOOPBACK, port))


# -- a fake console on loopback ---------------------------------------------

BODY = "long_mode_entry;kmain;cmd_work;work_mix;work_mix_leaf_a 7\n"


def dump(body, samples, crc=None):
    crc = "%08x" % zlib.crc32(body.encode()) if crc is None else crc
    text = "--- prof dump begin folded ---\n%s--- prof dump end samples=%d crc32=%s ---\n" \
        % (body, samples, crc)
    return text.replace("\n", "\r\n").encode()


class FakeConsole:
    """Answers profcap's sync line as the monitor does (its echo, the
    unknown-command error, a prompt), then answers `prof dump folded` with
    the given bytes and hangs up if told to."""

    def __init__(self, answer, hang_up=False):
        self.answer, self.hang_up = answer, hang_up
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.listener.settimeout(60)
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(60)
            buf = b""
            for _ in range(2):
                while b"\r" not in buf:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                line, buf = buf.split(b"\r", 1)
                line = line.lstrip(b"\x15")
                if line.startswith(b"profcap-sync-"):
                    conn.sendall(line + b"\r\nerror: unknown command '%s' (try help)\r\nmon> "
                                 % line)
                else:
                    conn.sendall(line + b"\r\n" + self.answer +
                                 (b"" if self.hang_up else b"mon> "))
            if self.hang_up:
                conn.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.thread.join(timeout=60)
        self.listener.close()


def run_against(answer, hang_up=False):
    console = FakeConsole(answer, hang_up)
    try:
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "profile.folded")
            p = profcap_tcp("%s:%d" % (LOOPBACK, console.port), "-o", out)
            written = os.path.exists(out)
    finally:
        console.close()
    return p, written


def test_profcap_tcp_fake_console_good_dump(accel):
    p, written = run_against(dump(BODY, 7))
    expect_eq(p.returncode, 0, "profcap exit status (stderr: %s)" % p.stderr.strip())
    expect(written and re.search(r": 7 samples, 1 lines, crc32 ok", p.stdout),
           "profcap did not write the dump: %r" % p.stdout)


def test_profcap_tcp_bad_crc_is_one_line(accel):
    p, written = run_against(dump(BODY, 7, crc="00000000"))
    expect_one_error_line(p, "crc32 mismatch")
    expect(not written, "a dump with a bad CRC was written")


def test_profcap_tcp_wrong_sample_count_is_one_line(accel):
    p, written = run_against(dump(BODY, 8))
    expect_one_error_line(p, "samples=8")
    expect(not written, "a dump with a wrong sample count was written")


def test_profcap_tcp_hang_up_mid_dump_is_one_line(accel):
    truncated = dump(BODY, 7)[:40]
    p, written = run_against(truncated, hang_up=True)
    expect_one_error_line(p, "closed the connection")
    expect(not written, "a truncated dump was written")


def test_profcap_tcp_address_forms(accel):
    expect_eq(profcap.parse_tcp("127.0.0.1:2000"), ("127.0.0.1", 2000), "IPv4")
    expect_eq(profcap.parse_tcp("[::1]:2000"), ("::1", 2000), "IPv6")
    expect_eq(profcap.parse_tcp("console-7:3001"), ("console-7", 3001), "host name")
    for bad in ("127.0.0.1", "::1:2000", "host:0", "host:65536", "host:port", ":2000"):
        try:
            got = profcap.parse_tcp(bad)
        except argparse.ArgumentTypeError:
            continue
        raise TestFailure("parse_tcp(%r) accepted: %r" % (bad, got))
