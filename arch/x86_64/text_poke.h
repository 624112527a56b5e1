#ifndef ARCH_TEXT_POKE_H
#define ARCH_TEXT_POKE_H
#include <stddef.h>

/* Write into read-only monitor text (breakpoints, test hook sites): CR0.WP
 * is lifted for the copy only, with interrupts off. Normal context only; the
 * caller makes sure no other context executes the bytes meanwhile. */
void text_poke(void *dst, const void *src, size_t n);

#endif
