/* The sample ring driven by input-chosen producer and consumer steps, with
 * the ledger asserted after each: every reserve is either a slot or one
 * lost sample (attempts == written + lost), the unread count is written
 * minus cleared and never above capacity, and peek(i) is the i-th oldest
 * unread sample (each sample carries its sequence number). */
#include "fuzz.h"
#include "profiler/sample_ring.h"

#define MAX_CAPACITY 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sample slots[MAX_CAPACITY];
	struct fuzz_in in = { data, size };
	struct sample_ring r;
	uint64_t cap = fuzz_u8(&in) % MAX_CAPACITY + 1;
	uint64_t attempts = 0, written = 0, consumed = 0;

	sample_ring_init(&r, slots, cap);
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		struct sample *s;
		const struct sample *p;

		switch (op % 3) {
		case 0:		/* the NMI handler: reserve, fill, commit */
			attempts++;
			s = sample_ring_reserve(&r);
			if (s) {
				FUZZ_ASSERT(s >= slots && s < slots + cap);
				s->tsc = written;
				sample_ring_commit(&r, s);
				written++;
			}
			break;
		case 1:		/* the shell reads one sample */
			p = sample_ring_peek(&r, op / 3 % (MAX_CAPACITY + 2));
			if (p)
				FUZZ_ASSERT(p->tsc == consumed + op / 3 % (MAX_CAPACITY + 2));
			else
				FUZZ_ASSERT(op / 3 % (MAX_CAPACITY + 2) >= sample_ring_count(&r));
			break;
		default:	/* the shell is done with everything unread */
			sample_ring_clear(&r);
			consumed = written;
			break;
		}
		FUZZ_ASSERT(attempts == written + r.lost);
		FUZZ_ASSERT(sample_ring_count(&r) == written - consumed);
		FUZZ_ASSERT(sample_ring_count(&r) <= cap);
	}
	return 0;
}
