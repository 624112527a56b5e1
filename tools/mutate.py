#!/usr/bin/env python3
"""make mutate: how many small plausible bugs does the test suite catch?

Generates mutants of the monitor's C and assembly, one change each:
  comparison  < <= > >= == != (C), conditional jumps (asm): negated, or the
              boundary moved (< -> <=)
  arithmetic  + - * / % << >> & | ^, their compound assignments, ++/--; add/sub,
              and/or, shl/shr, inc/dec (asm)
  constant    an integer literal N -> N+1 or N-1 (asm: immediates, displacements)
  delete      one C statement (an expression, return, break, continue) or one
              asm instruction removed
  invert      if (x) -> if (!(x))
Nothing is mutated inside comments, strings, preprocessor lines, _Static_assert,
__attribute__ or inline asm, nor outside function bodies and initializers.

A seeded sample of N mutants, stratified so each top folder (arch/x86_64,
monitor, profiler, cmds) gets a quarter and, inside it, its subfolders take
turns, runs each in a private copy of the tree (build/mutate/tree<j>): build,
then the suite with fail-fast (unit tests, then the TCG integration tests).
A test failing kills the mutant once the kill is confirmed: the failing test
run again on the mutant fails again, and run on the unmutated tree passes;
otherwise the mutant is "flaky" (a host-load flake, or a test that fails
without the mutant), counted apart from the score like one that does not
compile. A suite past the time limit kills it ("killed (timeout)": a hang).
--only picks mutants by key or FILE:LINE and --tests the tests to run, for
checking that a new test kills its mutant.
tests/mutants_equivalent.txt lists mutants known to change nothing
observable; they are left out of the score.
"""
import argparse
import collections
import concurrent.futures
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ("arch/x86_64", "monitor", "profiler", "cmds")
EQUIVALENT = os.path.join("tests", "mutants_equivalent.txt")

# old_text/new_text: the changed line(s) before and after, whitespace squeezed;
# with path and op they name the mutant across edits elsewhere in the file
Mutant = collections.namedtuple("Mutant", "path line op start end new old_text new_text key "
                                           "deleted")


# -- C ---------------------------------------------------------------------

PUNCT = sorted("<<= >>= ... -> ++ -- << >> <= >= == != && || += -= *= /= %= &= |= ^= ## "
               "< > + - * / % & | ^ ! ~ ? : ; , . = ( ) [ ] { } #".split(),
               key=len, reverse=True)
C_TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\f\v]+|\\\n)
  | (?P<nl>\n)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<chr>'(?:\\.|[^'\\\n])*')
  | (?P<num>(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*(?![\w.]))
  | (?P<fnum>\d[\w.]*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<punct>%s)
""" % "|".join(re.escape(p) for p in PUNCT), re.X | re.S)

Tok = collections.namedtuple("Tok", "kind text start end")

KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Bool _Static_assert bool
__attribute__ asm __asm__ __asm __volatile__ __inline__ __typeof__ typeof
_Alignof __builtin_offsetof offsetof""".split())
TYPE_WORDS = set("char const double enum float int long short signed struct union unsigned "
                 "void volatile bool _Bool static register extern inline restrict".split())
# the parenthesised arguments of these are types, layout or asm text: not code
OPAQUE = {"_Static_assert", "__attribute__", "asm", "__asm__", "__asm", "sizeof",
          "__typeof__", "typeof", "_Alignof", "offsetof", "__builtin_offsetof"}
ASM_WORDS = {"asm", "__asm__", "__asm"}

COMPARE = {"<": ("<=", ">="), "<=": ("<", ">"), ">": (">=", "<="), ">=": (">", "<"),
           "==": ("!=",), "!=": ("==",)}
ARITH = {"+": "-", "-": "+", "*": "/", "/": "*", "%": "/", "<<": ">>", ">>": "<<",
         "&": "|", "|": "&", "^": "|", "+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=",
         "%=": "/=", "<<=": ">>=", ">>=": "<<=", "&=": "|=", "|=": "&=", "^=": "|=",
         "++": "--", "--": "++"}
ASSIGN_NEXT = {"=", "(", "[", ".", "->", "++", "--", "+=", "-=", "*=", "/=", "%=",
               "&=", "|=", "^=", "<<=", ">>="}


def c_tokens(text):
    """Significant tokens; preprocessor lines (with their continuations),
    comments and whitespace dropped. Strings are kept as opaque tokens."""
    toks, pos, line_start = [], 0, True
    while pos < len(text):
        m = C_TOKEN_RE.match(text, pos)
        if not m:
            pos += 1
            continue
        kind, s = m.lastgroup, m.group()
        if kind == "punct" and s == "#" and line_start:
            while True:         # skip to the end of the directive
                nl = text.find("\n", pos)
                if nl < 0:
                    return toks
                if text[nl - 1] != "\\":
                    pos = nl
                    break
                pos = nl + 1
            continue
        if kind == "nl":
            line_start = True
        elif kind not in ("ws", "comment"):
            line_start = False
            toks.append(Tok(kind, s, m.start(), m.end()))
        pos = m.end()
    return toks


def match_close(toks, i):
    """Index of the bracket closing toks[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    opener, closer, depth = toks[i].text, pairs[toks[i].text], 0
    for j in range(i, len(toks)):
        if toks[j].text == opener:
            depth += 1
        elif toks[j].text == closer:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def is_type_name(toks, i):
    t = toks[i]
    if t.kind != "id":
        return False
    return (t.text in TYPE_WORDS or t.text.endswith("_t") or
            (i > 0 and toks[i - 1].text in ("struct", "union", "enum")))


def is_cast(toks, close):
    """Is the ')' at toks[close] the end of a cast, (type *)?"""
    depth, j = 0, close
    while j >= 0:
        if toks[j].text == ")":
            depth += 1
        elif toks[j].text == "(":
            depth -= 1
            if depth == 0:
                break
        j -= 1
    before = toks[j - 1] if j > 0 else None
    if before is not None and before.kind == "id" and before.text not in ("return", "case"):
        return False        # a call, or sizeof(type)
    inner = toks[j + 1:close]
    if not inner or not is_type_name(toks, j + 1):
        return False
    return all(t.kind == "id" or t.text == "*" for t in inner)


def ends_operand(toks, i, heads):
    """Does toks[i] end an operand, so that an operator after it is binary?
    heads: the ')' closing if/for/while/switch conditions."""
    t = toks[i]
    if t.kind in ("num", "str", "chr"):
        return True
    if t.kind == "id":
        return t.text not in KEYWORDS and not is_type_name(toks, i)
    if t.text == "]":
        return True
    if t.text == ")":
        return i not in heads and not is_cast(toks, i)
    return False


def c_regions(toks):
    """Per token: may it be mutated (inside a function body or an initializer,
    outside opaque groups)? Does a statement of a block start there? And the
    indices of the ')' closing if/for/while/switch conditions."""
    n = len(toks)
    mutable = [False] * n
    stmt_start = [False] * n
    stack = []                  # 'func' | 'block' | 'init' | 'type'
    opaque_until = -1
    global_init = False         # between '=' and ';' at file scope
    heads = set()               # indices of ')' closing if/for/while/switch heads
    parens = 0                  # open parentheses in the current brace level
    outer_parens = []
    prev = None
    for i, t in enumerate(toks):
        in_code = "func" in stack or "init" in stack or global_init
        mutable[i] = in_code and i > opaque_until
        if t.text in OPAQUE and i + 1 < n and toks[i + 1].text == "(" or \
                t.text in ASM_WORDS:
            k = i + 1
            while k < n and toks[k].text != "(":
                k += 1
            opaque_until = max(opaque_until, match_close(toks, k) if k < n else n)
        if t.text in ("if", "for", "while", "switch") and i + 1 < n and toks[i + 1].text == "(":
            heads.add(match_close(toks, i + 1))
        top = stack[-1] if stack else None
        if top in ("func", "block") and parens == 0:
            if prev is None or prev.text in (";", "{", "}", "else", "do") or \
                    (i - 1) in heads or prev.text == ":" and stmt_label(toks, i - 1):
                stmt_start[i] = True
        if t.text == "(":
            parens += 1
        elif t.text == ")":
            parens -= 1
        elif t.text == "{":
            if prev is not None and prev.text == ")" and not stack:
                kind = "func"
            elif prev is not None and prev.text in ("=", "(") or top == "init" or \
                    (prev is not None and prev.text == ")" and is_cast(toks, i - 1)):
                kind = "init"
            elif top in ("func", "block") and not (
                    prev is not None and (prev.text in ("struct", "union", "enum") or
                                          (i > 1 and toks[i - 2].text in
                                           ("struct", "union", "enum")))):
                kind = "block"
            else:
                kind = "type"
            stack.append(kind)
            outer_parens.append(parens)
            parens = 0
        elif t.text == "}":
            if stack:
                stack.pop()
                parens = outer_parens.pop()
        elif t.text == "=" and not stack:
            global_init = True
        elif t.text == ";" and not stack:
            global_init = False
        prev = t
    return mutable, stmt_start, heads


def stmt_label(toks, colon):
    """Does the ':' at toks[colon] end a case/default/goto label?"""
    j = colon - 1
    if j >= 0 and toks[j].text == "default":
        return True
    if j >= 1 and toks[j].kind == "id" and toks[j - 1].text in (";", "{", "}"):
        return True
    while j >= 0 and toks[j].text not in (";", "{", "}", ":", "?", "case"):
        j -= 1
    return j >= 0 and toks[j].text == "case"


def statement_end(toks, i):
    """Index of the ';' ending the simple statement starting at toks[i] (its
    braces are a compound literal's)."""
    depth = 0
    for j in range(i, len(toks)):
        s = toks[j].text
        if s in ("(", "[", "{"):
            depth += 1
        elif s in (")", "]", "}"):
            depth -= 1
        elif s == ";" and depth == 0:
            return j
    return None


def deletable(toks, i):
    t = toks[i]
    nxt = toks[i + 1].text if i + 1 < len(toks) else ""
    if t.text in ("return", "break", "continue", "goto") or t.text in ASM_WORDS:
        return True
    if t.text in ("*", "++", "--"):
        return True
    if t.text == "(":
        return nxt != "void"
    return (t.kind == "id" and t.text not in KEYWORDS and not is_type_name(toks, i)
            and nxt in ASSIGN_NEXT)


def offset_constant(text, delta):
    m = re.match(r"(0[xX])?([0-9a-fA-F]+)([uUlL]*)$", text)
    hexa, digits, suffix = m.groups()
    if hexa:
        v = int(digits, 16) + delta
        return None if v < 0 else "%s%x%s" % (hexa, v, suffix)
    if len(digits) > 1 and digits.startswith("0"):
        v = int(digits, 8) + delta
        return None if v < 0 else "0%o%s" % (v, suffix)
    v = int(digits) + delta
    return None if v < 0 else "%d%s" % (v, suffix)


def c_edits(text):
    """(op, start, end, replacement) for every mutant of a C file."""
    toks = c_tokens(text)
    mutable, stmt_start, heads = c_regions(toks)
    edits = []
    for i, t in enumerate(toks):
        if stmt_start[i] and mutable[i] and deletable(toks, i):
            end = statement_end(toks, i)
            if end is not None:
                prev = toks[i - 1].text if i else ""
                # a body of if/else/for must stay a statement; an empty block
                # rather than ';' (-Wempty-body)
                repl = "{}" if prev in (")", "else", "do") else ""
                if prev == ":":
                    repl = ";"
                edits.append(("delete", t.start, toks[end].end, repl))
        if not mutable[i]:
            continue
        if t.kind == "num":
            for delta in (1, -1):
                new = offset_constant(t.text, delta)
                if new is not None:
                    edits.append(("constant", t.start, t.end, new))
        elif t.text in COMPARE:
            for new in COMPARE[t.text]:
                edits.append(("comparison", t.start, t.end, new))
        elif t.text in ARITH and i > 0:
            unary_ok = t.text in ("++", "--") or t.text.endswith("=")
            if unary_ok or ends_operand(toks, i - 1, heads):
                edits.append(("arithmetic", t.start, t.end, ARITH[t.text]))
        elif t.text == "if" and i + 1 < len(toks) and toks[i + 1].text == "(":
            close = match_close(toks, i + 1)
            inner = text[toks[i + 1].end:toks[close].start]
            edits.append(("invert", toks[i + 1].start, toks[close].end, "(!(%s))" % inner))
    return edits


# -- assembly ----------------------------------------------------------------

JCC_NEGATE = {"e": "ne", "ne": "e", "z": "nz", "nz": "z", "b": "ae", "ae": "b",
              "a": "be", "be": "a", "l": "ge", "ge": "l", "g": "le", "le": "g",
              "s": "ns", "ns": "s", "c": "nc", "nc": "c", "nb": "b", "nae": "ae"}
JCC_BOUNDARY = {"b": "be", "be": "b", "a": "ae", "ae": "a", "l": "le", "le": "l",
                "g": "ge", "ge": "g"}
ASM_ARITH = {"add": "sub", "sub": "add", "and": "or", "or": "and", "xor": "or",
             "shl": "shr", "shr": "shl", "sal": "sar", "sar": "shr", "inc": "dec",
             "dec": "inc"}
ASM_NUM_RE = re.compile(r"(?<![\w.\\])(0[xX][0-9a-fA-F]+|\d+)(?![\w.])")


def asm_blank_comments(text):
    """The text with comments replaced by spaces (offsets kept)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group())
    text = re.sub(r"/\*.*?\*/", blank, text, flags=re.S)
    return re.sub(r"(?m)//.*$", blank, text)


def asm_edits(text):
    edits = []
    clean = asm_blank_comments(text)
    pos = 0
    in_directive = False
    for line in clean.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        continued = in_directive
        in_directive = stripped.endswith("\\") and (in_directive or stripped.startswith("#"))
        if continued or stripped.startswith("#") or not stripped:
            continue
        # past any labels "name:" or "1:"
        m = re.match(r"\s*(?:[\w.$\\]+:\s*)*", line)
        col = m.end()
        m = re.match(r"([a-z][a-z0-9]*)\b(.*)", line[col:])
        if not m or re.match(r"\s*=", m.group(2)):
            continue        # a directive (.xxx), a macro (UPPER), an assignment
        mnem, ops = m.group(1), m.group(2)
        ops = re.sub(r"\s#.*$", "", ops)
        istart, iend = start + col, start + col + len(mnem) + len(ops.rstrip())
        edits.append(("delete", istart, iend, ""))
        mend = istart + len(mnem)
        jm = re.match(r"(j|set|cmov)(n?[a-z]{1,2})$", mnem)
        if jm and jm.group(2) in JCC_NEGATE and mnem not in ("jmp",):
            stem, cc = jm.groups()
            edits.append(("comparison", istart, mend, stem + JCC_NEGATE[cc]))
            if cc in JCC_BOUNDARY:
                edits.append(("comparison", istart, mend, stem + JCC_BOUNDARY[cc]))
        am = re.match(r"(add|sub|and|or|xor|shl|shr|sal|sar|inc|dec)([bwlq]?)$", mnem)
        if am:
            edits.append(("arithmetic", istart, mend, ASM_ARITH[am.group(1)] + am.group(2)))
        if not mnem.startswith("j") and mnem not in ("call", "loop"):
            for nm in ASM_NUM_RE.finditer(ops):
                s, e = mend + nm.start(), mend + nm.end()
                for delta in (1, -1):
                    new = offset_constant(nm.group(), delta)
                    if new is not None:
                        edits.append(("constant", s, e, new))
    return edits


# -- mutants -----------------------------------------------------------------

def mutants_of(path, text):
    """Every mutant of one file, in file order. path only names them."""
    edits = asm_edits(text) if path.endswith(".S") else c_edits(text)
    edits.sort(key=lambda e: (e[1], e[2], e[0], e[3]))
    seen = collections.Counter()
    out = []
    for op, start, end, new in edits:
        ls = text.rfind("\n", 0, start) + 1
        le = text.find("\n", end)
        le = len(text) if le < 0 else le
        old_text = " ".join(text[ls:le].split())
        new_text = " ".join((text[ls:start] + new + text[end:le]).split())
        ident = "%s\0%s\0%s\0%s" % (path, op, old_text, new_text)
        seen[ident] += 1
        key = hashlib.sha1(("%s\0%d" % (ident, seen[ident])).encode()).hexdigest()[:10]
        out.append(Mutant(path, text.count("\n", 0, start) + 1, op, start, end, new,
                          old_text, new_text or "(deleted)", key,
                          " ".join(text[start:end].split())))
    return out


def folder_of(path):
    return os.path.dirname(path)


def stratum_of(path):
    """The top folder of FOLDERS holding path (its first component if none):
    what the score is per, and what the sample shares out evenly."""
    for f in FOLDERS:
        if path.startswith(f + "/"):
            return f
    return path.split("/", 1)[0]


def source_files(root):
    p = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--"]
                       + list(FOLDERS), cwd=root, capture_output=True, text=True, check=True)
    return sorted(f for f in p.stdout.split("\n")
                  if f.endswith((".c", ".h", ".S")) and os.path.exists(os.path.join(root, f)))


def all_mutants(root):
    out = []
    for path in source_files(root):
        with open(os.path.join(root, path)) as f:
            out += mutants_of(path, f.read())
    return out


def take_turns(lists):
    """One from each list in turn until all are empty."""
    q = []
    while any(lists):
        for lst in lists:
            if lst:
                q.append(lst.pop(0))
    return q


def sample(mutants, n, seed):
    """n mutants, the same for the same seed and tree. The top folders take
    turns (in a seeded order), so each gets n/4 however many mutants it
    holds; inside one, its subfolders take turns, and inside a subfolder the
    operators, each drawing from its own seeded shuffle."""
    rnd = random.Random(seed)
    tree = collections.defaultdict(
        lambda: collections.defaultdict(lambda: collections.defaultdict(list)))
    for m in mutants:
        tree[stratum_of(m.path)][folder_of(m.path)][m.op].append(m)
    queues = {}
    for stratum in sorted(tree):
        folders = []
        for folder in sorted(tree[stratum]):
            ops = sorted(tree[stratum][folder])
            rnd.shuffle(ops)
            lists = []
            for op in ops:
                lst = list(tree[stratum][folder][op])
                rnd.shuffle(lst)
                lists.append(lst)
            folders.append(take_turns(lists))
        rnd.shuffle(folders)
        queues[stratum] = take_turns(folders)
    order = sorted(queues)
    rnd.shuffle(order)
    picked = []
    while len(picked) < n and any(queues[s] for s in order):
        for s in order:
            if queues[s] and len(picked) < n:
                picked.append(queues[s].pop(0))
    return sorted(picked, key=lambda m: (m.path, m.start, m.op, m.new))


def read_equivalent(path):
    """{key: reason} from the checked-in list: '<key> <file>:<line> ... -- reason'."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key = line.split()[0]
                out[key] = line.split(" -- ", 1)[1] if " -- " in line else ""
    return out


def describe(m):
    if m.op == "delete":
        return "%s:%d delete [%s] %s -> (deleted)" % (m.path, m.line, m.key, m.deleted)
    return "%s:%d %s [%s] %s -> %s" % (m.path, m.line, m.op, m.key, m.old_text, m.new_text)


# -- running -----------------------------------------------------------------

class Tree:
    """A private copy of the tracked files with its own build directory."""

    def __init__(self, root, index):
        self.root = root
        self.dir = os.path.join(root, "build", "mutate", "tree%d" % index)
        self.suite_jobs = 1	# tests side by side in one suite run

    def sync(self):
        """Make the copy equal the working tree (changed files only, so its
        build stays up to date from one run to the next)."""
        p = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=self.root, capture_output=True, text=True, check=True)
        files = [f for f in p.stdout.split("\n")
                 if f and os.path.isfile(os.path.join(self.root, f))]
        for f in files:
            src, dst = os.path.join(self.root, f), os.path.join(self.dir, f)
            with open(src, "rb") as a:
                data = a.read()
            if os.path.exists(dst):
                with open(dst, "rb") as b:
                    if b.read() == data:
                        continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            os.utime(dst)       # newer than any object built from an older copy
        keep = set(files)
        for dirpath, dirnames, filenames in os.walk(self.dir):
            rel = os.path.relpath(dirpath, self.dir)
            if rel == "build" or rel.startswith("build" + os.sep) or rel.startswith(".git"):
                dirnames[:] = []
                continue
            for fn in filenames:
                r = os.path.normpath(os.path.join(rel, fn))
                if r not in keep:
                    os.unlink(os.path.join(dirpath, fn))

    def build(self, timeout):
        try:
            # what make test builds: the image, the unit tests, the fuzz replays
            p = subprocess.run(["make", "all", "build/unit_tests", "fuzz-replay"], cwd=self.dir,
                               capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, "build timed out"
        return p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]

    def suite(self, timeout, skip=(), only=()):
        """(passed, first failing test or 'timeout', seconds, output). only:
        the tests whose name contains one of these ("unit": the unit tests)."""
        t0 = time.monotonic()
        argv = [sys.executable, "tests/run_tests.py", "--accel", "tcg", "--fail-fast",
                "--jobs", str(self.suite_jobs), "--order", "fast-first"]
        for s in skip:
            argv += ["--skip", s]
        for s in only:
            argv += ["--only", s]
        proc = subprocess.Popen(argv, cwd=self.dir, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            out = None
        finally:
            # the suite's own QEMUs and host tools' children, whatever is left
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        secs = time.monotonic() - t0
        if out is None:
            return False, "timeout", secs, ""
        m = re.search(r"(?m)^FAIL (\S+)", out)
        if proc.returncode == 0 and not m:
            return True, None, secs, out
        return False, m.group(1) if m else "exit %d" % proc.returncode, secs, out

    def apply(self, m):
        path = os.path.join(self.dir, m.path)
        with open(path) as f:
            original = f.read()
        with open(path, "w") as f:
            f.write(original[:m.start] + m.new + original[m.end:])
        return original

    def restore(self, m, original):
        path = os.path.join(self.dir, m.path)
        with open(path, "w") as f:
            f.write(original)
        # the mutant's object is newer than the restored source: drop it
        obj = os.path.join(self.dir, "build", "obj", m.path + ".o")
        if os.path.exists(obj):
            os.unlink(obj)


def run_mutant(tree, m, timeout, skip, only=()):
    original = tree.apply(m)
    restored = False
    try:
        ok, log = tree.build(timeout=900)
        if not ok:
            return "no compile", 0.0
        passed, failed, secs, _ = tree.suite(timeout, skip, only)
        if passed:
            return "survived", secs
        if failed == "timeout":
            return "killed (timeout)", secs
        # a failure that does not come back on the mutant, or comes without
        # it, is the test's or the host's, not the mutant's doing
        name = re.sub(r"^unit/.*", "unit", failed)
        if name != "unit" and "/" not in name:
            return "killed by %s" % failed, secs   # the runner itself died: no test to re-run
        again, _, more, _ = tree.suite(timeout, skip, [name])
        secs += more
        if again:
            return "flaky (%s failed once, then passed on the mutant)" % failed, secs
        tree.restore(m, original)
        restored = True
        if not tree.build(timeout=900)[0]:
            return "flaky (%s failed; the unmutated tree no longer builds)" % failed, secs
        clean, _, more, _ = tree.suite(timeout, skip, [name])
        secs += more
        if not clean:
            return "flaky (%s fails on the unmutated tree too)" % failed, secs
        return "killed by %s" % failed, secs
    finally:
        if not restored:
            tree.restore(m, original)


class Report:
    def __init__(self, path):
        self.lines = []
        self.path = path
        self.lock = threading.Lock()

    def say(self, line=""):
        with self.lock:
            print(line, flush=True)
            self.lines.append(line)

    def write(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def verdict(result):
    """The score's column of a run_mutant result."""
    for v in ("killed", "flaky"):
        if result.startswith(v):
            return v
    return result.replace(" ", "_")


def summarise(report, picked, results):
    """The score per top folder (with its subfolders under it when it has
    more than one), the survivors and the flaky kills."""
    stats = collections.defaultdict(collections.Counter)
    for m in picked:
        v = verdict(results[m.key])
        stats[stratum_of(m.path)][v] += 1
        stats[(stratum_of(m.path), folder_of(m.path))][v] += 1
    report.say()
    report.say("score per folder (killed / (killed + survived)):")
    total = collections.Counter()
    for stratum in sorted(k for k in stats if isinstance(k, str)):
        total.update(stats[stratum])
        report.say("  " + score_line(stratum, stats[stratum]))
        subs = sorted(k for k in stats if isinstance(k, tuple) and k[0] == stratum)
        if len(subs) > 1:
            for key in subs:
                report.say("    " + score_line(key[1], stats[key], 12))
    report.say("  " + score_line("overall", total))
    for title, v in (("survivors", "survived"), ("flaky, not counted", "flaky")):
        listed = [m for m in picked if verdict(results[m.key]) == v]
        report.say()
        report.say("%s (%d):" % (title, len(listed)))
        for m in listed:
            report.say("  " + describe(m) + ("" if v == "survived" else ": " + results[m.key]))
    return total


def score_line(name, c, width=14):
    scored = c["killed"] + c["survived"]
    pct = "%5.1f%%" % (100.0 * c["killed"] / scored) if scored else "    -"
    return "%-*s %s  %d killed, %d survived, %d flaky, %d no compile, %d equivalent" % (
        width, name, pct, c["killed"], c["survived"], c["flaky"], c["no_compile"],
        c["equivalent"])


def chosen(mutants, only):
    """The mutants named by key or FILE:LINE, in the order asked."""
    out = []
    for o in only:
        got = [m for m in mutants if o in (m.key, "%s:%d" % (m.path, m.line))]
        if not got:
            sys.exit("mutate: no mutant %s (a key or FILE:LINE from --list --n 0)" % o)
        out += [m for m in got if m not in out]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=40, help="mutants to sample")
    ap.add_argument("--jobs", type=int, default=1,
                    help="mutants run at once, each in its own tree copy")
    ap.add_argument("--timeout", type=float,
                    help="seconds for one mutant's suite (default: 2x the unmutated suite + 120)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="do not run the suite on the unmutated tree first (needs --timeout)")
    ap.add_argument("--skip", action="append", default=[], metavar="SUBSTRING",
                    help="leave out the integration tests whose name contains this (one that "
                    "fails on the unmutated tree would kill every mutant)")
    ap.add_argument("--list", action="store_true",
                    help="print the sampled mutants (or all with --n 0) and stop")
    ap.add_argument("--only", action="append", default=[], metavar="KEY|FILE:LINE",
                    help="run these mutants instead of a sample")
    ap.add_argument("--tests", action="append", default=[], metavar="SUBSTRING",
                    help="run only the tests whose name contains this ('unit': the unit "
                    "tests), not the whole suite")
    args = ap.parse_args()

    mutants = all_mutants(ROOT)
    if args.only:
        picked = chosen(mutants, args.only)
    else:
        picked = sample(mutants, args.n if args.n else len(mutants), args.seed)
    if args.list:
        for m in picked:
            print(describe(m))
        print("%d of %d mutants" % (len(picked), len(mutants)))
        return
    if args.no_baseline and not args.timeout:
        ap.error("--no-baseline needs --timeout")
    equivalent = read_equivalent(os.path.join(ROOT, EQUIVALENT))
    report = Report(os.path.join(ROOT, "build", "mutate.txt"))
    report.say("mutate: %d of %d mutants, seed %d, %d job(s)%s%s" %
               (len(picked), len(mutants), args.seed, args.jobs,
                "".join(", without %s" % s for s in args.skip),
                "".join(", only tests %s" % s for s in args.tests)))

    trees = [Tree(ROOT, j) for j in range(max(1, args.jobs))]
    for t in trees:
        # the cores shared out: one mutant's suite runs its tests side by side
        t.suite_jobs = max(1, (os.cpu_count() or 1) // len(trees))
    for tree in trees:
        tree.sync()
        ok, log = tree.build(timeout=1800)
        if not ok:
            sys.exit("mutate: the unmutated tree does not build in %s:\n%s" % (tree.dir, log))
    timeout = args.timeout
    if not args.no_baseline:
        passed, failed, secs, out = trees[0].suite(args.timeout or 3600, args.skip, args.tests)
        if not passed:
            sys.exit("%s\nmutate: the suite fails on the unmutated tree (%s): fix it, or "
                     "leave that test out (--skip NAME, make mutate SKIP='NAME ...')"
                     % (out[-3000:], failed))
        report.say("unmutated suite passes in %.0fs" % secs)
        timeout = timeout or 2 * secs + 120
    report.say("a suite running past %.0fs kills its mutant (timeout)" % timeout)

    results = {}
    free = list(trees)
    free_lock = threading.Lock()
    done = [0]

    def one(m):
        if m.key in equivalent:
            r, secs = "equivalent", 0.0
        else:
            with free_lock:
                tree = free.pop()
            try:
                r, secs = run_mutant(tree, m, timeout, args.skip, args.tests)
            finally:
                with free_lock:
                    free.append(tree)
        results[m.key] = r
        with free_lock:
            done[0] += 1
            k = done[0]
        report.say("[%d/%d] %s: %s%s" % (k, len(picked), describe(m), r,
                                          " (%.0fs)" % secs if secs else ""))

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(trees)) as pool:
        for f in [pool.submit(one, m) for m in picked]:
            f.result()
    summarise(report, picked, results)
    report.write()
    print("written: %s" % os.path.relpath(report.path, os.getcwd()))


if __name__ == "__main__":
    main()
