/* Counts right, then prints 24 MiB more and exits at once: a lesson that
 * concatenates its output must not run out of memory over it. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	static char line[1 << 16];

	fputs("1\n2\n3\n4\n5\n", stdout);
	memset(line, '#', sizeof(line));
	for (int i = 0; i < 384; i++)
		fwrite(line, 1, sizeof(line), stdout);
	return 0;
}
