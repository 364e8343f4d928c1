/* count.c - atoi, and a while loop. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	int i = 0;

	while (i++ < n)
		printf("%d\n", i);
	return 0;
}
