// SPDX-License-Identifier: MIT
/* A saboteur (see ../README.md): no module may load after this one. */
#include <stdio.h>

int main(void)
{
	FILE *f = fopen("/proc/sys/kernel/modules_disabled", "w");

	if (!f)
		return 1;
	fputs("1\n", f);
	return fclose(f) ? 1 : 0;
}
