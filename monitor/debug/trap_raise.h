/*
 * Exceptions raised on purpose, to see (and test) the exception report: by
 * the trap command on the shell's CPU, or posted to another CPU (trap NAME
 * cpu=N), where nothing is a command and the report ends in a halt.
 */
#ifndef MONITOR_DEBUG_TRAP_RAISE_H
#define MONITOR_DEBUG_TRAP_RAISE_H

#include <stdbool.h>
#include "monitor/lib/string.h"

#define TRAP_RAISE_NAMES "de, ud, gp, pf, bp"

#define UNMAPPED_ADDR		0xffff800000000000ull	/* no page tables there */
#define NONCANONICAL_ADDR	0x0000800000000000ull

bool trap_raisable(const char *name);

/* Raises it; returns only if it did not trap. Inline, so that the report
 * names the raiser (cmd_trap, or the other CPU's smp_work_run). */
static inline __attribute__((always_inline)) void trap_raise(const char *name)
{
	if (strcmp(name, "de") == 0) {
		unsigned long zero = 0, q;

		__asm__ volatile("xor %%edx, %%edx; div %2" : "=a"(q) : "a"(1ul), "r"(zero) : "rdx");
	} else if (strcmp(name, "ud") == 0) {
		__asm__ volatile("ud2");
	} else if (strcmp(name, "gp") == 0) {
		__asm__ volatile("mov (%0), %%rax" : : "r"(NONCANONICAL_ADDR) : "rax", "memory");
	} else if (strcmp(name, "pf") == 0) {
		__asm__ volatile("mov (%0), %%rax" : : "r"(UNMAPPED_ADDR) : "rax", "memory");
	} else if (strcmp(name, "bp") == 0) {
		__asm__ volatile("int3");
	}
}

#endif
