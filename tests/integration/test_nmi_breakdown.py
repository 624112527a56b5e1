"""tools/nmi_breakdown.py on a small hand-made QEMU execution log whose
counts are known: a plain sample, the repeated log lines QEMU writes for an
MMIO access under -icount, and an NMI that nests and repeats. No monitor is
built."""
import nmi_breakdown
from monitor import expect_eq

NM = """\
0000000000001000 T nmi_entry_start
0000000000001000 T nmi_entry
0000000000001010 T repeat_nmi
0000000000001020 T nmi_final_iret
0000000000001030 T nmi_entry_end
0000000000002000 T nmi_dispatch
0000000000003000 t claim_in_nmi
0000000000003100 T hpet_tick_in_nmi
0000000000004000 t sample_in_nmi
0000000000005000 t walk_callchain.isra.0
0000000000006000 T trap_stubs
0000000000006100 T trap_common
0000000000007000 T work_mix
""".splitlines()

CODE = {
    0x1000: ("fc", "cld"),
    0x1001: ("e8 fa 0f 00 00", "callq    0x2000"),
    0x1006: ("eb 18", "jmp      0x1020"),
    0x1008: ("48 cf", "iretq"),
    0x1010: ("e8 eb 0f 00 00", "callq    0x2000"),
    0x1015: ("eb 09", "jmp      0x1020"),
    0x1020: ("48 cf", "iretq"),
    0x2000: ("0f 20 d0", "movq     %cr2, %rax"),
    0x2003: ("0f 21 f8", "movq     %dr7, %rax"),
    0x2006: ("e8 f5 0f 00 00", "callq    0x3000"),
    0x200b: ("c3", "retq"),
    0x3000: ("e8 fb 00 00 00", "callq    0x3100"),
    0x3005: ("e8 f6 0f 00 00", "callq    0x4000"),
    0x300a: ("c3", "retq"),
    0x3100: ("48 8b 00", "movq     (%rax), %rax"),
    0x3103: ("49 89 12", "movq     %rdx, (%r10)"),
    0x3106: ("0f 31", "rdtsc"),
    0x3108: ("c3", "retq"),
    0x4000: ("e8 fb 0f 00 00", "callq    0x5000"),
    0x4005: ("65 48 89 77 08", "movq     %rsi, %gs:8(%rdi)"),
    0x400a: ("c3", "retq"),
    0x5000: ("48 8b 45 00", "movq     (%rbp), %rax"),
    0x5004: ("c3", "retq"),
    0x7000: ("90", "nop"),
}

REGS = ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15")


def in_asm():
    out = []
    for pc, (code, text) in sorted(CODE.items()):
        out += ["IN: ", "0x%08x:  %-24s %s" % (pc, code, text), ""]
    return out


def trace(pc, rsp, **regs):
    regs = dict(regs, rsp=rsp)
    vals = ["%s=%016x" % (r, regs.get(r.strip().lower(), 0)) for r in REGS]
    return ["Trace 0: 0x7f0000001000 [0000000000000000/%016x/0000c090/ff020201] " % pc,
            " ".join(vals[0:4]), " ".join(vals[4:8]), " ".join(vals[8:12]),
            " ".join(vals[12:16]),
            "RIP=%016x RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0" % pc,
            "GS =0000 0000000000166000 00000000 00000000"]


def pass_body(start_rsp, mmio):
    """The C part of one pass: dispatcher, timer source (HPET read and
    write), sampler and callchain, back to the entry code."""
    r = start_rsp - 8
    a = dict(rax=0xfed000f0 if mmio else 0x200000, r10=0xfed00108 if mmio else 0x200008,
             rdi=0x10, rbp=0x9100)
    lines = trace(0x2000, r, **a) + trace(0x2003, r, **a) + trace(0x2006, r, **a)
    lines += trace(0x3000, r - 8, **a)
    lines += trace(0x3100, r - 16, **a) + trace(0x3100, r - 16, **a)   # MMIO: logged twice
    lines += trace(0x3103, r - 16, **a) + trace(0x3103, r - 16, **a)
    lines += trace(0x3106, r - 16, **a) + trace(0x3108, r - 16, **a)
    lines += trace(0x3005, r - 8, **a) + trace(0x4000, r - 16, **a)
    lines += trace(0x5000, r - 24, **a) + trace(0x5004, r - 24, **a)
    lines += trace(0x4005, r - 16, **a) + trace(0x400a, r - 16, **a)
    lines += trace(0x300a, r - 8, **a) + trace(0x200b, r, **a)
    return lines


def log():
    top = 0x9000
    lines = in_asm()
    # a plain sample: entry, the pass, the exit by the final IRET
    lines += trace(0x7000, 0x8000) + trace(0x1000, top) + trace(0x1001, top)
    lines += pass_body(top, True)
    lines += trace(0x1006, top) + trace(0x1020, top) + trace(0x7000, 0x8000)
    # a nested NMI inside the dispatcher, then the repeat pass it causes
    lines += trace(0x1000, top) + trace(0x1001, top)
    lines += trace(0x2000, top - 8) + trace(0x2003, top - 8)
    lines += trace(0x1000, top + 40) + trace(0x1008, top + 40)      # nested path
    lines += trace(0x2006, top - 8) + trace(0x200b, top - 8)
    lines += trace(0x1006, top) + trace(0x1020, top)
    lines += trace(0x1010, top) + pass_body(top, False) + trace(0x1015, top) + trace(0x1020, top)
    lines += trace(0x7000, 0x8000)
    return [line + "\n" for line in lines]


def figures():
    syms = nmi_breakdown.Symbols(NM)
    nmis = nmi_breakdown.analyse(log(), syms)
    expect_eq(len(nmis), 2, "NMIs found in the log")
    return nmis, {name: value for name, value, _ in nmi_breakdown.summarise(nmis)}


def test_phases_and_functions_of_a_sample(accel):
    nmis, f = figures()
    # entry: cld, call; dispatcher: 3 + ret; source: call, call, ret in
    # claim_in_nmi and 4 in hpet_tick_in_nmi; sampler 3; callchain 2;
    # exit: jmp, iretq (the repeated MMIO lines count once)
    want = {"entry": 2, "dispatcher": 4, "source": 7, "sampler": 3, "callchain": 2, "exit": 2}
    for phase, n in want.items():
        expect_eq(nmis[0].phases[phase], n, "plain sample's %s instructions" % phase)
    expect_eq(f["breakdown.callchain.total"], "20.0", "the sample's instructions")
    expect_eq(f["breakdown.callchain.function.walk_callchain"], "2.0",
              "instructions of walk_callchain (a GCC clone's name folded)")
    expect_eq(f["breakdown.callchain.function.nmi_entry"], "4.0", "entry code instructions")


def test_slow_kinds_of_a_sample(accel):
    _, f = figures()
    pre = "breakdown.callchain.per_sample."
    expect_eq(f[pre + "mmio_read.hpet"], "1.00", "HPET reads (one, logged twice)")
    expect_eq(f[pre + "mmio_write.hpet"], "1.00", "HPET writes")
    expect_eq(f[pre + "cr_read.cr2"], "1.00", "CR2 reads")
    expect_eq(f[pre + "dr_read.dr7"], "1.00", "DR7 reads")
    expect_eq(f[pre + "rdtsc"], "1.00", "RDTSC")
    expect_eq(f[pre + "serialising"], "1.00", "serialising instructions (the IRET)")
    expect_eq(f.get(pre + "mmio_read.lapic"), None, "local APIC reads")


def test_a_nested_nmi_and_its_repeat(accel):
    nmis, f = figures()
    expect_eq((nmis[1].nestings, nmis[1].repeats), (1, 1), "nestings and repeats")
    expect_eq(f["breakdown.nested.path"], "2.0", "nested path: cld, iretq")
    # the repeat: repeat_nmi's call, then jmp, iretq after the C pass (the
    # protocol, entry code an unnested NMI never runs again), and the C
    # pass itself (16 instructions: the work the NMI's cause costs anyway)
    expect_eq(f["breakdown.nested.repeat_protocol"], "3.0", "repeat protocol instructions")
    expect_eq(f["breakdown.nested.nesting_cost"], "5.0", "nesting's cost: path + protocol")
    expect_eq(f["breakdown.nested.repeat_work"], "16.0", "repeat pass's C work")
    expect_eq(f["breakdown.nested.repeat_pass"], "19.0", "repeat pass instructions")
    expect_eq(f["breakdown.nested.path_plus_repeat"], "21.0", "nested NMI's whole cost")
