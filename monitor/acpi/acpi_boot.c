#include "monitor/acpi/acpi_boot.h"
#include "monitor/bootinfo.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/string.h"
#include "arch/x86_64/paging.h"

#define IDENTITY_END	(4ull << 30)	/* boot.S maps the first 4 GiB */
#define BDA_EBDA_SEGMENT 0x40E		/* BIOS data area: the EBDA's segment */
#define BIOS_ROM_START	0xE0000
#define BIOS_ROM_END	0x100000
/* No table a monitor reads is near this long; a damaged length field must
 * not make us checksum (and so read) gigabytes, MMIO included. */
#define TABLE_LEN_MAX	(1u << 20)

static struct acpi_rsdp rsdp;
static const char *rsdp_source;
static bool searched;

/* Also after paging_init, which unmaps page 0 and the guard pages: a
 * damaged pointer into one of them reads as absent instead of faulting. */
static const void *map_identity(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= IDENTITY_END || len > IDENTITY_END - phys || len > TABLE_LEN_MAX)
		return NULL;	/* above the boot identity map */
	for (uint64_t a = phys & ~0xFFFull; a < phys + len;) {
		int level;

		if (!paging_query((uintptr_t)a, &level))
			return NULL;
		a = (a | ((1ull << (12 + 9 * (level - 1))) - 1)) + 1;	/* the next page */
	}
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

int acpi_read_madt(struct madt_info *out, char *why, size_t n)
{
	const struct acpi_rsdp *r = acpi_boot_rsdp();
	struct acpi_table_entry t;

	if (!r)
		fmt_snprintf(why, n, "no RSDP: %s", acpi_boot_rsdp_source());
	else if (acpi_boot_table("APIC", &t) != 0)
		fmt_snprintf(why, n, "no MADT (APIC) in the %s", r->xsdt ? "XSDT" : "RSDT");
	else if (!t.readable)
		fmt_snprintf(why, n, "MADT at 0x%lx is not readable (length %u)", t.phys, t.len);
	else if (acpi_madt_parse((const uint8_t *)(uintptr_t)t.phys, t.len, out) != 0)
		fmt_snprintf(why, n, "MADT at 0x%lx: %s (byte %u)", t.phys, out->problem,
			     out->problem_at);
	else
		return 0;
	return -1;
}

static struct madt_info madt;
static bool madt_found, madt_searched;
static char madt_problem[96];

static void find_madt(void)
{
	madt_searched = true;
	madt_found = acpi_read_madt(&madt, madt_problem, sizeof(madt_problem)) == 0;
}

const struct madt_info *acpi_boot_madt(void)
{
	if (!madt_searched)
		find_madt();
	return madt_found ? &madt : NULL;
}

const char *acpi_boot_madt_problem(void)
{
	if (!madt_searched)
		find_madt();
	return madt_found ? NULL : madt_problem;
}

unsigned int acpi_boot_tables(struct acpi_table_entry *root, struct acpi_table_entry *out,
			      unsigned int max)
{
	const struct acpi_rsdp *r = acpi_boot_rsdp();

	root->readable = false;
	return r ? acpi_list_tables(r, &identity, root, out, max) : 0;
}

int acpi_boot_table(const char sig[4], struct acpi_table_entry *out)
{
	static struct acpi_table_entry list[ACPI_TABLES_MAX];	/* 2 KiB: not on the stack */
	struct acpi_table_entry root;
	unsigned int n = acpi_boot_tables(&root, list, ACPI_TABLES_MAX);

	for (unsigned int i = 0; i < n; i++)
		if (memcmp(list[i].sig, sig, 4) == 0) {
			*out = list[i];
			return 0;
		}
	return -1;
}
