/* The firmware's ACPI tables, read through the identity map of the first
 * 4 GiB: at boot (before paging_init too) and later (a table on a page
 * paging_init unmapped, or above 4 GiB, reads as absent, not as a fault). */
#ifndef MONITOR_ACPI_BOOT_H
#define MONITOR_ACPI_BOOT_H

#include "monitor/acpi/acpi.h"
#include "monitor/acpi/madt.h"

/* Finds the RSDP: GRUB's copy (multiboot2), else, under BIOS only, the
 * legacy search of the EBDA and 0xE0000-0xFFFFF (UEFI machines need not
 * have either area). Returns NULL if there is none. */
const struct acpi_rsdp *acpi_boot_rsdp(void);
/* Where the RSDP came from, or (acpi_boot_rsdp NULL) why there is none. */
const char *acpi_boot_rsdp_source(void);
/* The SPCR: 0, or -1 if there is no valid one. */
int acpi_boot_spcr(struct acpi_spcr *out);
/* The tables the XSDT (else the RSDT) lists, read now (tables damaged
 * since boot show as such): up to max into out, the root table itself
 * into *root (readable false when there is none). Returns how many. */
unsigned int acpi_boot_tables(struct acpi_table_entry *root, struct acpi_table_entry *out,
			      unsigned int max);
/* This machine's MADT, parsed once; NULL when there is no RSDP, no MADT, or
 * it is damaged (checksum, length, an entry), and then
 * acpi_boot_madt_problem() says which in one line (NULL when there is a MADT). */
const struct madt_info *acpi_boot_madt(void);
const char *acpi_boot_madt_problem(void);
/* The MADT as it is now (a command's view; the CPUs come from the boot
 * one): 0, or -1 with the reason, in one line, in why. */
int acpi_read_madt(struct madt_info *out, char *why, size_t n);
/* The first table with this signature in acpi_boot_tables(), checked or
 * not: 0 and *out, or -1. */
int acpi_boot_table(const char sig[4], struct acpi_table_entry *out);

#endif
