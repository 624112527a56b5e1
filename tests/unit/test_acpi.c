#include <stdlib.h>
#include "unit.h"
#include "monitor/acpi/acpi.h"
#include "monitor/acpi/hpet_table.h"
#include "monitor/shell/console_port.h"

/* A physical memory of 4 KiB at 0x10000 holding the tables built below. */
#define BASE 0x10000
static uint8_t mem[4096];

static const void *map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < BASE || phys - BASE > sizeof(mem) || len > sizeof(mem) - (phys - BASE))
		return NULL;
	return mem + (phys - BASE);
}

static const struct acpi_mem m = { map, NULL };

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

static void table(uint32_t off, const char *sig, uint32_t len)
{
	memcpy(mem + off, sig, 4);
	put32(mem + off + 4, len);
	fix_checksum(mem + off, len, 9);
}

/* RSDP at 0 (revision 2), XSDT at 0x100 -> [FACP at 0x200, SPCR at 0x300],
 * RSDT at 0x180 -> [SPCR]. */
static void build(uint8_t space, uint64_t address)
{
	memset(mem, 0, sizeof(mem));
	memcpy(mem, "RSD PTR ", 8);
	mem[15] = 2;
	put32(mem + 16, BASE + 0x180);
	put32(mem + 20, 36);
	put64(mem + 24, BASE + 0x100);
	fix_checksum(mem, 20, 8);
	fix_checksum(mem, 36, 32);
	table(0x200, "FACP", 36);
	mem[0x300 + 36] = 0;			/* 16550 */
	mem[0x300 + 40] = space;
	mem[0x300 + 41] = 8;
	put64(mem + 0x300 + 44, address);
	mem[0x300 + 52] = 1;			/* 8259 IRQ */
	mem[0x300 + 53] = 3;
	mem[0x300 + 58] = 6;			/* 57600 */
	table(0x300, "SPCR", 80);
	put64(mem + 0x100 + 36, BASE + 0x200);
	put64(mem + 0x100 + 44, BASE + 0x300);
	table(0x100, "XSDT", 52);
	put32(mem + 0x180 + 36, BASE + 0x300);
	table(0x180, "RSDT", 40);
}

UNIT_TEST(acpi_rsdp_revisions_and_checksums)
{
	struct acpi_rsdp r;

	build(1, 0x2f8);
	CHECK_EQ_U64(acpi_rsdp_parse(mem, 36, &r), 0);
	CHECK_EQ_U64(r.revision, 2);
	CHECK_EQ_U64(r.xsdt, BASE + 0x100);
	CHECK_EQ_U64(r.rsdt, BASE + 0x180);
	mem[30] ^= 1;				/* the extended checksum covers the XSDT address */
	CHECK(acpi_rsdp_parse(mem, 36, &r) != 0);
	mem[15] = 0;				/* revision 0: 20 bytes, no XSDT */
	fix_checksum(mem, 20, 8);
	CHECK_EQ_U64(acpi_rsdp_parse(mem, 20, &r), 0);
	CHECK_EQ_U64(r.xsdt, 0);
	mem[0] = 'r';
	CHECK(acpi_rsdp_parse(mem, 20, &r) != 0);
}

/* Regression (found by make fuzz): a revision-2 RSDP in a 20-byte buffer
 * had its length read from beyond the buffer. */
UNIT_TEST(acpi_rsdp_v2_shorter_than_36_bytes_is_refused)
{
	uint8_t *p = malloc(20);	/* exact size: ASan sees any read past it */
	struct acpi_rsdp r;

	build(1, 0x2f8);
	memcpy(p, mem, 20);
	CHECK(acpi_rsdp_parse(p, 20, &r) != 0);
	free(p);
}

UNIT_TEST(acpi_finds_spcr_through_xsdt_then_rsdt)
{
	struct acpi_rsdp r;
	struct acpi_spcr s;
	uint32_t len = 0;

	build(1, 0x2f8);
	acpi_rsdp_parse(mem, 36, &r);
	CHECK_EQ_U64(acpi_find_table(&r, &m, "SPCR", &len), BASE + 0x300);
	CHECK_EQ_U64(len, 80);
	CHECK_EQ_U64(acpi_find_table(&r, &m, "HPET", &len), 0);
	CHECK_EQ_U64(acpi_spcr_parse(mem + 0x300, 80, &s), 0);
	CHECK(s.space == ACPI_SPACE_IO && s.address == 0x2f8 && s.irq_type == 1 && s.irq == 3);
	CHECK_EQ_U64(s.baud, 57600);
	mem[0x100 + 20] ^= 1;			/* a broken XSDT: the RSDT still lists it */
	CHECK_EQ_U64(acpi_find_table(&r, &m, "SPCR", &len), BASE + 0x300);
	mem[0x300 + 50] ^= 1;			/* a broken SPCR is no SPCR */
	CHECK_EQ_U64(acpi_find_table(&r, &m, "SPCR", &len), 0);
	CHECK(acpi_spcr_parse(mem + 0x300, 80, &s) != 0);
	build(1, 0x2f8);
	put32(mem + 0x300 + 4, 0x7fffffff);	/* a length past the memory */
	CHECK_EQ_U64(acpi_find_table(&r, &m, "SPCR", &len), 0);
}

UNIT_TEST(acpi_lists_tables_with_checksum_verdicts)
{
	struct acpi_table_entry root, t[4];
	struct acpi_rsdp r;

	build(1, 0x2f8);
	memcpy(mem + 0x200 + 10, "BOCHS ", 6);
	table(0x200, "FACP", 36);
	acpi_rsdp_parse(mem, 36, &r);
	CHECK_EQ_U64(acpi_list_tables(&r, &m, &root, t, 4), 2);
	CHECK(root.readable && root.checksum_ok && root.phys == BASE + 0x100);
	CHECK_STREQ(root.sig, "XSDT");
	CHECK_STREQ(t[0].sig, "FACP");
	CHECK_STREQ(t[0].oem_id, "BOCHS ");
	CHECK(t[0].phys == BASE + 0x200 && t[0].len == 36 && t[0].readable && t[0].checksum_ok);
	CHECK_STREQ(t[1].sig, "SPCR");
	mem[0x300 + 50] ^= 1;			/* damaged: still listed, and said so */
	CHECK_EQ_U64(acpi_list_tables(&r, &m, &root, t, 4), 2);
	CHECK(t[1].readable && !t[1].checksum_ok);
	CHECK_EQ_U64(acpi_list_tables(&r, &m, &root, t, 1), 1);	/* no more than asked */
	mem[0x100 + 20] ^= 1;			/* a damaged XSDT: the RSDT's list instead */
	CHECK_EQ_U64(acpi_list_tables(&r, &m, &root, t, 4), 1);
	CHECK_STREQ(root.sig, "RSDT");
	CHECK_STREQ(t[0].sig, "SPCR");
	put32(mem + 0x180 + 36, 0x7000);	/* a pointer to nothing */
	table(0x180, "RSDT", 40);
	CHECK_EQ_U64(acpi_list_tables(&r, &m, &root, t, 4), 1);
	CHECK(!t[0].readable && t[0].len == 0 && t[0].phys == 0x7000);
	mem[0x180 + 20] ^= 1;			/* both roots damaged */
	CHECK_EQ_U64(acpi_list_tables(&r, &m, &root, t, 4), 0);
	CHECK(!root.readable);
}

/* The table QEMU's pc machine gives (base 0xfed00000, 64-bit GAS). */
static void hpet_table(uint8_t *h, uint64_t address)
{
	memset(h, 0, ACPI_HPET_LEN);
	memcpy(h, "HPET", 4);
	put32(h + 4, ACPI_HPET_LEN);
	put32(h + 36, 0x8086a201);
	h[40] = 0;				/* system memory */
	h[41] = 64;
	put64(h + 44, address);
	h[52] = 0;
	h[53] = 0x80;				/* minimum tick 128 */
	fix_checksum(h, ACPI_HPET_LEN, 9);
}

UNIT_TEST(acpi_hpet_table_base_address)
{
	uint8_t h[ACPI_HPET_LEN + 4];
	struct acpi_hpet hp;
	const char *why = NULL;

	hpet_table(h, 0xfed00000);
	CHECK_EQ_U64(acpi_hpet_parse(h, ACPI_HPET_LEN, &hp, &why), 0);
	CHECK(hp.address == 0xfed00000 && hp.block_id == 0x8086a201 && hp.min_tick == 128);
	h[20] ^= 1;
	CHECK(acpi_hpet_parse(h, ACPI_HPET_LEN, &hp, &why) != 0);
	CHECK_STREQ(why, "bad checksum");
	CHECK(acpi_hpet_parse(h, ACPI_HPET_LEN - 1, &hp, &why) != 0);
	CHECK_STREQ(why, "shorter than 56 bytes");
	CHECK(acpi_hpet_parse(h, ACPI_HPET_LEN + 4, &hp, &why) != 0);	/* length field says 56 */
	CHECK_STREQ(why, "signature or length field wrong");
	hpet_table(h, 0xfed00200);		/* inside a register block */
	CHECK(acpi_hpet_parse(h, ACPI_HPET_LEN, &hp, &why) != 0);
	CHECK_STREQ(why, "base address 0 or not 1 KiB aligned");
	hpet_table(h, 0);
	CHECK(acpi_hpet_parse(h, ACPI_HPET_LEN, &hp, &why) != 0);
	hpet_table(h, 0xfed00000);
	h[40] = ACPI_SPACE_IO;
	fix_checksum(h, ACPI_HPET_LEN, 9);
	CHECK(acpi_hpet_parse(h, ACPI_HPET_LEN, &hp, &why) != 0);
	CHECK_STREQ(why, "base address not in system memory");
}

UNIT_TEST(console_port_option_values)
{
	uint16_t port = 0;
	uint32_t baud = 0;

	CHECK_EQ_U64(console_port_parse("com2", &port, &baud), 0);
	CHECK(port == 0x2f8 && baud == 115200);
	CHECK_EQ_U64(console_port_parse("0x3e8,9600", &port, &baud), 0);
	CHECK(port == 0x3e8 && baud == 9600);
	CHECK(console_port_parse("com5", &port, &baud) != 0);
	CHECK(console_port_parse("0x", &port, &baud) != 0);
	CHECK(console_port_parse("0xfff9", &port, &baud) != 0);	/* its last register past 0xffff */
	CHECK(console_port_parse("com1,7", &port, &baud) != 0);	/* 115200 / 7 is no divisor */
	CHECK(console_port_parse("com1,", &port, &baud) != 0);
}

/* Regression (found by make fuzz): "com2,m1" set the port to COM2's
 * before the baud rate failed, so the default became 0x2f8. */
UNIT_TEST(console_port_bad_baud_leaves_the_default)
{
	struct console_port c;
	uint16_t port = 0x1234;
	uint32_t baud = 1;

	CHECK(console_port_parse("com2,m1", &port, &baud) != 0);
	CHECK(port == 0x1234 && baud == 1);
	console_port_choose("com2,m1", NULL, &c);
	CHECK(c.port == 0x3f8 && c.source == CONSOLE_DEFAULT);
	CHECK_STREQ(c.why, "serial=com2,m1 is invalid; no ACPI SPCR: COM1 default");
}

UNIT_TEST(console_port_option_then_spcr_then_com1)
{
	struct acpi_spcr io = { .space = ACPI_SPACE_IO, .address = 0x2f8, .irq_type = 1, .irq = 3,
				.baud = 115200 };
	struct acpi_spcr mmio = { .space = ACPI_SPACE_MEMORY, .address = 0xfe030000 };
	struct console_port c;

	console_port_choose("com1", &io, &c);
	CHECK(c.port == 0x3f8 && c.irq == 4 && c.source == CONSOLE_OPTION);
	CHECK_STREQ(c.why, "boot option serial=com1");
	console_port_choose(NULL, &io, &c);
	CHECK(c.port == 0x2f8 && c.irq == 3 && c.baud == 115200 && c.source == CONSOLE_SPCR);
	CHECK_STREQ(c.why, "ACPI SPCR names I/O port 0x2f8");
	console_port_choose(NULL, &mmio, &c);
	CHECK(c.port == 0x3f8 && c.source == CONSOLE_DEFAULT);
	CHECK_STREQ(c.why, "ACPI SPCR names an MMIO UART at 0xfe030000, not supported yet: COM1 default");
	console_port_choose(NULL, NULL, &c);
	CHECK_STREQ(c.why, "no ACPI SPCR, no serial= boot option: COM1 default");
	console_port_choose("0x2e8", NULL, &c);
	CHECK(c.port == 0x2e8 && c.irq == 3);
	console_port_choose("0x500", NULL, &c);
	CHECK(c.irq == CONSOLE_NO_IRQ);		/* no PC convention: the shell polls */
}
