/*
 * Counting samples by a key (portable: host unit tests build it): a flat
 * profile counts by symbol name, folded stacks by the whole stack string.
 * Fixed capacity, no allocation; what does not fit is counted as overflow
 * and reported, never dropped silently.
 */
#ifndef PROFILER_AGGREGATE_H
#define PROFILER_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#define AGG_MAX_KEYS	2048
#define AGG_POOL_BYTES	(256 * 1024)

struct agg_entry {
	const char *key;
	uint64_t count;
};

struct aggregate {
	struct agg_entry e[AGG_MAX_KEYS];	/* open addressing by key hash */
	size_t used;
	char pool[AGG_POOL_BYTES];		/* copies of keys */
	size_t pool_used;
	uint64_t overflow;			/* samples whose key did not fit */
	uint64_t total;
};

void agg_init(struct aggregate *a);
void agg_add(struct aggregate *a, const char *key, uint64_t n);
/* Sorts the entries, most first (ties by key), into out; returns how many. */
size_t agg_sorted(struct aggregate *a, struct agg_entry *out, size_t max);

#endif
