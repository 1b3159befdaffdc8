/*
 * fuzz_replay.c - main() for a fuzz target outside libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named (a directory: on each
 * regular file in it, sorted), as libFuzzer does when given files.  The
 * normal and sanitizer builds use it to replay the committed inputs of
 * tests/fuzz/regress/<target>/; a crash, a sanitizer report or a broken
 * diagnostics contract (abort) fails the test.  An empty list exits 77.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t ran;

static void run_file(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	for (;;) {
		unsigned char *q = realloc(buf, len + 65536);
		if (!q)
			abort();
		buf = q;
		size_t got = fread(buf + len, 1, 65536, f);
		len += got;
		if (!got)
			break;
	}
	fclose(f);
	printf("replay: %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	ran++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			run_file(argv[i]);
			continue;
		}
		struct dirent **ents;
		int n = scandir(argv[i], &ents, NULL, by_name);
		if (n < 0) {
			perror(argv[i]);
			return 1;
		}
		for (int k = 0; k < n; k++) {
			char p[4096];
			snprintf(p, sizeof(p), "%s/%s", argv[i], ents[k]->d_name);
			if (ents[k]->d_name[0] != '.' && !stat(p, &st) && S_ISREG(st.st_mode))
				run_file(p);
			free(ents[k]);
		}
		free(ents);
	}
	if (!ran) {
		printf("SKIP: no inputs to replay\n");
		return 77;
	}
	printf("replay: %zu inputs, no crash, diagnostics contract held\n", ran);
	return 0;
}
