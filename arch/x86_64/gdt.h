#ifndef ARCH_GDT_H
#define ARCH_GDT_H
#include <stdint.h>

void gdt_init(void);		/* GDT with this CPU's TSS and IST stacks; after percpu_init */
uintptr_t nmi_stack_top(void);	/* the NMI IST pointer "T" of this CPU */

#endif
