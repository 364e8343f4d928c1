// SPDX-License-Identifier: MIT
/* A saboteur (see ../README.md): edu's BAR 0 moves, the kernel's record of
 * it does not, so a driver's ioremap() of the old address reads nothing. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/sys/bus/pci/devices/0000:00:02.0/config", O_WRONLY);
	uint32_t bar = 0xfeb00000;

	if (fd < 0 || pwrite(fd, &bar, 4, 0x10) != 4)
		return 1;
	return close(fd) ? 1 : 0;
}
