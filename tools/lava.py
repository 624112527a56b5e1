#!/usr/bin/env python3
"""The monitor as a LAVA job.

  lava.py render --target qemu-kernel|qemu-iso|board [--url URL]
      print the job definition: lava/targets/TARGET.yaml (job, deploy, boot)
      followed by lava/tests.yaml (the test actions), for `lavacli jobs
      submit` or lava-run; URL defaults to this tree's build/ image.
  lava.py run [--device lava/devices/qemu-tcg.yaml] [--target qemu-kernel]
      [--impossible]
      render the job for the freshly built image, run it with lava-run (the
      dispatcher alone, no server), print one line per test case, and exit
      non-zero when a case failed or an expected case is missing.
      --impossible adds a case whose pattern cannot match, to see it fail.

lava-run writes its log (on stderr) one YAML flow mapping per line; the
results are the lines of level "results".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("error: python3-yaml is missing (lava-dispatcher and lavacli bring it)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAVA = os.path.join(ROOT, "lava")
IMAGES = {"qemu-kernel": ("@KERNEL_URL@", "monitor.elf"),
          "qemu-iso": ("@ISO_URL@", "monitor.iso"),
          "board": ("@ISO_URL@", "monitor.iso")}
IMPOSSIBLE = {"command": "info", "name": "impossible",
              "successes": [{"message": "monitor: this pattern cannot match"}]}


def render(target, url=None, impossible=False):
    placeholder, image = IMAGES[target]
    url = url or "file://" + os.path.join(ROOT, "build", image)
    with open(os.path.join(LAVA, "targets", target + ".yaml")) as f:
        job = yaml.safe_load(f.read().replace(placeholder, url))
    with open(os.path.join(LAVA, "tests.yaml")) as f:
        tests = yaml.safe_load(f)
    if impossible:
        tests[0]["test"]["interactive"][0]["script"].insert(0, IMPOSSIBLE)
    job["actions"] += tests
    return job


def expected_cases(job):
    """(definition suffix, case) of every result the job must report: each
    named interactive command, and each monitors entry (its case name comes
    from the output, so any one case of that definition counts)."""
    want = []
    for action in job["actions"]:
        test = action.get("test", {})
        for script in test.get("interactive", []):
            want += [(script["name"], cmd["name"]) for cmd in script["script"] if "name" in cmd]
        want += [(monitor["name"], None) for monitor in test.get("monitors", [])]
    return want


def entries(log_lines, level):
    """The messages of one level ("results", "error", ...) of lava-run's log."""
    out = []
    for line in log_lines:
        if '"lvl": "%s"' % level not in line:
            continue
        # YAML, not JSON: a measurement can carry a tag (`! "2.2"`)
        out.append(yaml.safe_load(line)["msg"])
    return out


def report(job, got):
    """Prints one line per case; returns the number of failed or missing cases."""
    bad = 0
    for r in got:
        if r["definition"] == "lava" and r["case"] != "job":
            continue	# the dispatcher's own per-action results
        figure = ""
        if "measurement" in r:
            figure = " %g %s" % (float(r["measurement"]), r.get("units", ""))
        ok = r["result"] == "pass"
        bad += not ok
        print("%-4s %s/%s%s" % ("ok" if ok else "FAIL", r["definition"], r["case"], figure))
    for definition, case in expected_cases(job):
        if not any(r["definition"].endswith(definition) and case in (None, r["case"])
                   for r in got):
            bad += 1
            print("FAIL %s/%s: no result (the job stopped before it)" % (definition, case or "*"))
    return bad


def run(args):
    if not shutil.which("lava-run"):
        sys.exit("error: lava-run is missing: apt-get install -y --no-install-recommends "
                 "lava-dispatcher (or make lava as root)")
    if os.geteuid() != 0:
        sys.exit("error: lava-run runs only as root (it says so and stops)")
    job = render(args.target, impossible=args.impossible)
    # a run with --impossible may go on beside a normal one (make test)
    name = "impossible" if args.impossible else "job"
    os.makedirs(os.path.join(ROOT, "build", "lava"), exist_ok=True)
    path = os.path.join(ROOT, "build", "lava", name + ".yaml")
    with open(path, "w") as f:
        yaml.safe_dump(job, f, sort_keys=False)
    with tempfile.TemporaryDirectory(prefix="nmimon-lava-") as out:
        # the job id names the dispatcher's scratch directory: one per run
        p = subprocess.run(["lava-run", "--job-id", "nmimon-%d" % os.getpid(),
                            "--output-dir", out,
                            "--device", os.path.abspath(args.device), path],
                           capture_output=True, text=True, timeout=args.timeout)
    log = os.path.join(ROOT, "build", "lava", name + ".log")
    with open(log, "w") as f:
        f.write(p.stdout + p.stderr)
    lines = (p.stdout + p.stderr).splitlines()
    bad = report(job, entries(lines, "results"))
    if p.returncode != 0:
        bad += 1
        print("FAIL lava-run exited with %d: %s" % (p.returncode, "; ".join(
            str(e) for e in entries(lines, "error")) or p.stderr[-2000:]))
    print("lava: %s (job %s, log %s)" % ("FAIL" if bad else "PASS", path, log))
    return 1 if bad else 0



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--target", choices=sorted(IMAGES), default="qemu-kernel")
    r.add_argument("--url", help="the image's URL (default: this tree's build/)")
    r.add_argument("--impossible", action="store_true")
    x = sub.add_parser("run")
    x.add_argument("--target", choices=["qemu-kernel", "qemu-iso"], default="qemu-kernel")
    x.add_argument("--device", default=os.path.join(LAVA, "devices", "qemu-tcg.yaml"))
    x.add_argument("--impossible", action="store_true")
    x.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()
    if args.cmd == "render":
        yaml.safe_dump(render(args.target, args.url, args.impossible), sys.stdout,
                       sort_keys=False)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
