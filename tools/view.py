#!/usr/bin/env python3
"""Make a speedscope page of a folded (or perf script) profile, offline.

speedscope (the npm package, installed once into build/speedscope/) ships a
release bundle that runs from file:// URLs. Its own CLI loads a profile by
writing a script that calls speedscope.loadFileFromBase64(name, base64) and
opening the bundle's index.html#localProfilePath=<that script>; the bundle
adds the script to its page, which a browser allows from file://, where
fetching a file would not be. This tool does the same, but into one
directory with fixed names (the CLI picks temporary names and needs a browser
to open): the bundle, copied unchanged into speedscope/, profile.js, and
index.html, which finds where it is, sends the browser on to the bundle with
that fragment, and so is one path to print and to hand to xdg-open (some
browsers drop a #fragment given to them). The directory refers to nothing
outside itself: it can be moved, or copied to another machine.

Failures are one `view: error: ...` line and exit status 1.
"""
import argparse
import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEEDSCOPE_VERSION = "1.25.0"
PREFIX = os.path.join(ROOT, "build", "speedscope")
PACKAGE = os.path.join(PREFIX, "node_modules", "speedscope")
RELEASE = os.path.join(PACKAGE, "dist", "release")
# speedscope's names for its views, as its #view= parameter takes them
VIEWS = ("left-heavy", "time-ordered", "sandwich")


class ViewError(Exception):
    """Why no page was made; one line."""


def installed_version():
    try:
        with open(os.path.join(PACKAGE, "package.json")) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def npm_reason(stderr):
    """npm's first error line that says what went wrong (it starts with
    `code E...`-style fields and ends with where its log is)."""
    for line in stderr.splitlines():
        text = re.sub(r"^npm (error|ERR!) ?", "", line).strip()
        if text and not re.match(r"^(code|syscall|errno|path) \S+$", text):
            return text
    return "no message"


def installed():
    return installed_version() == SPEEDSCOPE_VERSION and \
        os.path.exists(os.path.join(RELEASE, "index.html"))


def ensure_speedscope():
    """Install the pinned speedscope into build/speedscope/ unless it is
    there. Under a lock: make test runs two view tests at once, and two npm
    installs into one directory would spoil each other."""
    if installed():
        return
    npm = shutil.which("npm")
    if not npm:
        raise ViewError("npm is missing (sh tools/ensure-deps.sh view installs it)")
    try:
        os.makedirs(PREFIX, exist_ok=True)
        lock = open(os.path.join(PREFIX, ".install-lock"), "w")
    except OSError as e:
        raise ViewError("cannot create %s: %s" % (e.filename or PREFIX, e.strerror))
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed():
            return
        print("view: installing speedscope %s with npm into %s (once)"
              % (SPEEDSCOPE_VERSION, os.path.relpath(PREFIX)), flush=True)
        p = subprocess.run([npm, "install", "--prefix", PREFIX, "--no-audit", "--no-fund",
                            "--loglevel=error", "speedscope@" + SPEEDSCOPE_VERSION],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0 or not installed():
            raise ViewError("npm install speedscope@%s failed (status %d): %s"
                            % (SPEEDSCOPE_VERSION, p.returncode, npm_reason(p.stderr)))


def file_url(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def write_text(path, text):
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise ViewError("cannot write %s: %s" % (e.filename or path, e.strerror))


# speedscope adds <script src="file:///PATH"> for #localProfilePath=PATH, so
# PATH is absolute, and is worked out where the page is opened. speedscope
# splits the fragment at & and = before it decodes each value.
INDEX_HTML = """<!DOCTYPE html>
<meta charset="utf-8">
<title>opening speedscope</title>
<script>
var script = decodeURIComponent(new URL("profile.js", location.href).pathname);
location.replace("speedscope/index.html#localProfilePath=" + encodeURIComponent(script) +
                 "&view=%s");
</script>
"""


def make_page(profile, out, view):
    """Write out/speedscope/, out/profile.js and out/index.html; returns
    index.html's path. The profile keeps its file name: speedscope calls it
    that in its title."""
    try:
        with open(profile, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ViewError("cannot read %s: %s" % (profile, e.strerror))
    if not data.strip():
        raise ViewError("%s is empty" % profile)
    bundle = os.path.join(out, "speedscope")
    try:
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.copytree(RELEASE, bundle)
    except OSError as e:
        raise ViewError("cannot copy speedscope into %s: %s" % (bundle, e.strerror or e))
    write_text(os.path.join(out, "profile.js"), "speedscope.loadFileFromBase64(%s, %s)\n" % (
        json.dumps(os.path.basename(profile)), json.dumps(base64.b64encode(data).decode())))
    index = os.path.join(out, "index.html")
    write_text(index, INDEX_HTML % view)
    return index


def can_open():
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
        and shutil.which("xdg-open") is not None


def open_in_browser(url):
    """xdg-open may wait for the browser it starts: leave it running."""
    subprocess.Popen(["xdg-open", url], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("profile", nargs="?", default=os.path.join(ROOT, "build", "profile.folded"),
                    help="folded stacks or perf script text (default build/profile.folded)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "view"), metavar="DIR",
                    help="where the page goes (default build/view)")
    ap.add_argument("--view", choices=VIEWS, default="left-heavy",
                    help="speedscope's first view (default left-heavy: the flame graph)")
    ap.add_argument("--no-open", action="store_true", help="only print the page's URL")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        if not os.path.exists(args.profile):
            raise ViewError("%s is missing (make profile writes build/profile.folded; "
                            "or make view FILE=some.folded)" % args.profile)
        ensure_speedscope()
        index = make_page(args.profile, args.out, args.view)
    except ViewError as e:
        print("view: error: %s" % e, file=sys.stderr)
        return 1
    url = file_url(index)
    print(url)
    if args.no_open:
        return 0
    if can_open():
        open_in_browser(url)
        print("view: opened with xdg-open")
    else:
        print("view: no display (DISPLAY, WAYLAND_DISPLAY) or no xdg-open: "
              "open the URL above in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
