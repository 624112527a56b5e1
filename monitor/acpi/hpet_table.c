#include "monitor/acpi/hpet_table.h"
#include "monitor/acpi/acpi.h"
#include "monitor/lib/string.h"

static int fail(const char **problem, const char *why)
{
	*problem = why;
	return -1;
}

int acpi_hpet_parse(const uint8_t *t, size_t len, struct acpi_hpet *out, const char **problem)
{
	if (len < ACPI_HPET_LEN)
		return fail(problem, "shorter than 56 bytes");
	if (memcmp(t, "HPET", 4) != 0 || acpi_le32(t + 4) != len)
		return fail(problem, "signature or length field wrong");
	if (!acpi_checksum_ok(t, len))
		return fail(problem, "bad checksum");
	/* the base is a generic address structure at 40: space, bit width,
	 * bit offset, access size, then the 64-bit address */
	if (t[40] != ACPI_SPACE_MEMORY)
		return fail(problem, "base address not in system memory");
	*out = (struct acpi_hpet){
		.block_id = acpi_le32(t + 36),
		.address = acpi_le64(t + 44),
		.number = t[52],
		.min_tick = acpi_le16(t + 53),
	};
	if (!out->address || (out->address & 0x3FF))
		return fail(problem, "base address 0 or not 1 KiB aligned");
	return 0;
}
