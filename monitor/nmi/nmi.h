/*
 * The NMI dispatcher (C side of arch/x86_64/nmi_entry.S). Functions named
 * nmi_*_in_nmi and the source callbacks run in NMI context: they never
 * print, block, or take a lock normal context can hold; they may fault
 * (#PF on lazy memory, #BP, the single-step #DB).
 */
#ifndef MONITOR_NMI_H
#define MONITOR_NMI_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/nmi/nmi_account.h"
#include "arch/x86_64/trap_frame.h"

struct nmi_source {
	const char *name;
	/* NMI context. Was this NMI (or an earlier, merged one) yours? Serve it. */
	bool (*claim_in_nmi)(const struct trap_frame *f, bool repeat);
	/* The fast pass (nmi_set_fast_pass) asks this source itself; with any
	 * source registered that it does not know, there is no fast pass. */
	bool fast_pass_checks;
};

struct nmi_cpu {
	/* The fast pass declines when the C latch is not idle or nmi test's
	 * switch is on: one load of the word both lie in tells it (idle is 0;
	 * the padding, zero from the static array, is never written). */
	union {
		struct {
			volatile int latch;
			bool debug_unmask;	/* test switch: every pass unblocks NMIs at once */
		};
		volatile uint64_t fast_veto;
	};
	struct nmi_stats stats;
	struct nmi_log log;
	volatile uint64_t break_rip;	/* requested by nmi_request_break_in_nmi */
	/* sources that claimed the running pass so far, for the ones asked
	 * after them (a source registered later can tell a pass that was not
	 * caused by it) */
	unsigned int pass_claims;
};

_Static_assert(NMI_LATCH_IDLE == 0, "fast_veto: an idle latch is 0");

void nmi_init(void);	/* after gdt_init and apic_init: paints the NMI stack */
/* Boot time only (normal context, before NMIs are used). */
void nmi_register_source(const struct nmi_source *src);

struct nmi_cpu *nmi_this_cpu(void);
void nmi_dispatch(struct trap_frame *f);	/* called by nmi_entry.S */

/*
 * The fast pass: a pass specialised to the sources it knows, without the
 * loop over them, tried by nmi_entry.S before nmi_dispatch. It returns
 * false, having changed nothing, when the pass is not one it can take
 * (then nmi_dispatch runs); true when it did everything nmi_dispatch would
 * have (latch, nmi_pass.h, the sources' claims, accounting). Its frame has
 * RIP, RFLAGS, RSP and RBP of the interrupted context and the registers a
 * call clobbers, not RBX or R12-R15 (the fast pass never reads them, and
 * the C calling convention keeps them). Set from normal context; refused
 * (false) while a source without fast_pass_checks is registered.
 */
extern bool (*volatile nmi_fast_pass)(struct trap_frame *f);
bool nmi_set_fast_pass(bool (*pass_in_nmi)(struct trap_frame *f));	/* NULL: none */
/* While held, every pass is general (the breakpoint engine holds it while
 * any breakpoint is set). */
void nmi_hold_fast_pass(bool held);

/* Counters the entry code keeps in the spare words above T. */
uint64_t nmi_nested_count(void);
uint64_t nmi_window_count(void);
/* Deepest use of this CPU's NMI stack so far, in bytes below T. */
uint64_t nmi_stack_deepest(void);
uint64_t nmi_stack_usable(void);

void nmi_log_in_nmi(uint32_t event, uint64_t arg);
/* Ask for a DR0 instruction breakpoint at rip, armed as the pass ends
 * (after DR7 is restored): the interrupted code faults into #DB there, in
 * its own context, where it can stop (monitor/debug/break_watch.c). */
void nmi_request_break_in_nmi(uint64_t rip);

#endif
