/* The firmware's ACPI tables as found at boot (before paging_init, while
 * everything below 4 GiB is identity-mapped). */
#ifndef MONITOR_ACPI_BOOT_H
#define MONITOR_ACPI_BOOT_H

#include "monitor/acpi/acpi.h"

/* Finds the RSDP: GRUB's copy (multiboot2), else, under BIOS only, the
 * legacy search of the EBDA and 0xE0000-0xFFFFF (UEFI machines need not
 * have either area). Returns NULL if there is none. */
const struct acpi_rsdp *acpi_boot_rsdp(void);
/* Where the RSDP came from, or (acpi_boot_rsdp NULL) why there is none. */
const char *acpi_boot_rsdp_source(void);
/* The SPCR: 0, or -1 if there is no valid one. */
int acpi_boot_spcr(struct acpi_spcr *out);

#endif
