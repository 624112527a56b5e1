"""The monitor as a LAVA job: `make lava` runs lava/ with lava-run (the
dispatcher alone) under TCG -icount, as a lab's dispatcher would; a job with
one case whose pattern cannot match must fail, so a green run means the
patterns were checked. Both need root (lava-run refuses to run otherwise) and
Debian's lava-dispatcher, installed when missing (tools/ensure-lava.sh): a
SKIP with the reason when either is lacking."""
import os
import re
import subprocess
import sys
import threading

import profcap
from monitor import TestFailure, TestSkip, expect, expect_eq
from test_prof import shares
from test_shell import one_error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAVA_TOOL = os.path.join(ROOT, "tools", "lava.py")
CASES = ["0_monitor/" + c for c in ("info", "bp-add", "bp-stop", "bp-bt", "bp-step", "bp-cont",
                                    "bp-del", "prof-record", "report-top-leaf", "leaf-shares",
                                    "dump-folded")]
FIGURES = {"nmi-test/nmi_test": "NMIs/s", "sampling-rate/achieved": "Hz",
           "leaf-error/worst_leaf_error": "pp"}
CASE_RE = re.compile(r"^(ok|FAIL) +(\S+?)(?::.*| ([\d.]+) (\S+))?$")

# the two tests run side by side: one apt-get at a time
install_lock = threading.Lock()


def need_lava_run():
    if os.geteuid() != 0:
        raise TestSkip("lava-run runs only as root")
    with install_lock:
        p = subprocess.run(["sh", os.path.join(ROOT, "tools", "ensure-lava.sh")],
                           capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise TestSkip("lava-run is not installed and could not be: " +
                       " ".join(p.stderr.split()))


def case_lines(stdout):
    """{case: (ok, measurement, units)} from the lines tools/lava.py prints."""
    cases = {}
    for line in stdout.splitlines():
        m = CASE_RE.match(line)
        if m:
            cases[m.group(2)] = (m.group(1) == "ok", m.group(3) and float(m.group(3)),
                                 m.group(4))
    return cases


def job_log_dump(path):
    """The folded dump as the job log holds it (the target's lines)."""
    import yaml		# python3-yaml comes with lava-dispatcher
    with open(path) as f:
        target = [yaml.safe_load(l)["msg"] for l in f if '"lvl": "target"' in l]
    return profcap.parse_dump("\n".join(str(m) for m in target))


def test_make_lava_every_case_passes(accel):
    need_lava_run()
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "lava"],
                       capture_output=True, text=True, timeout=600)
    out = p.stdout + p.stderr
    expect_eq(p.returncode, 0, "make lava exit status:\n" + out[-3000:])
    cases = case_lines(p.stdout)
    for name in CASES + list(FIGURES) + ["lava/job"]:
        expect(cases.get(name, (False,))[0], "case %s did not pass:\n%s" % (name, out[-3000:]))
    for name, units in FIGURES.items():
        expect_eq(cases[name][2], units, "units of " + name)
    nmi_rate, rate, leaf_error = (cases[n][1] for n in FIGURES)
    expect(nmi_rate > 1000, "NMIs/s of nmi test: %r" % nmi_rate)
    # -icount: 500 ticks a period apart, the window a little over 500 ms
    expect(995 <= rate <= 1000, "achieved sampling rate at hz=1000: %r" % rate)
    # the leaf-shares case allows about 4 points; 500 samples give about 2
    expect(leaf_error < 4.0, "worst leaf error: %r pp" % leaf_error)
    fmt, body, samples = job_log_dump(os.path.join(ROOT, "build", "lava", "job.log"))
    # the window is the work's 500 ms and the record's own start and stop:
    # whether a 501st tick falls in it moves with the build's code (the
    # fast pass made it 501), not with the host
    expect(fmt == "folded" and samples in (500, 501),
           "dump in the job log (format, samples): %r, want folded, 500 or 501" % ((fmt, samples),))
    # the leaves, most first; work_mix's own loop between the calls is a
    # few instructions a call, so a sample or two may land there
    stacks = [(l.split()[0], int(l.split()[-1])) for l in body]
    expect_eq([k for k, _ in stacks[:3]],
              ["work_mix_leaf_a", "work_mix_leaf_b", "work_mix_leaf_c"], "folded stacks")
    expect(all(k == "work_mix" and n <= samples // 100 for k, n in stacks[3:]),
           "folded stacks beyond the leaves: %r" % stacks[3:])


def test_lava_impossible_pattern_fails_the_job(accel):
    need_lava_run()
    p = subprocess.run([sys.executable, LAVA_TOOL, "run", "--impossible"],
                       capture_output=True, text=True, timeout=600)
    expect_eq(p.returncode, 1, "exit status with an impossible case:\n" + p.stdout[-3000:])
    cases = case_lines(p.stdout)
    expect_eq(cases.get("0_monitor/impossible"), (False, None, None),
              "the impossible case:\n" + p.stdout)
    # it failed alone: the prompt ended it and the job went on
    passed = [n for n, c in cases.items() if c[0]]
    if sorted(passed) != sorted(CASES + list(FIGURES) + ["lava/job"]):
        raise TestFailure("other cases should pass:\n" + p.stdout)


def hundredths(text):
    whole, frac = text.split(".")
    return int(whole) * 100 + int(frac)


def test_prof_check_agrees_with_the_report(mon):
    """prof check, which the job's leaf-error measurement reads, against the
    counts of prof report: the same integer hundredths, every line."""
    one_error(mon.cmd("prof check 7:2:1"), "no samples in work_mix_leaf")
    mon.cmd("prof record hz=1000 work mix 2:5:3 300", timeout=120)
    one_error(mon.cmd("prof check 7:2"), "bad ratio '7:2'")
    one_error(mon.cmd("prof check 0:0:0"), "bad ratio '0:0:0'")
    _, _, got = shares(mon)
    counts = [got.get("work_mix_leaf_" + x, 0) for x in "abc"]
    out = mon.cmd("prof check 7:2:1")
    rows = re.findall(r"^  work_mix_leaf_([abc]) +([\d.]+)% want +([\d.]+)% "
                      r"error ([-+])([\d.]+) pp$", out, re.M)
    expect_eq([r[0] for r in rows], ["a", "b", "c"], "leaf rows of:\n" + out)
    worst = 0
    for (leaf, share, want, sign, err), n, ratio in zip(rows, counts, (7, 2, 1)):
        wants = (n * 10000 // sum(counts), ratio * 10000 // 10)
        expect_eq((hundredths(share), hundredths(want)), wants, "leaf %s share, want" % leaf)
        expect_eq((sign == "-", hundredths(err)), (wants[0] < wants[1], abs(wants[0] - wants[1])),
                  "leaf %s error" % leaf)
        worst = max(worst, abs(wants[0] - wants[1]))
    m = re.search(r"^worst leaf error: ([\d.]+) pp$", out, re.M)
    expect(m and hundredths(m.group(1)) == worst, "worst leaf error %d/100:\n%s" % (worst, out))
    expect("%d samples in the leaves" % sum(counts) in out, out)
