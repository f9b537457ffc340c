/* A driver that maps a BAR through its sysfs resource file instead of
 * VFIO (what Linux 6.15 allows on s390x): the shim must recognise the file
 * by its path and trap the mapping when asked to (MMIOSHIM_TRAP=all).
 * The data is read back through the VFIO region to show it reached BAR2. */
#include "vfio_drv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char path[128];

	drv_open();
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource2", drv.bdf);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		drv_die("%s: %s", path, strerror(errno));
	volatile uint32_t *bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED)
		drv_die("mmap %s: %s", path, strerror(errno));
	for (int i = 0; i < 4; i++)
		bar[i] = 0x51500000u + (uint32_t)i;
	uint32_t back = bar[2];
	munmap((void *)bar, 4096);
	close(fd);

	uint32_t via_region[4];
	drv_region_pread(2, 0, via_region, sizeof(via_region));
	printf("read back %08" PRIx32 "\n", back);
	for (int i = 0; i < 4; i++)
		printf("BAR2[%d] %08" PRIx32 "\n", i, via_region[i]);
	return 0;
}
