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
/* Never maps a lazy page: an unmapped one is a #PF like any other. */
fault_t fault_safe_probe_read64(uintptr_t addr, uint64_t *out);
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
