/* count.c - the grader's user-space test exercise: count to N. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = 0;

	/* STEP 1: Read N from the first argument. */
	n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	/* END STEP 1 */
	/* STEP 2: Print 1 to N, one per line. */
	for (long i = 1; i <= n; i++)
		printf("%ld\n", i);
	/* END STEP 2 */
	return 0;
}
