#include "fault_safe.h"

struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

/* Called from trap_dispatch in any context, NMI included: read-only scan. */
__attribute__((section(".text.debugpath")))
uintptr_t fault_safe_fixup(uintptr_t rip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}
