/* Aggregation of input-chosen keys and counts, with the ledger asserted:
 * total == the counts kept + overflow; the table keeps a quarter free and
 * the key pool within bounds; agg_sorted is ordered (most first, ties by
 * key) and its top k is the first k of the whole order, for every k. */
#include <string.h>
#include "fuzz.h"
#include "profiler/aggregate.h"

static int ordered(const struct agg_entry *x, const struct agg_entry *y)
{
	return x->count > y->count || (x->count == y->count && strcmp(x->key, y->key) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aggregate a;
	static struct agg_entry all[AGG_MAX_KEYS], top[AGG_MAX_KEYS];
	struct fuzz_in in = { data, size };
	uint64_t kept = 0;
	size_t n, k;

	agg_init(&a);
	while (in.n) {
		char key[64];
		size_t len = fuzz_u8(&in) % sizeof(key);
		uint64_t count = fuzz_u64(&in, fuzz_u8(&in) % 5);

		for (size_t i = 0; i < len; i++)
			key[i] = (char)(fuzz_u8(&in) | 1);	/* no NUL inside */
		key[len] = '\0';
		/* many keys from few bytes: a suffix counts up */
		for (uint8_t rep = fuzz_u8(&in) % 8; rep; rep--) {
			size_t l = strlen(key);

			if (l + 1 < sizeof(key)) {
				key[l] = (char)('0' + rep);
				key[l + 1] = '\0';
			}
			agg_add(&a, key, count);
		}
		agg_add(&a, key, count);
	}
	FUZZ_ASSERT(a.used <= AGG_MAX_KEYS * 3 / 4 && a.pool_used <= AGG_POOL_BYTES);
	n = agg_sorted(&a, all, AGG_MAX_KEYS);
	FUZZ_ASSERT(n == a.used);
	for (size_t i = 0; i < n; i++) {
		kept += all[i].count;
		FUZZ_ASSERT(i == 0 || ordered(&all[i - 1], &all[i]));
	}
	FUZZ_ASSERT(a.total == kept + a.overflow);
	k = size % (n + 2);
	FUZZ_ASSERT(agg_sorted(&a, top, k) == (k < n ? k : n));
	for (size_t i = 0; i < k && i < n; i++)
		FUZZ_ASSERT(top[i].key == all[i].key && top[i].count == all[i].count);
	return 0;
}
