/* Local APIC (xAPIC, MMIO): this CPU's id and NMI IPIs to itself. */
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

bool apic_init(void);		/* false if there is no local APIC */
unsigned int apic_id(void);

/* An NMI IPI to this CPU's own APIC id (physical destination: the SDM allows
 * only Fixed delivery with the "self" shorthand). Arrives at once when NMIs
 * are open, stays pending while they are blocked. NMI-context safe. */
void apic_send_self_nmi(void);

/* The PMU's overflow interrupt as an NMI, masked or not. Intel sets the mask
 * bit on every PMI, so the handler unmasks it again (one store: NMI-context
 * safe). */
void apic_lvtpc_set(bool masked);

#endif
