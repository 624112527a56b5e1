/*
 * DR0-DR3: one allocator for everything that programs a debug register
 * (watchpoints, gdb's Z1-Z4, the Ctrl-C break), DEBUG.md "Debug registers".
 * The shell runs on the bootstrap CPU only, so the registers programmed
 * are that CPU's. The accessors are inline: the #DB path and the NMI
 * dispatcher use them and must call nothing outside their own sections.
 */
#ifndef MONITOR_DEBUG_DR_ALLOC_H
#define MONITOR_DEBUG_DR_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#define DR_COUNT	4
/* Reserved for the Ctrl-C break for good: it is planted from NMI context,
 * which can neither wait for nor take a register from a watchpoint. */
#define DR_BREAK_REG	3

/* DR7 RW field */
enum dr_rw { DR_RW_EXEC = 0, DR_RW_WRITE = 1, DR_RW_ACCESS = 3 };

static inline uint64_t dr_read_addr(unsigned int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: __asm__ volatile("mov %%dr0, %0" : "=r"(v)); break;
	case 1: __asm__ volatile("mov %%dr1, %0" : "=r"(v)); break;
	case 2: __asm__ volatile("mov %%dr2, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%dr3, %0" : "=r"(v)); break;
	}
	return v;
}

static inline void dr_write_addr(unsigned int n, uint64_t v)
{
	switch (n) {
	case 0: __asm__ volatile("mov %0, %%dr0" : : "r"(v) : "memory"); break;
	case 1: __asm__ volatile("mov %0, %%dr1" : : "r"(v) : "memory"); break;
	case 2: __asm__ volatile("mov %0, %%dr2" : : "r"(v) : "memory"); break;
	case 3: __asm__ volatile("mov %0, %%dr3" : : "r"(v) : "memory"); break;
	}
}

static inline uint64_t dr7_enable_bit(unsigned int n)	/* L<n> */
{
	return 1ul << (2 * n);
}

static inline uint64_t dr7_control_mask(unsigned int n)	/* RW<n> and LEN<n> */
{
	return 0xful << (16 + 4 * n);
}

/* DR7 with register n enabled (locally) for rw over len bytes (1 2 4 8;
 * 1 for DR_RW_EXEC, SDM vol. 3B 18.2.5). */
static inline uint64_t dr7_with(uint64_t dr7, unsigned int n, enum dr_rw rw, unsigned int len)
{
	uint64_t lenbits = len == 8 ? 2 : len == 4 ? 3 : len == 2 ? 1 : 0;

	return (dr7 & ~dr7_control_mask(n)) | dr7_enable_bit(n) |
	       (((uint64_t)rw | lenbits << 2) << (16 + 4 * n));
}

/* A free register (never DR_BREAK_REG), or -1 when all are taken. */
int dr_alloc(void);
void dr_free(unsigned int n);
/* Program register n (from dr_alloc) and enable it; dr_disable turns it off. */
void dr_enable(unsigned int n, uint64_t addr, enum dr_rw rw, unsigned int len);
void dr_disable(unsigned int n);
unsigned int dr_free_count(void);

#endif
