/* Formatting: conversions built from the input (flags, width, precision,
 * length, conversion, argument of the matching type) through fmt_snprintf
 * into an exact-size heap buffer. The result is NUL-terminated within it,
 * the return value is the untruncated length, and where C's printf means
 * the same thing (no '0' flag with a precision, not %p) the text is libc's. */
#include <string.h>
#include "fuzz.h"
#include "monitor/lib/fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	while (in.n) {
		char spec[64], *p = spec, want[2 * FMT_FIELD_MAX + 64];
		uint8_t flags = fuzz_u8(&in), conv = fuzz_u8(&in) % 9;
		int width = (int)(fuzz_u64(&in, 2) % 600), prec = (int)(fuzz_u64(&in, 2) % 600);
		uint64_t arg = fuzz_u64(&in, 8);
		size_t cap = fuzz_u8(&in);
		char *buf = malloc(cap ? cap : 1);
		bool comparable = true;
		int n, ref = 0;

		*p++ = 'a';
		*p++ = '%';
		if (flags & 1)
			*p++ = '-';
		if (flags & 2)
			*p++ = '0';
		if (flags & 4)
			p += sprintf(p, "%d", width);
		if (flags & 8)
			p += sprintf(p, ".%d", prec);
		if ((flags & 16) && conv < 4)
			*p++ = 'l';
		*p++ = "dixXupsc%"[conv];
		*p++ = 'z';
		*p = '\0';
		/* C leaves '0' with a precision on an integer to the '-'/precision rules */
		if ((flags & 2) && ((flags & 8) || conv == 6 || conv == 7))
			comparable = false;
		bool has_nul = conv == 7 && (uint8_t)arg == 0;

		/* %p is "0x" + hex here; a NUL ends C's string; fields are cut to
		 * FMT_FIELD_MAX here; "%.0d" of 0 is "" in C and "0" here */
		if (conv == 5 || has_nul || width > FMT_FIELD_MAX || prec > FMT_FIELD_MAX ||
		    ((flags & 8) && prec == 0))
			comparable = false;
		switch (conv) {
		case 0: case 1:
			if (flags & 16) {
				n = fmt_snprintf(buf, cap, spec, (long)arg);
				ref = snprintf(want, sizeof(want), spec, (long)arg);
			} else {
				n = fmt_snprintf(buf, cap, spec, (int)arg);
				ref = snprintf(want, sizeof(want), spec, (int)arg);
			}
			break;
		case 2: case 3: case 4:
			if (flags & 16) {
				n = fmt_snprintf(buf, cap, spec, (unsigned long)arg);
				ref = snprintf(want, sizeof(want), spec, (unsigned long)arg);
			} else {
				n = fmt_snprintf(buf, cap, spec, (unsigned int)arg);
				ref = snprintf(want, sizeof(want), spec, (unsigned int)arg);
			}
			break;
		case 5:
			n = fmt_snprintf(buf, cap, spec, (void *)(uintptr_t)arg);
			break;
		case 6:
			n = fmt_snprintf(buf, cap, spec, (arg & 1) ? "fuzzed string" : "");
			ref = snprintf(want, sizeof(want), spec, (arg & 1) ? "fuzzed string" : "");
			break;
		case 7:
			n = fmt_snprintf(buf, cap, spec, (int)(uint8_t)arg);
			ref = snprintf(want, sizeof(want), spec, (int)(uint8_t)arg);
			break;
		default:
			n = fmt_snprintf(buf, cap, spec, 0);	/* no argument is read */
			ref = snprintf(want, sizeof(want), "%s", "a%z");
			comparable = !(flags & 0x1f);	/* "%-5%" is not C */
			break;
		}
		FUZZ_ASSERT(n >= 2 && n <= 2 * FMT_FIELD_MAX + 32);
		if (cap && !has_nul)
			FUZZ_ASSERT(strlen(buf) == ((size_t)n < cap ? (size_t)n : cap - 1));
		if (comparable) {
			FUZZ_ASSERT(n == ref);
			if (cap)
				FUZZ_ASSERT(strncmp(buf, want, cap - 1) == 0);
		}
		free(buf);
	}
	return 0;
}
