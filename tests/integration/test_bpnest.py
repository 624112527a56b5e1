"""Breakpoints under nesting (issue 14): every context steps over its own hit
out of line while others hit breakpoints too; bp add refuses what would
break; the #BP/#DB path refuses breakpoints; an aborted command leaves no
int3 and no step state behind; the text is the ELF's again after bp del."""
import os
import re
import subprocess
import sys

from elf import ELF, ROOT, nm_symbols, read_bytes
from monitor import expect, expect_eq
from test_debug import STOPPED, start_and_stop_at, stopped_cmd
from test_shell import one_error, parse_md, still_works

sys.path.insert(0, os.path.join(ROOT, "tools"))
import check_debug_path  # noqa: E402


def objdump(func):
    """[(address, length, text)] of one function's instructions."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", ELF], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"^[0-9a-f]+ <%s>:\n(.*?)(?:\n\n|\Z)" % re.escape(func), out, re.M | re.S)
    expect(m, "objdump has no %s" % func)
    insns = []
    for line in m.group(1).splitlines():
        a = re.match(r"^\s+([0-9a-f]+):\s+(.*)$", line)
        if a:
            insns.append([int(a.group(1), 16), 0, a.group(2).strip()])
    syms = nm_symbols()
    end = syms[func][0] + syms[func][1]
    for i, ins in enumerate(insns):
        ins[1] = (insns[i + 1][0] if i + 1 < len(insns) else end) - ins[0]
    return [tuple(i) for i in insns]


def insn_matching(func, pattern):
    for addr, n, text in objdump(func):
        if re.search(pattern, text):
            return addr
    raise AssertionError("no instruction matching %r in %s" % (pattern, func))


def hits(mon, name, prompt=None):
    """(hits, hits in NMI context) of the breakpoint at symbol+offset name."""
    out = mon.cmd("bp list", prompt=prompt) if prompt else mon.cmd("bp list")
    m = re.search(r"^  \d+ +0x[0-9a-f]+ %s +(?:stop|trace) +(\d+) +(\d+)$" % re.escape(name),
                  out, re.M)
    expect(m, "no breakpoint %s in:\n%s" % (name, out))
    return int(m.group(1)), int(m.group(2))


def mix(out):
    m = re.search(r"(\d+) rounds in .*leaf iterations a=(\d+) b=(\d+) c=(\d+)", out)
    expect(m, "work mix did not finish:\n" + out)
    return [int(x) for x in m.groups()]


def no_exception(out):
    expect("*** exception" not in out and "command aborted" not in out, "an exception:\n" + out)


def text_matches_elf(mon):
    syms = nm_symbols()
    start, end = syms["__text_start"][0], syms["__text_end"][0]
    got = {}
    for a in range(start, end, 0x10000):	# md shows at most 64k at a time
        got.update(parse_md(mon.cmd("md 0x%x %d" % (a, min(0x10000, end - a)), timeout=120)))
    want = read_bytes(start, end - start)
    expect_eq(len(got), end - start, "bytes md showed of the text")
    slots = (syms["step_slots"][0], syms["step_slots_end"][0])
    diff = [a for a in range(start, end)
            if got[a] != want[a - start] and not slots[0] <= a < slots[1]]
    expect(not diff, "text differs from the ELF at %s" %
           ", ".join("0x%x (%02x, ELF %02x)" % (a, got[a], want[a - start]) for a in diff[:8]))


def test_nmi_hit_between_an_outer_hit_and_its_step(mon):
    """Scenario 1: the sampler's breakpoint is hit in NMI context while the
    workload is between its own hit and the end of its step."""
    mon.cmd("bp add sample_in_nmi trace")
    mon.cmd("bp add work_mix_leaf_a trace")
    mon.cmd("prof start hz=5000")
    out = mon.cmd("work mix 1:0:0 300", timeout=120)
    no_exception(out)
    rounds1 = mix(out)[0]
    out = mon.cmd("work mix 1:0:0 100", timeout=120)
    no_exception(out)
    rounds2 = mix(out)[0]
    stop = mon.cmd("prof stop")
    expect_eq(hits(mon, "work_mix_leaf_a"), (rounds1 + rounds2, 0), "leaf_a hits (both runs)")
    n, n_nmi = hits(mon, "sample_in_nmi")
    m = re.search(r"samples: (\d+), lost (\d+), dropped for lack of memory (\d+)", stop)
    expect(m, stop)
    expect(n > 0, "the sampler's breakpoint never hit")
    expect_eq((n, n_nmi), (sum(map(int, m.groups())),) * 2, "sampler hits vs sampler calls")


def test_trace_hits_inside_a_stop_then_cont(mon):
    """Scenario 2: a trace breakpoint hit by a command of the stopped shell
    leaves the stopped context's own step intact."""
    mon.cmd("bp add work_spin")
    mon.cmd("bp add work_mix_leaf_b trace")
    start_and_stop_at(mon, "work recurse 4", r"stopped: breakpoint 1 at work_spin\r\n")
    out = stopped_cmd(mon, "work mix 1:1:1 50", timeout=120)
    no_exception(out)
    rounds = mix(out)[0]
    expect_eq(hits(mon, "work_mix_leaf_b", STOPPED), (rounds, 0), "leaf_b hits in the stop")
    out = stopped_cmd(mon, "step")
    expect(re.search(r"stopped: step at work_spin\+0x1$", out), "step: " + out)
    out = mon.cmd("cont", timeout=60)
    no_exception(out)
    expect("work recurse: reached depth 4" in out, "cont: " + out)
    expect_eq(hits(mon, "work_spin"), (1, 0), "work_spin hits")


def test_trace_breakpoint_on_a_faulting_instruction(mon):
    """Scenario 3: the instruction under a trace breakpoint faults while it
    runs out of line; the command is aborted, and nothing is left behind."""
    out = mon.cmd("trap gp")
    rip = int(re.search(r"rip ([0-9a-f]{16})", out).group(1), 16)
    site = re.search(r"error code 0x0, at (\S+)", out).group(1)
    want = read_bytes(rip, 8)
    mon.cmd("bp add 0x%x trace" % rip)
    out = mon.cmd("trap gp")
    expect(re.search(r"exception 13 #GP .* at %s\r?\n" % re.escape(site), out),
           "the report names the instruction's own address:\n" + out)
    expect("command aborted" in out, out)
    expect_eq(hits(mon, site), (1, 0), "hits of the faulting instruction's breakpoint")
    mon.cmd("bp del all")
    mon.cmd("bp add 0x%x" % rip)
    mon.cmd("bp del all")
    got = parse_md(mon.cmd("md 0x%x 8" % rip))
    expect_eq(bytes(got[rip + i] for i in range(8)), want, "bytes after bp del")
    expect(re.search(r"exception 13 #GP", mon.cmd("trap gp")), "trap gp is a #GP again")
    # the aborted step left no state: a later trace hit counts and steps
    mon.cmd("bp add work_mix_leaf_a trace")
    rounds = mix(mon.cmd("work mix 1:0:0 50", timeout=60))[0]
    expect_eq(hits(mon, "work_mix_leaf_a"), (rounds, 0), "hits after the aborted step")
    mon.cmd("bp del all")
    text_matches_elf(mon)


def test_debug_path_refuses_breakpoints(mon):
    """Scenario 4: what the #BP/#DB path runs before it has dealt with a hit
    refuses breakpoints; a breakpoint in what a stop runs only counts."""
    for f in ["trap_dispatch", "debug_trap", "bp_on_int3", "stop_enter", "step_in_slot",
              "break_watch_on_db", "step_on_single_step", "step_plan_make", "text_poke"]:
        one_error(mon.cmd("bp add " + f), "must never trap")
    mon.cmd("bp add work_spin")
    mon.cmd("bp add stop_run")
    start_and_stop_at(mon, "work recurse 2", r"stopped: breakpoint 1 at work_spin\r\n")
    out = mon.cmd("cont", timeout=60)
    expect("reached depth 2" in out, out)
    out = mon.cmd("bp list")
    expect(re.search(r"stop_run +stop +1 +0\r?\n +1 hits could not stop", out),
           "the stop's own breakpoint counted once, as trace:\n" + out)


def test_debug_path_check_on_the_image(accel):
    """The build's call-graph check passes on the image and fails when a
    function outside the protected ranges, or an indirect call, is reached."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "check_debug_path.py"), ELF],
                       capture_output=True, text=True)
    expect(p.returncode == 0 and "all refuse breakpoints" in p.stdout, p.stdout + p.stderr)
    syms = {"__entry_text_start": 0x100, "__entry_text_end": 0x200,
            "__debugpath_start": 0x200, "__debugpath_end": 0x300}
    funcs = {"trap_dispatch": (0x200, [("direct", "helper"), ("direct", "trap_other")]),
             "helper": (0x280, []), "trap_other": (0x400, [("direct", "printf")]),
             "printf": (0x500, [])}
    exits = {("trap_dispatch", "trap_other"): "not a breakpoint's trap"}
    expect_eq(check_debug_path.check(funcs, syms, exits)[0], [], "problems of a clean graph")
    funcs["helper"] = (0x280, [("direct", "memcpy")])
    funcs["memcpy"] = (0x600, [])
    probs = check_debug_path.check(funcs, syms, exits)[0]
    expect(len(probs) == 1 and "memcpy" in probs[0] and "helper" in probs[0], probs)
    funcs["helper"] = (0x280, [("indirect", "call *%rax")])
    probs = check_debug_path.check(funcs, syms, exits)[0]
    expect(len(probs) == 1 and "call *%rax" in probs[0], probs)
    text = ("0000000000000200 <trap_dispatch>:\n  200:\tcall   280 <helper>\n"
            "  205:\tjmp    400 <trap_other>\n  20a:\tjmp    *0x0(,%rax,8)\n"
            "  211:\tcall   *%rax\n  213:\tjne    208 <trap_dispatch+0x8>\n")
    got = check_debug_path.parse_objdump(text)["trap_dispatch"]
    expect_eq(got, (0x200, [("direct", "helper"), ("direct", "trap_other"),
                            ("indirect", "call *%rax")]), "edges parsed from objdump")


def test_bp_add_only_at_instruction_boundaries(mon):
    """Scenario 5: every byte of a function: accepted exactly where an
    instruction starts, refused inside one naming it; nothing is written."""
    insns = objdump("work_mix_leaf_c")
    starts = {a: n for a, n, _ in insns}
    first, last = insns[0][0], insns[-1][0] + insns[-1][1]
    for a in range(first, last):
        out = mon.cmd("bp add 0x%x trace" % a)
        if a in starts:
            expect(re.search(r"^breakpoint \d+ at 0x%016x" % a, out, re.M),
                   "boundary 0x%x refused: %s" % (a, out))
            mon.cmd("bp del all")
        else:
            inside = max(s for s in starts if s < a)
            one_error(out, "not an instruction boundary",
                      "work_mix_leaf_c+0x%x" % (inside - first) if inside != first
                      else "work_mix_leaf_c)")
    got = parse_md(mon.cmd("md 0x%x %d" % (first, last - first)))
    expect_eq(bytes(got[a] for a in range(first, last)), read_bytes(first, last - first),
              "the function's bytes")


def test_out_of_line_steps_of_branches_and_calls(mon):
    """A Jcc rel8 taken and not taken (rewritten to rel32 in the slot), an
    indirect call (its return address fixed), a call through a table and the
    leaves' entries: every hit counted, and the workload computes the same."""
    loop = insn_matching("work_mix_leaf_c", r"^jne ")
    keeps = [a for a, n, text in objdump("work_mix") if re.match(r"call +\*%r", text)]
    syms = nm_symbols()
    mon.cmd("bp add 0x%x trace" % loop)
    for keep in keeps:
        mon.cmd("bp add 0x%x trace" % keep)
    for leaf in "abc":
        mon.cmd("bp add work_mix_leaf_%s trace" % leaf)
    out = mon.cmd("work mix 1:2:1 200", timeout=120)
    no_exception(out)
    rounds, a, b, c = mix(out)
    expect(a == c and b == 2 * c, "ratio 1:2:1 kept: %d %d %d" % (a, b, c))
    expect_eq(hits(mon, "work_mix_leaf_c+0x%x" % (loop - syms["work_mix_leaf_c"][0]))[0], c,
              "jne hits = leaf c iterations")
    # keep_going is called once per round and once more to end the loop
    expect_eq(sum(hits(mon, "work_mix+0x%x" % (k - syms["work_mix"][0]))[0] for k in keeps),
              rounds + 1, "indirect call hits")
    for leaf in "abc":
        expect_eq(hits(mon, "work_mix_leaf_" + leaf)[0], rounds, "leaf %s entries" % leaf)
    mon.cmd("bp del all")
    text_matches_elf(mon)


def test_stress_hits_from_every_context(mon):
    """Trace breakpoints hit at once from normal code, NMIs (sampling at
    10 kHz, nmi test), page faults in NMIs (the ring in lazy memory) and a
    stopped shell, 10^5 hits and more: normal-context counts exact, the text
    the ELF's after bp del all, no unknown NMI."""
    loop = insn_matching("work_mix_leaf_c", r"^jne ")
    syms = nm_symbols()
    loop_name = "work_mix_leaf_c+0x%x" % (loop - syms["work_mix_leaf_c"][0])
    for b in ["0x%x" % loop, "work_mix_leaf_a", "sample_in_nmi", "lazy_handle_fault",
              "nmi_dispatch"]:
        expect("breakpoint" in mon.cmd("bp add %s trace" % b), "bp add " + b)
    mon.cmd("bp add work_spin")
    mon.cmd("lazy reset")
    mon.cmd("prof start hz=10000 callchain")
    c_total = rounds_total = 0
    rounds, a, b, c = mix(mon.cmd("work mix 1:1:1 500", timeout=180))
    c_total += c
    rounds_total += rounds
    # nmi test here is a source of nested NMIs and NMI-context hits; its own
    # verdict (exact counts) is checked with breakpoints set by
    # debug/trace_breakpoint_in_nmi_context_during_nmi_test
    out = mon.cmd("nmi test 200", timeout=180)
    expect(re.search(r"^nmi test: (PASS|FAIL)", out, re.M), out)
    no_exception(out)
    out = mon.cmd("work lazy 100", timeout=120)
    no_exception(out)
    start_and_stop_at(mon, "work recurse 3", r"stopped: breakpoint 6 at work_spin\r\n")
    rounds, a, b, c = mix(stopped_cmd(mon, "work mix 1:1:1 300", timeout=180))
    c_total += c
    rounds_total += rounds
    out = stopped_cmd(mon, "nmi test 100", timeout=180)
    expect(re.search(r"^nmi test: (PASS|FAIL)", out, re.M), out)
    no_exception(out)
    out = mon.cmd("cont", timeout=60)
    expect("reached depth 3" in out, out)
    mon.cmd("prof stop")
    expect_eq(hits(mon, loop_name), (c_total, 0), "loop hits = leaf c iterations")
    expect_eq(hits(mon, "work_mix_leaf_a"), (rounds_total, 0), "leaf a hits = rounds")
    total = 0
    for name in [loop_name, "work_mix_leaf_a", "sample_in_nmi", "lazy_handle_fault",
                 "nmi_dispatch"]:
        n, n_nmi = hits(mon, name)
        expect(n > 0, "%s never hit" % name)
        total += n
    expect(hits(mon, "lazy_handle_fault")[1] > 0, "no hit in a #PF inside an NMI")
    expect(hits(mon, "nmi_dispatch")[0] == hits(mon, "nmi_dispatch")[1], "nmi_dispatch in NMI")
    expect(total >= 100000, "only %d hits" % total)
    out = mon.cmd("nmi")
    expect(re.search(r"unknown 0, swallowed \d+, c-latch entries 0", out), out)
    mon.cmd("bp del all")
    text_matches_elf(mon)
    still_works(mon)
