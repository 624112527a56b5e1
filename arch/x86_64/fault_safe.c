#include "fault_safe.h"

struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
/* fault_safe.S: the load of fault_safe_probe_read64, the one probe */
extern const uint64_t fault_safe_probe_sites[1];

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
	return rip == fault_safe_probe_sites[0];
}
