"""The peer's Linux guest for make bench-peer: Debian's own packages, cached.

fetch() downloads with `apt-get download` (never installs anything on this
machine) the 6.1 kernel, linux-perf and busybox-static into build/peer/debs,
unpacks them into build/peer/root, and then the shared libraries perf loads.
Which libraries: what the dynamic loader lists for the unpacked /usr/bin/perf
(`ld.so --list`, which is what ldd runs), with the loader and library path
of the unpacked tree, so the guest gets one consistent set of Debian's
current packages and nothing from this machine. A library still missing
pulls in the next level of the downloaded packages' Depends, until the list
resolves entirely inside the tree.

pack() writes the initramfs (cpio newc, gzip) from the cached tree, the
workload binary and tools/peer/init.

Errors are GuestError with a one-line message naming what failed.
"""
import gzip
import json
import os
import re
import shutil
import stat
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
MULTIARCH = "lib/x86_64-linux-gnu"
LOADER = "lib64/ld-linux-x86-64.so.2"


class GuestError(Exception):
    pass


def run(argv, what, cwd=None):
    """Run a command; its output, or GuestError naming what failed."""
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise GuestError("%s: %s is not installed" % (what, argv[0]))
    if p.returncode != 0:
        lines = [x for x in (p.stderr or p.stdout).splitlines()
                 if x.strip() and not x.startswith("W: ")]
        raise GuestError("%s failed: %s" % (what, lines[-1] if lines else "exit %d" % p.returncode))
    return p.stdout


def kernel_package():
    """The current 6.1 kernel of the package lists, unsigned flavour (the
    signed one carries the same bzImage plus a Secure Boot signature)."""
    out = run(["apt-cache", "depends", "linux-image-amd64"],
              "apt-cache depends linux-image-amd64 (no package lists? run apt-get update)")
    m = re.search(r"Depends: (linux-image-(6\.1\.\d+-\d+)-amd64)\b", out)
    if not m:
        raise GuestError("linux-image-amd64 does not depend on a 6.1 kernel here: %s"
                         % " ".join(out.split())[:200])
    unsigned = m.group(1) + "-unsigned"
    try:
        run(["apt-cache", "show", "--no-all-versions", unsigned], "apt-cache show " + unsigned)
        return unsigned
    except GuestError:
        return m.group(1)


def download(debs, packages):
    """apt-get download into debs/; returns {package: .deb path}."""
    os.makedirs(debs, exist_ok=True)
    run(["apt-get", "download"] + sorted(packages),
        "apt-get download " + " ".join(sorted(packages)), cwd=debs)
    found = {}
    for name in os.listdir(debs):
        pkg = name.split("_", 1)[0]
        if pkg in packages:
            found[pkg] = os.path.join(debs, name)
    missing = set(packages) - set(found)
    if missing:
        raise GuestError("apt-get download left no .deb for " + " ".join(sorted(missing)))
    return found


def library_depends(deb):
    """The library packages a .deb depends on (first of each alternative)."""
    field = run(["dpkg-deb", "-f", deb, "Depends"], "dpkg-deb -f " + os.path.basename(deb))
    names = set()
    for dep in field.split(","):
        name = dep.split("|")[0].strip().split(" ")[0].split(":")[0]
        # interpreters (perl, python3) are not loaded by perf: only the
        # libperl/libpython libraries are, and those are lib* packages
        if name.startswith("lib") or name == "zlib1g":
            names.add(name)
    return names


def perf_libraries(root):
    """{soname: path} the unpacked loader resolves for the unpacked perf, and
    the sonames it could not resolve inside root."""
    loader = os.path.join(root, MULTIARCH, "ld-linux-x86-64.so.2")
    if not os.path.exists(loader):
        return {}, {"ld-linux-x86-64.so.2"}
    path = ":".join(os.path.join(root, d) for d in (MULTIARCH, "usr/" + MULTIARCH))
    out = run([loader, "--inhibit-cache", "--library-path", path, "--list",
               os.path.join(root, "usr/bin/perf")], "ld.so --list usr/bin/perf")
    inside, outside = {}, set()
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (.*?)(?: \(0x[0-9a-f]+\))?$", line)
        if not m:
            continue
        soname, where = m.groups()
        if where.startswith(root + "/"):
            inside[soname] = where
        else:
            outside.add(soname)
    return inside, outside


def fetch(peer):
    """Download and unpack once; returns the cached manifest (a dict)."""
    manifest = os.path.join(peer, "guest.json")
    if os.path.exists(manifest):
        with open(manifest) as f:
            return json.load(f)
    debs, root = os.path.join(peer, "debs"), os.path.join(peer, "root")
    shutil.rmtree(root, ignore_errors=True)
    kernel = kernel_package()
    got = {}
    level = {kernel, "linux-perf", "busybox-static"}
    while level:
        new = download(debs, level)
        for deb in new.values():
            run(["dpkg-deb", "-x", deb, root], "dpkg-deb -x " + os.path.basename(deb))
        got.update(new)
        libs, missing = perf_libraries(root)
        if not missing:
            break
        level = set()
        for pkg in new:
            level |= library_depends(got[pkg]) - set(got)
        if not level:
            raise GuestError("no downloaded package provides " + " ".join(sorted(missing)))
    vmlinuz = [n for n in os.listdir(os.path.join(root, "boot")) if n.startswith("vmlinuz-")]
    if len(vmlinuz) != 1:
        raise GuestError("%s holds no single boot/vmlinuz-*" % kernel)
    m = {
        "kernel": os.path.join(root, "boot", vmlinuz[0]),
        "packages": {p: os.path.basename(d).split("_")[1] for p, d in sorted(got.items())},
        "libraries": libs,
    }
    with open(manifest, "w") as f:
        json.dump(m, f, indent=1)
    return m


class Cpio:
    """The initramfs format the kernel unpacks: cpio "newc" (ASCII headers,
    4-byte alignment), ended by a TRAILER!!! entry
    (Documentation/driver-api/early-userspace/buffer-format.rst)."""

    def __init__(self, out):
        self.out = out
        self.ino = 0

    def entry(self, name, mode, data=b"", rdev=(0, 0)):
        self.ino += 1
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0)
        head = b"070701" + b"".join(b"%08X" % v for v in fields) + name.encode() + b"\0"
        self.out.write(head + b"\0" * (-len(head) % 4))
        self.out.write(data + b"\0" * (-len(data) % 4))

    def dir(self, name):
        self.entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, src, mode=0o755):
        with open(src, "rb") as f:
            self.entry(name, stat.S_IFREG | mode, f.read())

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def close(self):
        self.entry("TRAILER!!!", 0)


def pack(peer, guest, workload, out):
    """Write the initramfs: busybox, perf and its libraries, the workload."""
    root = os.path.join(peer, "root")
    tmp = out + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as z:
        c = Cpio(z)
        for d in ("bin", "dev", "proc", "sys", "tmp", "root", "lib", "lib64", MULTIARCH,
                  "usr", "usr/bin"):
            c.dir(d)
        # the kernel opens /dev/console for init before anything mounts devtmpfs
        c.entry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
        c.file("bin/busybox", os.path.join(root, "bin/busybox"))
        c.file("usr/bin/perf", os.path.join(root, "usr/bin/perf"))
        for soname, path in sorted(guest["libraries"].items()):
            c.file(MULTIARCH + "/" + soname, path)
        # ld.so --list does not list the loader itself; perf's PT_INTERP names it
        c.file(MULTIARCH + "/ld-linux-x86-64.so.2",
               os.path.join(root, MULTIARCH, "ld-linux-x86-64.so.2"))
        c.symlink(LOADER, "/" + MULTIARCH + "/ld-linux-x86-64.so.2")
        c.file("work_mix", workload)
        c.file("init", os.path.join(HERE, "init"))
        c.close()
    os.replace(tmp, out)
