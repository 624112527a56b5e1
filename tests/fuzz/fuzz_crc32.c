/* CRC-32 in input-chosen pieces against zlib's, for the whole input. */
#include <zlib.h>
#include "fuzz.h"
#include "profiler/crc32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t ours = 0;
	size_t at = 0;

	/* the first byte of each piece says how long the piece is */
	while (at < size) {
		size_t n = data[at] % 64 + 1;

		if (n > size - at)
			n = size - at;
		ours = crc32_update(ours, data + at, n);
		at += n;
	}
	FUZZ_ASSERT(ours == (uint32_t)crc32(0, data, (uInt)size));
	return 0;
}
