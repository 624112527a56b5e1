/* ACPI table reading over a physical memory made of the input (at address
 * 0x1000; anything else reads as absent): the RSDP at its start, the
 * RSDT/XSDT lookup of SPCR, the listing of every table, the SPCR's fields,
 * and the console choice made from them. No read leaves the input (ASan); a
 * table handed back has a valid checksum and the signature asked for; a
 * listed table readable and ok is inside the input and sums to 0; the
 * choice is a usable port and a NUL-terminated reason. */
#include <string.h>
#include "fuzz.h"
#include "monitor/acpi/acpi.h"
#include "monitor/shell/console_port.h"

#define BASE 0x1000

static const uint8_t *mem;
static size_t mem_len;

static const void *map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < BASE || phys - BASE > mem_len || len > mem_len - (phys - BASE))
		return NULL;
	return mem + (phys - BASE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_mem m = { map, NULL };
	struct acpi_rsdp r;
	struct acpi_spcr spcr;
	struct console_port c;
	struct acpi_table_entry root, list[8];
	unsigned int n;
	uint64_t phys;
	uint32_t len = 0;
	bool have = false;

	mem = data;
	mem_len = size;
	/* the RSDP parser is handed exactly what GRUB's tag holds */
	if (acpi_rsdp_parse(data, size, &r) != 0)
		return 0;
	FUZZ_ASSERT(acpi_checksum_ok(data, ACPI_RSDP_V1_LEN));
	phys = acpi_find_table(&r, &m, "SPCR", &len);
	if (phys) {
		const uint8_t *t = map(NULL, phys, len);

		FUZZ_ASSERT(t && len >= ACPI_HEADER_LEN && memcmp(t, "SPCR", 4) == 0);
		FUZZ_ASSERT(acpi_checksum_ok(t, len));
		have = acpi_spcr_parse(t, len, &spcr) == 0;
	}
	n = acpi_list_tables(&r, &m, &root, list, 8);
	FUZZ_ASSERT(n <= 8 && (root.readable || n == 0));
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *t = map(NULL, list[i].phys, list[i].len);

		FUZZ_ASSERT(!list[i].readable || (t && list[i].len >= ACPI_HEADER_LEN));
		FUZZ_ASSERT(!list[i].checksum_ok || (list[i].readable && acpi_checksum_ok(t, list[i].len)));
		FUZZ_ASSERT(list[i].sig[4] == '\0' && list[i].oem_id[6] == '\0');
	}
	console_port_choose(have && (size & 1) ? "com2" : NULL, have ? &spcr : NULL, &c);
	FUZZ_ASSERT(c.port && c.port <= 0xFFF8 && c.baud && 115200 % c.baud == 0);
	FUZZ_ASSERT(c.irq < 16 || c.irq == CONSOLE_NO_IRQ);
	FUZZ_ASSERT(memchr(c.why, '\0', sizeof(c.why)) && c.why[0]);
	return 0;
}
