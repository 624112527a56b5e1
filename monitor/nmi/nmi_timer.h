/*
 * The timer NMI source: HPET timer 0 delivered as NMI. It claims an NMI
 * only when its own expiry came (arch/x86_64/hpet.h says how it tells), so
 * foreign NMIs go to their sources or count as unknown. Users ask for a
 * rate (the profiler; the debug engine's Ctrl-C watch) and hook into its
 * ticks; it knows nothing of what they do with them.
 */
#ifndef MONITOR_NMI_TIMER_H
#define MONITOR_NMI_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trap_frame.h"

enum nmi_timer_user { TIMER_BREAK_WATCH = 1, TIMER_PROFILER = 2 };

struct nmi_timer_stats {
	uint64_t hz;		/* asked */
	uint64_t ticks;		/* expiries claimed */
	uint64_t early_dropped;	/* second deliveries of a tick already taken */
	uint64_t wraps;		/* 32-bit one-shot: the interrupt at the counter's wrap */
	uint64_t sampled;	/* ticks due as samples (the profiler's ledger) */
};

void nmi_timer_init(void);
bool nmi_timer_available(void);
bool nmi_timer_one_shot(void);	/* else periodic (see nmi_timer.c) */
bool nmi_timer_wide(void);	/* 64-bit counter comparisons, else 32 */
const char *nmi_timer_why_absent(void);
/* Users ask for a rate; the timer runs at the highest rate asked. */
void nmi_timer_want(enum nmi_timer_user who, uint64_t hz);	/* 0: no longer */
void nmi_timer_get_stats(struct nmi_timer_stats *s);
/* NMI context, called on every tick with the interrupted frame. */
void nmi_timer_set_tick_hook(void (*tick_in_nmi)(const struct trap_frame *f));
/* NMI context: the profiler's sample hook, called on every tick due as a
 * sample (counted in stats.sampled first, whatever the sampler does). */
void nmi_timer_set_sampler(void (*sample_in_nmi)(const struct trap_frame *f));

#endif
