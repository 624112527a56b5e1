/* Out-of-line step plans: what the slot holds for each kind of instruction,
 * and what is refused. The instructions are described by hand (struct insn
 * as the decoder fills it), so these tests check the plans alone. */
#include "unit.h"
#include "monitor/debug/step_plan.h"

#define ADDR 0x10a7a8ull	/* where the instruction is */
#define SLOT 0x101d80ull	/* where it runs */

static int32_t rel32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static struct insn plain(uint8_t len, uint8_t opcode)
{
	return (struct insn){ .len = len, .opcode = opcode, .opcode_off = 0, .map = INSN_MAP_1 };
}

UNIT_TEST(step_plan_jcc_rel8_becomes_rel32_to_the_same_target)
{
	const uint8_t jne[] = { 0x75, 0xfb };	/* jne -5 */
	struct insn in = plain(2, 0x75);
	struct step_plan p;

	in.imm_off = 1;
	in.imm_size = 1;
	in.rel_branch = true;
	CHECK(step_plan_make(jne, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.code_len, 6);
	CHECK_EQ_U64(p.code[0], 0x0f);
	CHECK_EQ_U64(p.code[1], 0x85);
	CHECK_EQ_U64(SLOT + 6 + (uint64_t)(int64_t)rel32(p.code + 2), ADDR + 2 - 5);
	CHECK_EQ_U64(p.fix, STEP_FIX_FALLTHROUGH);
}

UNIT_TEST(step_plan_jmp_rel8_becomes_jmp_rel32)
{
	const uint8_t jmp[] = { 0xeb, 0x10 };
	struct insn in = plain(2, 0xeb);
	struct step_plan p;

	in.imm_off = 1;
	in.imm_size = 1;
	in.rel_branch = true;
	CHECK(step_plan_make(jmp, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.code_len, 5);
	CHECK_EQ_U64(p.code[0], 0xe9);
	CHECK_EQ_U64(SLOT + 5 + (uint64_t)(int64_t)rel32(p.code + 1), ADDR + 2 + 0x10);
}

UNIT_TEST(step_plan_call_rel32_keeps_its_target_and_fixes_the_return_address)
{
	const uint8_t call[] = { 0xe8, 0x00, 0x01, 0x00, 0x00 };
	struct insn in = plain(5, 0xe8);
	struct step_plan p;

	in.imm_off = 1;
	in.imm_size = 4;
	in.rel_branch = true;
	CHECK(step_plan_make(call, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.code_len, 5);
	CHECK_EQ_U64(p.code[0], 0xe8);
	CHECK_EQ_U64(SLOT + 5 + (uint64_t)(int64_t)rel32(p.code + 1), ADDR + 5 + 0x100);
	CHECK_EQ_U64(p.fix, STEP_FIX_FALLTHROUGH | STEP_FIX_RET_ADDR);
}

UNIT_TEST(step_plan_jcc_rel32_with_a_prefix)
{
	/* bnd jne rel32: the displacement is the last four bytes */
	const uint8_t j[] = { 0xf2, 0x0f, 0x85, 0x20, 0x00, 0x00, 0x00 };
	struct insn in = { .len = 7, .map = INSN_MAP_0F, .opcode = 0x85, .opcode_off = 2,
			   .repne = true, .imm_off = 3, .imm_size = 4, .rel_branch = true };
	struct step_plan p;

	CHECK(step_plan_make(j, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.code_len, 7);
	CHECK_EQ_U64(p.code[0], 0xf2);
	CHECK_EQ_U64(SLOT + 7 + (uint64_t)(int64_t)rel32(p.code + 3), ADDR + 7 + 0x20);
}

UNIT_TEST(step_plan_rip_relative_operand_keeps_its_absolute_address)
{
	/* mov 0x1234(%rip),%rax; and with an immediate after the displacement:
	 * cmpl $5,0x40(%rip) */
	const uint8_t mov[] = { 0x48, 0x8b, 0x05, 0x34, 0x12, 0x00, 0x00 };
	const uint8_t cmp[] = { 0x83, 0x3d, 0x40, 0x00, 0x00, 0x00, 0x05 };
	struct insn in = { .len = 7, .map = INSN_MAP_1, .rex = 0x48, .opcode = 0x8b,
			   .opcode_off = 1, .has_modrm = true, .modrm = 0x05, .modrm_off = 2,
			   .disp_off = 3, .disp_size = 4, .rip_relative = true };
	struct step_plan p;

	CHECK(step_plan_make(mov, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.code_len, 7);
	CHECK_EQ_U64(SLOT + 7 + (uint64_t)(int64_t)rel32(p.code + 3), ADDR + 7 + 0x1234);
	CHECK_EQ_U64(p.code[1], 0x8b);
	in = (struct insn){ .len = 7, .map = INSN_MAP_1, .opcode = 0x83, .has_modrm = true,
			    .modrm = 0x3d, .modrm_off = 1, .disp_off = 2, .disp_size = 4,
			    .imm_off = 6, .imm_size = 1, .rip_relative = true };
	CHECK(step_plan_make(cmp, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(SLOT + 7 + (uint64_t)(int64_t)rel32(p.code + 2), ADDR + 7 + 0x40);
	CHECK_EQ_U64(p.code[6], 5);
}

UNIT_TEST(step_plan_fixes_for_indirect_call_pushf_and_rep)
{
	const uint8_t callr[] = { 0xff, 0xd0 }, pushf[] = { 0x9c }, rep[] = { 0xf3, 0x48, 0xab };
	struct insn in = plain(2, 0xff);
	struct step_plan p;

	in.has_modrm = true;
	in.modrm = 0xd0;	/* /2: call */
	CHECK(step_plan_make(callr, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.fix, STEP_FIX_FALLTHROUGH | STEP_FIX_RET_ADDR);
	in.modrm = 0xe0;	/* /4: jmp */
	CHECK(step_plan_make(callr, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.fix, STEP_FIX_FALLTHROUGH);
	in = plain(1, 0x9c);
	CHECK(step_plan_make(pushf, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.fix, STEP_FIX_FALLTHROUGH | STEP_FIX_PUSHED_TF);
	in = (struct insn){ .len = 3, .map = INSN_MAP_1, .opcode = 0xab, .opcode_off = 2,
			    .rex = 0x48, .rep = true };
	CHECK(step_plan_make(rep, &in, ADDR, SLOT, &p) == NULL);
	CHECK_EQ_U64(p.fix, STEP_FIX_FALLTHROUGH | STEP_FIX_REPEATS);
	CHECK_EQ_U64(p.code_len, 3);
	CHECK(memcmp(p.code, rep, 3) == 0);
}

UNIT_TEST(step_plan_refuses_what_cannot_run_out_of_line)
{
	static const struct { uint8_t map, opcode, modrm; bool has_modrm; } no[] = {
		{ INSN_MAP_1, 0xcc, 0, false },	/* int3 */
		{ INSN_MAP_1, 0xcd, 0, false },	/* int n */
		{ INSN_MAP_1, 0xcf, 0, false },	/* iret */
		{ INSN_MAP_1, 0x9d, 0, false },	/* popf */
		{ INSN_MAP_1, 0xcb, 0, false },	/* far ret */
		{ INSN_MAP_1, 0x8e, 0xd0, true },	/* mov %eax,%ss */
		{ INSN_MAP_1, 0xe2, 0, false },	/* loop */
		{ INSN_MAP_1, 0xff, 0x28, true },	/* ljmp *(%rax) */
		{ INSN_MAP_0F, 0x05, 0, false },	/* syscall */
		{ INSN_MAP_0F, 0x23, 0xf8, true },	/* mov %rax,%db7 */
		{ INSN_MAP_0F, 0x0b, 0, false },	/* ud2 */
	};
	const uint8_t bytes[INSN_MAX_LEN] = { 0 };
	struct step_plan p;

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct insn in = { .len = 2, .map = no[i].map, .opcode = no[i].opcode,
				   .has_modrm = no[i].has_modrm, .modrm = no[i].modrm };

		if (!step_plan_refusal(bytes, &in) || !step_plan_make(bytes, &in, ADDR, SLOT, &p))
			unit_fail(__FILE__, __LINE__, "map %u opcode %02x /%u accepted", no[i].map,
				  no[i].opcode, (no[i].modrm >> 3) & 7);
	}
	/* mov %eax,%ds is fine: only SS holds off the trap */
	struct insn ds = { .len = 2, .map = INSN_MAP_1, .opcode = 0x8e, .has_modrm = true,
			   .modrm = 0xd8 };
	CHECK(step_plan_refusal(bytes, &ds) == NULL);
}

UNIT_TEST(step_plan_refuses_targets_out_of_reach_of_the_slot)
{
	const uint8_t mov[] = { 0x48, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x70 };
	struct insn in = { .len = 7, .map = INSN_MAP_1, .opcode = 0x8b, .has_modrm = true,
			   .modrm = 0x05, .modrm_off = 2, .disp_off = 3, .disp_size = 4,
			   .rip_relative = true };
	struct step_plan p;

	/* 0x70000000 from the instruction is out of reach from a slot 1 GiB below */
	CHECK(step_plan_make(mov, &in, ADDR + 0x40000000ull, SLOT, &p) != NULL);
	CHECK(step_plan_make(mov, &in, ADDR, SLOT, &p) == NULL);
}
