#include <stdio.h>

int main(void)
{
	for (long i = 0; i < 100000000; i++)
		puts("1234567890123456789012345678901234567890");
	return 0;
}
