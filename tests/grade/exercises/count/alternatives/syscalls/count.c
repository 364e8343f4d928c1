/* count.c - no stdio: the digits by hand, written with write(2). */
#include <stdlib.h>
#include <unistd.h>

static void put_number(long v)
{
	char buf[24];
	int k = sizeof(buf);

	buf[--k] = '\n';
	do {
		buf[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (write(STDOUT_FILENO, buf + k, sizeof(buf) - (size_t)k) < 0)
		exit(1);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 0;

	for (long i = 1; i <= n; i++)
		put_number(i);
	return 0;
}
