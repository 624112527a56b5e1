#include <stdlib.h>
#include "unit.h"
#include "monitor/acpi/acpi.h"
#include "monitor/acpi/madt.h"

/* A MADT built entry by entry in t[], its header fixed by finish(). */
static uint8_t t[4096];
static size_t n;

static void put(uint32_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		t[n++] = (uint8_t)(v >> (8 * i));
}

static void start(uint8_t revision, uint32_t lapic, uint32_t flags)
{
	memset(t, 0, sizeof(t));
	memcpy(t, "APIC", 4);
	t[8] = revision;
	memcpy(t + 10, "NMIMON", 6);
	n = 36;
	put(lapic, 4);
	put(flags, 4);
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	put(0, 1), put(8, 1), put(uid, 1), put(id, 1), put(flags, 4);
}

static void x2apic(uint32_t id, uint32_t flags, uint32_t uid)
{
	put(9, 1), put(16, 1), put(0, 2), put(id, 4), put(flags, 4), put(uid, 4);
}

static void ioapic(uint8_t id, uint32_t address, uint32_t gsi_base)
{
	put(1, 1), put(12, 1), put(id, 1), put(0, 1), put(address, 4), put(gsi_base, 4);
}

static void override(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	put(2, 1), put(10, 1), put(0, 1), put(irq, 1), put(gsi, 4), put(flags, 2);
}

static void lapic_nmi(uint8_t uid, uint16_t flags, uint8_t lint)
{
	put(4, 1), put(6, 1), put(uid, 1), put(flags, 2), put(lint, 1);
}

static void x2apic_nmi(uint16_t flags, uint32_t uid, uint8_t lint)
{
	put(0xA, 1), put(12, 1), put(flags, 2), put(uid, 4), put(lint, 1), put(0, 3);
}

static void finish(void)
{
	uint8_t sum = 0;

	t[4] = (uint8_t)n, t[5] = (uint8_t)(n >> 8), t[6] = 0, t[7] = 0;
	t[9] = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
}

/* Parses a copy of exactly n bytes: ASan sees any read past the table. */
static int parse(struct madt_info *m)
{
	uint8_t *copy = malloc(n);
	int r;

	memcpy(copy, t, n);
	r = acpi_madt_parse(copy, n, m);
	free(copy);
	return r;
}

/* What QEMU's pc machine gives with -smp 4 (but CPU 2 disabled). */
static void qemu_like(void)
{
	start(1, 0xFEE00000, MADT_FLAG_PCAT_COMPAT);
	lapic(0, 0, 1);
	lapic(1, 1, 1);
	lapic(2, 2, 0);
	lapic(3, 3, 1);
	ioapic(0, 0xFEC00000, 0);
	override(0, 2, 0);
	override(9, 9, 0xD);
	lapic_nmi(0xFF, 0, 1);
	finish();
}

UNIT_TEST(madt_four_cpus_one_disabled)
{
	struct madt_info m;

	qemu_like();
	CHECK_EQ_U64(parse(&m), 0);
	CHECK_EQ_U64(m.lapic_address, 0xFEE00000);
	CHECK_EQ_U64(m.flags, MADT_FLAG_PCAT_COMPAT);
	CHECK_EQ_U64(m.ncpus, 4);
	for (unsigned int i = 0; i < 4; i++) {
		CHECK_EQ_U64(m.cpu[i].apic_id, i);
		CHECK_EQ_U64(m.cpu[i].uid, i);
		CHECK(!m.cpu[i].x2apic && !m.cpu[i].online_capable);
		CHECK_EQ_U64(m.cpu[i].enabled, i != 2);
	}
	CHECK_EQ_U64(madt_usable_cpus(&m), 3);
	CHECK(!madt_cpu_usable(&m.cpu[2]));
	CHECK_EQ_U64(m.nioapics, 1);
	CHECK(m.ioapic[0].id == 0 && m.ioapic[0].address == 0xFEC00000 && m.ioapic[0].gsi_base == 0);
	CHECK_EQ_U64(m.noverrides, 2);
	CHECK(m.override[0].irq == 0 && m.override[0].gsi == 2 && m.override[0].flags == 0);
	CHECK(m.override[1].irq == 9 && m.override[1].gsi == 9 && m.override[1].flags == 0xD);
	CHECK_EQ_U64(m.nnmis, 1);
	CHECK(m.nmi[0].uid == MADT_NMI_ALL_CPUS && m.nmi[0].lint == 1 && !m.nmi[0].x2apic);
	CHECK_EQ_U64(m.dropped, 0);
}

UNIT_TEST(madt_x2apic_entries_and_address_override)
{
	struct madt_info m;

	start(5, 0xFEE00000, 0);
	x2apic(0x100, 1, 7);
	x2apic(0x101, 2, 8);			/* online-capable, not enabled */
	x2apic(0x102, 0, 9);			/* neither: not usable */
	put(5, 1), put(12, 1), put(0, 2), put(0x12345000, 4), put(0x1, 4);
	x2apic_nmi(5, 7, 1);
	lapic_nmi(3, 0, 0);
	finish();
	CHECK_EQ_U64(parse(&m), 0);
	CHECK_EQ_U64(m.lapic_address, 0x112345000ull);
	CHECK_EQ_U64(m.ncpus, 3);
	CHECK(m.cpu[0].x2apic && m.cpu[0].apic_id == 0x100 && m.cpu[0].uid == 7 && m.cpu[0].enabled);
	CHECK(m.cpu[1].online_capable && !m.cpu[1].enabled && madt_cpu_usable(&m.cpu[1]));
	CHECK(!madt_cpu_usable(&m.cpu[2]));
	CHECK_EQ_U64(madt_usable_cpus(&m), 2);
	CHECK_EQ_U64(m.nnmis, 2);
	CHECK(m.nmi[0].x2apic && m.nmi[0].uid == 7 && m.nmi[0].flags == 5 && m.nmi[0].lint == 1);
	CHECK(!m.nmi[1].x2apic && m.nmi[1].uid == 3 && m.nmi[1].lint == 0);
}

/* Bit 1 was reserved before revision 5: older firmware's is not believed. */
UNIT_TEST(madt_online_capable_needs_revision_5)
{
	struct madt_info m;

	start(4, 0xFEE00000, 0);
	lapic(0, 0, 1);
	lapic(1, 1, 2);
	finish();
	CHECK_EQ_U64(parse(&m), 0);
	CHECK(!m.cpu[1].online_capable && !madt_cpu_usable(&m.cpu[1]));
}

/* An INIT-SIPI to xAPIC id 0xFF would go to every CPU. */
UNIT_TEST(madt_broadcast_xapic_id_is_not_usable)
{
	struct madt_info m;

	start(3, 0xFEE00000, 0);
	lapic(0, 0, 1);
	lapic(1, 0xFF, 1);
	x2apic(0xFF, 1, 2);			/* an x2APIC id 0xFF is a real CPU */
	finish();
	CHECK_EQ_U64(parse(&m), 0);
	CHECK_EQ_U64(m.ncpus, 3);
	CHECK(m.cpu[1].enabled && !madt_cpu_usable(&m.cpu[1]));
	CHECK(madt_cpu_usable(&m.cpu[2]));
	CHECK_EQ_U64(madt_usable_cpus(&m), 2);
}

UNIT_TEST(madt_unknown_entries_skipped_by_length)
{
	struct madt_info m;

	start(3, 0xFEE00000, 0);
	lapic(0, 0, 1);
	put(0x7F, 1), put(7, 1), put(0, 1), put(0, 4);	/* a type from the future */
	put(0xB, 1), put(3, 1), put(0, 1);		/* GICC, absurdly short: not ours to judge */
	lapic(1, 5, 1);
	finish();
	CHECK_EQ_U64(parse(&m), 0);
	CHECK_EQ_U64(m.ncpus, 2);
	CHECK_EQ_U64(m.cpu[1].apic_id, 5);
}

UNIT_TEST(madt_damaged_entries_are_rejected)
{
	struct madt_info m;

	start(3, 0xFEE00000, 0);
	lapic(0, 0, 1);
	put(0x7F, 1), put(0, 1);			/* length 0 would loop for ever */
	lapic(1, 1, 1);
	finish();
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "entry of length 0");
	CHECK_EQ_U64(m.problem_at, 52);

	start(3, 0xFEE00000, 0);
	lapic(0, 0, 1);
	put(0, 1), put(7, 1), put(0, 4), put(0, 1);	/* a local APIC entry needs 8 */
	finish();
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "entry too short for its type");

	start(3, 0xFEE00000, 0);
	lapic(0, 0, 1);
	put(0x7F, 1), put(20, 1), put(0, 4);		/* 20 bytes claimed, 6 left */
	finish();
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "entry runs past the table");
	CHECK_EQ_U64(m.problem_at, 52);

	start(3, 0xFEE00000, 0);
	lapic(0, 0, 1);
	put(0, 1);					/* one byte: no room for a length */
	finish();
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "entry header runs past the table");
}

UNIT_TEST(madt_damaged_header_is_rejected_and_said)
{
	struct madt_info m;

	qemu_like();
	t[50] ^= 1;					/* checksum off by one bit */
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "bad checksum");
	CHECK_EQ_U64(m.ncpus, 0);			/* no entry believed */
	qemu_like();
	n -= 8;						/* the length field says 8 more */
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "length field disagrees with the table's size");
	qemu_like();
	t[0] = 'X';
	finish();
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "signature is not APIC");
	n = 40;
	CHECK(parse(&m) != 0);
	CHECK_STREQ(m.problem, "shorter than its fixed fields");
}

UNIT_TEST(madt_more_cpus_than_fit_are_counted_as_dropped)
{
	struct madt_info m;

	start(3, 0xFEE00000, 0);
	for (unsigned int i = 0; i < MADT_CPUS_MAX + 6; i++)
		x2apic(i, 1, i);
	finish();
	CHECK_EQ_U64(parse(&m), 0);
	CHECK_EQ_U64(m.ncpus, MADT_CPUS_MAX);
	CHECK_EQ_U64(m.cpu[MADT_CPUS_MAX - 1].apic_id, MADT_CPUS_MAX - 1);
	CHECK_EQ_U64(m.dropped, 6);
}
