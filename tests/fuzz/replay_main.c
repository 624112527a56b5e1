/* Replays inputs through a harness without libFuzzer: each argument is a
 * file, or a directory whose files are replayed in name order. Prints how
 * many it ran; a broken invariant or a sanitizer report aborts. */
#include <dirent.h>
#include <string.h>
#include "fuzz.h"

static unsigned int replayed;

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		exit(2);
	}
	/* exactly n bytes on the heap: ASan sees a harness reading past them */
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	replayed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		int n = scandir(argv[i], &names, NULL, by_name);

		if (n < 0) {
			replay_file(argv[i]);
			continue;
		}
		for (int j = 0; j < n; j++) {
			char path[4096];

			if (names[j]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i], names[j]->d_name);
				replay_file(path);
			}
			free(names[j]);
		}
		free(names);
	}
	printf("replayed %u inputs\n", replayed);
	return 0;
}
