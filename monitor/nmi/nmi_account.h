/*
 * The NMI dispatcher's portable bookkeeping (host unit tests build it):
 * the C latch, pass accounting, handler-cost figures and the NMI log ring.
 * Everything here runs in NMI context: no locks, no waiting, bounded work.
 */
#ifndef MONITOR_NMI_ACCOUNT_H
#define MONITOR_NMI_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

/* Defence in depth (Linux's nmi.c does the same): the entry code already
 * guarantees that C is never re-entered; if it ever were, the re-entry only
 * marks LATCHED and returns, and the running pass loops once more. */
enum nmi_latch { NMI_LATCH_IDLE, NMI_LATCH_RUNNING, NMI_LATCH_AGAIN };

struct nmi_stats {
	uint64_t first;		/* first-level NMIs (C passes with pass number 0) */
	uint64_t repeats;	/* C passes entered through repeat_nmi */
	uint64_t handled;	/* passes some source claimed */
	uint64_t unknown;	/* first passes nobody claimed */
	uint64_t swallowed;	/* repeat passes with nothing left to do */
	uint64_t latched;	/* C-latch entries: must stay 0 */
	uint64_t faults[32];	/* exceptions taken in NMI context, by vector */
	uint64_t faults_all;	/* ... of every vector: nmi_pass.h's one test */
	uint64_t cycles_min, cycles_max, cycles_sum, timed;
};

/* Inline: the dispatcher runs them on every NMI, where each instruction
 * counts (`make bench` breaks a sample down). */

/* Returns true if the caller may run the handler; false: it re-entered and
 * was latched (counted), return at once. */
static inline bool nmi_latch_enter(volatile int *latch, struct nmi_stats *s)
{
	if (*latch != NMI_LATCH_IDLE) {
		*latch = NMI_LATCH_AGAIN;
		s->latched++;
		return false;
	}
	*latch = NMI_LATCH_RUNNING;
	return true;
}

/* At the end of a pass: true if a latched entry asks for one more pass. */
static inline bool nmi_latch_again(volatile int *latch)
{
	if (*latch == NMI_LATCH_AGAIN) {
		*latch = NMI_LATCH_RUNNING;
		return true;
	}
	*latch = NMI_LATCH_IDLE;
	return false;
}

/* Account one pass: claimed = how many sources claimed it. A repeat pass
 * runs because an NMI arrived during the pass before it; if that pass
 * already served the cause (Linux's back-to-back rule) nothing is left:
 * "swallowed", not unknown, or forced nesting would show spurious unknowns.
 * Unknown means a first-level NMI nobody owns. */
static inline void nmi_account_pass(struct nmi_stats *s, unsigned int claimed, bool repeat)
{
	if (repeat)
		s->repeats++;
	else
		s->first++;
	if (claimed)
		s->handled++;
	else if (repeat)
		s->swallowed++;
	else
		s->unknown++;
}

static inline void nmi_account_cycles(struct nmi_stats *s, uint64_t cycles)
{
	if (!s->timed || cycles < s->cycles_min)
		s->cycles_min = cycles;
	if (cycles > s->cycles_max)
		s->cycles_max = cycles;
	s->cycles_sum += cycles;
	s->timed++;
}

/* NMI log: NMI context appends, the shell drains (single producer, single
 * consumer, one CPU each). A full ring drops the newest and counts it. */
#define NMI_LOG_SIZE 64	/* power of two */

enum nmi_log_event {
	NMI_LOG_UNKNOWN = 1,	/* arg: interrupted RIP */
	NMI_LOG_LATCHED,	/* arg: interrupted RIP */
	NMI_LOG_LAZY_OOM,	/* arg: faulting address */
	NMI_LOG_SELFTEST,	/* arg: case-specific */
};

struct nmi_log_entry {
	uint64_t tsc;
	uint32_t event;
	uint32_t pass;
	uint64_t arg;
};

struct nmi_log {
	struct nmi_log_entry e[NMI_LOG_SIZE];
	volatile uint32_t head, tail;	/* head: producer, tail: consumer */
	uint64_t dropped;
};

void nmi_log_put(struct nmi_log *l, uint64_t tsc, uint32_t event, uint32_t pass, uint64_t arg);
bool nmi_log_get(struct nmi_log *l, struct nmi_log_entry *out);
const char *nmi_log_event_name(uint32_t event);

#endif
