/* The MADT and HPET table parsers. The input's first byte chooses: bit 0
 * repairs the rest's header (signature, length field, checksum) so the
 * fuzzer reaches the entries; bit 1 parses it as an HPET table instead.
 * No read leaves the table (it is copied to a heap block of its exact
 * size: ASan); a parse that succeeds holds exactly the entries a plain
 * walk of the table counts, within the arrays' bounds; one that fails
 * says why, at an offset inside the table. */
#include <string.h>
#include "fuzz.h"
#include "monitor/acpi/acpi.h"
#include "monitor/acpi/hpet_table.h"
#include "monitor/acpi/madt.h"

static void repair(uint8_t *t, size_t len, const char *sig)
{
	uint8_t sum = 0;

	memcpy(t, sig, 4);
	for (int i = 0; i < 4; i++)
		t[4 + i] = (uint8_t)(len >> (8 * i));
	t[9] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
}

/* Entries of the types the parser keeps, walked the simplest way. */
static void count(const uint8_t *t, size_t len, unsigned int *cpus, unsigned int *kept)
{
	*cpus = *kept = 0;
	for (size_t off = 44; off + 2 <= len && t[off + 1]; off += t[off + 1]) {
		uint8_t type = t[off];

		*cpus += type == 0 || type == 9;
		*kept += type == 0 || type == 9 || type == 1 || type == 2 || type == 4 || type == 0xA;
	}
}

static void madt(const uint8_t *t, size_t len)
{
	static struct madt_info m;
	unsigned int cpus, kept;

	if (acpi_madt_parse(t, len, &m) != 0) {
		FUZZ_ASSERT(m.problem && m.problem[0]);
		FUZZ_ASSERT(m.problem_at < len || len < 44);
		return;
	}
	FUZZ_ASSERT(len >= 44 && acpi_checksum_ok(t, len) && !m.problem);
	FUZZ_ASSERT(m.ncpus <= MADT_CPUS_MAX && m.nioapics <= MADT_IOAPICS_MAX);
	FUZZ_ASSERT(m.noverrides <= MADT_OVERRIDES_MAX && m.nnmis <= MADT_NMIS_MAX);
	FUZZ_ASSERT(madt_usable_cpus(&m) <= m.ncpus);
	count(t, len, &cpus, &kept);
	FUZZ_ASSERT(m.ncpus == (cpus < MADT_CPUS_MAX ? cpus : MADT_CPUS_MAX));
	FUZZ_ASSERT(m.ncpus + m.nioapics + m.noverrides + m.nnmis + m.dropped == kept);
	for (unsigned int i = 0; i < m.ncpus; i++)
		FUZZ_ASSERT(m.cpu[i].x2apic || m.cpu[i].apic_id < 256);
}

static void hpet(const uint8_t *t, size_t len)
{
	struct acpi_hpet h;
	const char *why = NULL;

	if (acpi_hpet_parse(t, len, &h, &why) != 0) {
		FUZZ_ASSERT(why && why[0]);
		return;
	}
	FUZZ_ASSERT(len >= ACPI_HPET_LEN && acpi_checksum_ok(t, len));
	FUZZ_ASSERT(h.address && !(h.address & 0x3FF));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *t;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	t = malloc(len ? len : 1);
	memcpy(t, data + 1, len);
	if ((data[0] & 1) && len >= ACPI_HEADER_LEN)
		repair(t, len, data[0] & 2 ? "HPET" : "APIC");
	if (data[0] & 2)
		hpet(t, len);
	else
		madt(t, len);
	free(t);
	return 0;
}
