"""tools/mutate.py's generator on small C and assembly snippets: the mutants
it should make and only those (nothing in comments, strings, preprocessor
lines, _Static_assert or inline asm), and the same sample for the same seed.
Its verdict on a suite, from stand-in suites that fail or hang. No monitor is
built."""
import collections
import contextlib
import io
import os
import select
import tempfile

import mutate
from monitor import expect, expect_eq

C_SNIPPET = """\
/* a comment: if (a < b) x = 1; */
#include <stdint.h>
struct pair { int a[4]; };
static const char *msg = "if (a < b) x = 2;";

int f(int a, int b)
{
	uint8_t *p = (uint8_t *)&a;	// x = a - 1;
#define STEP (3 + \\
	      4)
	_Static_assert(sizeof(struct pair) == 16, "a < b");

	__asm__ volatile("outb %0, $0x80" : : "a"((uint8_t)5));
	if (a < b)	/* b > a */
		g(a + 1, "x = 3;");
	return *p;
}

static void tick(void)
{
	ticks++;
}
"""

C_WANT = [
    (13, "delete", '__asm__ volatile("outb %0, $0x80" : : "a"((uint8_t)5)); -> (deleted)'),
    (14, "comparison", "if (a < b) /* b > a */ -> if (a <= b) /* b > a */"),
    (14, "comparison", "if (a < b) /* b > a */ -> if (a >= b) /* b > a */"),
    (14, "invert", "if (a < b) /* b > a */ -> if (!(a < b)) /* b > a */"),
    (15, "arithmetic", 'g(a + 1, "x = 3;"); -> g(a - 1, "x = 3;");'),
    (15, "constant", 'g(a + 1, "x = 3;"); -> g(a + 0, "x = 3;");'),
    (15, "constant", 'g(a + 1, "x = 3;"); -> g(a + 2, "x = 3;");'),
    (15, "delete", 'g(a + 1, "x = 3;"); -> (deleted)'),
    (16, "delete", "return *p; -> (deleted)"),
    (21, "arithmetic", "ticks++; -> ticks--;"),
    (21, "delete", "ticks++; -> (deleted)"),
]

ASM_SNIPPET = """\
/* addq $1, %rax: not code */
#include "boot_layout.h"
#define SLOTS	4	/* subq $SLOTS, %rsp */
#define PUSH_TWO \\
	pushq $1; \\
	pushq $2
	.section .text, "ax"
	.globl f
f:
	cmpq $0x10, %rdi	/* jb: not code */
	jb 1f
	addq 8(%rsi), %rdi
1:	ret
"""

ASM_WANT = [
    (10, "constant", "cmpq $0x10, %rdi /* jb: not code */ -> cmpq $0x11, %rdi /* jb: not code */"),
    (10, "constant", "cmpq $0x10, %rdi /* jb: not code */ -> cmpq $0xf, %rdi /* jb: not code */"),
    (10, "delete", "cmpq $0x10, %rdi -> (deleted)"),
    (11, "comparison", "jb 1f -> jae 1f"),
    (11, "comparison", "jb 1f -> jbe 1f"),
    (11, "delete", "jb 1f -> (deleted)"),
    (12, "arithmetic", "addq 8(%rsi), %rdi -> subq 8(%rsi), %rdi"),
    (12, "constant", "addq 8(%rsi), %rdi -> addq 7(%rsi), %rdi"),
    (12, "constant", "addq 8(%rsi), %rdi -> addq 9(%rsi), %rdi"),
    (12, "delete", "addq 8(%rsi), %rdi -> (deleted)"),
    (13, "delete", "ret -> (deleted)"),
]


def generated(path, text):
    out = []
    for m in mutate.mutants_of(path, text):
        shown = mutate.describe(m)
        out.append((m.line, m.op, shown.split("] ", 1)[1]))
    return sorted(out)


def test_generator_mutates_c_code_only(accel):
    expect_eq(generated("x/f.c", C_SNIPPET), sorted(C_WANT), "mutants of the C snippet")


def test_generator_mutates_asm_instructions_only(accel):
    expect_eq(generated("x/f.S", ASM_SNIPPET), sorted(ASM_WANT), "mutants of the asm snippet")


def test_mutants_apply_as_described(accel):
    for m in mutate.mutants_of("x/f.c", C_SNIPPET):
        text = C_SNIPPET[:m.start] + m.new + C_SNIPPET[m.end:]
        line = " ".join(text.split("\n")[m.line - 1].split())
        if m.op != "delete":
            expect_eq(line, m.new_text, "line %d after %s" % (m.line, m.op))
        expect(text != C_SNIPPET, "mutant %s changes nothing" % m.key)


def test_sample_is_stratified_and_seeded(accel):
    mutants = []
    for folder in ("a", "b", "c"):
        mutants += mutate.mutants_of(folder + "/f.c", C_SNIPPET)
        mutants += mutate.mutants_of(folder + "/f.S", ASM_SNIPPET)
    keys = len({m.key for m in mutants})
    expect_eq(keys, len(mutants), "distinct keys")
    one = mutate.sample(mutants, 6, seed=1)
    expect_eq([m.key for m in mutate.sample(mutants, 6, seed=1)], [m.key for m in one],
              "the sample of seed 1, drawn twice")
    expect_eq(sorted(mutate.folder_of(m.path) for m in one), ["a", "a", "b", "b", "c", "c"],
              "folders of a 6-mutant sample")
    others = [[m.key for m in mutate.sample(mutants, 6, seed=s)] for s in range(2, 6)]
    expect(any(o != [m.key for m in one] for o in others), "every seed gives the same sample")
    expect(set(m.key for m in mutate.sample(mutants, 3, seed=1)) <= set(m.key for m in one),
           "a smaller sample of the same seed is not part of the larger one")
    expect_eq(len(mutate.sample(mutants, 1000, seed=1)), len(mutants), "an oversized sample")


def test_sample_gives_each_top_folder_a_quarter(accel):
    """However many mutants a top folder holds (monitor's subfolders hold
    most), each gets n/4, and its subfolders take turns inside it."""
    mutants = mutate.mutants_of("arch/x86_64/f.S", ASM_SNIPPET)
    mutants += mutate.mutants_of("cmds/f.c", C_SNIPPET)
    mutants += mutate.mutants_of("profiler/f.c", C_SNIPPET)
    for sub in "abcdef":
        mutants += mutate.mutants_of("monitor/%s/f.c" % sub, C_SNIPPET)
    one = mutate.sample(mutants, 20, seed=1)
    expect_eq(sorted(collections.Counter(mutate.stratum_of(m.path) for m in one).items()),
              [("arch/x86_64", 5), ("cmds", 5), ("monitor", 5), ("profiler", 5)],
              "top folders of a 20-mutant sample")
    subs = collections.Counter(mutate.folder_of(m.path) for m in one
                               if m.path.startswith("monitor/"))
    expect_eq(len(subs), 5, "monitor's subfolders in its 5 mutants: %s" % subs)


def test_equivalent_list_is_read_by_key(accel):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("# comment\n\nabc123 x/f.c:13 something -> other -- the reason\n")
    try:
        expect_eq(mutate.read_equivalent(f.name), {"abc123": "the reason"}, "equivalent list")
    finally:
        os.unlink(f.name)


def suite_verdict(script, timeout):
    """mutate's verdict on a stand-in tests/run_tests.py."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "tests"))
        with open(os.path.join(d, "tests", "run_tests.py"), "w") as f:
            f.write(script)
        tree = mutate.Tree(d, 0)
        tree.dir = d
        passed, failed, _, _ = tree.suite(timeout)
        pid_file = os.path.join(d, "child.pid")
        child = int(open(pid_file).read()) if os.path.exists(pid_file) else None
    return passed, failed, child


def test_suite_verdict_names_the_first_failing_test(accel):
    script = ("import sys\nprint('ok   shell/a [tcg] (1s)')\nprint('FAIL shell/b [tcg]')\n"
              "print('    why')\nprint('FAIL shell/c [tcg]')\nsys.exit(1)\n")
    expect_eq(suite_verdict(script, 30)[:2], (False, "shell/b"), "verdict on a failing suite")
    script = "print('ok   shell/a [tcg] (1s)')\nprint('1 passed, 0 failed')\n"
    expect_eq(suite_verdict(script, 30)[:2], (True, None), "verdict on a passing suite")


def test_a_hung_suite_is_a_timeout_and_its_children_die(accel):
    # the stand-in starts a child (a QEMU would be one), then hangs
    script = ("import subprocess, sys, time\n"
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              "open('child.pid', 'w').write(str(p.pid))\n"
              "time.sleep(60)\n")
    passed, failed, child = suite_verdict(script, 3)
    expect_eq((passed, failed), (False, "timeout"), "verdict on a hung suite")
    expect(child is not None, "the stand-in suite did not start its child")
    try:
        fd = os.pidfd_open(child)
    except ProcessLookupError:
        return                  # dead and reaped already
    try:
        # readable once the process has exited: SIGKILL takes effect when
        # the process next runs, a moment on a busy host
        gone, _, _ = select.select([fd], [], [], 30)
    finally:
        os.close(fd)
    expect(gone, "the hung suite's child still runs 30 s after the timeout")


def verdict_on(script):
    """run_mutant's verdict on a mutant of x/f.c ('return 0;' -> 'return 1;')
    with a stand-in suite; the build is skipped (nothing to compile)."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "tests"))
        os.makedirs(os.path.join(d, "x"))
        with open(os.path.join(d, "tests", "run_tests.py"), "w") as f:
            f.write(script)
        text = "int f(void)\n{\n\treturn 0;\n}\n"
        with open(os.path.join(d, "x", "f.c"), "w") as f:
            f.write(text)
        m = [m for m in mutate.mutants_of("x/f.c", text) if m.new == "1"][0]
        tree = mutate.Tree(d, 0)
        tree.dir = d
        tree.build = lambda timeout: (True, "")
        result, _ = mutate.run_mutant(tree, m, 30, ())
        with open(os.path.join(d, "x", "f.c")) as f:
            expect_eq(f.read(), text, "x/f.c after the mutant")
    return result


# the stand-ins: FAIL shell/b when x/f.c holds the mutant; always; on the
# first run only (a flake)
MUTANT_FAILS = ("import sys\nif 'return 1;' in open('x/f.c').read():\n"
                "    print('FAIL shell/b [tcg]')\n    sys.exit(1)\nprint('1 passed, 0 failed')\n")
ALWAYS_FAILS = "import sys\nprint('FAIL shell/b [tcg]')\nsys.exit(1)\n"
FAILS_ONCE = ("import os, sys\nif not os.path.exists('ran'):\n    open('ran', 'w').close()\n"
              "    print('FAIL shell/b [tcg]')\n    sys.exit(1)\nprint('1 passed, 0 failed')\n")


def test_a_kill_is_confirmed_or_the_mutant_is_flaky(accel):
    expect_eq(verdict_on(MUTANT_FAILS), "killed by shell/b", "a test that fails on the mutant only")
    expect_eq(verdict_on(ALWAYS_FAILS), "flaky (shell/b fails on the unmutated tree too)",
              "a test that fails without the mutant")
    expect_eq(verdict_on(FAILS_ONCE), "flaky (shell/b failed once, then passed on the mutant)",
              "a test that failed once (a flake)")
    results = {"k1": "killed by shell/b", "k2": verdict_on(ALWAYS_FAILS), "k3": "survived"}
    picked = [mutate.Mutant("cmds/%s.c" % k, 1, "delete", 0, 1, "", "x", "(deleted)", k, "x")
              for k in sorted(results)]
    report = mutate.Report(os.devnull)
    with contextlib.redirect_stdout(io.StringIO()):
        mutate.summarise(report, picked, results)
    expect("  cmds            50.0%  1 killed, 1 survived, 1 flaky, 0 no compile, 0 equivalent"
           in report.lines, "score line:\n" + "\n".join(report.lines))
    expect("flaky, not counted (1):" in report.lines, "flaky list:\n" + "\n".join(report.lines))
