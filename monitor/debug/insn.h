/*
 * x86-64 instruction length decoder: portable C (no hardware header), so the
 * host unit tests compile it unchanged. It finds where an instruction ends
 * and where its parts lie (prefixes, opcode, ModRM, SIB, displacement,
 * immediate); it does not name mnemonics. The breakpoint engine uses it to
 * refuse the middle of an instruction and to run an instruction out of line
 * (RIP-relative displacement, relative branch target).
 */
#ifndef MONITOR_DEBUG_INSN_H
#define MONITOR_DEBUG_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LEN 15		/* SDM vol. 2A, 2.3.11 */

enum insn_map { INSN_MAP_1, INSN_MAP_0F, INSN_MAP_0F38, INSN_MAP_0F3A };

struct insn {
	uint8_t len;		/* total length in bytes */
	uint8_t nprefix;	/* legacy prefixes (66 67 F0 F2 F3, segment) */
	bool p66, p67, lock, rep, repne;
	uint8_t rex;		/* 0 if none */
	bool vex;		/* VEX (C4/C5) or EVEX (62) encoded */
	uint8_t map;		/* enum insn_map */
	uint8_t opcode;		/* the opcode byte within its map */
	uint8_t opcode_off;	/* offset of the opcode byte (after its escapes or VEX/EVEX) */
	bool has_modrm;
	uint8_t modrm, modrm_off;
	bool has_sib;
	uint8_t disp_off, disp_size;	/* displacement bytes (0, 1, 2, 4 or 8) */
	uint8_t imm_off, imm_size;	/* immediate bytes (0..8; both of ENTER's) */
	bool rip_relative;	/* ModRM mod=00 rm=101 in 64-bit mode: disp32 from the next RIP */
	bool rel_branch;	/* the immediate is a branch displacement (Jcc, JMP, CALL, LOOP, JrCXZ) */
};

/* Decode the instruction at p (at most avail bytes readable). Returns 0 and
 * fills *out, or -1 for bytes that are not a valid 64-bit instruction or run
 * past avail or INSN_MAX_LEN. */
int insn_decode(const uint8_t *p, size_t avail, struct insn *out);

#endif
