/*
 * The debug-register allocator. DR7 is read, changed and written with
 * interrupts off: the #DB path clears the Ctrl-C break's enable in DR7 and
 * must not have its write undone by a half-finished update here. An NMI
 * pass puts back the DR7 it found (NMI.md), so NMIs need no care.
 */
#include "monitor/debug/dr_alloc.h"
#include "arch/x86_64/cpu.h"

enum dr_owner { DR_FREE, DR_TAKEN, DR_BREAK };

static enum dr_owner owner[DR_COUNT] = { [DR_BREAK_REG] = DR_BREAK };

int dr_alloc(void)
{
	for (unsigned int n = 0; n < DR_COUNT; n++)
		if (owner[n] == DR_FREE) {
			owner[n] = DR_TAKEN;
			return (int)n;
		}
	return -1;
}

void dr_free(unsigned int n)
{
	if (n < DR_COUNT && owner[n] == DR_TAKEN) {
		dr_disable(n);
		owner[n] = DR_FREE;
	}
}

unsigned int dr_free_count(void)
{
	unsigned int k = 0;

	for (unsigned int n = 0; n < DR_COUNT; n++)
		k += owner[n] == DR_FREE;
	return k;
}

void dr_enable(unsigned int n, uint64_t addr, enum dr_rw rw, unsigned int len)
{
	uint64_t fl = read_rflags();

	cli();
	write_dr7(read_dr7() & ~dr7_enable_bit(n));
	dr_write_addr(n, addr);
	write_dr6(read_dr6() & ~(1ul << n));	/* no stale hit of an earlier user */
	write_dr7(dr7_with(read_dr7(), n, rw, len));
	if (fl & X86_RFLAGS_IF)
		sti();
}

void dr_disable(unsigned int n)
{
	uint64_t fl = read_rflags();

	cli();
	write_dr7(read_dr7() & ~(dr7_enable_bit(n) | dr7_control_mask(n)));
	if (fl & X86_RFLAGS_IF)
		sti();
}
