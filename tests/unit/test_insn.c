/* The x86-64 length decoder on hand-picked encodings, one or more for each
 * path through it; the whole-text oracle against objdump -d is
 * tests/integration/test_dis.py. */
#include <stdlib.h>
#include "unit.h"
#include "monitor/debug/insn.h"

/* Decodes hex ("66 0f 1f 44 00 00") and returns insn_decode's result; the
 * bytes are in a buffer of exactly their length, so ASan sees an overread. */
static int decode_n(const char *hex, size_t avail, struct insn *out)
{
	uint8_t buf[64];
	size_t n = 0;
	unsigned int b;
	int used;

	while (n < sizeof(buf) && sscanf(hex, " %2x%n", &b, &used) == 1) {
		buf[n++] = (uint8_t)b;
		hex += used;
	}
	uint8_t *exact = n ? malloc(n) : NULL;
	int r;

	if (n)
		memcpy(exact, buf, n);
	r = insn_decode(exact, avail < n ? avail : n, out);
	/* what the offsets name is there */
	if (r == 0 && (exact[out->opcode_off] != out->opcode ||
		       (out->has_modrm && exact[out->modrm_off] != out->modrm)))
		unit_fail(__FILE__, __LINE__, "%s: opcode or ModRM offset wrong", hex);
	free(exact);
	return r;
}

static int decode(const char *hex, struct insn *out)
{
	return decode_n(hex, SIZE_MAX, out);
}

/* Decodes hex, which must be one whole instruction, and checks its shape. */
#define CHECK_SHAPE(hex, len_, opcode_off_, modrm_off_, disp_off_, disp_size_, imm_off_, imm_size_) \
	do {								\
		struct insn i_;						\
		if (decode(hex, &i_) != 0) {				\
			unit_fail(__FILE__, __LINE__, "%s: not decoded", hex);	\
			break;						\
		}							\
		CHECK_EQ_U64(i_.len, len_);				\
		CHECK_EQ_U64(i_.opcode_off, opcode_off_);		\
		CHECK_EQ_U64(i_.has_modrm ? i_.modrm_off : 0xff, modrm_off_); \
		CHECK_EQ_U64(i_.disp_off, disp_off_);			\
		CHECK_EQ_U64(i_.disp_size, disp_size_);			\
		CHECK_EQ_U64(i_.imm_off, imm_off_);			\
		CHECK_EQ_U64(i_.imm_size, imm_size_);			\
	} while (0)

#define NO 0xff		/* no ModRM */

#define CHECK_BAD(hex)							\
	do {								\
		struct insn i_;						\
		if (decode(hex, &i_) != -1)				\
			unit_fail(__FILE__, __LINE__, "%s: decoded, length %u", hex, i_.len); \
	} while (0)

UNIT_TEST(insn_legacy_prefixes_and_rex)
{
	struct insn i;

	CHECK_SHAPE("90", 1, 0, NO, 0, 0, 0, 0);
	CHECK(decode("f3 48 a5", &i) == 0);			/* rep movsq */
	CHECK(i.rep && !i.repne && !i.p66 && i.nprefix == 1);
	CHECK_EQ_U64(i.rex, 0x48);
	CHECK_EQ_U64(i.opcode_off, 2);
	CHECK_EQ_U64(i.opcode, 0xa5);
	CHECK(decode("f2 ae", &i) == 0 && i.repne && !i.rep);	/* repne scasb */
	CHECK(decode("f0 48 0f b1 0a", &i) == 0);		/* lock cmpxchg %rcx,(%rdx) */
	CHECK(i.lock && i.map == INSN_MAP_0F && i.opcode == 0xb1 && i.len == 5);
	CHECK_EQ_U64(i.modrm_off, 4);
	/* mov %gs:0x28,%rax: segment prefix, SIB with no base, disp32 */
	CHECK_SHAPE("65 48 8b 04 25 28 00 00 00", 9, 2, 3, 5, 4, 0, 0);
	CHECK(decode("65 48 8b 04 25 28 00 00 00", &i) == 0 && i.has_sib && !i.rip_relative);
	CHECK(i.nprefix == 1 && !i.p66 && !i.p67);
	CHECK_SHAPE("66 2e 0f 1f 84 00 00 00 00 00", 10, 3, 4, 6, 4, 0, 0);	/* nopw */
	CHECK(decode("66 2e 0f 1f 84 00 00 00 00 00", &i) == 0 && i.p66 && i.nprefix == 2);
	CHECK(decode("67 8b 00", &i) == 0 && i.p67 && i.len == 3);
	/* a REX before a legacy prefix is ignored (SDM 2.2.1; objdump shows it
	 * as a lone "rex.W"): 66 sizes the immediate, the REX byte still counts */
	CHECK_SHAPE("48 66 b8 34 12", 5, 2, NO, 0, 0, 3, 2);
	CHECK(decode("48 66 b8 34 12", &i) == 0 && i.rex == 0);
	/* of two REX bytes the last one counts */
	CHECK(decode("40 48 b8 00 00 00 00 00 00 00 00", &i) == 0 && i.rex == 0x48 && i.len == 11);
}

UNIT_TEST(insn_fifteen_byte_limit)
{
	/* seven prefixes + the 8-byte nopw = 15: fine; an eighth makes 16 */
	CHECK_SHAPE("66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00", 15, 8, 9, 11, 4, 0, 0);
	CHECK_BAD("66 66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00");
	/* the limit also cuts an immediate: 5 + movabs (10) = 15, 6 + 10 = 16 */
	CHECK_SHAPE("2e 2e 2e 2e 2e 48 b8 01 02 03 04 05 06 07 08", 15, 6, NO, 0, 0, 7, 8);
	CHECK_BAD("2e 2e 2e 2e 2e 2e 48 b8 01 02 03 04 05 06 07 08");
	/* prefixes alone, 15 of them */
	CHECK_BAD("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90");
}

UNIT_TEST(insn_truncated_input)
{
	struct insn i;
	static const char *const whole[] = {
		"66 90", "0f 0b", "0f 38 00 c1", "0f 3a 0f c1 08", "48 8b 05 00 00 00 00",
		"8b 04 24", "8b 44 24 08", "48 b8 01 02 03 04 05 06 07 08", "c5 f8 77",
		"c4 e2 79 00 c1", "62 f1 7c 48 10 c1", "e8 00 00 00 00", "f7 c1 01 00 00 00",
	};

	CHECK(decode_n("", 0, &i) == -1);
	/* every proper prefix of each is refused, the whole decodes */
	for (size_t k = 0; k < sizeof(whole) / sizeof(whole[0]); k++) {
		size_t n = (strlen(whole[k]) + 1) / 3;

		for (size_t a = 0; a < n; a++)
			if (decode_n(whole[k], a, &i) != -1)
				unit_fail(__FILE__, __LINE__, "%s cut to %zu bytes: decoded", whole[k], a);
		if (decode_n(whole[k], n, &i) != 0 || i.len != n)
			unit_fail(__FILE__, __LINE__, "%s: not decoded as %zu bytes", whole[k], n);
	}
}

UNIT_TEST(insn_one_byte_map_immediates)
{
	struct insn i;

	CHECK_SHAPE("04 7f", 2, 0, NO, 0, 0, 1, 1);			/* add $0x7f,%al */
	CHECK_SHAPE("05 78 56 34 12", 5, 0, NO, 0, 0, 1, 4);		/* Iz */
	CHECK_SHAPE("66 05 34 12", 4, 1, NO, 0, 0, 2, 2);		/* 66: imm16 */
	CHECK_SHAPE("48 05 78 56 34 12", 6, 1, NO, 0, 0, 2, 4);	/* REX.W: still imm32 */
	CHECK_SHAPE("66 48 05 78 56 34 12", 7, 2, NO, 0, 0, 3, 4);	/* REX.W beats 66 */
	CHECK_SHAPE("b8 78 56 34 12", 5, 0, NO, 0, 0, 1, 4);		/* Iv */
	CHECK_SHAPE("66 b8 34 12", 4, 1, NO, 0, 0, 2, 2);
	CHECK_SHAPE("49 bf 01 02 03 04 05 06 07 08", 10, 1, NO, 0, 0, 2, 8);	/* movabs */
	CHECK_SHAPE("41 b0 01", 3, 1, NO, 0, 0, 2, 1);		/* mov $1,%r8b */
	CHECK_SHAPE("6a 01", 2, 0, NO, 0, 0, 1, 1);
	CHECK_SHAPE("68 00 10 00 00", 5, 0, NO, 0, 0, 1, 4);
	CHECK_SHAPE("69 c0 10 27 00 00", 6, 0, 1, 0, 0, 2, 4);	/* imul $10000 */
	CHECK_SHAPE("6b c0 05", 3, 0, 1, 0, 0, 2, 1);
	CHECK_SHAPE("80 38 00", 3, 0, 1, 0, 0, 2, 1);			/* cmpb $0,(%rax) */
	CHECK_SHAPE("83 7d f8 00", 4, 0, 1, 2, 1, 3, 1);		/* cmpl $0,-8(%rbp) */
	CHECK_SHAPE("81 fa 00 01 00 00", 6, 0, 1, 0, 0, 2, 4);
	CHECK_SHAPE("a8 01", 2, 0, NO, 0, 0, 1, 1);
	CHECK_SHAPE("a9 00 00 00 80", 5, 0, NO, 0, 0, 1, 4);
	CHECK_SHAPE("c1 e0 04", 3, 0, 1, 0, 0, 2, 1);			/* shl $4,%eax */
	CHECK_SHAPE("d1 e8", 2, 0, 1, 0, 0, 0, 0);			/* shr %eax */
	CHECK_SHAPE("c6 05 10 00 00 00 01", 7, 0, 1, 2, 4, 6, 1);	/* movb $1,0x10(%rip) */
	CHECK_SHAPE("c7 45 f8 00 00 00 00", 7, 0, 1, 2, 1, 3, 4);	/* movl $0,-8(%rbp) */
	CHECK_SHAPE("c2 08 00", 3, 0, NO, 0, 0, 1, 2);		/* ret $8 */
	CHECK_SHAPE("ca 08 00", 3, 0, NO, 0, 0, 1, 2);		/* lret $8 */
	CHECK_SHAPE("c8 10 00 01", 4, 0, NO, 0, 0, 1, 3);		/* enter $16,$1 */
	CHECK_SHAPE("cd 80", 2, 0, NO, 0, 0, 1, 1);
	CHECK_SHAPE("e4 60", 2, 0, NO, 0, 0, 1, 1);			/* in $0x60,%al */
	CHECK_SHAPE("e6 80", 2, 0, NO, 0, 0, 1, 1);
	CHECK_SHAPE("cc", 1, 0, NO, 0, 0, 0, 0);
	CHECK_SHAPE("c3", 1, 0, NO, 0, 0, 0, 0);
	CHECK_SHAPE("48 cf", 2, 1, NO, 0, 0, 0, 0);			/* iretq */
	CHECK_SHAPE("ec", 1, 0, NO, 0, 0, 0, 0);			/* in (%dx),%al */
	CHECK_SHAPE("63 c7", 2, 0, 1, 0, 0, 0, 0);			/* movslq %edi,%eax */
	CHECK_SHAPE("d9 c9", 2, 0, 1, 0, 0, 0, 0);			/* fxch */
	CHECK_SHAPE("dd 04 24", 3, 0, 1, 0, 0, 0, 0);			/* fldl (%rsp) */
	/* moffs: an 8-byte absolute address, 4 with 67 */
	CHECK_SHAPE("a0 88 77 66 55 44 33 22 11", 9, 0, NO, 0, 0, 1, 8);
	CHECK_SHAPE("48 a3 88 77 66 55 44 33 22 11", 10, 1, NO, 0, 0, 2, 8);
	CHECK_SHAPE("67 a1 44 33 22 11", 6, 1, NO, 0, 0, 2, 4);
	CHECK(decode("48 a3 88 77 66 55 44 33 22 11", &i) == 0 && !i.has_modrm && !i.rip_relative);
}

UNIT_TEST(insn_group3_immediate_depends_on_reg)
{
	CHECK_SHAPE("f6 c1 01", 3, 0, 1, 0, 0, 2, 1);			/* test $1,%cl (/0) */
	CHECK_SHAPE("f6 c9 01", 3, 0, 1, 0, 0, 2, 1);			/* /1 is TEST too */
	CHECK_SHAPE("f6 d9", 2, 0, 1, 0, 0, 0, 0);			/* neg %cl (/3) */
	CHECK_SHAPE("f7 c1 01 00 00 00", 6, 0, 1, 0, 0, 2, 4);
	CHECK_SHAPE("66 f7 c1 34 12", 5, 1, 2, 0, 0, 3, 2);
	CHECK_SHAPE("48 f7 e2", 3, 1, 2, 0, 0, 0, 0);			/* mul %rdx */
	CHECK_SHAPE("48 f7 75 f0", 4, 1, 2, 3, 1, 0, 0);		/* divq -16(%rbp) */
	/* testl $1,0x10(%rip): displacement, then immediate */
	CHECK_SHAPE("f7 05 10 00 00 00 01 00 00 00", 10, 0, 1, 2, 4, 6, 4);
}

UNIT_TEST(insn_modrm_sib_displacement)
{
	struct insn i;

	CHECK_SHAPE("89 c0", 2, 0, 1, 0, 0, 0, 0);			/* mod 3 */
	CHECK_SHAPE("8b 00", 2, 0, 1, 0, 0, 0, 0);			/* (%rax) */
	CHECK_SHAPE("8b 45 08", 3, 0, 1, 2, 1, 0, 0);			/* 8(%rbp): mod 1 rm 5 */
	CHECK_SHAPE("8b 85 00 01 00 00", 6, 0, 1, 2, 4, 0, 0);	/* mod 2 rm 5 */
	CHECK_SHAPE("8b 04 24", 3, 0, 1, 0, 0, 0, 0);			/* (%rsp): SIB */
	CHECK_SHAPE("8b 44 24 08", 4, 0, 1, 3, 1, 0, 0);
	CHECK_SHAPE("8b 84 24 00 01 00 00", 7, 0, 1, 3, 4, 0, 0);
	CHECK_SHAPE("8b 04 c5 00 10 00 00", 7, 0, 1, 3, 4, 0, 0);	/* SIB base 5 mod 0: disp32 */
	CHECK_SHAPE("8b 44 c5 00", 4, 0, 1, 3, 1, 0, 0);		/* SIB base 5 mod 1: %rbp+disp8 */
	CHECK_SHAPE("41 8b 04 24", 4, 1, 2, 0, 0, 0, 0);		/* (%r12): REX.B, still SIB */
	CHECK_SHAPE("41 8b 45 00", 4, 1, 2, 3, 1, 0, 0);		/* 0(%r13) */
	CHECK_SHAPE("8d 0c 1a", 3, 0, 1, 0, 0, 0, 0);			/* lea (%rdx,%rbx),%ecx */
	CHECK(decode("8b 04 24", &i) == 0 && i.has_sib && i.modrm == 0x04);
	CHECK(decode("8b 45 08", &i) == 0 && !i.has_sib && !i.rip_relative);
	CHECK(decode("8b 04 c5 00 10 00 00", &i) == 0 && !i.rip_relative);
}

UNIT_TEST(insn_rip_relative)
{
	struct insn i;

	CHECK_SHAPE("48 8b 05 f9 ff ff ff", 7, 1, 2, 3, 4, 0, 0);
	CHECK(decode("48 8b 05 f9 ff ff ff", &i) == 0 && i.rip_relative && !i.has_sib);
	/* REX.B does not make rm 101 a register base at mod 0 */
	CHECK(decode("41 8b 05 00 00 00 00", &i) == 0 && i.rip_relative && i.len == 7);
	/* 67: EIP-relative, the same shape */
	CHECK(decode("67 8b 05 00 00 00 00", &i) == 0 && i.rip_relative && i.len == 7);
	/* jmp *0x10(%rip): RIP-relative, not a relative branch */
	CHECK(decode("ff 25 10 00 00 00", &i) == 0 && i.rip_relative && !i.rel_branch);
	CHECK(decode("0f 01 15 f0 e0 10 00", &i) == 0 && i.rip_relative && i.len == 7); /* lgdt */
}

UNIT_TEST(insn_relative_branches)
{
	static const struct {
		const char *hex;
		unsigned int len, imm_off, imm_size;
	} rel[] = {
		{ "74 05", 2, 1, 1 },			/* je rel8 */
		{ "7f fe", 2, 1, 1 },			/* jg rel8 */
		{ "eb fe", 2, 1, 1 },			/* jmp rel8 */
		{ "e8 00 00 00 00", 5, 1, 4 },		/* call rel32 */
		{ "e9 00 00 00 80", 5, 1, 4 },		/* jmp rel32 */
		{ "0f 84 00 01 00 00", 6, 2, 4 },	/* je rel32 */
		{ "0f 8f 00 01 00 00", 6, 2, 4 },	/* jg rel32 */
		{ "e0 fe", 2, 1, 1 },			/* loopne */
		{ "e1 fe", 2, 1, 1 },			/* loope */
		{ "e2 fe", 2, 1, 1 },			/* loop */
		{ "e3 00", 2, 1, 1 },			/* jrcxz */
		{ "67 e3 00", 3, 2, 1 },		/* jecxz */
		{ "48 e8 00 00 00 00", 6, 2, 4 },	/* REX.W call: still rel32 */
		{ "66 48 e8 00 00 00 00", 7, 3, 4 },	/* REX.W beats 66 */
		{ "c7 f8 00 01 00 00", 6, 2, 4 },	/* xbegin rel32 */
		{ "66 c7 f8 00 01", 5, 3, 2 },		/* xbegin rel16 (Intel defines it) */
	};
	struct insn i;

	for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
		if (decode(rel[k].hex, &i) != 0 || !i.rel_branch || i.len != rel[k].len ||
		    i.imm_off != rel[k].imm_off || i.imm_size != rel[k].imm_size)
			unit_fail(__FILE__, __LINE__, "%s: rel_branch %d len %u imm %u+%u",
				  rel[k].hex, i.rel_branch, i.len, i.imm_off, i.imm_size);
	}
	/* 66 on a near branch: rel16 on AMD, ignored on Intel; refused */
	CHECK_BAD("66 e8 00 00 00 00");
	CHECK_BAD("66 e9 00 00 00 00");
	CHECK_BAD("66 0f 84 00 00 00 00");
	/* not relative branches */
	CHECK(decode("ff d0", &i) == 0 && !i.rel_branch && i.len == 2);	/* call *%rax */
	CHECK(decode("c3", &i) == 0 && !i.rel_branch);
	CHECK(decode("c6 f8 01", &i) == 0 && !i.rel_branch && i.len == 3);	/* xabort */
	CHECK(decode("c7 c0 01 00 00 00", &i) == 0 && !i.rel_branch && i.len == 6);
	CHECK(decode("c5 f8 77", &i) == 0 && !i.rel_branch);	/* VEX 0F 77 is no branch */
}

UNIT_TEST(insn_two_and_three_byte_maps)
{
	struct insn i;

	CHECK_SHAPE("0f 0b", 2, 1, NO, 0, 0, 0, 0);			/* ud2 */
	CHECK(decode("0f 0b", &i) == 0 && i.map == INSN_MAP_0F && i.opcode == 0x0b);
	CHECK_SHAPE("0f 05", 2, 1, NO, 0, 0, 0, 0);			/* syscall */
	CHECK_SHAPE("0f a2", 2, 1, NO, 0, 0, 0, 0);			/* cpuid */
	CHECK_SHAPE("0f 31", 2, 1, NO, 0, 0, 0, 0);			/* rdtsc */
	CHECK_SHAPE("0f c8", 2, 1, NO, 0, 0, 0, 0);			/* bswap */
	CHECK_SHAPE("0f 1f 44 00 00", 5, 1, 2, 4, 1, 0, 0);		/* nopl 0(%rax,%rax) */
	CHECK_SHAPE("0f 1f 80 00 00 00 00", 7, 1, 2, 3, 4, 0, 0);
	CHECK_SHAPE("0f b6 c0", 3, 1, 2, 0, 0, 0, 0);			/* movzbl */
	CHECK_SHAPE("0f 94 c0", 3, 1, 2, 0, 0, 0, 0);			/* sete */
	CHECK_SHAPE("48 0f 44 c2", 4, 2, 3, 0, 0, 0, 0);		/* cmove */
	CHECK_SHAPE("0f ba e0 03", 4, 1, 2, 0, 0, 3, 1);		/* bt $3,%eax */
	CHECK_SHAPE("0f a4 c2 04", 4, 1, 2, 0, 0, 3, 1);		/* shld $4 */
	CHECK_SHAPE("0f ac c2 04", 4, 1, 2, 0, 0, 3, 1);		/* shrd $4 */
	CHECK_SHAPE("0f 70 c1 1b", 4, 1, 2, 0, 0, 3, 1);		/* pshufw */
	CHECK_SHAPE("66 0f 73 d8 04", 5, 2, 3, 0, 0, 4, 1);		/* psrldq */
	CHECK_SHAPE("0f c2 c1 00", 4, 1, 2, 0, 0, 3, 1);		/* cmpps */
	CHECK_SHAPE("0f c6 c1 1b", 4, 1, 2, 0, 0, 3, 1);		/* shufps */
	CHECK_SHAPE("f3 0f b8 c1", 4, 2, 3, 0, 0, 0, 0);		/* popcnt */
	CHECK_SHAPE("f3 0f bc c7", 4, 2, 3, 0, 0, 0, 0);		/* tzcnt */
	CHECK_SHAPE("0f 01 d0", 3, 1, 2, 0, 0, 0, 0);			/* xgetbv */
	CHECK_SHAPE("0f ae f0", 3, 1, 2, 0, 0, 0, 0);			/* mfence */
	CHECK_SHAPE("0f 0d 08", 3, 1, 2, 0, 0, 0, 0);			/* prefetchw */
	CHECK_SHAPE("0f 0e", 2, 1, NO, 0, 0, 0, 0);			/* femms */
	CHECK_SHAPE("0f 0f c1 b4", 4, 1, 2, 0, 0, 3, 1);		/* pfmul: 3DNow! suffix */
	CHECK_SHAPE("66 0f 78 c0 04 08", 6, 2, 3, 0, 0, 4, 2);	/* extrq $8,$4 */
	CHECK_SHAPE("f2 0f 78 c1 04 08", 6, 2, 3, 0, 0, 4, 2);	/* insertq */
	CHECK_SHAPE("0f 78 c0", 3, 1, 2, 0, 0, 0, 0);			/* vmread */
	CHECK_SHAPE("0f ff 00", 3, 1, 2, 0, 0, 0, 0);			/* ud0 */
	/* 0F 38: ModRM always, no immediate */
	CHECK_SHAPE("66 0f 38 00 c1", 5, 3, 4, 0, 0, 0, 0);		/* pshufb */
	CHECK(decode("66 0f 38 00 c1", &i) == 0 && i.map == INSN_MAP_0F38 && i.opcode == 0x00);
	CHECK_SHAPE("f2 48 0f 38 f1 c1", 6, 4, 5, 0, 0, 0, 0);	/* crc32q */
	/* 0F 3A: ModRM and imm8 always */
	CHECK_SHAPE("66 0f 3a 0f c1 08", 6, 3, 4, 0, 0, 5, 1);	/* palignr */
	CHECK(decode("66 0f 3a 0f c1 08", &i) == 0 && i.map == INSN_MAP_0F3A && i.opcode == 0x0f);
}

UNIT_TEST(insn_mov_cr_dr_ignores_mod)
{
	/* SDM: MOV to/from CR/DR treat ModRM as a register whatever its mod,
	 * so 0f 22 05 has no displacement although mod 00 rm 101 */
	struct insn i;

	CHECK_SHAPE("0f 20 c0", 3, 1, 2, 0, 0, 0, 0);
	CHECK_SHAPE("0f 22 d8", 3, 1, 2, 0, 0, 0, 0);
	CHECK_SHAPE("0f 20 00", 3, 1, 2, 0, 0, 0, 0);
	CHECK_SHAPE("0f 22 05", 3, 1, 2, 0, 0, 0, 0);
	CHECK_SHAPE("0f 21 44", 3, 1, 2, 0, 0, 0, 0);			/* mov %dr0: mod 1 */
	CHECK_SHAPE("0f 23 84", 3, 1, 2, 0, 0, 0, 0);			/* mod 2, rm 4 */
	CHECK(decode("0f 22 05", &i) == 0 && !i.rip_relative && !i.has_sib);
}

UNIT_TEST(insn_vex)
{
	struct insn i;

	CHECK_SHAPE("c5 f8 77", 3, 2, NO, 0, 0, 0, 0);		/* vzeroupper */
	CHECK(decode("c5 f8 77", &i) == 0 && i.vex && i.map == INSN_MAP_0F && i.opcode == 0x77);
	CHECK_SHAPE("c5 f9 6f c1", 4, 2, 3, 0, 0, 0, 0);		/* vmovdqa */
	CHECK_SHAPE("c5 f9 70 c1 1b", 5, 2, 3, 0, 0, 4, 1);		/* vpshufd */
	CHECK_SHAPE("c5 f0 c2 c2 01", 5, 2, 3, 0, 0, 4, 1);		/* vcmpps */
	CHECK_SHAPE("c5 f0 c6 c2 1b", 5, 2, 3, 0, 0, 4, 1);		/* vshufps */
	CHECK_SHAPE("c4 e2 79 00 c1", 5, 3, 4, 0, 0, 0, 0);		/* vpshufb: 0F 38 */
	CHECK(decode("c4 e2 79 00 c1", &i) == 0 && i.vex && i.map == INSN_MAP_0F38 && i.opcode == 0);
	CHECK_SHAPE("c4 e3 79 0f c1 08", 6, 3, 4, 0, 0, 5, 1);	/* vpalignr: 0F 3A */
	CHECK(decode("c4 e3 79 0f c1 08", &i) == 0 && i.map == INSN_MAP_0F3A);
	CHECK_SHAPE("c4 e1 f9 7e c0", 5, 3, 4, 0, 0, 0, 0);		/* vmovq: C4 map 0F */
	CHECK_SHAPE("c5 f8 10 05 00 01 00 00", 8, 2, 3, 4, 4, 0, 0);	/* vmovups 0x100(%rip) */
	CHECK(decode("c5 f8 10 05 00 01 00 00", &i) == 0 && i.rip_relative);
	CHECK_SHAPE("2e 67 c5 f8 10 00", 6, 4, 5, 0, 0, 0, 0);	/* segment and 67 are allowed */
	/* no 66, F2, F3, F0 or REX before VEX */
	CHECK_BAD("66 c5 f9 6f c1");
	CHECK_BAD("f2 c5 f9 6f c1");
	CHECK_BAD("f3 c5 f9 6f c1");
	CHECK_BAD("f0 c5 f9 6f c1");
	CHECK_BAD("48 c5 f9 6f c1");
	/* VEX.mmmmm 0 and 4 are reserved */
	CHECK_BAD("c4 e0 79 00 c1");
	CHECK_BAD("c4 e4 79 00 c1");
}

UNIT_TEST(insn_evex)
{
	struct insn i;

	CHECK_SHAPE("62 f1 7c 48 10 c1", 6, 4, 5, 0, 0, 0, 0);	/* vmovups %zmm1,%zmm0 */
	CHECK(decode("62 f1 7c 48 10 c1", &i) == 0 && i.vex && i.map == INSN_MAP_0F);
	CHECK_SHAPE("62 f1 7c 48 10 44 24 01", 8, 4, 5, 7, 1, 0, 0);	/* disp8*N is 1 byte */
	CHECK_SHAPE("62 f2 7d 48 00 c1", 6, 4, 5, 0, 0, 0, 0);	/* vpshufb: map 2 */
	/* map 2 opcode 70 takes no imm8 (map 1's 70 does) */
	CHECK_SHAPE("62 f2 fd 48 70 c1", 6, 4, 5, 0, 0, 0, 0);	/* vpshldvw */
	CHECK_SHAPE("62 f3 7d 48 0f c1 08", 7, 4, 5, 0, 0, 6, 1);	/* vpalignr: map 3 */
	CHECK_SHAPE("62 f1 7d 48 70 c1 1b", 7, 4, 5, 0, 0, 6, 1);	/* vpshufd: map 1 imm8 */
	CHECK_BAD("62 f1 78 48 10 c1");		/* P1 bit 2 must be 1 */
	CHECK_BAD("62 f5 7c 48 10 c1");		/* map 5 (FP16): refused */
	CHECK_BAD("62 f9 7c 48 10 c1");		/* P0 bit 3 reserved */
	CHECK_BAD("62 f0 7c 48 10 c1");		/* map 0 */
	CHECK_BAD("66 62 f1 7c 48 10 c1");
}

UNIT_TEST(insn_invalid_in_64_bit_mode)
{
	static const char *const bad[] = {
		"06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f",
		"60", "61", "82 c0 01", "9a 00 00 00 00 00 00", "ce", "d4 0a", "d5 0a", "d6",
		"ea 00 00 00 00 00 00",
		"0f 04", "0f 0a", "0f 0c", "0f 24 c0", "0f 25 c0", "0f 26 c0", "0f 27 c0",
		"0f 36", "0f 39", "0f 3b", "0f 3c", "0f 3d", "0f 3e", "0f 3f", "0f 7a", "0f 7b",
		"0f a6", "0f a7",
		/* group members that do not exist */
		"8f c8 00 00",			/* XOP (AMD family 15h): refused */
		"c6 c8 00", "c7 c8 00 00 00 00", "c7 f9 00 00 00 00",
		"fe d0", "fe f8", "ff f8", "ff 38",
	};
	struct insn i;

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK_BAD(bad[k]);
	/* their valid neighbours */
	CHECK(decode("8f c0", &i) == 0 && i.len == 2);		/* pop %rax */
	CHECK(decode("8f 40 08", &i) == 0 && i.len == 3);
	CHECK(decode("fe c0", &i) == 0 && i.len == 2);		/* inc %al */
	CHECK(decode("fe c8", &i) == 0 && i.len == 2);		/* dec %al */
	CHECK(decode("ff 30", &i) == 0 && i.len == 2);		/* push (%rax) */
	CHECK(decode("ff 15 00 00 00 00", &i) == 0 && i.len == 6);	/* call *(%rip) */
}
