/*
 * The NMI fast pass's rare paths (profiler.c), out of line. An NMI_COLD
 * function saves every register it uses itself (no_caller_saved_registers,
 * which needs the kernel's -mgeneral-regs-only), and NMI_COLD_CALL calls
 * one from inline assembly that says so: GCC 12 takes any C call as
 * clobbering the caller-saved registers, so a pass with such calls kept
 * its live values in callee-saved ones, pushed and popped on every pass
 * (12 instructions) for calls that one pass in hundreds makes. Only RAX
 * (the result) and the flags change. No red zone (-mno-red-zone): the
 * call's push overwrites nothing of the caller's. The callee's stack may
 * be a word off the ABI's 16-byte alignment: harmless without vector
 * registers (-mgeneral-regs-only), which alone need it.
 */
#ifndef ARCH_NMI_COLD_H
#define ARCH_NMI_COLD_H

#include <stdint.h>

#define NMI_COLD __attribute__((cold, noinline, no_caller_saved_registers))

/* fn's result in RAX (the callers cast it to fn's type); its arguments in
 * RDI, RSI, RDX, which it keeps */
#define NMI_COLD_CALL_ASM(fn, ...) ({						\
	uint64_t ret_;								\
	__asm__ volatile("call %P[f]" : "=a"(ret_) : [f] "i"(fn), ##__VA_ARGS__	\
			 : "memory", "cc");					\
	ret_;									\
})
#define NMI_COLD_CALL0(fn) NMI_COLD_CALL_ASM(fn)
#define NMI_COLD_CALL1(fn, a) NMI_COLD_CALL_ASM(fn, "D"((uint64_t)(a)))
#define NMI_COLD_CALL2(fn, a, b) NMI_COLD_CALL_ASM(fn, "D"((uint64_t)(a)), "S"((uint64_t)(b)))
#define NMI_COLD_CALL3(fn, a, b, c)						\
	NMI_COLD_CALL_ASM(fn, "D"((uint64_t)(a)), "S"((uint64_t)(b)), "d"((uint64_t)(c)))

#endif
