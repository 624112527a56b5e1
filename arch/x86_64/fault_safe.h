/*
 * Fault-safe memory access. Each accessor returns 0, or an encoded fault:
 * bit 63 set, the vector in bits 0-7, the error code in bits 8-39. The
 * address is the caller's (it is what CR2 would say for #PF).
 */
#ifndef ARCH_FAULT_SAFE_H
#define ARCH_FAULT_SAFE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t fault_t;

#define FAULT_ENCODE(vec, err)	((1ull << 63) | (((uint64_t)(err) & 0xffffffffull) << 8) | ((vec) & 0xff))
#define FAULT_VECTOR(f)		((unsigned int)((f) & 0xff))
#define FAULT_ERROR(f)		((uint32_t)((f) >> 8))

fault_t fault_safe_read8(uintptr_t addr, uint8_t *out);
fault_t fault_safe_read16(uintptr_t addr, uint16_t *out);
fault_t fault_safe_read32(uintptr_t addr, uint32_t *out);
fault_t fault_safe_read64(uintptr_t addr, uint64_t *out);

/*
 * A frame-pointer frame (the saved RBP and the return address above it),
 * read inline: no call per frame in a callchain walk from NMI context.
 * False if a read faulted. Each load is listed in .ex_table with the
 * failure branch as its fixup (trap_dispatch resumes there, RAX clobbered
 * with the encoded fault), and in .probe_sites: a probe only looks, so
 * trap_dispatch serves no lazy-region fault of one (an unmapped lazy page
 * ends the walk instead of taking a frame).
 */
static inline bool fault_safe_probe_frame(uintptr_t fp, uint64_t *next, uint64_t *ret)
{
	uint64_t a, b;

	__asm__ goto("1:\tmovq (%[fp]), %[a]\n"
		     "2:\tmovq 8(%[fp]), %[b]\n"
		     "\t.pushsection .ex_table, \"a\"\n"
		     "\t.balign 8\n"
		     "\t.quad 1b, %l[fault], 2b, %l[fault]\n"
		     "\t.popsection\n"
		     "\t.pushsection .probe_sites, \"a\"\n"
		     "\t.balign 8\n"
		     "\t.quad 1b, 2b\n"
		     "\t.popsection"
		     : [a] "=&r"(a), [b] "=r"(b)
		     : [fp] "r"(fp)
		     : "rax", "memory"
		     : fault);
	*next = a;
	*ret = b;
	return true;
fault:
	return false;
}

fault_t fault_safe_write8(uintptr_t addr, uint8_t v);
fault_t fault_safe_write16(uintptr_t addr, uint16_t v);
fault_t fault_safe_write32(uintptr_t addr, uint32_t v);
fault_t fault_safe_write64(uintptr_t addr, uint64_t v);

fault_t fault_safe_rdmsr(uint32_t msr, uint64_t *out);
fault_t fault_safe_wrmsr(uint32_t msr, uint64_t value);

/* The fixup for a faulting RIP, or 0 if it is not a fault-safe access. */
uintptr_t fault_safe_fixup(uintptr_t rip);
/* True if rip is a probe's access: its fault must not be served by mapping. */
bool fault_safe_probe_insn(uintptr_t rip);

#endif
