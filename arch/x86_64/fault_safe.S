/*
 * fault_safe.S - memory accessors that survive #PF and #GP.
 *
 * Each accessor performs one access at a labelled instruction and lists
 * (that instruction, its fixup) in the .ex_table section, which the linker
 * bounds with __ex_table_start/__ex_table_end. When an exception hits a
 * listed instruction, trap_dispatch() finds the pair, puts the encoded fault
 * (see fault_safe.h) in RAX and resumes at the fixup, which returns it.
 *
 * What the fixup relies on: the faulting instruction has no side effects
 * before it faults, the accessors touch no stack but their own return
 * address, and the table lookup is a read-only scan, so the same path serves
 * NMI context (backtraces from an NMI) as well as commands.
 */
	.section .text, "ax"
	.code64

.macro EX_ENTRY insn, fixup
	.pushsection .ex_table, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
.endm

/* uint64_t fault_safe_readN(uintptr_t addr, uintN_t *out) */
.macro SAFE_READ name, load, store
	.globl \name
	.type \name, @function
\name:
	xor %eax, %eax
1:	\load
	\store
2:	ret
	EX_ENTRY 1b, 2b
	.size \name, . - \name
.endm

SAFE_READ fault_safe_read8,  "movzbl (%rdi), %edx", "movb %dl, (%rsi)"
SAFE_READ fault_safe_read16, "movzwl (%rdi), %edx", "movw %dx, (%rsi)"
SAFE_READ fault_safe_read32, "movl (%rdi), %edx",   "movl %edx, (%rsi)"
SAFE_READ fault_safe_read64, "movq (%rdi), %rdx",   "movq %rdx, (%rsi)"

/* uint64_t fault_safe_writeN(uintptr_t addr, uintN_t value) */
.macro SAFE_WRITE name, store
	.globl \name
	.type \name, @function
\name:
	xor %eax, %eax
1:	\store
2:	ret
	EX_ENTRY 1b, 2b
	.size \name, . - \name
.endm

SAFE_WRITE fault_safe_write8,  "movb %sil, (%rdi)"
SAFE_WRITE fault_safe_write16, "movw %si, (%rdi)"
SAFE_WRITE fault_safe_write32, "movl %esi, (%rdi)"
SAFE_WRITE fault_safe_write64, "movq %rsi, (%rdi)"

/* fault_t fault_safe_rdmsr(uint32_t msr, uint64_t *out): #GP-safe RDMSR
 * (KVM without a virtual PMU faults on the PMU's global MSRs). */
	.globl fault_safe_rdmsr
	.type fault_safe_rdmsr, @function
fault_safe_rdmsr:
	movl %edi, %ecx
1:	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
2:	ret
	EX_ENTRY 1b, 2b
	.size fault_safe_rdmsr, . - fault_safe_rdmsr

/* fault_t fault_safe_wrmsr(uint32_t msr, uint64_t value) */
	.globl fault_safe_wrmsr
	.type fault_safe_wrmsr, @function
fault_safe_wrmsr:
	movl %edi, %ecx
	movl %esi, %eax
	movq %rsi, %rdx
	shrq $32, %rdx
1:	wrmsr
	xorl %eax, %eax
2:	ret
	EX_ENTRY 1b, 2b
	.size fault_safe_wrmsr, . - fault_safe_wrmsr
