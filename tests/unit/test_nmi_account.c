#include "unit.h"
#include "monitor/nmi/nmi_account.h"

UNIT_TEST(nmi_latch_runs_once_and_latches_reentry)
{
	volatile int latch = NMI_LATCH_IDLE;
	struct nmi_stats s = { 0 };

	CHECK(nmi_latch_enter(&latch, &s));
	CHECK(!nmi_latch_enter(&latch, &s));	/* re-entered: latched, counted */
	CHECK_EQ_U64(s.latched, 1);
	CHECK(nmi_latch_again(&latch));		/* one more pass */
	CHECK_EQ_U64(latch, NMI_LATCH_RUNNING);
	CHECK(!nmi_latch_again(&latch));
	CHECK_EQ_U64(latch, NMI_LATCH_IDLE);
	CHECK(nmi_latch_enter(&latch, &s));
}

UNIT_TEST(nmi_accounting_tells_unknown_from_swallowed)
{
	struct nmi_stats s = { 0 };

	nmi_account_pass(&s, 1, false);	/* first pass, claimed */
	nmi_account_pass(&s, 0, true);	/* repeat with nothing left: swallowed */
	nmi_account_pass(&s, 2, true);	/* repeat, claimed by two sources */
	nmi_account_pass(&s, 0, false);	/* first pass nobody owns: unknown */
	CHECK_EQ_U64(s.first, 2);
	CHECK_EQ_U64(s.repeats, 2);
	CHECK_EQ_U64(s.handled, 2);
	CHECK_EQ_U64(s.swallowed, 1);
	CHECK_EQ_U64(s.unknown, 1);
}

UNIT_TEST(nmi_cycles_keep_min_max_and_sum)
{
	struct nmi_stats s = { 0 };

	nmi_account_cycles(&s, 500);
	nmi_account_cycles(&s, 100);
	nmi_account_cycles(&s, 900);
	CHECK_EQ_U64(s.cycles_min, 100);
	CHECK_EQ_U64(s.cycles_max, 900);
	CHECK_EQ_U64(s.cycles_sum / s.timed, 500);
}

UNIT_TEST(nmi_log_is_fifo_and_drops_newest_when_full)
{
	static struct nmi_log l;
	struct nmi_log_entry e;

	for (uint64_t i = 0; i < NMI_LOG_SIZE + 3; i++)
		nmi_log_put(&l, i, NMI_LOG_UNKNOWN, 0, i * 2);
	CHECK_EQ_U64(l.dropped, 3);
	for (uint64_t i = 0; i < NMI_LOG_SIZE; i++) {
		CHECK(nmi_log_get(&l, &e));
		CHECK_EQ_U64(e.tsc, i);
		CHECK_EQ_U64(e.arg, i * 2);
	}
	CHECK(!nmi_log_get(&l, &e));
	nmi_log_put(&l, 99, NMI_LOG_LAZY_OOM, 1, 7);	/* room again after draining */
	CHECK(nmi_log_get(&l, &e) && e.tsc == 99 && e.pass == 1);
	CHECK_STREQ(nmi_log_event_name(NMI_LOG_LAZY_OOM), "lazy page fault with no free frame");
}
