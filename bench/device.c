/* The simulated device 0000:00:01.0, opened as drivers do (legacy VFIO
 * group flow), and its BARs as the shim traps them. */
#include <errno.h>
#include <endian.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define BDF "0000:00:01.0"

/* The device's IOMMU group: the name its iommu_group link points to */
static void group_link(char *link, size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", BDF);
	ssize_t n = readlink(path, link, size - 1);
	if (n < 0)
		die("%s: %s (is libmmiosim.so preloaded?)", path, strerror(errno));
	link[n] = '\0';
}

int open_device(void)
{
	char path[256], link[256];

	group_link(link, sizeof(link));
	int container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("/dev/vfio/vfio: %s", strerror(errno));
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	int group = open(path, O_RDWR);
	if (group < 0)
		die("%s: %s", path, strerror(errno));
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) || ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		die("VFIO container setup: %s", strerror(errno));
	int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF);
	if (dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
	return dev;
}

static struct vfio_region_info region_info(int dev, unsigned idx)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = idx };

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("VFIO_DEVICE_GET_REGION_INFO %u: %s", idx, strerror(errno));
	return ri;
}

/* The measured register of a BAR: BAR0 SCRATCH, else the word at 8 */
size_t reg_offset(int bar)
{
	return bar == 0 ? BAR0_SCRATCH : 8;
}

/* That register on the device fd, for pread/pwrite */
struct fd_ctx reg_fd(int dev, int bar)
{
	struct vfio_region_info ri = region_info(dev, (unsigned)bar);

	return (struct fd_ctx){ dev, (off_t)(ri.offset + reg_offset(bar)) };
}

/* Is the page at p mapped PROT_NONE (a guard the shim traps)? */
static int guarded(const volatile void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (uintptr_t)p >= lo && (uintptr_t)p < hi) {
			ret = !strncmp(perms, "---", 3);
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Map a BAR of the simulated device and check that the shim traps it. */
volatile uint8_t *map_trapped_bar(int bar, int *devp)
{
	int dev = open_device();
	if (devp)
		*devp = dev;
	struct vfio_region_info ri = region_info(dev, (unsigned)bar);
	volatile uint8_t *m = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)ri.offset);

	if (m == MAP_FAILED)
		die("mmap BAR%d: %s", bar, strerror(errno));
	if (guarded(m) != 1)
		die("BAR%d is not trapped (the mapping is not a PROT_NONE guard): check MMIOSHIM_* settings", bar);
	uint32_t id;
	/* the device is little-endian (a big-endian driver swaps) */
	if (bar == 0 && (id = le32toh(load_once(m))) != 0x4d4d494f)
		die("BAR0 ID reads %#x, not 0x4d4d494f", id);
	return m;
}
