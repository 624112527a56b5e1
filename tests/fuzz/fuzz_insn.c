/* The instruction decoder and the out-of-line step plans on any bytes: a
 * decoded instruction's parts lie inside it, it needs exactly its length of
 * bytes, and a plan keeps the instruction's targets for any slot. */
#include "fuzz.h"
#include "monitor/debug/insn.h"
#include "monitor/debug/step_plan.h"

static int64_t s32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insn in, again;
	struct step_plan plan;
	uint64_t addr = 0x100000, slot = 0x101000;

	if (size >= 2) {
		/* the first two bytes move the slot around the instruction */
		slot = addr + (uint64_t)(int64_t)(int16_t)(data[0] | data[1] << 8) * 64;
		data += 2;
		size -= 2;
	}
	if (insn_decode(data, size, &in) != 0)
		return 0;
	FUZZ_ASSERT(in.len >= 1 && in.len <= INSN_MAX_LEN && in.len <= size);
	FUZZ_ASSERT(in.opcode_off < in.len && data[in.opcode_off] == in.opcode);
	FUZZ_ASSERT(!in.has_modrm || (in.modrm_off < in.len && data[in.modrm_off] == in.modrm));
	FUZZ_ASSERT(in.disp_off + in.disp_size <= in.len);
	FUZZ_ASSERT(in.imm_off + in.imm_size <= in.len);
	FUZZ_ASSERT(!in.rip_relative || (in.has_modrm && in.disp_size == 4));
	/* exactly its own bytes are needed: no fewer, and no more are read */
	FUZZ_ASSERT(insn_decode(data, in.len, &again) == 0 && again.len == in.len);
	FUZZ_ASSERT(insn_decode(data, in.len - 1u, &again) != 0);

	if (step_plan_make(data, &in, addr, slot, &plan) != NULL)
		return 0;
	FUZZ_ASSERT(plan.code_len >= 1 && plan.code_len <= STEP_SLOT_SIZE);
	if (in.rel_branch) {
		int64_t disp = in.imm_size == 1 ? (int8_t)data[in.imm_off] : s32(data + in.imm_off);

		FUZZ_ASSERT(slot + plan.code_len + (uint64_t)s32(plan.code + plan.code_len - 4) ==
			    addr + in.len + (uint64_t)disp);
	} else if (in.rip_relative) {
		FUZZ_ASSERT(plan.code_len == in.len);
		FUZZ_ASSERT(slot + in.len + (uint64_t)s32(plan.code + in.disp_off) ==
			    addr + in.len + (uint64_t)s32(data + in.disp_off));
	}
	return 0;
}
