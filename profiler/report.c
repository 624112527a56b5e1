/* Flat reports and framed dumps (SHELL.md "Profile dumps"). */
#include "report.h"
#include "aggregate.h"
#include "crc32.h"
#include "profiler.h"
#include "sample_ring.h"
#include "monitor/shell/console.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/status.h"
#include "monitor/lib/string.h"
#include "monitor/lib/symbols.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

#define LINE_BYTES 2048

static struct aggregate agg;
static struct agg_entry sorted[AGG_MAX_KEYS];

static const char *name_at(uint64_t addr, bool is_return)
{
	uint64_t off;
	const struct ksym *s = symtab_by_addr(&kernel_symtab, is_return ? addr - 1 : addr, &off);

	return s ? ksym_name(&kernel_symtab, s) : "[unknown]";
}

static const char *dump_names[] = { "folded", "perf", "raw" };

struct dump {
	uint32_t crc;
	uint64_t samples;
	uint64_t tsc_start;	/* timestamps are relative to prof start */
};

static void body_line(struct dump *d, const char *line)
{
	d->crc = crc32_update(d->crc, line, strlen(line));
	d->crc = crc32_update(d->crc, "\n", 1);
	kprintf("%s\n", line);
}

/* cpu < 0: every CPU's ring, in CPU order */
static void for_each_sample(int cpu, void (*fn)(const struct sample *s, void *ctx), void *ctx)
{
	for (unsigned int c = cpu < 0 ? 0 : (unsigned int)cpu;
	     c < (cpu < 0 ? MAX_CPUS : (unsigned int)cpu + 1); c++) {
		struct sample_ring *r = prof_ring(c);
		uint64_t n = r->slots ? sample_ring_count(r) : 0;

		for (uint64_t i = 0; i < n; i++)
			fn(sample_ring_peek(r, i), ctx);
	}
}

static void count_flat(const struct sample *s, void *ctx)
{
	(void)ctx;
	agg_add(&agg, name_at(s->rip, false), 1);
}

int prof_report(uint64_t top, int cpu)
{
	struct prof_status st;
	size_t n;

	prof_get_status(&st);
	agg_init(&agg);
	for_each_sample(cpu, count_flat, NULL);
	if (cpu >= 0)
		kprintf("cpu %d: samples %lu, lost %lu%s\n", cpu, agg.total, prof_ring((unsigned int)cpu)->lost,
			st.running ? " (still sampling)" : "");
	else
		kprintf("samples: %lu, lost %lu, dropped for lack of memory %lu%s\n", agg.total,
			st.lost, st.dropped_no_memory, st.running ? " (still sampling)" : "");
	if (!agg.total) {
		kprintf("no samples to report (prof start ... prof stop, or prof record COMMAND)\n");
		return ST_OK;
	}
	n = agg_sorted(&agg, sorted, AGG_MAX_KEYS);
	kprintf("  percent   samples  symbol\n");
	for (size_t i = 0; i < n && i < top; i++) {
		uint64_t permyriad = sorted[i].count * 10000 / agg.total;

		kprintf("  %3lu.%02lu%%  %8lu  %s\n", permyriad / 100, permyriad % 100,
			sorted[i].count, sorted[i].key);
	}
	if (n > top)
		kprintf("  (%lu more symbols)\n", (uint64_t)(n - top));
	if (agg.overflow)
		kprintf("  (%lu samples under symbols that did not fit the table)\n", agg.overflow);
	return ST_OK;
}

static char line[LINE_BYTES];

static void fold_one(const struct sample *s, void *ctx)
{
	size_t len = 0;

	(void)ctx;
	line[0] = '\0';
	for (int i = s->depth - 1; i >= 0; i--)
		len += (size_t)fmt_snprintf(line + len, len < sizeof(line) ? sizeof(line) - len : 0,
					    "%s;", name_at(s->callchain[i], true));
	if (len < sizeof(line))
		fmt_snprintf(line + len, sizeof(line) - len, "%s", name_at(s->rip, false));
	agg_add(&agg, line, 1);
}

static void perf_frame(struct dump *d, uint64_t addr, bool is_return)
{
	uint64_t off;
	const struct ksym *s = symtab_by_addr(&kernel_symtab, is_return ? addr - 1 : addr, &off);

	if (s)
		fmt_snprintf(line, sizeof(line), "\t%16lx %s+0x%lx (monitor.elf)", addr,
			     ksym_name(&kernel_symtab, s), is_return ? off + 1 : off);
	else
		fmt_snprintf(line, sizeof(line), "\t%16lx [unknown] (monitor.elf)", addr);
	body_line(d, line);
}

static void perf_one(const struct sample *s, void *ctx)
{
	struct dump *d = ctx;
	uint64_t us = (s->tsc - d->tsc_start) / (tsc_hz() / 1000000 ? tsc_hz() / 1000000 : 1);

	fmt_snprintf(line, sizeof(line), "nmimon 0 [%03u] %lu.%06lu: 1 cpu-clock:", s->cpu,
		     us / 1000000, us % 1000000);
	body_line(d, line);
	perf_frame(d, s->rip, false);
	for (unsigned int i = 0; i < s->depth; i++)
		perf_frame(d, s->callchain[i], true);
	body_line(d, "");
	d->samples++;
}

static void raw_one(const struct sample *s, void *ctx)
{
	struct dump *d = ctx;
	/* TSC since prof start: the same in two identical runs under -icount */
	size_t len = (size_t)fmt_snprintf(line, sizeof(line), "%x %lx %x %lx", s->cpu,
					  s->tsc - d->tsc_start, s->flags, s->rip);

	for (unsigned int i = 0; i < s->depth && len < sizeof(line); i++)
		len += (size_t)fmt_snprintf(line + len, sizeof(line) - len, " %lx", s->callchain[i]);
	body_line(d, line);
	d->samples++;
}

int prof_dump(enum dump_format fmt)
{
	struct dump d = { 0, 0, 0 };
	struct prof_status st;

	prof_get_status(&st);
	d.tsc_start = st.tsc_start;

	if (fmt == DUMP_FOLDED) {
		agg_init(&agg);
		for_each_sample(-1, fold_one, NULL);
		if (agg.overflow)
			return errorf("%lu samples have stacks that do not fit the table: "
				      "use prof dump raw", agg.overflow);
	}
	kprintf("--- prof dump begin %s ---\n", dump_names[fmt]);
	if (fmt == DUMP_FOLDED) {
		size_t n = agg_sorted(&agg, sorted, AGG_MAX_KEYS);

		for (size_t i = 0; i < n; i++) {
			fmt_snprintf(line, sizeof(line), "%s %lu", sorted[i].key, sorted[i].count);
			body_line(&d, line);
			d.samples += sorted[i].count;
		}
	} else {
		for_each_sample(-1, fmt == DUMP_PERF ? perf_one : raw_one, &d);
	}
	kprintf("--- prof dump end samples=%lu crc32=%08x ---\n", d.samples, d.crc);
	return ST_OK;
}

static void count_mix_leaf(const struct sample *s, void *ctx)
{
	static const char *const leaves[3] = { "work_mix_leaf_a", "work_mix_leaf_b",
					       "work_mix_leaf_c" };
	uint64_t *n = ctx;
	const char *name = name_at(s->rip, false);

	for (int i = 0; i < 3; i++)
		if (strcmp(name, leaves[i]) == 0)
			n[i]++;
}

/* Shares in hundredths of a percent: integers, printed as %lu.%02lu. */
int prof_check_mix(const unsigned int ratio[3])
{
	uint64_t n[3] = { 0, 0, 0 }, leaf_total, ratio_total = ratio[0] + ratio[1] + ratio[2];
	uint64_t worst = 0;

	for_each_sample(-1, count_mix_leaf, n);
	leaf_total = n[0] + n[1] + n[2];
	if (!leaf_total)
		return errorf("no samples in work_mix_leaf_a/b/c (prof record work mix ... first)");
	kprintf("leaf shares against %u:%u:%u, %lu samples in the leaves\n", ratio[0],
		ratio[1], ratio[2], leaf_total);
	for (int i = 0; i < 3; i++) {
		uint64_t got = n[i] * 10000 / leaf_total, want = ratio[i] * 10000 / ratio_total;
		uint64_t err = got > want ? got - want : want - got;

		kprintf("  work_mix_leaf_%c %3lu.%02lu%% want %3lu.%02lu%% error %c%lu.%02lu pp\n",
			'a' + i, got / 100, got % 100, want / 100, want % 100,
			got < want ? '-' : '+', err / 100, err % 100);
		if (err > worst)
			worst = err;
	}
	kprintf("worst leaf error: %lu.%02lu pp\n", worst / 100, worst % 100);
	return ST_OK;
}
