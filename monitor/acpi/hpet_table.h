/* The ACPI "HPET" table (IA-PC HPET specification 1.0a, section 3.2.4):
 * where the event timer block's registers are. Portable. */
#ifndef MONITOR_ACPI_HPET_TABLE_H
#define MONITOR_ACPI_HPET_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_HPET_LEN	56

struct acpi_hpet {
	uint32_t block_id;	/* a copy of the capabilities register's low half */
	uint64_t address;	/* the register block, in system memory */
	uint8_t number;		/* the HPET's sequence number */
	uint16_t min_tick;	/* the least periodic-mode period, in counter ticks */
};

/* t holds a whole table of len bytes. Returns 0, or -1 with *problem set if
 * it is not a usable HPET table: signature, length, checksum, or a base
 * address that is 0, not in system memory, or not on the 1 KiB boundary
 * of the register block. */
int acpi_hpet_parse(const uint8_t *t, size_t len, struct acpi_hpet *out, const char **problem);

#endif
