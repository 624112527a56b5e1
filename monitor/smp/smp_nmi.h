/*
 * "IPI backtrace request", an NMI source: the shell CPU asks another CPU for
 * its interrupted state by bumping that CPU's bt_want and sending it an NMI
 * (an NMI, because a CPU spinning with interrupts off answers nothing else).
 * One NMI is in flight to a CPU at a time (monitor/nmi/nmi_request.h): a
 * request made while the last NMI is still on its way only bumps bt_want,
 * and that NMI answers the newest; so each NMI sent is claimed, and one
 * nobody sent still counts as unknown.
 */
#ifndef MONITOR_SMP_NMI_H
#define MONITOR_SMP_NMI_H

#include <stdint.h>
#include "monitor/smp/smp.h"

void smp_nmi_init(void);	/* registers the source; boot, bootstrap CPU */
/* Shell CPU: asks every other online CPU, waits up to timeout_ms for all
 * answers; returns the request number each answer's bt_done will show. */
uint64_t smp_nmi_backtrace_all(uint64_t timeout_ms);
/* NMI context, for a CPU parked by a stop (smp_world.c): answers a pending
 * backtrace request from the parked frame f. */
void smp_nmi_serve_parked(struct smp_cpu *c, const struct trap_frame *f);

#endif
