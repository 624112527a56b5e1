#include "monitor/nmi/nmi_selftest_out.h"
#include <stdarg.h>
#include "monitor/lib/fmt.h"
#include "monitor/shell/console.h"
#include "arch/x86_64/percpu.h"

#define OUT_BYTES	8192	/* ten case lines and a failing canary's sixteen */
#define MARK		"... (output cut: buffer full)\n"

static struct {
	char text[OUT_BYTES];
	unsigned int len;
	bool cut;		/* something did not fit */
	bool mid_line;		/* the next character continues a line */
} out[MAX_CPUS];
static bool buffered;

void nst_out_start(bool buffer, unsigned int mask)
{
	buffered = buffer;
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (mask & (1u << c)) {
			out[c].len = 0;
			out[c].cut = false;
			out[c].mid_line = false;
		}
}

static void put_raw(unsigned int cpu, char ch)
{
	/* the mark's room stays free: a cut block still says it was cut */
	if (out[cpu].len + sizeof(MARK) >= OUT_BYTES) {
		out[cpu].cut = true;
		return;
	}
	out[cpu].text[out[cpu].len++] = ch;
}

/* Every line of a block starts "cpu N: ", whichever call began it. */
static void put(void *ctx, char ch)
{
	unsigned int cpu = *(unsigned int *)ctx;

	if (!out[cpu].mid_line) {
		char prefix[16];

		fmt_snprintf(prefix, sizeof(prefix), "cpu %u: ", cpu);
		for (const char *p = prefix; *p; p++)
			put_raw(cpu, *p);
	}
	put_raw(cpu, ch);
	out[cpu].mid_line = ch != '\n';
}

void nst_say(const char *f, ...)
{
	unsigned int cpu = this_cpu()->cpu;
	va_list ap;

	va_start(ap, f);
	if (buffered)
		fmt_vformat(put, &cpu, f, ap);
	else
		kvprintf(f, ap);
	va_end(ap);
}

void nst_out_print(unsigned int cpu)
{
	if (!buffered)
		return;
	out[cpu].text[out[cpu].len] = '\0';
	console_puts(out[cpu].text);
	if (out[cpu].cut)
		console_puts(MARK);
}
