/* Argument, number, size, address and width parsing: the first byte picks
 * the parser, the rest (NUL-terminated) is the text. Results are checked
 * against their contracts, numbers against strtoull. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "monitor/shell/parse.h"

static const struct ksym syms[] = {
	{ 0x100000, 16, 0, 'T' },
	{ 0x100010, 0, 7, 't' },
	{ 0xffffffffffffff00ull, 0x100, 14, 'D' },
};
static const char names[] = "_start\0helper\0top_of_it";
static const struct symtab tab = { syms, 3, names, ~0ull };

/* The reference: "0x" hex or decimal, the whole string, no sign or blanks. */
static int reference_u64(const char *s, uint64_t *v)
{
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *d = hex ? s + 2 : s;
	char *end;

	if (!*d)
		return -1;
	for (const char *p = d; *p; p++)
		if (!(hex ? (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			    (*p >= 'A' && *p <= 'F') : (*p >= '0' && *p <= '9')))
			return -1;
	errno = 0;
	*v = strtoull(d, &end, hex ? 16 : 10);
	return errno ? -2 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *argv[MAX_ARGS];
	uint64_t v = 0, want;
	unsigned int w;
	int argc, ref;

	if (size < 1)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		argc = parse_split(s, argv, MAX_ARGS);
		FUZZ_ASSERT(argc >= -1 && argc <= MAX_ARGS);
		for (int i = 0; i < argc; i++)
			FUZZ_ASSERT(argv[i][0] && !strchr(argv[i], ' ') && argv[i] >= s &&
				    argv[i] < s + size);
		break;
	case 1:
		ref = reference_u64(s, &want);
		if (parse_u64(s, &v) == ST_OK)
			FUZZ_ASSERT(ref == 0 && v == want);
		else if (strlen(s) == size - 1)	/* no NUL inside: the whole input was seen */
			FUZZ_ASSERT(ref != 0);
		break;
	case 2:
		if (parse_size(s, &v) == ST_OK && reference_u64(s, &want) == 0)
			FUZZ_ASSERT(v == want);
		break;
	case 3:
		if (parse_addr(&tab, s, &v) == ST_OK && strncmp(s, "_start+", 7) == 0 &&
		    reference_u64(s + 7, &want) == 0)
			FUZZ_ASSERT(v == 0x100000 + want);
		break;
	default:
		if (parse_width(s, &w) == ST_OK)
			FUZZ_ASSERT(w == 1 || w == 2 || w == 4 || w == 8);
		break;
	}
	free(s);
	return 0;
}
