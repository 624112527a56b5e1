/* Starting an application processor: the SDM's INIT-SIPI-SIPI (vol. 3A,
 * 9.4.4.1) into ap_boot.S's trampoline, which ends in ap_main(cpu). */
#ifndef ARCH_AP_START_H
#define ARCH_AP_START_H

#include <stdbool.h>
#include <stdint.h>

/* Copies the trampoline to the page at phys (below 1 MiB, page-aligned). */
void ap_trampoline_install(uint64_t phys);

/* Starts the CPU with this APIC id as monitor CPU number cpu, and waits up
 * to timeout_ms for *alive to become true (ap_main sets it). Bootstrap CPU,
 * one AP at a time (the trampoline's parameters are shared). */
bool ap_start(unsigned int cpu, unsigned int apic_id, uint64_t trampoline_phys,
	      volatile bool *alive, uint64_t timeout_ms);

/* C entry of every AP (smp.c), on its own stack, paging on, no GS base yet. */
__attribute__((noreturn)) void ap_main(unsigned int cpu);

#endif
