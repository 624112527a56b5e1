/* HPET timer 0 as an NMI source: legacy-replacement mode routes it to ISA
 * IRQ 0, which QEMU's MADT overrides to IOAPIC pin 2, and that redirection
 * entry is set to delivery mode NMI (NMI.md, "Sources"). */
#ifndef ARCH_HPET_H
#define ARCH_HPET_H

#include <stdbool.h>
#include <stdint.h>

/* false if no HPET answers at base (its register block, mapped uncached);
 * ioapic_base: the IOAPIC whose pin 2 timer 0 drives. force_32bit: timer 0
 * in 32-bit mode (TN_32MODE_CNF), as on a 32-bit HPET, for testing. */
bool hpet_init(uint64_t base, uint64_t ioapic_base, bool force_32bit);
bool hpet_present(void);
bool hpet_wide(void);		/* 64-bit counter comparisons, else 32-bit */
uint64_t hpet_hz(void);		/* main counter frequency */
/*
 * NMIs every period_ticks of the main counter. Periodic: the HPET re-arms
 * itself, but QEMU's fires twice per period under -icount (see
 * hpet_tick_in_nmi in hpet.c). One-shot: each tick re-arms it,
 * one comparator write a period after the last expiry, so the rate does not
 * drift; one NMI per period everywhere.
 */
void hpet_nmi_start(uint64_t period_ticks, bool one_shot);
void hpet_nmi_stop(void);

/*
 * NMI context, on every NMI while the timer runs: did timer 0 expire since
 * the last tick it reported? The status register cannot tell: an
 * edge-triggered timer leaves its bit clear (HPET 1.0a 2.3.6; QEMU 7.2's
 * update_irq clears it and pulses the line), and a level-triggered one
 * cannot drive the NMI redirection entry, which is edge only. So the main
 * counter is compared with the expiry the timer owes: reached, it is a tick
 * (one-shot: the comparator moves on by a period, and only then). An
 * expiry that several NMIs shared, or whose NMI arrives after an earlier
 * NMI already noticed it, is reported once.
 */
enum hpet_tick {
	HPET_NOT_DUE,	/* not this timer's: counter short of the next expiry */
	HPET_TICK,	/* an expiry: the period's tick */
	HPET_WRAP,	/* 32-bit one-shot: the extra interrupt at the counter's wrap */
	HPET_DUPLICATE,	/* an NMI of an expiry a tick already served */
};
/* hpet_tick_in_nmi(tsc): inline, in hpet_tick.h. */
const char *hpet_why_absent(void);

#endif
