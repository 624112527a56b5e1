/* The MMIO windows the timer NMI needs, placed by ACPI where it can. */
#ifndef MONITOR_ACPI_ACPI_MMIO_H
#define MONITOR_ACPI_ACPI_MMIO_H

#include <stdint.h>

/* Where the HPET and the IOAPIC its timer 0 is routed through are: from the
 * ACPI HPET table and the MADT's first IOAPIC when they are valid and inside
 * a page boot.S maps uncached, else the PC's fixed 0xFED00000 and
 * 0xFEC00000; each *_why says which (and why not ACPI's), for info. */
struct acpi_mmio {
	uint64_t hpet, ioapic;
	char hpet_why[96], ioapic_why[96];
};
const struct acpi_mmio *acpi_boot_mmio(void);

#endif
