#include "monitor/lib/symbols.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/string.h"

static bool is_global(const struct ksym *s)
{
	return s->type >= 'A' && s->type <= 'Z';
}

const struct ksym *symtab_by_name(const struct symtab *t, const char *name)
{
	const struct ksym *found = NULL;

	for (size_t i = 0; i < t->count; i++) {
		const struct ksym *s = &t->syms[i];

		if (strcmp(ksym_name(t, s), name) != 0)
			continue;
		if (is_global(s))
			return s;	/* a global wins over a static of the same name */
		if (!found)
			found = s;
	}
	return found;
}

const struct ksym *symtab_by_addr(const struct symtab *t, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = t->count;
	const struct ksym *best = NULL;

	/* last index with syms[i].addr <= addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= t->end)
		return NULL;
	/* among the symbols at that address prefer one that covers addr, then
	 * a global, so aliases resolve the way nm users expect */
	for (size_t i = lo; i-- > 0 && t->syms[i].addr == t->syms[lo - 1].addr;) {
		const struct ksym *s = &t->syms[i];
		bool covers = s->size == 0 || addr - s->addr < s->size;

		if (!covers)
			return NULL;	/* past a sized symbol: its size-0 aliases end there too */
		if (!best || (s->size && !best->size) ||
		    (!!s->size == !!best->size && is_global(s) && !is_global(best)))
			best = s;
	}
	if (!best)
		return NULL;
	*off = addr - best->addr;
	return best;
}

char *symtab_format_return(const struct symtab *t, uint64_t ret, char *buf, size_t n)
{
	uint64_t off;
	const struct ksym *s = ret ? symtab_by_addr(t, ret - 1, &off) : NULL;

	/* a call that never returns can be a function's last instruction: its
	 * return address is then the next function's first byte */
	if (!s)
		fmt_snprintf(buf, n, "[unknown]");
	else
		fmt_snprintf(buf, n, "%s+0x%lx", ksym_name(t, s), (unsigned long)off + 1);
	return buf;
}

char *symtab_format(const struct symtab *t, uint64_t addr, char *buf, size_t n)
{
	uint64_t off;
	const struct ksym *s = symtab_by_addr(t, addr, &off);

	if (!s)
		fmt_snprintf(buf, n, "[unknown]");
	else if (off)
		fmt_snprintf(buf, n, "%s+0x%lx", ksym_name(t, s), (unsigned long)off);
	else
		fmt_snprintf(buf, n, "%s", ksym_name(t, s));
	return buf;
}

_Static_assert(sizeof(struct ksym) == 24, "tools/gensyms.sh emits 24-byte entries");
_Static_assert(sizeof(struct symtab) == 32, "tools/gensyms.sh emits a 4-word symtab");
