/* Portable (host unit tests check it against target_xml.c). */
#include "monitor/gdb/gdb_regs.h"

/* gdb's order: rax rbx rcx rdx rsi rdi rbp rsp r8-r15, then rip */
static uint64_t *gpr(struct trap_frame *f, unsigned int n)
{
	uint64_t *const r[] = { &f->rax, &f->rbx, &f->rcx, &f->rdx, &f->rsi, &f->rdi, &f->rbp,
				&f->rsp, &f->r8, &f->r9, &f->r10, &f->r11, &f->r12, &f->r13,
				&f->r14, &f->r15, &f->rip };

	return n < 17 ? r[n] : NULL;
}

static size_t reg_size(unsigned int n)
{
	if (n < 17)
		return 8;		/* general registers, rip */
	if (n < 24)
		return 4;		/* eflags, cs ss ds es fs gs */
	if (n < 32)
		return 10;		/* st0-st7 */
	if (n < 40)
		return 4;		/* fctrl ... fop */
	if (n < 56)
		return 16;		/* xmm0-xmm15 */
	return n == 56 ? 4 : 0;	/* mxcsr */
}

static void put_le(uint8_t *out, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

size_t gdb_reg_get(const struct trap_frame *cf, unsigned int n, uint8_t *out)
{
	struct trap_frame *f = (struct trap_frame *)cf;
	size_t size = reg_size(n);
	uint64_t v = 0;

	if (n < 17)
		v = *gpr(f, n);
	else if (n == 17)
		v = f->rflags;
	else if (n == 18)
		v = f->cs;
	else if (n >= 19 && n <= 21)
		v = f->ss;	/* ss, ds, es: the monitor's one data segment */
	else if (n == 32)
		v = 0x37f;	/* fctrl, fstat ...: the x87 as FNINIT leaves it (unused) */
	else if (n == 34)
		v = 0xffff;	/* ftag: all empty */
	else if (n == 56)
		v = 0x1f80;	/* mxcsr at reset (SSE unused: -mgeneral-regs-only) */
	for (size_t i = 0; i < size; i++)
		out[i] = 0;
	put_le(out, v, size < 8 ? size : 8);
	return size;
}

bool gdb_reg_set(struct trap_frame *f, unsigned int n, const uint8_t *in, size_t size)
{
	uint64_t v = 0;

	if (!reg_size(n) || size != reg_size(n))
		return false;
	for (size_t i = 0; i < size && i < 8; i++)
		v |= (uint64_t)in[i] << (8 * i);
	if (n < 17)
		*gpr(f, n) = v;
	else if (n == 17)
		f->rflags = (f->rflags & ~0xffffffffull) | v;
	return true;
}
