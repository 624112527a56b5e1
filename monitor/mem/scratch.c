/* A few words of ordinary data for users and tests to poke at with md/mw
 * without disturbing the monitor. */
#include <stdint.h>

volatile uint64_t scratch_area[8];
