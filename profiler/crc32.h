#ifndef PROFILER_CRC32_H
#define PROFILER_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* IEEE CRC-32 as zlib computes it; pass 0 to start, the result to go on. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

#endif
