/* HPET timer 0 as a periodic NMI source: legacy-replacement mode routes it
 * to ISA IRQ 0, which QEMU's MADT overrides to IOAPIC pin 2, and that
 * redirection entry is set to delivery mode NMI (NMI.md, "Sources"). */
#ifndef ARCH_HPET_H
#define ARCH_HPET_H

#include <stdbool.h>
#include <stdint.h>

bool hpet_init(void);		/* false if no HPET answers at the standard address */
bool hpet_present(void);
uint64_t hpet_hz(void);		/* main counter frequency */
/*
 * NMIs every period_ticks of the main counter. Periodic: the HPET re-arms
 * itself, but QEMU's fires twice per period under -icount (at the deadline
 * the counter equals the comparator, which QEMU does not yet count as
 * passed, so it fires again a moment later). One-shot: the NMI re-arms it
 * with hpet_rearm_in_nmi, one comparator write a period after the last
 * expiry, so the rate does not drift; one NMI per period everywhere.
 */
void hpet_nmi_start(uint64_t period_ticks, bool one_shot);
void hpet_nmi_stop(void);
/* NMI context, one-shot mode, on every NMI while the timer runs: moves the
 * comparator on by a period once it has expired, and only then. */
void hpet_rearm_in_nmi(void);
const char *hpet_why_absent(void);

#endif
