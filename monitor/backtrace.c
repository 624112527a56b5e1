#include "backtrace.h"
#include "console.h"
#include "memaccess.h"
#include "symbols.h"

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	char sym[96];

	kprintf("backtrace:\n");
	kprintf("  #0  0x%016lx %s\n", rip, symtab_format(&kernel_symtab, rip, sym, sizeof(sym)));
	for (int depth = 1; depth < BACKTRACE_MAX; depth++) {
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
