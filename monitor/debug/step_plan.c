/* On the #BP path (DEBUG_PATH): each hit plans its step for its own slot. */
#include "monitor/debug/step_plan.h"
#include "monitor/debug/debug_path.h"

DEBUG_PATH static int32_t get32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

DEBUG_PATH static void put32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

DEBUG_PATH static uint8_t modrm_reg(const struct insn *in)
{
	return (uint8_t)((in->modrm >> 3) & 7);
}

DEBUG_PATH const char *step_plan_refusal(const uint8_t *bytes, const struct insn *in)
{
	(void)bytes;
	if (in->vex)
		return NULL;
	if (in->map == INSN_MAP_1) {
		switch (in->opcode) {
		case 0xcc: case 0xcd: case 0xce: case 0xf1:
			return "a software interrupt (int3/int n/into/int1)";
		case 0xcf:
			return "IRET changes RFLAGS.TF and the stack frame";
		case 0x9d:
			return "POPF loads RFLAGS.TF (the single-step trap would be lost)";
		case 0xca: case 0xcb: case 0xea: case 0x9a:
			return "a far transfer";
		case 0x8e:
			if (modrm_reg(in) == 2)
				return "MOV to SS holds off the single-step trap";
			break;
		case 0xe0: case 0xe1: case 0xe2: case 0xe3:
			return "LOOP/JrCXZ have only an 8-bit displacement";
		case 0xff:
			if (modrm_reg(in) == 3 || modrm_reg(in) == 5)
				return "a far transfer";
			break;
		}
	}
	if (in->map == INSN_MAP_0F) {
		switch (in->opcode) {
		case 0x05: case 0x07: case 0x34: case 0x35:
			return "SYSCALL/SYSRET/SYSENTER/SYSEXIT";
		case 0x21: case 0x23:
			return "a debug register access (the engine owns DR6/DR7 while stepping)";
		case 0x0b:
			return "UD2 (the single-step trap would never come)";
		}
	}
	if (in->rel_branch && in->p66)
		return "a 16-bit relative branch";
	return NULL;
}

/* Relative branches: rewritten with a 32-bit displacement from the slot to
 * the original target (Jcc rel8 -> 0F 8x rel32, JMP rel8 -> E9 rel32).
 * Their target is the branch's own, so only the fall-through needs fixing. */
DEBUG_PATH static const char *plan_branch(const uint8_t *bytes, const struct insn *in, uint64_t addr,
			       uint64_t slot, struct step_plan *p)
{
	int64_t disp = in->imm_size == 1 ? (int8_t)bytes[in->imm_off] : get32(bytes + in->imm_off);
	uint64_t target = addr + in->len + (uint64_t)disp;
	uint8_t op = in->opcode;
	int64_t rel;

	if (in->map == INSN_MAP_1 && op >= 0x70 && op <= 0x7f) {
		p->code[0] = 0x0f;
		p->code[1] = (uint8_t)(0x80 + (op - 0x70));
		p->code_len = 6;
	} else if (in->map == INSN_MAP_1 && op == 0xeb) {
		p->code[0] = 0xe9;
		p->code_len = 5;
	} else if (in->imm_size == 4) {
		for (unsigned int i = 0; i < in->len; i++)
			p->code[i] = bytes[i];
		p->code_len = in->len;
	} else {
		return "a relative branch of an unexpected form";
	}
	rel = (int64_t)(target - (slot + p->code_len));
	if (rel != (int32_t)rel)
		return "its branch target is out of 32-bit reach of the step slot";
	put32(p->code + p->code_len - 4, (int32_t)rel);
	p->fix = STEP_FIX_FALLTHROUGH;
	if (in->map == INSN_MAP_1 && op == 0xe8)
		p->fix |= STEP_FIX_RET_ADDR;
	return NULL;
}

DEBUG_PATH const char *step_plan_make(const uint8_t *bytes, const struct insn *in, uint64_t addr,
			   uint64_t slot, struct step_plan *p)
{
	const char *why = step_plan_refusal(bytes, in);

	*p = (struct step_plan){ 0 };
	if (why)
		return why;
	if (in->len > STEP_SLOT_SIZE)
		return "too long";
	if (in->rel_branch)
		return plan_branch(bytes, in, addr, slot, p);

	for (unsigned int i = 0; i < in->len; i++)
		p->code[i] = bytes[i];
	p->code_len = in->len;
	p->fix = STEP_FIX_FALLTHROUGH;
	if (in->rip_relative) {
		/* disp32 counts from the next RIP: keep the absolute target */
		int64_t disp = get32(bytes + in->disp_off);
		int64_t moved = disp + (int64_t)(addr - slot);

		if (moved != (int32_t)moved)
			return "its RIP-relative operand is out of 32-bit reach of the step slot";
		put32(p->code + in->disp_off, (int32_t)moved);
	}
	if (!in->vex && in->map == INSN_MAP_1) {
		uint8_t op = in->opcode;

		if (op == 0xff && modrm_reg(in) == 2)
			p->fix |= STEP_FIX_RET_ADDR;	/* indirect call */
		if (op == 0x9c)
			p->fix |= STEP_FIX_PUSHED_TF;
		if ((in->rep || in->repne) &&
		    (op == 0xa4 || op == 0xa5 || op == 0xa6 || op == 0xa7 || op == 0xaa ||
		     op == 0xab || op == 0xac || op == 0xad || op == 0xae || op == 0xaf ||
		     op == 0x6c || op == 0x6d || op == 0x6e || op == 0x6f))
			p->fix |= STEP_FIX_REPEATS;
	}
	return NULL;
}
