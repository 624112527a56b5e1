/*
 * The monitor's symbol table (portable lookup; the table itself is generated
 * at build time from nm of the linked image by tools/gensyms.sh).
 */
#ifndef MONITOR_SYMBOLS_H
#define MONITOR_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	uint64_t size;
	uint32_t name;		/* offset into the name blob */
	uint32_t type;		/* nm's letter: T t D d B b R r */
};

struct symtab {
	const struct ksym *syms;	/* sorted by address */
	size_t count;
	const char *names;
	uint64_t end;		/* no symbol covers this address or any above */
};

/* The monitor's own table (symbols_kernel.c). */
extern const struct symtab kernel_symtab;

static inline const char *ksym_name(const struct symtab *t, const struct ksym *s)
{
	return t->names + s->name;
}

const struct ksym *symtab_by_name(const struct symtab *t, const char *name);
/* The symbol containing addr: the last one at or below it, if addr lies
 * within its size (or before the next symbol when its size is unknown). */
const struct ksym *symtab_by_addr(const struct symtab *t, uint64_t addr, uint64_t *off);

/* "name+0xoff" or "name", or "[unknown]"; returns buf. */
char *symtab_format(const struct symtab *t, uint64_t addr, char *buf, size_t n);
/* The same for a return address: the call before it is what counts. */
char *symtab_format_return(const struct symtab *t, uint64_t ret, char *buf, size_t n);

#endif
