/* Size of the out-of-line step slot area (step_slots.S), shared with C. */
#ifndef ARCH_STEP_SLOTS_H
#define ARCH_STEP_SLOTS_H

#define STEP_SLOT_BYTES		32
/* Steps in flight at once on one CPU, one per nesting level: a command (or a
 * stopped shell's command), an interrupt, a #PF, an NMI pass, a #PF inside
 * it; each finishes before the level below resumes (DEBUG.md, "Levels"). */
#define STEP_LEVELS		8
#define STEP_SLOT_CPUS		8	/* MAX_CPUS */
#define STEP_SLOTS_BYTES	(STEP_SLOT_CPUS * STEP_LEVELS * STEP_SLOT_BYTES)

#ifndef __ASSEMBLY__
#include <stdint.h>
extern uint8_t step_slots[], step_slots_end[];
#endif

#endif
