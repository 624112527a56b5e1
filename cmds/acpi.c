#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/acpi/acpi_boot.h"
#include "monitor/acpi/acpi_mmio.h"

/* A damaged table's signature or OEM id may hold any byte: print '?'. */
static void printable(char *dst, const char *src, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[n] = '\0';
}

static void table_line(const struct acpi_table_entry *t)
{
	char sig[5], oem[7];

	printable(sig, t->sig, 4);
	printable(oem, t->oem_id, 6);
	if (!t->len && !t->readable)
		kprintf("???? 0x%08lx not readable\n", t->phys);
	else if (!t->readable)
		kprintf("%s 0x%08lx %7u %s not readable (length)\n", sig, t->phys, t->len, oem);
	else
		kprintf("%s 0x%08lx %7u %s %s\n", sig, t->phys, t->len, oem,
			t->checksum_ok ? "ok" : "BAD");
}

static void madt_summary(const struct madt_info *m)
{
	kprintf("madt: local APIC 0x%lx, flags 0x%x%s, %u CPUs, %u usable", m->lapic_address,
		m->flags, m->flags & MADT_FLAG_PCAT_COMPAT ? " (8259s present)" : "", m->ncpus,
		madt_usable_cpus(m));
	if (m->dropped)
		kprintf(", %u entries did not fit", m->dropped);
	kprintf("\n");
	for (unsigned int i = 0; i < m->ncpus; i++) {
		const struct madt_cpu *c = &m->cpu[i];

		kprintf("cpu %u: apic id %u uid %u %s%s%s%s\n", i, c->apic_id, c->uid,
			c->x2apic ? "x2apic" : "xapic", c->enabled ? " enabled" : "",
			c->online_capable ? " online-capable" : "",
			madt_cpu_usable(c) ? "" : " (not usable: skipped)");
	}
	for (unsigned int i = 0; i < m->nioapics; i++)
		kprintf("ioapic %u: id %u at 0x%x, gsi base %u\n", i, m->ioapic[i].id,
			m->ioapic[i].address, m->ioapic[i].gsi_base);
	for (unsigned int i = 0; i < m->noverrides; i++)
		kprintf("override: bus %u irq %u -> gsi %u, flags 0x%x\n", m->override[i].bus,
			m->override[i].irq, m->override[i].gsi, m->override[i].flags);
	for (unsigned int i = 0; i < m->nnmis; i++) {
		const struct madt_nmi *n = &m->nmi[i];

		if (n->uid == MADT_NMI_ALL_CPUS)
			kprintf("nmi: lint%u of every CPU, flags 0x%x%s\n", n->lint, n->flags,
				n->x2apic ? " (x2apic entry)" : "");
		else
			kprintf("nmi: lint%u of uid %u, flags 0x%x%s\n", n->lint, n->uid, n->flags,
				n->x2apic ? " (x2apic entry)" : "");
	}
}

static int cmd_acpi(int argc, char **argv)
{
	const struct acpi_rsdp *r = acpi_boot_rsdp();
	static struct acpi_table_entry list[ACPI_TABLES_MAX];	/* 2 KiB: not on the stack */
	static struct madt_info madt;
	char why[96];
	struct acpi_table_entry root;
	const struct acpi_mmio *io = acpi_boot_mmio();
	unsigned int n;

	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (!r) {
		kprintf("acpi: no RSDP: %s\n", acpi_boot_rsdp_source());
	} else {
		kprintf("rsdp: revision %u from %s, rsdt 0x%x, xsdt 0x%lx\n", r->revision,
			acpi_boot_rsdp_source(), r->rsdt, r->xsdt);
		n = acpi_boot_tables(&root, list, ACPI_TABLES_MAX);
		if (!root.readable)
			kprintf("acpi: neither the XSDT nor the RSDT is valid: no tables\n");
		else
			table_line(&root);
		for (unsigned int i = 0; i < n; i++)
			table_line(&list[i]);
		if (acpi_read_madt(&madt, why, sizeof(why)) == 0)
			madt_summary(&madt);
		else
			kprintf("madt: %s\n", why);
	}
	kprintf("hpet: 0x%lx (%s)\n", io->hpet, io->hpet_why);
	kprintf("ioapic: 0x%lx (%s)\n", io->ioapic, io->ioapic_why);
	return ST_OK;
}

COMMAND(acpi,
	.name = "acpi",
	.usage = "",
	.summary = "ACPI tables found (address, length, OEM, checksum), the MADT, the HPET",
	.help = "  One line per table the XSDT (else the RSDT) lists: signature, physical\n"
		"  address, length, OEM id, checksum ok or BAD. Then the MADT's CPUs (APIC id,\n"
		"  enabled, online-capable), IOAPICs, interrupt overrides and NMI pins, and\n"
		"  where the HPET and IOAPIC are taken from (fixed addresses without ACPI).\n"
		"  Tables are read as they are now; the CPUs brought up are the boot MADT's.",
	.run = cmd_acpi);
