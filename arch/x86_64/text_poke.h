#ifndef ARCH_TEXT_POKE_H
#define ARCH_TEXT_POKE_H
#include <stddef.h>

/* Write into read-only monitor text (breakpoints, test hook sites): CR0.WP
 * is lifted for the copy only, with interrupts off. Normal context only.
 * Up to 8 bytes within one aligned 8-byte word are written with a single
 * store, so an NMI that runs the patched code sees the old bytes or the new,
 * never a mix; longer patches must be to code nothing else can be running. */
void text_poke(void *dst, const void *src, size_t n);

#endif
