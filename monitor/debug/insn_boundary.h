/*
 * Instructions in the monitor's own text, read fault-safely: what `dis`
 * lists and what `bp add` checks (a breakpoint must sit on the first byte
 * of an instruction, or its int3 changes the instruction it lands in).
 */
#ifndef MONITOR_DEBUG_INSN_BOUNDARY_H
#define MONITOR_DEBUG_INSN_BOUNDARY_H

#include <stdint.h>
#include "monitor/debug/insn.h"
#include "monitor/mem/memaccess.h"

/* Why bytes could not be decoded: a read fault at addr, or (fault == 0)
 * bytes at addr that are no valid 64-bit instruction. */
struct insn_error {
	uint64_t addr;
	fault_t fault;
};

/* Reads and decodes the instruction at addr; bytes[0 .. out->len) are its
 * bytes as the code has them (a breakpoint's int3 shows the byte it
 * replaced). Returns 0, or -1 with *err filled. */
int insn_read(uint64_t addr, struct insn *out, uint8_t bytes[INSN_MAX_LEN],
	      struct insn_error *err);

enum insn_where {
	INSN_BOUNDARY,		/* an instruction starts at addr */
	INSN_INSIDE,		/* addr is a later byte of the instruction at *start */
	INSN_NO_SYMBOL,		/* no kernel code symbol (nm T/t) contains addr */
	INSN_FAILED,		/* decoding from the symbol's start failed: *err says where, why */
};

/* Where addr lies among the instructions of the kernel symbol containing
 * it, decoding from that symbol's start (code is only known to start at a
 * symbol). For BOUNDARY and INSIDE, *out is the instruction that starts at
 * *start and covers addr. err may be NULL. */
enum insn_where insn_at(uint64_t addr, struct insn *out, uint64_t *start,
			struct insn_error *err);

#endif
