#include "aggregate.h"
#include "monitor/lib/string.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

void agg_init(struct aggregate *a)
{
	memset(a->e, 0, sizeof(a->e));
	a->used = 0;
	a->pool_used = 0;
	a->overflow = 0;
	a->total = 0;
}

void agg_add(struct aggregate *a, const char *key, uint64_t n)
{
	size_t i = hash(key) % AGG_MAX_KEYS;
	size_t len = strlen(key) + 1;

	a->total += n;
	for (size_t probes = 0; probes < AGG_MAX_KEYS; probes++, i = (i + 1) % AGG_MAX_KEYS) {
		if (a->e[i].key && strcmp(a->e[i].key, key) == 0) {
			a->e[i].count += n;
			return;
		}
		if (!a->e[i].key) {
			/* keep a quarter free: probing stays short */
			if (a->used >= AGG_MAX_KEYS * 3 / 4 || a->pool_used + len > AGG_POOL_BYTES)
				break;
			memcpy(a->pool + a->pool_used, key, len);
			a->e[i].key = a->pool + a->pool_used;
			a->e[i].count = n;
			a->pool_used += len;
			a->used++;
			return;
		}
	}
	a->overflow += n;
}

static int before(const struct agg_entry *x, const struct agg_entry *y)
{
	if (x->count != y->count)
		return x->count > y->count;
	return strcmp(x->key, y->key) < 0;
}

size_t agg_sorted(struct aggregate *a, struct agg_entry *out, size_t max)
{
	size_t n = 0;

	if (max == 0)
		return 0;
	/* out stays sorted and holds the best n seen so far: each entry goes
	 * in at its place and pushes out the last once out is full (insertion
	 * over all keys; this runs in the shell, at most AGG_MAX_KEYS * max) */
	for (size_t i = 0; i < AGG_MAX_KEYS; i++) {
		const struct agg_entry *v = &a->e[i];
		size_t j;

		if (!v->key || (n == max && !before(v, &out[n - 1])))
			continue;
		j = n < max ? n++ : n - 1;
		for (; j > 0 && before(v, &out[j - 1]); j--)
			out[j] = out[j - 1];
		out[j] = *v;
	}
	return n;
}
