#!/usr/bin/env python3
"""Look at a page as a person would: headless Chromium (Debian's chromium)
loads it, runs its scripts, and leaves a screenshot and the DOM.

Used by `make screenshot` (docs/speedscope.png) and by the view test.

    python3 tools/browser.py URL PNG      screenshot of URL into PNG
"""
import os
import subprocess
import sys
import tempfile

CHROMIUM = "chromium"
FLAGS = [
    "--headless",
    # root (this project's machines, CI) cannot start Chromium's sandbox
    "--no-sandbox",
    "--disable-gpu",
    # these machines reach no network: without the next five, Chromium's own
    # background connections are refused by the dozen and slow every start
    "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    # and no host name resolves: a page that asked the network for anything
    # would come out broken rather than quietly fetch it
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
SIZE = (1280, 720)
# Chromium's virtual time runs ahead while the page only waits for itself
# and stops at the budget: scripts that load and parse a profile finish
# within it, yet a run takes about a second of real time
BUDGET_MS = 10000


class BrowserError(Exception):
    pass


def load(url, screenshot=None, size=SIZE, timeout=120):
    """Load url in a fresh profile; returns the DOM after its scripts ran,
    and writes a PNG screenshot to screenshot when given."""
    if screenshot and os.path.exists(screenshot):
        os.remove(screenshot)
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile_dir:
        argv = [CHROMIUM] + FLAGS + [
            "--user-data-dir=" + profile_dir, "--window-size=%d,%d" % size,
            "--virtual-time-budget=%d" % BUDGET_MS, "--dump-dom"]
        if screenshot:
            argv.append("--screenshot=" + os.path.abspath(screenshot))
        try:
            p = subprocess.run(argv + [url], capture_output=True, text=True, timeout=timeout)
        except OSError as e:
            raise BrowserError("cannot start %s: %s" % (CHROMIUM, e.strerror))
        except subprocess.TimeoutExpired:
            raise BrowserError("%s did not finish with %s in %d s" % (CHROMIUM, url, timeout))
    if p.returncode != 0 or (screenshot and not os.path.exists(screenshot)):
        raise BrowserError("%s failed on %s (status %d): %s"
                           % (CHROMIUM, url, p.returncode, p.stderr.strip()[-500:]))
    return p.stdout


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: browser.py URL PNG")
    url, png = argv
    try:
        load(url, screenshot=png)
    except BrowserError as e:
        print("browser: error: %s" % e, file=sys.stderr)
        return 1
    print("browser: %s" % png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
