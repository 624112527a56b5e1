#include "monitor/acpi/acpi_boot.h"
#include "monitor/bootinfo.h"

#define IDENTITY_END	(4ull << 30)	/* boot.S maps the first 4 GiB */
#define BDA_EBDA_SEGMENT 0x40E		/* BIOS data area: the EBDA's segment */
#define BIOS_ROM_START	0xE0000
#define BIOS_ROM_END	0x100000

static struct acpi_rsdp rsdp;
static const char *rsdp_source;
static bool searched;

static const void *map_identity(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= IDENTITY_END || len > IDENTITY_END - phys)
		return NULL;	/* above the boot identity map */
	return (const void *)(uintptr_t)phys;
}

static const struct acpi_mem identity = { map_identity, NULL };

/* The RSDP lies on a 16-byte boundary (ACPI 5.2.5.1). */
static bool scan(uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a + ACPI_RSDP_V2_LEN <= end; a += 16)
		if (acpi_rsdp_parse((const uint8_t *)(uintptr_t)a, end - a, &rsdp) == 0)
			return true;
	return false;
}

static void search(void)
{
	uint64_t ebda;

	searched = true;
	if (bootinfo.rsdp_len && acpi_rsdp_parse(bootinfo.rsdp, bootinfo.rsdp_len, &rsdp) == 0) {
		rsdp_source = "GRUB's copy (multiboot2 tag)";
		return;
	}
	if (bootinfo.firmware == FIRMWARE_UEFI) {
		rsdp_source = "no valid multiboot2 RSDP tag (and no legacy search under UEFI)";
		return;
	}
	/* a fixed low address: hide it from gcc, which takes any pointer below
	 * 4 KiB for a null-based one (-Warray-bounds) */
	uintptr_t bda = BDA_EBDA_SEGMENT;

	__asm__("" : "+r"(bda));
	ebda = (uint64_t)*(const volatile uint16_t *)bda << 4;
	if (ebda && scan(ebda, ebda + 1024))
		rsdp_source = "EBDA search";
	else if (scan(BIOS_ROM_START, BIOS_ROM_END))
		rsdp_source = "BIOS area search";
	else
		rsdp_source = "not in the EBDA or the BIOS area";
}

const struct acpi_rsdp *acpi_boot_rsdp(void)
{
	if (!searched)
		search();
	return rsdp.rsdt || rsdp.xsdt ? &rsdp : NULL;
}

const char *acpi_boot_rsdp_source(void)
{
	if (!searched)
		search();
	return rsdp_source;
}

int acpi_boot_spcr(struct acpi_spcr *out)
{
	const struct acpi_rsdp *r = acpi_boot_rsdp();
	uint64_t phys;
	uint32_t len;

	if (!r || !(phys = acpi_find_table(r, &identity, "SPCR", &len)))
		return -1;
	return acpi_spcr_parse((const uint8_t *)(uintptr_t)phys, len, out);
}
