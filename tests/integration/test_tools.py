"""The host tools: tools/profcap.py run as a user runs it (it boots its own
QEMU), its files read the way flame-graph tools read them; and its dump
checker, fed damaged dumps, which needs no QEMU."""
import os
import re
import subprocess
import sys
import tempfile
import zlib

import profcap
from monitor import TestFailure, expect, expect_eq

PROFCAP = os.path.join(os.path.dirname(os.path.abspath(profcap.__file__)), "profcap.py")
RECORD = "prof record hz=2000 callchain work mix 7:2:1 500"
FOLDED_LINE_RE = re.compile(r"^([^ ;]+(;[^ ;]+)*) (\d+)$")
PERF_HEADER_RE = re.compile(r"^nmimon 0 \[000\] \d+\.\d{6}: 1 cpu-clock:$")
PERF_FRAME_RE = re.compile(r"^\t +[0-9a-f]+ (\S+) \(\S+\)$")


def run_profcap(accel, *args, timeout=300):
    argv = [sys.executable, PROFCAP, "--boot", "--accel", accel]
    if accel == "tcg":
        argv += ["--icount", "3"]
    return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=timeout)


def read_folded(path):
    """[(frames, count)], every line checked against the folded grammar."""
    stacks = []
    with open(path) as f:
        for line in f.read().splitlines():
            m = FOLDED_LINE_RE.match(line)
            expect(m, "not a folded line: %r" % line)
            stacks.append((m.group(1).split(";"), int(m.group(3))))
    return stacks


def read_perf(path):
    """[[frame symbol, ...] per sample], parsed as perf-script text: a header
    line, tab-indented frames, a blank line after each sample."""
    samples, frames = [], None
    with open(path) as f:
        for n, line in enumerate(f.read().split("\n")[:-1], 1):
            if frames is None:
                expect(PERF_HEADER_RE.match(line), "perf line %d: not a header: %r" % (n, line))
                frames = []
            elif line == "":
                expect(frames, "perf line %d: sample without frames" % n)
                samples.append(frames)
                frames = None
            else:
                m = PERF_FRAME_RE.match(line)
                expect(m, "perf line %d: not a frame: %r" % (n, line))
                frames.append(m.group(1))
    expect(frames is None, "perf file ends inside a sample")
    return samples


def recorded_samples(stdout):
    m = re.search(r"samples: (\d+), lost 0,", stdout)
    expect(m, "prof record did not report its samples:\n" + stdout[-1000:])
    return int(m.group(1))


def test_profcap_boot_writes_folded_and_perf(accel):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "profile")
        p = run_profcap(accel, "--run", RECORD, "--format", "folded,perf", "-o", out)
        expect_eq(p.returncode, 0, "profcap exit status (stderr: %s)" % p.stderr.strip())
        total = recorded_samples(p.stdout)
        expect(total > 500, "too few samples: %d" % total)
        stacks = read_folded(out + ".folded")
        perf = read_perf(out + ".perf")
    expect_eq(sum(n for _, n in stacks), total, "sum of folded counts")
    expect(any(frames[-3:] == ["cmd_work", "work_mix", "work_mix_leaf_a"] for frames, _ in stacks),
           "no ...;cmd_work;work_mix;work_mix_leaf_a stack: %r" % stacks[:5])
    expect_eq(len(perf), total, "perf samples")
    leaf_a = sum(1 for frames in perf if frames[0].startswith("work_mix_leaf_a+0x"))
    folded_a = sum(n for frames, n in stacks if frames[-1] == "work_mix_leaf_a")
    expect_eq(leaf_a, folded_a, "work_mix_leaf_a samples, perf vs folded")


def test_profcap_monitor_error_is_one_line(accel):
    with tempfile.TemporaryDirectory() as d:
        p = run_profcap(accel, "--run", "prof record hz=0 work mix 7:2:1 10",
                        "-o", os.path.join(d, "profile"))
    expect_eq(p.returncode, 1, "profcap exit status")
    lines = p.stderr.splitlines()
    expect(len(lines) == 1 and lines[0].startswith("profcap: error: ") and
           "out of range" in lines[0], "stderr is not one error line: %r" % p.stderr)


# -- parse_dump, no QEMU -----------------------------------------------------

FOLDED_BODY = ["long_mode_entry;kmain;cmd_work;work_mix;work_mix_leaf_a 7",
               "long_mode_entry;kmain;cmd_work;work_mix;work_mix_leaf_b 2",
               "long_mode_entry;kmain;cmd_work;work_mix;work_mix_leaf_c 1"]


def framed(fmt, body, samples, crc=None, end=True):
    """A dump as the serial line carries it: echo, CRLF line ends, prompt."""
    crc = "%08x" % zlib.crc32("".join(l + "\n" for l in body).encode()) if crc is None else crc
    lines = ["prof dump " + fmt, "--- prof dump begin %s ---" % fmt] + body
    if end:
        lines.append("--- prof dump end samples=%d crc32=%s ---" % (samples, crc))
    return "\r\n".join(lines + ["mon> "])


def expect_refused(text, why):
    try:
        got = profcap.parse_dump(text)
    except profcap.DumpError as e:
        expect(why in str(e), "error %r does not say %r" % (str(e), why))
        return
    raise TestFailure("parse_dump accepted a bad dump: %r" % (got,))


def test_parse_dump_accepts_a_good_dump(accel):
    got = profcap.parse_dump(framed("folded", FOLDED_BODY, 10))
    expect_eq(got, ("folded", FOLDED_BODY, 10), "parsed dump")


def test_parse_dump_rejects_a_changed_byte(accel):
    good = framed("folded", FOLDED_BODY, 10)
    bad = good.replace("leaf_b 2", "leaf_d 2")
    expect(bad != good, "the test did not change the dump")
    expect_refused(bad, "crc32 mismatch")


def test_parse_dump_rejects_a_missing_end_line(accel):
    expect_refused(framed("folded", FOLDED_BODY, 10, end=False), "no '--- prof dump end' line")


def test_parse_dump_rejects_a_wrong_sample_count(accel):
    expect_refused(framed("folded", FOLDED_BODY, 11), "samples=11")
    perf = ["nmimon 0 [000] 0.000330: 1 cpu-clock:",
            "\t          108958 work_mix_leaf_b+0x18 (monitor.elf)", ""]
    expect_eq(profcap.parse_dump(framed("perf", perf, 1))[2], 1, "perf samples")
    expect_refused(framed("perf", perf, 2), "samples=2")
    expect_refused(framed("raw", ["0 1a 0 108958"], 2), "samples=2")


def test_parse_dump_reports_the_monitor_error(accel):
    text = "prof dump xml\r\nerror: unknown dump format 'xml' (folded, perf, raw)\r\nmon> "
    expect_refused(text, "monitor said: error: unknown dump format 'xml'")
