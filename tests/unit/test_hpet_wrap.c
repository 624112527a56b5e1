#include "unit.h"
#include "arch/x86_64/hpet_wrap.h"

UNIT_TEST(hpet_reached_across_the_32bit_wrap)
{
	/* a comparator set past the wrap is not reached before it ... */
	CHECK(!hpet_reached(0xfffffff0u, 0x10, false));
	/* ... and is once the counter has wrapped past it */
	CHECK(hpet_reached(0x10, 0xfffffff0u, false));
	CHECK(hpet_reached(0x10, 0x10, false));
	CHECK(!hpet_reached(0xf, 0x10, false));
	/* a 64-bit counter's upper half is ignored in 32-bit mode (TN_32MODE_CNF) */
	CHECK(hpet_reached(0x100000002ull, 0xfffffffeu, false));
	CHECK(!hpet_reached(0x1fffffffeull, 0x2, false));
	CHECK_EQ_U64(hpet_delta(0x100000002ull, 0xfffffffeu, false), 4);
	CHECK_EQ_U64(hpet_delta(0xfffffffeu, 0x2, false), (uint64_t)-4);
	CHECK_EQ_U64(hpet_wrap(0x123456789ull, false), 0x23456789);
}

UNIT_TEST(hpet_reached_across_the_64bit_wrap)
{
	CHECK(!hpet_reached(UINT64_MAX - 4, 3, true));
	CHECK(hpet_reached(3, UINT64_MAX - 4, true));
	CHECK_EQ_U64(hpet_delta(3, UINT64_MAX - 4, true), 8);
	/* 64 bits wide: 2^32 ticks apart is far ahead, not a wrap */
	CHECK(!hpet_reached(0xfffffff0u, 0x100000010ull, true));
	CHECK(hpet_reached(0x100000010ull, 0xfffffff0u, true));
	CHECK_EQ_U64(hpet_wrap(0x123456789ull, true), 0x123456789ull);
}
