/*
 * Comparisons of HPET main-counter values, wrap-safe at the counter's width
 * (portable: host unit tests build it). A 32-bit HPET (GCAP_ID bit 13,
 * COUNT_SIZE_CAP, clear) or a timer in 32-bit mode (TN_32MODE_CNF) compares
 * only the low 32 bits, which wrap after 2^32 ticks (43 s at QEMU's 100 MHz,
 * 5 minutes at 14.318 MHz); a 64-bit one wraps after 2^64. A difference is
 * read as signed at that width, so "reached" stays right across a wrap as
 * long as the two values are less than half the range apart.
 */
#ifndef ARCH_HPET_WRAP_H
#define ARCH_HPET_WRAP_H

#include <stdbool.h>
#include <stdint.h>

/* v as the counter of that width holds it */
static inline uint64_t hpet_wrap(uint64_t v, bool wide)
{
	return wide ? v : (uint32_t)v;
}

/* a - b, signed at the counter's width */
static inline int64_t hpet_delta(uint64_t a, uint64_t b, bool wide)
{
	return wide ? (int64_t)(a - b) : (int64_t)(int32_t)(uint32_t)(a - b);
}

/* the counter at now has reached target (equal counts: a comparator fires
 * on the match) */
static inline bool hpet_reached(uint64_t now, uint64_t target, bool wide)
{
	return hpet_delta(now, target, wide) >= 0;
}

#endif
