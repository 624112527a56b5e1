"""The checked-in fuzz corpus (tests/fuzz/corpus/), replayed through every
harness as make test builds them (gcc, ASan + UBSan, tests/fuzz/replay_main.c)
and through tools/profcap.py's parser. Each regression input there failed on
the code before its fix."""
import glob
import os
import subprocess
import sys
import zlib

from monitor import TestFailure, expect

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def test_corpus_replays_clean(accel):
    harnesses = sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c")))
    expect(harnesses, "no fuzz harnesses found")
    for src in harnesses:
        target = os.path.basename(src)[len("fuzz_"):-len(".c")]
        exe = os.path.join(ROOT, "build", "fuzz", "replay", target)
        seeds = os.path.join(CORPUS, target)
        expect(os.path.exists(exe), "%s is not built (make fuzz-replay)" % exe)
        expect(os.listdir(seeds), "no seed inputs in %s" % seeds)
        p = subprocess.run([exe, seeds], capture_output=True, text=True, timeout=120)
        if p.returncode != 0 or "replayed %d inputs" % len(os.listdir(seeds)) not in p.stdout:
            raise TestFailure("%s: exit %d\n%s" % (target, p.returncode, p.stderr[-2000:]))
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fuzz_profcap.py"),
                        "--replay", os.path.join(CORPUS, "profcap")],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise TestFailure("profcap: " + p.stderr[-2000:])


def test_corpus_is_small(accel):
    total = sum(os.path.getsize(f) for f in glob.glob(os.path.join(CORPUS, "*", "*")))
    expect(total < 1 << 20, "the fuzz corpus is %d bytes, over 1 MiB" % total)


def test_profcap_huge_count_is_a_dump_error(accel):
    """Regression (issue 16): a 4,301-digit count made int() raise ValueError,
    which escaped profcap's one `profcap: error:` line."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import profcap
    for count_line, samples in [("a;b " + "9" * 4301, "1"), ("a;b 1", "9" * 4301)]:
        crc = zlib.crc32((count_line + "\n").encode())
        text = ("--- prof dump begin folded ---\n%s\n--- prof dump end samples=%s "
                "crc32=%08x ---\n" % (count_line, samples, crc))
        try:
            profcap.parse_dump(text)
        except profcap.DumpError:
            continue
        raise TestFailure("a %d-digit count was accepted" % max(len(count_line), len(samples)))
