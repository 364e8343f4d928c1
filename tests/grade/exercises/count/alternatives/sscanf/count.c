/* count.c - sscanf, puts of a formatted buffer, and EXIT_SUCCESS. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char *argv[])
{
	unsigned long n = 0;
	char line[32];

	if (argc < 2 || sscanf(argv[1], "%lu", &n) != 1)
		n = 0;
	for (unsigned long i = 1; i <= n; ++i) {
		snprintf(line, sizeof(line), "%lu", i);
		puts(line);
	}
	return EXIT_SUCCESS;
}
