/*
 * The #BP/#DB path. Everything reached from here before a hit is dealt
 * with lies in .text.debugpath, where breakpoints are refused; the build
 * checks it from the disassembly (tools/check_debug_path.py), with the few
 * exits it allows listed there with their reasons.
 */
#include "monitor/debug/debug_trap.h"
#include "monitor/debug/break_watch.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/debug/debug_path.h"
#include "monitor/debug/step.h"
#include "monitor/debug/stop.h"
#include "monitor/debug/watchpoint.h"
#include "monitor/nmi/nmi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"

#define VEC_BP 3

/* Deliberate int3 instructions (nmi test), listed by address in a
 * linker-bounded table like the fixup table. */
extern const uint64_t __int3_sites_start[], __int3_sites_end[];

/* Per CPU: a Ctrl-C that came while the command was mid-way through an
 * out-of-line step; its #DB stops instead. */
static DEBUG_PATH_DATA volatile bool break_pending[MAX_CPUS];

DEBUG_PATH static bool int3_site(uint64_t addr)
{
	for (const uint64_t *s = __int3_sites_start; s < __int3_sites_end; s++)
		if (*s == addr)
			return true;
	return false;
}

DEBUG_PATH static bool can_stop(void)
{
	struct percpu *cpu = this_cpu();

	return cpu->nmi_depth == 0 && cpu->irq_depth == 0;
}

DEBUG_PATH bool debug_trap(struct trap_frame *f)
{
	unsigned int me = this_cpu()->cpu;
	uint64_t dr6;
	bool stop_after, watched;
	unsigned int watch;

	if (f->vector == VEC_BP) {
		if (int3_site(f->rip - 1))
			return true;	/* a deliberate int3 (nmi test): RIP is past it */
		return bp_on_int3(f);
	}
	dr6 = read_dr6();
	if (this_cpu()->nmi_depth == 0 && break_watch_on_db(f, dr6))
		return true;	/* the Ctrl-C watch's break: stopped, or not its context */
	/* Watchpoint hits first: a step over an instruction that writes a
	 * watched address reports both in one #DB, and the watchpoint is the
	 * stop's reason. */
	watched = wp_on_debug(f, dr6, can_stop() && !stop_active(), &watch);
	/* A single step: DR6.BS, or TF in the frame. DR6 is one register for
	 * every level: a step that finishes in an NMI which came in before this
	 * handler read DR6 clears the BS bit of ours (the NMI dispatcher puts
	 * DR6 back only for what its own pass changed). The monitor sets TF for
	 * its steps alone, so TF in the frame says it as surely. */
	if (!(dr6 & DR6_BS) && !(f->rflags & X86_RFLAGS_TF)) {
		if (watch)
			stop_enter(f, STOP_WATCH, watch);
		return watched;
	}
	if (dr6 & DR6_BS)
		write_dr6(dr6 & ~DR6_BS);	/* DR6 bits are sticky */
	if (!step_on_single_step(f, &stop_after))
		return watched;
	if (watch) {
		break_pending[me] = false;
		stop_enter(f, STOP_WATCH, watch);
	} else if (can_stop() && stop_after) {
		break_pending[me] = false;
		stop_enter(f, STOP_STEP, 0);
	} else if (can_stop() && break_pending[me] && !step_in_slot(f->rip)) {
		break_pending[me] = false;
		stop_enter(f, STOP_BREAK, 0);
	}
	return true;
}

void debug_break_at(struct trap_frame *f)
{
	if (step_in_slot(f->rip))
		break_pending[this_cpu()->cpu] = true;
	else
		stop_enter(f, STOP_BREAK, 0);
}
