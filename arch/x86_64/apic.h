/* Local APIC (x2APIC where CPUID offers it, else xAPIC): this CPU's id, NMI
 * IPIs to itself and to others, and the INIT and STARTUP IPIs of AP bring-up. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_ID		0x020
#define APIC_SVR	0x0F0
#define APIC_ICR_LOW	0x300
#define APIC_ICR_HIGH	0x310
#define APIC_SVR_ENABLE	(1u << 8)
#define APIC_SPURIOUS_VECTOR 0xFF
#define APIC_ICR_NMI	(4u << 8)	/* delivery mode NMI */
#define APIC_ICR_ASSERT	(1u << 14)
#define APIC_ICR_BUSY	(1u << 12)	/* delivery status: send pending */
#define APIC_LVTPC	0x340		/* performance-counter overflow LVT */
#define APIC_LVT_NMI	(4u << 8)	/* delivery mode NMI (vector ignored) */
#define APIC_LVT_MASKED	(1u << 16)

#define MSR_APIC_BASE_ENABLE	(1ull << 11)
#define MSR_APIC_BASE_X2APIC	(1ull << 10)

/* false if there is no local APIC; on every CPU, after percpu_init (the
 * bootstrap CPU, cpu 0, picks the mode) */
bool apic_init(void);
unsigned int apic_id(void);	/* this CPU's */
bool apic_x2apic_mode(void);

/* An NMI IPI to this CPU's own APIC id (physical destination: the SDM allows
 * only Fixed delivery with the "self" shorthand). Arrives at once when NMIs
 * are open, stays pending while they are blocked. NMI-context safe.
 * *requests goes up by one right before the send, after the wait for a free
 * ICR (under TCG's -icount a timer NMI is taken at an MMIO read: nmi test's
 * cr2 case at 50 kHz met one in the wait every 5.4 ms of a run). */
void apic_send_self_nmi(volatile uint64_t *requests);
/* An NMI that interrupted apic_send_self_nmi at its send instruction (RIP
 * there): the request is counted and its NMI not yet sent, so that NMI is
 * not the request's, which comes right after it (under TCG's -icount a
 * timer NMI is taken there, where the MMIO store starts a block). */
bool apic_self_nmi_unsent(uint64_t rip);

/* Normal context (see apic.c for xAPIC's borrowed ICR high). dest is an
 * APIC id. */
void apic_send_nmi(unsigned int dest);
void apic_send_nmi_all_but_self(void);	/* any context, NMI included */
void apic_send_init(unsigned int dest);
/* A fixed interrupt at APIC_WAKE_VECTOR, whose handler (apic_wake.S) only
 * ends the interrupt: it wakes a CPU from "sti; hlt". */
#define APIC_WAKE_VECTOR	0xF0
void apic_send_wake(unsigned int dest);
void apic_wake_entry(void);			/* level assert */
void apic_send_startup(unsigned int dest, unsigned int page);	/* start at page << 12 */

/* The PMU's overflow interrupt as an NMI, masked or not. Intel sets the mask
 * bit on every PMI, so the handler unmasks it again (one store: NMI-context
 * safe). */
void apic_lvtpc_set(bool masked);

#endif
