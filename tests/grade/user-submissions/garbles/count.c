/* Prints bytes that are not UTF-8 and a terminal escape where the numbers
 * should be: its report must still hold every check, cleaned. */
#include <stdio.h>

int main(void)
{
	fputs("1\n\xff\xfe\xc3(\x1b[2J\x1b]0;owned\a\n", stdout);
	return 0;
}
