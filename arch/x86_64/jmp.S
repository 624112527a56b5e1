/*
 * int ctx_save(struct jmp_ctx *c)     returns 0, and 1 when resumed
 * A setjmp for the shell: the callee-saved registers, RSP and the return
 * address. trap_dispatch resumes a saved context by rewriting an exception
 * frame (jmp_ctx.h), so a command that faults returns to its shell loop.
 */
	.section .text, "ax"
	.globl ctx_save
	.type ctx_save, @function
ctx_save:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 48(%rdi)		/* RSP after this function returns */
	movq (%rsp), %rax
	movq %rax, 56(%rdi)		/* where it returns to */
	xorl %eax, %eax
	ret
	.size ctx_save, . - ctx_save
