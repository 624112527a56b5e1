#include "fault_safe.h"

struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
/* the loads of fault_safe_probe_frame, wherever it is inlined */
extern const uint64_t __probe_sites_start[], __probe_sites_end[];

/* Called from trap_dispatch in any context, NMI included: read-only scan. */
__attribute__((section(".text.debugpath")))
uintptr_t fault_safe_fixup(uintptr_t rip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

__attribute__((section(".text.debugpath")))
bool fault_safe_probe_insn(uintptr_t rip)
{
	for (const uint64_t *s = __probe_sites_start; s < __probe_sites_end; s++)
		if (*s == rip)
			return true;
	return false;
}
