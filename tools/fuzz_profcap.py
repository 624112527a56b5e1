#!/usr/bin/env python3
"""A mutation fuzzer (standard library only) for tools/profcap.py's dump
parser: parse_dump must return or raise DumpError, nothing else, for any
bytes the serial line may carry (decoded as profcap decodes them).

Seeds: the files of tests/fuzz/corpus/profcap/. Mutations: byte flips,
inserts, deletes, repeats, splices of two inputs, long digit runs; half of
the mutants get a freshly computed end line (CRC-32 and sample count), so
the checks past the framing are reached too.

  fuzz_profcap.py --seconds N     fuzz; a failing input goes to build/fuzz/crashes/
  fuzz_profcap.py --replay DIR..  run each file once (make test)
"""
import argparse
import os
import random
import sys
import time
import traceback
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import profcap  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "corpus", "profcap")
CRASHES = os.path.join(ROOT, "build", "fuzz", "crashes")
TOKENS = [b"--- prof dump begin folded ---", b"--- prof dump begin perf ---",
          b"--- prof dump begin raw ---", b"--- prof dump end samples=", b" crc32=",
          b"error: ", b"\r\n", b"\n", b" ---", b"9" * 4301, b"0" * 25, b";", b" 1",
          b"\xff", b"\x00"]


def check(data):
    """Raises anything but DumpError that parse_dump lets escape."""
    try:
        profcap.parse_dump(data.decode("latin-1"))
    except profcap.DumpError:
        pass


def reframe(data, rng):
    """Keep the begin line and body, write a matching end line."""
    text = data.decode("latin-1").replace("\r", "")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if profcap.BEGIN_RE.match(line):
            fmt = profcap.BEGIN_RE.match(line).group(1)
            body = [x for x in lines[i + 1:] if not x.startswith("--- prof dump end")]
            try:
                n = profcap.count_samples(fmt, body) if fmt in profcap.FORMATS else 0
            except profcap.DumpError:
                n = rng.randrange(10)
            end = "--- prof dump end samples=%d crc32=%08x ---" % (n, profcap.body_crc32(body))
            return "\n".join(lines[:i + 1] + body + [end, ""]).encode("latin-1")
    return data


def mutate(data, pool, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randint(0, len(b))
        if op == 0 and b:
            b[min(at, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and b:
            del b[at:at + rng.randint(1, 16)]
        elif op == 3:
            b[at:at] = rng.choice(TOKENS)
        elif op == 4 and b:
            end = min(len(b), at + rng.randint(1, 64))
            b[at:at] = b[at:end] * rng.randint(1, 4)
        else:
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            b[at:] = other[cut:]
    out = bytes(b[:1 << 16])
    return reframe(out, rng) if rng.random() < 0.5 else out


def load(paths):
    inputs = []
    for p in paths:
        names = sorted(os.listdir(p)) if os.path.isdir(p) else [None]
        for n in names:
            with open(os.path.join(p, n) if n else p, "rb") as f:
                inputs.append(f.read())
    return inputs


def report(data, exc):
    os.makedirs(CRASHES, exist_ok=True)
    path = os.path.join(CRASHES, "profcap-%08x" % zlib.crc32(data))
    with open(path, "wb") as f:
        f.write(data)
    print("fuzz_profcap: %s escaped parse_dump; input saved as %s\n%s"
          % (type(exc).__name__, path, traceback.format_exc()), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--replay", nargs="+")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if args.replay:
        inputs = load(args.replay)
        for data in inputs:
            try:
                check(data)
            except Exception as e:  # noqa: BLE001 (anything but DumpError is the bug)
                report(data, e)
                return 1
        print("replayed %d inputs" % len(inputs))
        return 0
    rng = random.Random(args.seed)
    pool = load([SEEDS])
    execs = 0
    deadline = time.monotonic() + (args.seconds or 60)
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), pool, rng)
        execs += 1
        try:
            check(data)
        except Exception as e:  # noqa: BLE001
            report(data, e)
            print("executions: %d" % execs)
            return 1
        if len(pool) < 256 and rng.random() < 0.01:
            pool.append(data)  # keep some mutants: deeper mutations of them later
    print("executions: %d" % execs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
