/*
 * What every C pass of an NMI does around its sources (NMI.md, companion
 * rules), inline: nmi_dispatch and the profiler's fast pass both run it.
 * CR2 and DR6 are read on entry and written back if the pass changed them
 * (an NMI may interrupt a #PF or #DB handler before it read them); DR7
 * breakpoints are off during the pass (no watchpoint fires in NMI context;
 * the single-step #DB over an int3 is the one #DB allowed). Only a #PF
 * writes CR2 and only a #DB writes DR6, and the trap path counts every
 * exception taken in NMI context (stats.faults_all): a pass that took none
 * reads each register once and writes none (on hardware a CR or DR access
 * costs tens of cycles, and under a hypervisor it may exit); a pass that
 * took any reads CR2 and DR6 again and writes back the one that changed.
 */
#ifndef MONITOR_NMI_PASS_H
#define MONITOR_NMI_PASS_H

#include "monitor/nmi/nmi.h"
#include "monitor/debug/dr_alloc.h"
#include "arch/x86_64/cpu.h"

struct nmi_pass_regs {
	uint64_t cr2, dr6, dr7;
	/* exceptions taken in NMI context before the pass (stats.faults_all,
	 * never near 2^63), with NMI_PASS_DR7_OFF or'ed in when the pass turned
	 * DR7's breakpoints off: the end's one test compares it with the count */
	uint64_t mark;
};

#define NMI_PASS_DR7_OFF	(1ull << 63)

static inline void nmi_pass_begin(struct nmi_cpu *n, struct nmi_pass_regs *r)
{
	uint64_t faults = n->stats.faults_all;

	r->mark = faults;
	r->cr2 = read_cr2();
	r->dr6 = read_dr6();
	r->dr7 = read_dr7();
	if (r->dr7 & DR7_ENABLE_BITS) {
		write_dr7(r->dr7 & ~DR7_ENABLE_BITS);
		r->mark = faults | NMI_PASS_DR7_OFF;
	}
}

static inline void nmi_pass_end_restore(struct nmi_cpu *n, const struct nmi_pass_regs *r)
{
	uint64_t dr7 = r->dr7;

	if (n->break_rip) {
		/* an execute breakpoint in the register the allocator keeps for it */
		dr_write_addr(DR_BREAK_REG, n->break_rip);
		dr7 = dr7_with(dr7, DR_BREAK_REG, DR_RW_EXEC, 1);
		n->break_rip = 0;
		write_dr7(dr7);
	} else if (dr7 & DR7_ENABLE_BITS) {
		write_dr7(dr7);
	}
	if (n->stats.faults_all != (r->mark & ~NMI_PASS_DR7_OFF)) {
		if (read_dr6() != r->dr6)
			write_dr6(r->dr6);
		if (read_cr2() != r->cr2)
			write_cr2(r->cr2);
	}
}

/* The usual pass (no break requested, DR7 had nothing enabled, no
 * exception taken) has nothing to restore: one test tells it. */
static inline void nmi_pass_end(struct nmi_cpu *n, const struct nmi_pass_regs *r)
{
	if (__builtin_expect(n->break_rip | (n->stats.faults_all ^ r->mark), 0))
		nmi_pass_end_restore(n, r);
}

#endif
