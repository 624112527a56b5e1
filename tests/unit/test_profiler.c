#include "unit.h"
#include "profiler/aggregate.h"
#include "profiler/crc32.h"
#include "profiler/sample_ring.h"

UNIT_TEST(crc32_matches_zlib)
{
	/* the standard check value, and values zlib.crc32 gives */
	CHECK_EQ_U64(crc32_update(0, "123456789", 9), 0xcbf43926);
	CHECK_EQ_U64(crc32_update(0, "", 0), 0);
	CHECK_EQ_U64(crc32_update(0, "a\n", 2), 0xddeaa107);
	/* incremental equals one-shot */
	CHECK_EQ_U64(crc32_update(crc32_update(0, "12345", 5), "6789", 4), 0xcbf43926);
}

UNIT_TEST(sample_ring_fills_counts_lost_and_never_overwrites)
{
	static struct sample slots[4];
	struct sample_ring r;
	struct sample *s;

	sample_ring_init(&r, slots, 4);
	for (uint64_t i = 0; i < 6; i++) {
		s = sample_ring_reserve(&r);
		if (i < 4) {
			CHECK(s == &slots[i]);
			s->rip = 100 + i;
			sample_ring_commit(&r, s);
		} else {
			CHECK(s == NULL);	/* full: lost, nothing overwritten */
		}
	}
	CHECK_EQ_U64(r.lost, 2);
	CHECK_EQ_U64(sample_ring_count(&r), 4);
	CHECK_EQ_U64(sample_ring_peek(&r, 0)->rip, 100);
	CHECK_EQ_U64(sample_ring_peek(&r, 3)->rip, 103);
	CHECK(sample_ring_peek(&r, 4) == NULL);
	sample_ring_clear(&r);
	CHECK_EQ_U64(sample_ring_count(&r), 0);
	s = sample_ring_reserve(&r);	/* room again, wrapping around */
	CHECK(s == &slots[0]);
	CHECK_EQ_U64(sample_ring_commit(&r, s), 4);	/* number 4, the fifth written */
	sample_ring_rewind(&r);		/* one unread: stays */
	CHECK_EQ_U64(sample_ring_count(&r), 1);
	sample_ring_clear(&r);
	sample_ring_rewind(&r);		/* empty: number 0 in slot 0 again */
	s = sample_ring_reserve(&r);
	CHECK(s == &slots[0]);
	CHECK_EQ_U64(sample_ring_commit(&r, s), 0);
	CHECK_EQ_U64(sample_ring_peek(&r, 0) - slots, 0);
}

UNIT_TEST(aggregate_counts_and_sorts_most_first)
{
	static struct aggregate a;
	struct agg_entry out[8];
	size_t n;

	agg_init(&a);
	agg_add(&a, "leaf_b", 2);
	agg_add(&a, "leaf_a", 7);
	agg_add(&a, "leaf_c", 1);
	agg_add(&a, "leaf_b", 0);
	agg_add(&a, "zz", 1);
	n = agg_sorted(&a, out, 8);
	CHECK_EQ_U64(n, 4);
	CHECK_STREQ(out[0].key, "leaf_a");
	CHECK_EQ_U64(out[0].count, 7);
	CHECK_STREQ(out[1].key, "leaf_b");
	CHECK_STREQ(out[2].key, "leaf_c");	/* ties by name */
	CHECK_STREQ(out[3].key, "zz");
	CHECK_EQ_U64(a.total, 11);
	CHECK_EQ_U64(a.overflow, 0);
}

UNIT_TEST(sample_meta_is_cpu_flags_and_depth_in_one_word)
{
	struct sample s = { .pad = 0xffff };

	s.meta = sample_meta(0x102, SAMPLE_IF | SAMPLE_CTX_IRQ, 9);
	CHECK_EQ_U64(s.cpu, 0x102);
	CHECK_EQ_U64(s.flags, SAMPLE_IF | SAMPLE_CTX_IRQ);
	CHECK_EQ_U64(s.depth, 9);
	CHECK_EQ_U64(s.pad, 0);
}

UNIT_TEST(aggregate_reports_what_does_not_fit)
{
	static struct aggregate a;
	char key[32];

	agg_init(&a);
	for (int i = 0; i < AGG_MAX_KEYS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		agg_add(&a, key, 1);
	}
	CHECK(a.used <= AGG_MAX_KEYS * 3 / 4);
	CHECK_EQ_U64(a.overflow, AGG_MAX_KEYS - a.used);
	CHECK_EQ_U64(a.total, AGG_MAX_KEYS);
}

/* FNV-1a, as aggregate.c hashes keys: to pick keys for its buckets. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

/* Probing must reach every slot: keys that all hash to even buckets fill the
 * even slots and go on into the odd ones (a probe stepping by two found no
 * room past half the table: a mutant that survived make test). */
UNIT_TEST(aggregate_probes_every_slot)
{
	static struct aggregate a;
	char key[32];
	unsigned int n = 0;

	agg_init(&a);
	for (int i = 0; n < AGG_MAX_KEYS / 2 + 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (fnv1a(key) % AGG_MAX_KEYS % 2)
			continue;
		agg_add(&a, key, 1);
		n++;
	}
	CHECK_EQ_U64(a.used, n);
	CHECK_EQ_U64(a.overflow, 0);
	CHECK_EQ_U64(a.total, n);
}

/* Regression (issue 16): with max below the number of keys, agg_sorted
 * returned the first max keys in hash order, not the max most frequent. */
UNIT_TEST(aggregate_sorted_top_few_are_the_most_frequent)
{
	static struct aggregate a;
	struct agg_entry out[3];
	char key[32];

	agg_init(&a);
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "f%d", i);
		agg_add(&a, key, (uint64_t)(i % 97) + 1);	/* f96 and f193 count 97 */
	}
	CHECK_EQ_U64(agg_sorted(&a, out, 3), 3);
	CHECK_STREQ(out[0].key, "f193");	/* 97, ties by name: "f193" < "f96" */
	CHECK_STREQ(out[1].key, "f96");
	CHECK_EQ_U64(out[1].count, 97);
	CHECK_STREQ(out[2].key, "f192");	/* 96 */
	CHECK_EQ_U64(agg_sorted(&a, out, 0), 0);
}
