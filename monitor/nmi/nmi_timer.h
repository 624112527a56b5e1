/*
 * The timer NMI source: HPET timer 0, periodic, delivered as NMI. It serves
 * the Ctrl-C watch (a workload that runs with interrupts off) and, later,
 * the profiler. QEMU 7.2's periodic HPET can fire twice per period under
 * -icount: a tick less than half a period after the previous one is
 * dropped (and claimed, so it is not an unknown NMI).
 */
#ifndef MONITOR_NMI_TIMER_H
#define MONITOR_NMI_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trap_frame.h"

enum nmi_timer_user { TIMER_BREAK_WATCH = 1, TIMER_PROFILER = 2 };

struct nmi_timer_stats {
	uint64_t hz;		/* asked */
	uint64_t ticks, early_dropped;
	uint64_t sampled;	/* ticks handed to the sampler */
};

void nmi_timer_init(void);
bool nmi_timer_available(void);
bool nmi_timer_one_shot(void);	/* else periodic (see nmi_timer.c) */
const char *nmi_timer_why_absent(void);
/* Users ask for a rate; the timer runs at the highest rate asked. */
void nmi_timer_want(enum nmi_timer_user who, uint64_t hz);	/* 0: no longer */
void nmi_timer_get_stats(struct nmi_timer_stats *s);
/* NMI context: the profiler's sample hook, called on every tick. */
void nmi_timer_set_sampler(void (*sample_in_nmi)(const struct trap_frame *f));

/* The Ctrl-C watch for commands that run with interrupts off. */
void break_watch_begin(void);
void break_watch_end(void);

#endif
