#include "tests/unit/unit.h"
#include "monitor/gdb/gdb_regs.h"
#include "monitor/gdb/target_xml.h"

/* The g packet is laid out by target.xml's register order and sizes:
 * gdb_regs.c must agree with it register by register. */
UNIT_TEST(gdb_regs_agree_with_target_xml)
{
	static const char *const names[GDB_NREGS] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
		"r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
		"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7", "fctrl", "fstat", "ftag",
		"fiseg", "fioff", "foseg", "fooff", "fop", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		"xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		"xmm15", "mxcsr" };
	struct trap_frame f = { 0 };
	const char *p = gdb_target_xml;
	unsigned int n = 0, total = 0;
	uint8_t r[16];

	CHECK_EQ_U64(strlen(gdb_target_xml), gdb_target_xml_len);
	while ((p = strstr(p, "<reg name=\"")) != NULL) {
		char name[16];
		unsigned int bits;

		CHECK(sscanf(p, "<reg name=\"%15[^\"]\" bitsize=\"%u\"", name, &bits) == 2);
		CHECK(n < GDB_NREGS);
		if (n >= GDB_NREGS)
			return;
		CHECK_STREQ(name, names[n]);
		CHECK_EQ_U64(gdb_reg_get(&f, n, r), bits / 8);
		total += bits / 8;
		n++;
		p++;
	}
	CHECK_EQ_U64(n, GDB_NREGS);
	CHECK_EQ_U64(total, GDB_REGS_BYTES);
	CHECK_EQ_U64(gdb_reg_get(&f, GDB_NREGS, r), 0);
	CHECK(strstr(gdb_target_xml, "org.gnu.gdb.i386.core") != NULL);
	CHECK(strstr(gdb_target_xml, "org.gnu.gdb.i386.sse") != NULL);
}

UNIT_TEST(gdb_regs_map_the_trap_frame_and_set_only_what_runs)
{
	struct trap_frame f = { .rax = 0x1111, .rdi = 0x2222, .rsp = 0x3333, .r15 = 0x4444,
				.rip = 0xffffffff80100000ull, .rflags = 0x246, .cs = 8, .ss = 0x10 };
	uint8_t r[16], v[8] = { 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0 };

	CHECK_EQ_U64(gdb_reg_get(&f, 16, r), 8);
	CHECK(memcmp(r, "\x00\x00\x10\x80\xff\xff\xff\xff", 8) == 0);
	gdb_reg_get(&f, 5, r);
	CHECK_EQ_U64(r[0] | r[1] << 8, 0x2222);
	gdb_reg_get(&f, 7, r);
	CHECK_EQ_U64(r[0] | r[1] << 8, 0x3333);
	gdb_reg_get(&f, 15, r);
	CHECK_EQ_U64(r[0] | r[1] << 8, 0x4444);
	CHECK_EQ_U64(gdb_reg_get(&f, 17, r), 4);
	CHECK_EQ_U64(r[0] | r[1] << 8, 0x246);
	gdb_reg_get(&f, 56, r);
	CHECK_EQ_U64(r[0] | r[1] << 8, 0x1f80);	/* mxcsr at reset */
	CHECK(gdb_reg_set(&f, 0, v, 8));
	CHECK_EQ_U64(f.rax, 0x12345678);
	CHECK(gdb_reg_set(&f, 17, v, 4));
	CHECK_EQ_U64(f.rflags, 0x12345678);
	CHECK(gdb_reg_set(&f, 18, v, 4));	/* cs: accepted, kept */
	CHECK_EQ_U64(f.cs, 8);
	CHECK(!gdb_reg_set(&f, 0, v, 4));	/* wrong size */
	CHECK(!gdb_reg_set(&f, GDB_NREGS, v, 4));
}
