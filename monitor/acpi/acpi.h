/*
 * Reading ACPI tables (portable: host unit tests and fuzzers feed it byte
 * arrays): the RSDP, the RSDT/XSDT lookup of one table by signature, the
 * listing of every table with its checksum verdict, and the SPCR (the MADT
 * and the HPET table have files of their own). Every table is
 * checked (length, checksum) before a field of it is believed: firmware
 * tables are input like any other.
 */
#ifndef MONITOR_ACPI_ACPI_H
#define MONITOR_ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_RSDP_V1_LEN	20
#define ACPI_RSDP_V2_LEN	36
#define ACPI_HEADER_LEN		36
#define ACPI_SPCR_MIN_LEN	80	/* revision 1 and 2 */
#define ACPI_TABLES_MAX		64	/* RSDT/XSDT entries looked at */

/* ACPI fields are little-endian and unaligned: read them byte by byte. */
static inline uint16_t acpi_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_le64(const uint8_t *p)
{
	return (uint64_t)acpi_le32(p) | (uint64_t)acpi_le32(p + 4) << 32;
}

struct acpi_rsdp {
	uint8_t revision;
	uint32_t rsdt;		/* physical addresses; 0 when absent */
	uint64_t xsdt;
};

/* Reads physical memory: a pointer to len bytes at phys, or NULL if they
 * cannot be read (not mapped, outside the buffer). */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void *ctx;
};

/* The byte sum of len bytes is 0 mod 256 (every ACPI structure's rule). */
bool acpi_checksum_ok(const void *p, size_t len);

/* p holds avail bytes that should be an RSDP ("RSD PTR ", checksum over the
 * first 20 bytes; revision 2+: the length and the extended checksum).
 * Returns 0, or -1 if they are not a valid one. */
int acpi_rsdp_parse(const uint8_t *p, size_t avail, struct acpi_rsdp *out);

/* The physical address of the first table with this signature listed by the
 * XSDT (else the RSDT), with a valid header and checksum, or 0. *len gets
 * its length. */
uint64_t acpi_find_table(const struct acpi_rsdp *r, const struct acpi_mem *m, const char sig[4],
			 uint32_t *len);

/* One table the XSDT or RSDT lists, as found, checked or not. */
struct acpi_table_entry {
	uint64_t phys;
	uint32_t len;		/* its length field; 0 if its header is unreadable */
	char sig[5];		/* NUL-terminated */
	char oem_id[7];
	bool readable;		/* header and len bytes could be mapped, len >= 36 */
	bool checksum_ok;
};

/* The root table (*root: the XSDT, or the RSDT when the XSDT is absent or
 * damaged) and up to max of the tables it lists, in its order, each with
 * its checksum verdict. Returns how many; 0 with root->readable false if
 * neither root table is usable. */
unsigned int acpi_list_tables(const struct acpi_rsdp *r, const struct acpi_mem *m,
			      struct acpi_table_entry *root, struct acpi_table_entry *out,
			      unsigned int max);

enum acpi_space { ACPI_SPACE_MEMORY = 0, ACPI_SPACE_IO = 1 };

struct acpi_spcr {
	uint8_t interface;	/* 0: 16550, 1: 16450, ... (DBG2 port subtypes) */
	uint8_t space;		/* enum acpi_space, or another generic address space */
	uint8_t bit_width;
	uint64_t address;
	uint8_t irq_type;	/* bit 0: PC-AT 8259 IRQ; bit 1: I/O APIC */
	uint8_t irq;		/* the 8259 IRQ, when irq_type bit 0 */
	uint32_t gsi;
	uint32_t baud;		/* 0: as the firmware left it */
};

/* t holds a whole table of len bytes (checksum already checked, or not:
 * this checks it again). Returns 0, or -1 if it is not a usable SPCR. */
int acpi_spcr_parse(const uint8_t *t, size_t len, struct acpi_spcr *out);

#endif
