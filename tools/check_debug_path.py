#!/usr/bin/env python3
"""Check that the #BP/#DB path refuses breakpoints all the way down.

Everything the #BP and #DB handlers run before a hit is dealt with must lie
where breakpoints are refused (the entry text and .text.debugpath): a
breakpoint there would trap inside its own handler, forever (DEBUG.md,
"What the #BP/#DB path may touch"). This walks the call graph of the linked
image from `objdump -d`, from the handlers' C entry (trap_dispatch), along
every direct call and every jump to another function, and fails naming the
chain to any function outside those ranges. The walk stops only at the exits
listed in tools/debug_path_exits.txt, each with the reason a breakpoint past
it is a first hit and not a recursion. An indirect call or tail jump on the
path cannot be followed, so it fails too unless listed there.

usage: check_debug_path.py monitor.elf   (exit 1 and one line per problem)
"""
import os
import re
import subprocess
import sys

ROOTS = ["trap_dispatch"]
RANGES = [("__entry_text_start", "__entry_text_end"), ("__debugpath_start", "__debugpath_end")]
HERE = os.path.dirname(os.path.abspath(__file__))

FUNC_RE = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
INSN_RE = re.compile(r"^\s+([0-9a-f]+):\s+(.*)$")
TARGET_RE = re.compile(r"\b[0-9a-f]+ <([^>+]+)(\+0x[0-9a-f]+)?>")


def parse_objdump(text):
    """{function: (address, [(kind, target or operand text)])} where kind is
    'direct' (call or jump to another function) or 'indirect'."""
    funcs = {}
    cur = None
    for line in text.splitlines():
        m = FUNC_RE.match(line)
        if m:
            cur = m.group(2)
            funcs[cur] = (int(m.group(1), 16), [])
            continue
        m = INSN_RE.match(line)
        if not m or cur is None:
            continue
        words = m.group(2).split(None, 1)
        if not words:
            continue
        prefixes = {"bnd", "notrack", "rex.W", "cs", "ds"}
        while len(words) == 2 and words[0] in prefixes:
            words = words[1].split(None, 1)
        op = words[0]
        args = words[1] if len(words) > 1 else ""
        if not (op.startswith("call") or op.startswith("j")):
            continue
        t = TARGET_RE.search(args)
        if t:
            if t.group(1) != cur:
                funcs[cur][1].append(("direct", t.group(1)))
        elif args.startswith("*"):
            # a jump table inside the function (jmp *disp(,%reg,8)) stays in
            # it; a call or a jump through a register or plain memory may not
            if op.startswith("call") or not re.match(r"\*-?(0x[0-9a-f]+)?\(,%\w+,8\)", args):
                funcs[cur][1].append(("indirect", op + " " + args))
    return funcs


def parse_exits(path):
    exits = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise SystemExit("%s:%d: want 'caller callee reason'" % (path, n))
            exits[(parts[0], parts[1])] = parts[2]
    return exits


def check(funcs, symbols, exits, roots=ROOTS):
    """Returns a list of problems (empty when the path is protected)."""
    ranges = [(symbols[a], symbols[b]) for a, b in RANGES]
    problems = []
    seen = {}
    todo = []
    for r in roots:
        if r not in funcs:
            problems.append("root %s is not in the image" % r)
        else:
            seen[r] = [r]
            todo.append(r)
    while todo:
        f = todo.pop()
        chain = seen[f]
        addr = funcs[f][0]
        if not any(lo <= addr < hi for lo, hi in ranges):
            problems.append("%s lies outside the protected ranges (reached by %s)"
                            % (f, " -> ".join(chain)))
        for kind, target in funcs[f][1]:
            if kind == "indirect":
                if (f, "*") not in exits:
                    problems.append("%s: '%s' cannot be followed (reached by %s)"
                                    % (f, target, " -> ".join(chain)))
                continue
            if (f, target) in exits or target in seen:
                continue
            if target not in funcs:
                problems.append("%s calls %s, which is not a function" % (f, target))
                continue
            seen[target] = chain + [target]
            todo.append(target)
    return problems, len(seen)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    elf = sys.argv[1]
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf], capture_output=True,
                          text=True, check=True).stdout
    symbols = {}
    nm = subprocess.run(["nm", elf], capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 3:
            symbols[parts[2]] = int(parts[0], 16)
    exits = parse_exits(os.path.join(HERE, "debug_path_exits.txt"))
    problems, n = check(parse_objdump(text), symbols, exits)
    for p in problems:
        print("debug path: " + p)
    if problems:
        print("debug path: %d problems: move those functions into .text.debugpath "
              "(DEBUG_PATH) or list a reasoned exit in tools/debug_path_exits.txt" % len(problems))
        return 1
    print("  CHECK   debug path: %d functions from %s, all refuse breakpoints"
          % (n, ", ".join(ROOTS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
