/*
 * The MADT ("APIC" table, ACPI 6.5 section 5.2.12), portable: host unit tests
 * and the fuzzer feed it byte arrays. It names the CPUs (local APIC and
 * x2APIC entries), the IOAPICs, the ISA interrupt source overrides and the
 * LINT pins wired to NMI. Entries of a type not read here are skipped by
 * their length; a length that is too short for its type or runs past the
 * table ends the parse with an error, never with a read outside it.
 */
#ifndef MONITOR_ACPI_MADT_H
#define MONITOR_ACPI_MADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_CPUS_MAX		64
#define MADT_IOAPICS_MAX	8
#define MADT_OVERRIDES_MAX	16
#define MADT_NMIS_MAX		16
#define MADT_FLAG_PCAT_COMPAT	1u	/* dual 8259s are present (mask them) */
#define MADT_NMI_ALL_CPUS	0xFFFFFFFFu	/* madt_nmi.uid: every processor */

struct madt_cpu {
	uint32_t apic_id;
	uint32_t uid;		/* the ACPI processor UID (matches the DSDT's) */
	bool x2apic;		/* from a type 9 entry */
	bool enabled;		/* flags bit 0: present and usable at boot */
	bool online_capable;	/* flags bit 1 (MADT revision 5+): can be enabled at run time */
};

struct madt_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;	/* the global system interrupt of its pin 0 */
};

/* An ISA IRQ delivered on another GSI or with other polarity/trigger. */
struct madt_override {
	uint8_t bus;		/* 0: ISA */
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: bits 0-1 polarity, 2-3 trigger mode */
};

/* A local APIC LINT pin wired to NMI. */
struct madt_nmi {
	uint32_t uid;		/* processor UID, or MADT_NMI_ALL_CPUS */
	uint16_t flags;		/* MPS INTI flags */
	uint8_t lint;		/* 0 or 1 */
	bool x2apic;		/* from a type 0xA entry */
};

struct madt_info {
	uint64_t lapic_address;	/* type 5's 64-bit override when there is one */
	uint32_t flags;		/* MADT_FLAG_* */
	uint8_t revision;
	unsigned int ncpus;	/* every processor entry, usable or not, up to MADT_CPUS_MAX */
	struct madt_cpu cpu[MADT_CPUS_MAX];
	unsigned int nioapics;
	struct madt_ioapic ioapic[MADT_IOAPICS_MAX];
	unsigned int noverrides;
	struct madt_override override[MADT_OVERRIDES_MAX];
	unsigned int nnmis;
	struct madt_nmi nmi[MADT_NMIS_MAX];
	unsigned int dropped;	/* entries of the kinds above that did not fit their array */
	/* after a -1: why, and the byte offset in the table it concerns */
	const char *problem;
	uint32_t problem_at;
};

/* t holds len bytes that should be a whole MADT: signature, length field
 * equal to len, checksum, then the entries. Returns 0, or -1 with
 * out->problem set (the other fields then hold what was read before). */
int acpi_madt_parse(const uint8_t *t, size_t len, struct madt_info *out);

#define MADT_XAPIC_BROADCAST	0xFF	/* no CPU's xAPIC id: an IPI to it reaches all */

/* A CPU to bring up: enabled, or online-capable (a hot-pluggable one, which
 * may not answer: bring-up must time out on it); never a local APIC entry
 * with the broadcast id, which firmware uses for a placeholder and which an
 * INIT IPI would send to every CPU. */
static inline bool madt_cpu_usable(const struct madt_cpu *c)
{
	return (c->enabled || c->online_capable) &&
	       (c->x2apic || c->apic_id != MADT_XAPIC_BROADCAST);
}

unsigned int madt_usable_cpus(const struct madt_info *m);

#endif
