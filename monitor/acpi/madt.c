#include "monitor/acpi/madt.h"
#include "monitor/acpi/acpi.h"
#include "monitor/lib/string.h"

#define MADT_ENTRIES	44	/* header, local APIC address, flags */

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDRESS = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 0xA,
};

/* The shortest entry of each type read here (ACPI 6.5 tables 5.44-5.63);
 * a longer one is a later revision's and is read by its known prefix. */
static uint8_t min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:		return 8;
	case MADT_IOAPIC:		return 12;
	case MADT_OVERRIDE:		return 10;
	case MADT_LAPIC_NMI:		return 6;
	case MADT_LAPIC_ADDRESS:	return 12;
	case MADT_X2APIC:		return 16;
	case MADT_X2APIC_NMI:		return 12;
	default:			return 2;
	}
}

static void add_cpu(struct madt_info *m, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic)
{
	if (m->ncpus == MADT_CPUS_MAX) {
		m->dropped++;
		return;
	}
	/* bit 1 was reserved before MADT revision 5 (ACPI 6.3): older
	 * firmware may leave it set without meaning it */
	m->cpu[m->ncpus++] = (struct madt_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.x2apic = x2apic,
		.enabled = flags & 1,
		.online_capable = m->revision >= 5 && (flags & 2),
	};
}

static void add_nmi(struct madt_info *m, uint32_t uid, uint16_t flags, uint8_t lint, bool x2apic)
{
	if (m->nnmis == MADT_NMIS_MAX) {
		m->dropped++;
		return;
	}
	m->nmi[m->nnmis++] = (struct madt_nmi){ .uid = uid, .flags = flags, .lint = lint,
						.x2apic = x2apic };
}

static void entry(struct madt_info *m, const uint8_t *e)
{
	switch (e[0]) {
	case MADT_LAPIC:
		add_cpu(m, e[3], e[2], acpi_le32(e + 4), false);
		break;
	case MADT_X2APIC:
		add_cpu(m, acpi_le32(e + 4), acpi_le32(e + 12), acpi_le32(e + 8), true);
		break;
	case MADT_IOAPIC:
		if (m->nioapics == MADT_IOAPICS_MAX)
			m->dropped++;
		else
			m->ioapic[m->nioapics++] = (struct madt_ioapic){
				.id = e[2], .address = acpi_le32(e + 4), .gsi_base = acpi_le32(e + 8) };
		break;
	case MADT_OVERRIDE:
		if (m->noverrides == MADT_OVERRIDES_MAX)
			m->dropped++;
		else
			m->override[m->noverrides++] = (struct madt_override){
				.bus = e[2], .irq = e[3], .gsi = acpi_le32(e + 4), .flags = acpi_le16(e + 8) };
		break;
	case MADT_LAPIC_NMI:
		/* a one-byte UID: 0xFF means every processor */
		add_nmi(m, e[2] == 0xFF ? MADT_NMI_ALL_CPUS : e[2], acpi_le16(e + 3), e[5], false);
		break;
	case MADT_X2APIC_NMI:
		add_nmi(m, acpi_le32(e + 4), acpi_le16(e + 2), e[8], true);
		break;
	case MADT_LAPIC_ADDRESS:
		m->lapic_address = acpi_le64(e + 4);
		break;
	}
}

static int fail(struct madt_info *m, const char *problem, uint32_t at)
{
	m->problem = problem;
	m->problem_at = at;
	return -1;
}

int acpi_madt_parse(const uint8_t *t, size_t len, struct madt_info *out)
{
	size_t off;

	memset(out, 0, sizeof(*out));
	if (len < MADT_ENTRIES)
		return fail(out, "shorter than its fixed fields", 0);
	if (memcmp(t, "APIC", 4) != 0)
		return fail(out, "signature is not APIC", 0);
	if (acpi_le32(t + 4) != len)
		return fail(out, "length field disagrees with the table's size", 4);
	if (!acpi_checksum_ok(t, len))
		return fail(out, "bad checksum", 9);
	out->revision = t[8];
	out->lapic_address = acpi_le32(t + 36);
	out->flags = acpi_le32(t + 40);
	for (off = MADT_ENTRIES; off < len; off += t[off + 1]) {
		if (len - off < 2)
			return fail(out, "entry header runs past the table", (uint32_t)off);
		if (t[off + 1] < min_len(t[off]))
			return fail(out, t[off + 1] ? "entry too short for its type" :
					 "entry of length 0", (uint32_t)off);
		if (t[off + 1] > len - off)
			return fail(out, "entry runs past the table", (uint32_t)off);
		entry(out, t + off);
	}
	return 0;
}

unsigned int madt_usable_cpus(const struct madt_info *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->ncpus; i++)
		n += madt_cpu_usable(&m->cpu[i]);
	return n;
}
