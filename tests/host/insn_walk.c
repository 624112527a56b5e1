/*
 * Host helper of the decoder's oracle test (tests/integration/test_dis.py):
 * decodes an ELF image's code with monitor/debug/insn.c, range by range.
 *
 *   insn_walk ELF < ranges
 *
 * Each stdin line "START END" (hex) names a range of loaded bytes; the walk
 * decodes from START, one instruction after the other, and prints
 * "ADDR LEN" for each, until END, or "ADDR -1" where decoding fails (and
 * the range ends there: the next boundary is then unknown).
 */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "monitor/debug/insn.h"

static uint8_t *image;
static size_t image_len;

/* The file bytes loaded at [addr, addr + n), or NULL. */
static const uint8_t *loaded(uint64_t addr, uint64_t n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + eh->e_phoff +
							    (size_t)i * eh->e_phentsize);

		if (ph->p_type == PT_LOAD && addr >= ph->p_vaddr &&
		    addr + n <= ph->p_vaddr + ph->p_filesz && ph->p_offset + ph->p_filesz <= image_len)
			return image + ph->p_offset + (addr - ph->p_vaddr);
	}
	return NULL;
}

static int walk(uint64_t start, uint64_t end)
{
	const uint8_t *text = loaded(start, end - start);

	if (!text) {
		fprintf(stderr, "insn_walk: 0x%" PRIx64 "-0x%" PRIx64 " is not loaded\n", start, end);
		return -1;
	}
	for (uint64_t a = start; a < end;) {
		struct insn in;

		if (insn_decode(text + (a - start), end - a, &in) < 0) {
			printf("%" PRIx64 " -1\n", a);
			return 0;
		}
		printf("%" PRIx64 " %u\n", a, in.len);
		a += in.len;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const Elf64_Ehdr *eh;
	FILE *f;
	long n;
	uint64_t start, end;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: insn_walk ELF < ranges\n");
		return 2;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
	    fseek(f, 0, SEEK_SET) || !(image = malloc((size_t)n)) ||
	    fread(image, 1, (size_t)n, f) != (size_t)n ||
	    memcmp(image, ELFMAG, SELFMAG) != 0 || image[EI_CLASS] != ELFCLASS64) {
		fprintf(stderr, "insn_walk: %s: not a readable ELF64 file\n", argv[1]);
		return 2;
	}
	fclose(f);
	image_len = (size_t)n;
	eh = (const Elf64_Ehdr *)image;
	if (eh->e_phentsize < sizeof(Elf64_Phdr) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * eh->e_phentsize > image_len) {
		fprintf(stderr, "insn_walk: %s: program headers out of the file\n", argv[1]);
		return 2;
	}
	while (scanf("%" SCNx64 " %" SCNx64, &start, &end) == 2)
		if (end <= start || walk(start, end) < 0)
			return 2;
	return 0;
}
