#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/mem/frames.h"
#include "monitor/mem/lazy.h"
#include "monitor/mem/memaccess.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/string.h"
#include "arch/x86_64/boot_layout.h"

static int lazy_info(void)
{
	struct lazy_stats s;

	lazy_get_stats(&s);
	kprintf("region: base 0x%016lx size %lu MiB (%lu pages)\n", LAZY_BASE,
		LAZY_SIZE >> 20, LAZY_SIZE / PAGE_SIZE);
	kprintf("pages mapped: %lu\n", s.pages_mapped);
	kprintf("faults served: %lu (in NMI context: %lu), lost races: %lu\n", s.faults,
		s.faults_nmi, s.faults_raced);
	kprintf("out of memory: %lu (in NMI context: %lu)\n", s.out_of_memory,
		s.out_of_memory_nmi);
	kprintf("frames: %lu total, %lu free, %lu used; bad frees %lu (must stay 0)\n",
		frames_total(), frames_free(), frames_total() - frames_free(), frames_bad_frees());
	return ST_OK;
}

static int lazy_touch(int argc, char **argv)
{
	uint64_t off, len = PAGE_SIZE, first, last, touched = 0;
	struct lazy_stats before, after;
	int st;

	if (argc < 3 || argc > 4)
		return ST_USAGE;
	if ((st = parse_size(argv[2], &off)) != ST_OK)
		return errorf("bad offset '%s': %s", argv[2], status_message(st));
	if (argc == 4 && (st = parse_size(argv[3], &len)) != ST_OK)
		return errorf("bad length '%s': %s", argv[3], status_message(st));
	if (len == 0 || off >= LAZY_SIZE || len > LAZY_SIZE - off)
		return errorf("0x%lx+0x%lx is outside the lazy region (size 0x%lx)", off, len,
			      LAZY_SIZE);
	first = off & ~(uint64_t)(PAGE_SIZE - 1);
	last = (off + len - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	lazy_get_stats(&before);
	for (uint64_t p = first; p <= last; p += PAGE_SIZE) {
		uint64_t v;
		fault_t f = mem_read(LAZY_BASE + p, 1, &v);

		if (f) {
			char why[FAULT_TEXT_MAX];

			lazy_get_stats(&after);
			return errorf("out of memory: cannot map 0x%lx after %lu pages (%s); "
				      "%lu pages mapped, %lu frames free", LAZY_BASE + p, touched,
				      fault_text(f, LAZY_BASE + p, why, sizeof(why)),
				      after.pages_mapped, frames_free());
		}
		touched++;
	}
	lazy_get_stats(&after);
	kprintf("touched %lu pages: %lu faults, %lu pages mapped\n", touched,
		after.faults - before.faults, after.pages_mapped);
	return ST_OK;
}

static int cmd_lazy(int argc, char **argv)
{
	if (argc < 2)
		return ST_USAGE;
	if (strcmp(argv[1], "info") == 0 && argc == 2)
		return lazy_info();
	if (strcmp(argv[1], "touch") == 0)
		return lazy_touch(argc, argv);
	if (strcmp(argv[1], "reset") == 0 && argc == 2) {
		uint64_t n = lazy_reset();

		kprintf("unmapped %lu pages; %lu frames free\n", n, frames_free());
		return ST_OK;
	}
	return ST_USAGE;
}

COMMAND(lazy,
	.name = "lazy",
	.usage = "info | touch <off> [len] | reset",
	.summary = "the lazily mapped region: statistics, fault pages in, unmap all",
	.help = "  The region starts with no page-table entries; the first touch of a page\n"
		"  takes a #PF that maps a zeroed frame (from any context, NMI included).\n"
		"  touch reads one byte per page in [off, off+len) (len defaults to 4k);\n"
		"  reset unmaps every page and frees its frame. md/mw work inside it too.",
	.run = cmd_lazy);
