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
/* Periodic NMIs every period_ticks of the main counter; 0 stops them. */
void hpet_nmi_start(uint64_t period_ticks);
void hpet_nmi_stop(void);
const char *hpet_why_absent(void);

#endif
