#include "monitor/acpi/acpi_mmio.h"
#include "monitor/acpi/acpi_boot.h"
#include "monitor/acpi/hpet_table.h"
#include "monitor/lib/fmt.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/paging.h"

#define HPET_FIXED	0xFED00000ull	/* the PC's usual addresses (QEMU's too) */
#define IOAPIC_FIXED	0xFEC00000ull

static struct acpi_mmio mmio;

/* A byte of a register window the monitor can use: identity-mapped (below
 * 4 GiB) and uncached, as boot.S maps the top GiB (a cached MMIO read can
 * return a stale value). */
static bool uncached(uint64_t a)
{
	int level;
	uint64_t pte = a < (4ull << 30) ? paging_query((uintptr_t)a, &level) : 0;

	return (pte & PTE_P) && (pte & PTE_PCD);
}

static bool usable_window(uint64_t a, uint64_t len)
{
	return uncached(a) && uncached(a + len - 1);
}

static void choose_hpet(void)
{
	struct acpi_table_entry t;
	struct acpi_hpet h;
	const char *problem;

	mmio.hpet = HPET_FIXED;
	if (!acpi_boot_rsdp())
		fmt_snprintf(mmio.hpet_why, sizeof(mmio.hpet_why), "fixed: no RSDP");
	else if (acpi_boot_table("HPET", &t) != 0)
		fmt_snprintf(mmio.hpet_why, sizeof(mmio.hpet_why), "fixed: no ACPI HPET table");
	else if (!t.readable)
		fmt_snprintf(mmio.hpet_why, sizeof(mmio.hpet_why),
			     "fixed: HPET table at 0x%lx not readable", t.phys);
	else if (acpi_hpet_parse((const uint8_t *)(uintptr_t)t.phys, t.len, &h, &problem) != 0)
		fmt_snprintf(mmio.hpet_why, sizeof(mmio.hpet_why), "fixed: HPET table: %s", problem);
	else if (!usable_window(h.address, 1024))
		fmt_snprintf(mmio.hpet_why, sizeof(mmio.hpet_why),
			     "fixed: HPET table's 0x%lx is not mapped uncached", h.address);
	else {
		mmio.hpet = h.address;
		fmt_snprintf(mmio.hpet_why, sizeof(mmio.hpet_why), "ACPI HPET table");
	}
}

static void choose_ioapic(void)
{
	const struct madt_info *m = acpi_boot_madt();

	mmio.ioapic = IOAPIC_FIXED;
	if (!m)
		fmt_snprintf(mmio.ioapic_why, sizeof(mmio.ioapic_why), "fixed: no usable MADT");
	else if (!m->nioapics)
		fmt_snprintf(mmio.ioapic_why, sizeof(mmio.ioapic_why), "fixed: no IOAPIC in the MADT");
	else if (!usable_window(m->ioapic[0].address, 0x20))
		fmt_snprintf(mmio.ioapic_why, sizeof(mmio.ioapic_why),
			     "fixed: MADT's 0x%x is not mapped uncached", m->ioapic[0].address);
	else {
		mmio.ioapic = m->ioapic[0].address;
		fmt_snprintf(mmio.ioapic_why, sizeof(mmio.ioapic_why), "MADT's first IOAPIC");
	}
}

const struct acpi_mmio *acpi_boot_mmio(void)
{
	if (!mmio.hpet) {
		choose_hpet();
		choose_ioapic();
	}
	return &mmio;
}
