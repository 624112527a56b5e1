"""The monitor's serial port on a TCP socket (QEMU -serial tcp:...,server),
driven from here like Monitor drives stdio, with a proxy that lets a real
gdb attach to the same line (target remote 127.0.0.1:PORT). Everything the
monitor sends is recorded in .buf, also while gdb has the line, so a test
sees the `mon> ` that follows gdb's detach."""
import os
import re
import socket
import subprocess
import threading
import time

import qemu
from elf import ELF
from monitor import Monitor, TestFailure


class TcpMonitor(Monitor):
    def __init__(self, accel="tcg", icount=None):
        super().__init__(accel=accel, icount=icount)
        self.port = free_port()
        # wait=on: the guest starts once we are connected, nothing is lost
        self.argv = qemu.qemu_argv(accel, icount=icount,
                                   serial="tcp:127.0.0.1:%d,server=on,wait=on" % self.port)
        self.sock = None
        self.gdb_sock = None
        self.gdb_lock = threading.Lock()

    def start(self):
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     bufsize=0)
        # QEMU says it listens before it waits for us: connect then
        line = self.proc.stderr.readline().decode("latin-1", "replace")
        if "waiting for connection" not in line:
            raise TestFailure("QEMU did not listen on its serial socket: %r" % line)
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.settimeout(None)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            with self.cond:
                if not data:
                    self.exited = True
                    self.cond.notify_all()
                    return
                self.buf += data.decode("latin-1")
                self.cond.notify_all()
            with self.gdb_lock:
                g = self.gdb_sock
            if g:
                try:
                    g.sendall(data)
                except OSError:
                    pass

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        try:
            self.sock.sendall(data)
        except OSError:
            raise TestFailure("the serial socket is gone; output ends:\n" + self.tail())

    def close(self):
        if self.sock:
            self.sock.close()
        super().close()

    # -- gdb -----------------------------------------------------------------
    def listen_for_gdb(self):
        """A port for gdb's target remote; its bytes go to the monitor."""
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)

        def accept():
            conn, _ = srv.accept()
            srv.close()
            with self.gdb_lock:
                self.gdb_sock = conn
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                self.sock.sendall(data)
            with self.gdb_lock:
                self.gdb_sock = None
            conn.close()

        threading.Thread(target=accept, daemon=True).start()
        return srv.getsockname()[1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_gdb(mon, commands, timeout=240):
    """Real gdb in batch mode on build/monitor.elf, attached through the
    proxy; returns its output (stdout and stderr)."""
    port = mon.listen_for_gdb()
    argv = ["gdb", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "set tcp connect-timeout 30",
            "-ex", "target remote 127.0.0.1:%d" % port]
    for c in commands:
        argv += ["-ex", c]
    argv.append(ELF)
    try:
        # one pipe: monitor output (gdb's stderr) stays in order with the rest
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise TestFailure("gdb did not finish in %ds; it printed:\n%s\nmonitor:\n%s"
                          % (timeout, e.stdout, mon.tail()))
    return p.stdout


def gdb_sections(out):
    """gdb output split at our `echo @@ NAME\\n` markers: {NAME: text}."""
    parts = re.split(r"^@@ (\S+)$", out, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
