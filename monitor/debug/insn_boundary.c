#include "monitor/debug/insn_boundary.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/lib/symbols.h"

#define INT3 0xcc

/* The byte at addr as the code has it: under a planted breakpoint's int3,
 * the byte it replaced (otherwise a listing shows cc, a 1-byte instruction,
 * and every boundary after it in the function is wrong). */
static fault_t code_byte(uint64_t addr, uint8_t *out)
{
	uint64_t v;
	fault_t f = mem_read(addr, 1, &v);

	if (f)
		return f;
	*out = (uint8_t)v;
	if (v != INT3)
		return 0;
	for (unsigned int i = 0; bp_get(i); i++) {
		const struct breakpoint *b = bp_get(i);

		if (b->used && b->addr == addr)
			*out = b->orig;
	}
	return 0;
}

int insn_read(uint64_t addr, struct insn *out, uint8_t bytes[INSN_MAX_LEN],
	      struct insn_error *err)
{
	size_t n = 0;
	fault_t f = 0;

	/* byte by byte: the instruction may end right before an unmapped page */
	while (n < INSN_MAX_LEN && !(f = code_byte(addr + n, &bytes[n]))) {
		n++;
		if (insn_decode(bytes, n, out) == 0)
			return 0;
	}
	/* the decoder wanted a byte that cannot be read, or 15 readable
	 * bytes are no instruction */
	err->addr = f ? addr + n : addr;
	err->fault = f;
	return -1;
}

enum insn_where insn_at(uint64_t addr, struct insn *out, uint64_t *start,
			struct insn_error *err)
{
	struct insn_error ignored;
	uint8_t bytes[INSN_MAX_LEN];
	uint64_t off, a;
	const struct ksym *s = symtab_by_addr(&kernel_symtab, addr, &off);

	/* only code symbols: decoding a data object from its start means
	 * nothing, and a large one would take long */
	if (!s || (s->type != 'T' && s->type != 't'))
		return INSN_NO_SYMBOL;
	for (a = s->addr;; a += out->len) {
		if (insn_read(a, out, bytes, err ? err : &ignored) < 0)
			return INSN_FAILED;
		if (addr < a + out->len)
			break;
	}
	*start = a;
	return a == addr ? INSN_BOUNDARY : INSN_INSIDE;
}
