/* Symbol lookup over a table made from the input (sorted by address, as
 * gensyms.sh makes it): by_addr returns a symbol at or below the address
 * that covers it, by_name one of that name, format stays within its buffer. */
#include <string.h>
#include "fuzz.h"
#include "monitor/lib/symbols.h"

#define NSYMS 12

static const char names[] = "a\0b\0main\0work_mix\0t\0_start";
static const uint32_t name_at[] = { 0, 2, 4, 9, 18, 20 };

static int by_addr(const void *x, const void *y)
{
	const struct ksym *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ksym syms[NSYMS];
	size_t count = fuzz_u8(&in) % (NSYMS + 1);
	struct symtab t = { syms, count, names, 0 };
	const char *types = "TtDdBbRr";

	for (size_t i = 0; i < count; i++) {
		syms[i].addr = fuzz_u64(&in, 2) << fuzz_u8(&in) % 48;
		syms[i].size = fuzz_u64(&in, 1);
		syms[i].name = name_at[fuzz_u8(&in) % 6];
		syms[i].type = (uint8_t)types[fuzz_u8(&in) % 8];
	}
	qsort(syms, count, sizeof(syms[0]), by_addr);
	t.end = fuzz_u64(&in, 8);
	while (in.n) {
		uint64_t addr = fuzz_u64(&in, 8), off = 0;
		const struct ksym *s = symtab_by_addr(&t, addr, &off);
		char buf[40];
		size_t n = fuzz_u8(&in) % sizeof(buf) + 1;
		char *canary = buf + n;

		if (s) {
			FUZZ_ASSERT(s >= syms && s < syms + count && s->addr <= addr && addr < t.end);
			FUZZ_ASSERT(off == addr - s->addr && (s->size == 0 || off < s->size));
		}
		memset(buf, 'X', sizeof(buf));
		symtab_format(&t, addr, buf, n);
		FUZZ_ASSERT(strlen(buf) < n && (n == sizeof(buf) || *canary == 'X'));
		symtab_format_return(&t, addr, buf, n);
		FUZZ_ASSERT(strlen(buf) < n);
		s = symtab_by_name(&t, names + name_at[addr % 6]);
		FUZZ_ASSERT(!s || strcmp(names + s->name, names + name_at[addr % 6]) == 0);
	}
	return 0;
}
