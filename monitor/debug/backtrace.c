#include "monitor/debug/backtrace.h"
#include "monitor/shell/console.h"
#include "monitor/mem/memaccess.h"
#include "monitor/lib/symbols.h"

/* Stopped at a function's first instruction, or right after its "push
 * %rbp", the frame is not built yet: the caller's return address is at the
 * top of the stack, and RBP still belongs to the caller. */
static int prologue_return(uint64_t rip, uint64_t rsp, uint64_t *ret)
{
	uint64_t off, first;
	const struct ksym *s = symtab_by_addr(&kernel_symtab, rip, &off);

	if (!s || off > 1)
		return 0;
	if (off == 1 && (mem_read(s->addr, 1, &first) || first != 0x55))	/* push %rbp */
		return 0;
	return mem_read(rsp + 8 * off, 8, ret) == 0;
}

void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t rsp)
{
	char sym[96];
	uint64_t ret;
	int depth = 1;

	kprintf("backtrace:\n");
	kprintf("  #0  0x%016lx %s\n", rip, symtab_format(&kernel_symtab, rip, sym, sizeof(sym)));
	if (prologue_return(rip, rsp, &ret))
		kprintf("  #%-2d 0x%016lx %s\n", depth++, ret,
			symtab_format_return(&kernel_symtab, ret, sym, sizeof(sym)));
	for (; depth < BACKTRACE_MAX; depth++) {
		uint64_t next, ret;

		if (rbp == 0)
			return;		/* boot.S and the shell's restart clear RBP */
		if (rbp & 7) {
			kprintf("  (frame pointer 0x%lx misaligned: walk ends)\n", rbp);
			return;
		}
		if (mem_read(rbp, 8, &next) || mem_read(rbp + 8, 8, &ret)) {
			kprintf("  (frame pointer 0x%lx unreadable: walk ends)\n", rbp);
			return;
		}
		if (ret == 0)
			return;
		kprintf("  #%-2d 0x%016lx %s\n", depth, ret,
			symtab_format_return(&kernel_symtab, ret, sym, sizeof(sym)));
		if (next != 0 && next <= rbp) {
			kprintf("  (frame pointer 0x%lx does not grow up: walk ends)\n", next);
			return;
		}
		rbp = next;
	}
	kprintf("  (more frames not shown)\n");
}
