/*
 * x86-64 instruction length decoder (64-bit mode only). Facts from the SDM
 * vol. 2 (chapter 2, appendix A opcode maps) and the AMD APM vol. 3.
 *
 * An instruction is: legacy prefixes, then REX or a VEX/EVEX prefix, the
 * opcode (after 0F, 0F 38 or 0F 3A escapes), ModRM, SIB, displacement,
 * immediate. Only the opcode decides whether ModRM and an immediate follow
 * and how big the immediate is, so each map has one attribute byte per
 * opcode; the few opcodes whose shape depends on ModRM.reg or prefixes are
 * handled by name below.
 */
#include "monitor/debug/insn.h"

/* attribute byte: low nibble flags, high nibble the immediate kind */
#define A_MODRM		0x01
#define A_BAD		0x02	/* #UD in 64-bit mode */
#define A_REGONLY	0x04	/* MOV CR/DR: ModRM.mod is ignored, always a register */
#define IMM(k)		((k) << 4)
#define IMM_OF(a)	((a) >> 4)

enum imm_kind {
	I_NONE,
	I_B,		/* 1 byte */
	I_W,		/* 2 bytes */
	I_Z,		/* 2 with a 66 prefix, else 4 (REX.W keeps 4) */
	I_V,		/* MOV r, imm: 8 with REX.W, else as I_Z */
	I_ENTER,	/* imm16 + imm8 */
	I_MOFFS,	/* an absolute address: 8 bytes, 4 with a 67 prefix */
	I_GRP3,		/* F6/F7: TEST (reg 0, 1) has an immediate, the rest none */
	I_JB,		/* rel8 branch */
	I_JZ,		/* rel32 branch */
	I_BB,		/* SSE4a EXTRQ/INSERTQ (66/F2 0F 78): two imm8 */
};

#define M	A_MODRM
#define BAD	A_BAD
#define MB	(A_MODRM | IMM(I_B))
#define MZ	(A_MODRM | IMM(I_Z))

static const uint8_t map1[256] = {
	/* ALU rows 00-3F: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz, then 6/7/E/F */
	[0x00 ... 0x03] = M, [0x04] = IMM(I_B), [0x05] = IMM(I_Z), [0x06 ... 0x07] = BAD,
	[0x08 ... 0x0b] = M, [0x0c] = IMM(I_B), [0x0d] = IMM(I_Z), [0x0e] = BAD,
	[0x10 ... 0x13] = M, [0x14] = IMM(I_B), [0x15] = IMM(I_Z), [0x16 ... 0x17] = BAD,
	[0x18 ... 0x1b] = M, [0x1c] = IMM(I_B), [0x1d] = IMM(I_Z), [0x1e ... 0x1f] = BAD,
	[0x20 ... 0x23] = M, [0x24] = IMM(I_B), [0x25] = IMM(I_Z), [0x27] = BAD,
	[0x28 ... 0x2b] = M, [0x2c] = IMM(I_B), [0x2d] = IMM(I_Z), [0x2f] = BAD,
	[0x30 ... 0x33] = M, [0x34] = IMM(I_B), [0x35] = IMM(I_Z), [0x37] = BAD,
	[0x38 ... 0x3b] = M, [0x3c] = IMM(I_B), [0x3d] = IMM(I_Z), [0x3f] = BAD,
	/* 40-4F are REX, 50-5F push/pop: no operands bytes */
	[0x60 ... 0x61] = BAD, [0x63] = M,	/* PUSHA POPA; MOVSXD */
	[0x68] = IMM(I_Z), [0x69] = MZ, [0x6a] = IMM(I_B), [0x6b] = MB,
	[0x70 ... 0x7f] = IMM(I_JB),
	[0x80] = MB, [0x81] = MZ, [0x82] = BAD, [0x83] = MB,
	[0x84 ... 0x8f] = M,
	[0x9a] = BAD,				/* CALL far ptr16:32 */
	[0xa0 ... 0xa3] = IMM(I_MOFFS),
	[0xa8] = IMM(I_B), [0xa9] = IMM(I_Z),
	[0xb0 ... 0xb7] = IMM(I_B), [0xb8 ... 0xbf] = IMM(I_V),
	[0xc0 ... 0xc1] = MB, [0xc2] = IMM(I_W),
	[0xc6] = MB, [0xc7] = MZ,
	[0xc8] = IMM(I_ENTER), [0xca] = IMM(I_W), [0xcd] = IMM(I_B), [0xce] = BAD,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd6] = BAD,	/* AAM AAD SALC */
	[0xd8 ... 0xdf] = M,			/* x87 */
	[0xe0 ... 0xe3] = IMM(I_JB),		/* LOOPNE LOOPE LOOP JrCXZ */
	[0xe4 ... 0xe7] = IMM(I_B),
	[0xe8 ... 0xe9] = IMM(I_JZ), [0xea] = BAD, [0xeb] = IMM(I_JB),
	[0xf6] = A_MODRM | IMM(I_GRP3), [0xf7] = A_MODRM | IMM(I_GRP3),
	[0xfe ... 0xff] = M,
};

static const uint8_t map0f[256] = {
	[0x00 ... 0x03] = M, [0x04] = BAD, [0x0a] = BAD, [0x0c] = BAD,
	[0x0d] = M,				/* PREFETCH group */
	[0x0f] = MB,				/* 3DNow!: the opcode follows as an imm8 */
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = A_MODRM | A_REGONLY, [0x24 ... 0x27] = BAD,
	[0x28 ... 0x2f] = M,
	[0x36] = BAD, [0x39] = BAD, [0x3b ... 0x3f] = BAD,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = MB, [0x74 ... 0x76] = M,
	[0x78 ... 0x79] = M, [0x7a ... 0x7b] = BAD, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = IMM(I_JZ),
	[0x90 ... 0x9f] = M,
	[0xa3] = M, [0xa4] = MB, [0xa5] = M, [0xa6 ... 0xa7] = BAD,
	[0xab] = M, [0xac] = MB, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb9] = M, [0xba] = MB, [0xbb ... 0xc1] = M,
	[0xc2] = MB, [0xc3] = M, [0xc4 ... 0xc6] = MB, [0xc7] = M,
	[0xd0 ... 0xff] = M,
};

#undef M
#undef BAD
#undef MB
#undef MZ

struct cursor {
	const uint8_t *p;
	size_t avail;
	size_t pos;
};

/* The next byte, or -1 past the readable bytes or the architectural limit. */
static int next(struct cursor *c)
{
	if (c->pos >= c->avail || c->pos >= INSN_MAX_LEN)
		return -1;
	return c->p[c->pos++];
}

static bool skip(struct cursor *c, size_t n)
{
	if (c->pos + n > c->avail || c->pos + n > INSN_MAX_LEN)
		return false;
	c->pos += n;
	return true;
}

static bool is_legacy_prefix(int b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/* Legacy prefixes and REX. A REX counts only right before the opcode: one
 * followed by a legacy prefix is ignored (SDM 2.2.1), though its byte is
 * still part of the instruction. */
static int prefixes(struct cursor *c, struct insn *in)
{
	for (;;) {
		int b = next(c);

		if (b < 0)
			return -1;
		if (is_legacy_prefix(b)) {
			in->nprefix++;
			in->rex = 0;
			in->p66 |= b == 0x66;
			in->p67 |= b == 0x67;
			in->lock |= b == 0xf0;
			in->rep |= b == 0xf3;
			in->repne |= b == 0xf2;
		} else if ((b & 0xf0) == 0x40) {
			in->rex = (uint8_t)b;
		} else {
			c->pos--;
			return 0;
		}
	}
}

/* VEX (C4/C5) or EVEX (62). In 64-bit mode these bytes are always such a
 * prefix (LES, LDS and BOUND are gone). None may follow 66, F2, F3, F0 or
 * REX (#UD). Returns the attribute byte of the opcode, or -1. */
static int vex(struct cursor *c, struct insn *in, int esc)
{
	int b1, b2, mmmmm;

	if (in->p66 || in->rep || in->repne || in->lock || in->rex)
		return -1;
	in->vex = true;
	if ((b1 = next(c)) < 0)
		return -1;
	if (esc == 0xc5) {
		mmmmm = 1;
	} else if (esc == 0xc4) {
		if ((b2 = next(c)) < 0)
			return -1;
		mmmmm = b1 & 0x1f;
	} else {
		/* EVEX P0: RXBR'0mmm (maps 1-3 here; the FP16 maps 5/6 are
		 * refused); P1: W vvvv 1 pp, the 1 is fixed; P2: no length effect */
		if ((b2 = next(c)) < 0 || next(c) < 0)
			return -1;
		if ((b1 & 0x0c) || !(b2 & 0x04))
			return -1;
		mmmmm = b1 & 0x07;
	}
	if (mmmmm < 1 || mmmmm > 3)
		return -1;
	in->map = (uint8_t)mmmmm;	/* 1 = 0F, 2 = 0F 38, 3 = 0F 3A */
	in->opcode_off = (uint8_t)c->pos;
	if ((b1 = next(c)) < 0)
		return -1;
	in->opcode = (uint8_t)b1;
	if (in->map == INSN_MAP_0F3A)
		return A_MODRM | IMM(I_B);
	if (in->map == INSN_MAP_0F38)
		return A_MODRM;
	switch (in->opcode) {
	case 0x77:	/* VZEROUPPER/VZEROALL: no ModRM */
		return 0;
	case 0x70: case 0x71: case 0x72: case 0x73:
	case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		return A_MODRM | IMM(I_B);
	default:
		return A_MODRM;
	}
}

/* The opcode (through its escapes) and its attribute byte, or -1. */
static int opcode(struct cursor *c, struct insn *in)
{
	int b;

	in->opcode_off = (uint8_t)c->pos;
	if ((b = next(c)) < 0)
		return -1;
	if (b == 0xc4 || b == 0xc5 || b == 0x62)
		return vex(c, in, b);
	if (b != 0x0f) {
		in->map = INSN_MAP_1;
		in->opcode = (uint8_t)b;
		return map1[b];
	}
	in->opcode_off = (uint8_t)c->pos;
	if ((b = next(c)) < 0)
		return -1;
	if (b == 0x38 || b == 0x3a) {
		in->map = b == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
		in->opcode_off = (uint8_t)c->pos;
		if ((b = next(c)) < 0)
			return -1;
		in->opcode = (uint8_t)b;
		/* every 0F 38 opcode takes ModRM; every 0F 3A one also an imm8 */
		return in->map == INSN_MAP_0F38 ? A_MODRM : A_MODRM | IMM(I_B);
	}
	in->map = INSN_MAP_0F;
	in->opcode = (uint8_t)b;
	/* SSE4a EXTRQ/INSERTQ immediate forms carry two imm8 */
	if (b == 0x78 && (in->p66 || in->repne))
		return A_MODRM | IMM(I_BB);
	return map0f[b];
}

/* ModRM, SIB and displacement. In 64-bit mode a 67 prefix selects 32-bit
 * addressing, whose ModRM/SIB forms are the 64-bit ones: no 16-bit forms. */
static int modrm(struct cursor *c, struct insn *in, bool reg_only)
{
	int b, mod, rm, sib = 0;

	in->has_modrm = true;
	in->modrm_off = (uint8_t)c->pos;
	if ((b = next(c)) < 0)
		return -1;
	in->modrm = (uint8_t)b;
	mod = b >> 6;
	rm = b & 7;
	if (mod == 3 || reg_only)
		return 0;
	if (rm == 4) {
		in->has_sib = true;
		if ((sib = next(c)) < 0)
			return -1;
	}
	if (mod == 1) {
		in->disp_size = 1;
	} else if (mod == 2) {
		in->disp_size = 4;
	} else if (rm == 5) {
		in->rip_relative = true;	/* mod 00 rm 101: RIP (EIP with 67) + disp32 */
		in->disp_size = 4;
	} else if (in->has_sib && (sib & 7) == 5) {
		in->disp_size = 4;		/* SIB base 101 at mod 00: no base, disp32 */
	}
	if (in->disp_size)
		in->disp_off = (uint8_t)c->pos;
	return skip(c, in->disp_size) ? 0 : -1;
}

/* Opcodes whose ModRM.reg selects an instruction that is not there. */
static bool bad_group_member(const struct insn *in)
{
	unsigned int reg = (in->modrm >> 3) & 7;

	if (in->vex || in->map != INSN_MAP_1)
		return false;
	switch (in->opcode) {
	case 0x8f:	/* POP Ev is /0; the rest is AMD's XOP prefix, refused */
		return reg != 0;
	case 0xc6:	/* MOV Eb,Ib is /0; XABORT is C6 F8 */
	case 0xc7:	/* MOV Ev,Iz is /0; XBEGIN is C7 F8 */
		return reg != 0 && in->modrm != 0xf8;
	case 0xfe:	/* INC/DEC Eb only */
		return reg > 1;
	case 0xff:	/* /7 is unassigned */
		return reg == 7;
	default:
		return false;
	}
}

/* Size of the immediate; -1 for a form we refuse. */
static int imm_size(const struct insn *in, enum imm_kind k)
{
	bool w = in->rex & 0x08;
	int z = in->p66 && !w ? 2 : 4;

	switch (k) {
	case I_NONE:
		return 0;
	case I_B:
	case I_JB:
		return 1;
	case I_W:
	case I_BB:
		return 2;
	case I_ENTER:
		return 3;
	case I_Z:
		return z;
	case I_V:
		return w ? 8 : z;
	case I_MOFFS:
		return in->p67 ? 4 : 8;
	case I_GRP3:
		if (((in->modrm >> 3) & 7) > 1)
			return 0;
		return in->opcode == 0xf6 ? 1 : z;
	case I_JZ:
		/* a 66 prefix makes a near branch rel16 on AMD and is ignored
		 * on Intel: the length depends on the CPU, so refuse it */
		return in->p66 && !w ? -1 : 4;
	}
	return -1;
}

int insn_decode(const uint8_t *p, size_t avail, struct insn *out)
{
	struct cursor c = { p, avail, 0 };
	struct insn in = { 0 };
	int attr, n;

	if (prefixes(&c, &in) < 0 || (attr = opcode(&c, &in)) < 0 || (attr & A_BAD))
		return -1;
	if ((attr & A_MODRM) && modrm(&c, &in, attr & A_REGONLY) < 0)
		return -1;
	if (bad_group_member(&in))
		return -1;
	if ((n = imm_size(&in, IMM_OF(attr))) < 0)
		return -1;
	if (n)
		in.imm_off = (uint8_t)c.pos;
	in.imm_size = (uint8_t)n;
	if (!skip(&c, (size_t)n))
		return -1;
	in.rel_branch = IMM_OF(attr) == I_JB || IMM_OF(attr) == I_JZ ||
		(in.map == INSN_MAP_1 && !in.vex && in.opcode == 0xc7 && in.modrm == 0xf8);
	in.len = (uint8_t)c.pos;
	*out = in;
	return 0;
}
