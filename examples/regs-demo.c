/* A userspace driver for the simulator's `regs` device, written the way
 * real VFIO drivers are: find the IOMMU group, open the container and the
 * group, get the device fd, map BAR0 and dereference pointers into it.
 * Run it under `mmio-run --sim regs`; it knows nothing about the shim. */
#include <fcntl.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct regs {
	volatile uint32_t id, version, scratch, pad0;
	volatile uint64_t scratch64;
	volatile uint32_t counter, status, status_set, strict32;
	uint8_t pad1[0x100 - 0x28];
	volatile uint32_t doorbell[64];
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int open_device(const char *bdf)
{
	char path[256], link[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die(path);
	link[n] = '\0';
	int container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("/dev/vfio/vfio");
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	int group = open(path, O_RDWR);
	if (group < 0)
		die(path);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) || ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		die("VFIO container setup");
	int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD");
	return dev;
}

int main(int argc, char **argv)
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:01.0";
	int dev = open_device(bdf);
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0), .index = VFIO_PCI_BAR0_REGION_INDEX };

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar0))
		die("VFIO_DEVICE_GET_REGION_INFO");
	struct regs *r = mmap(NULL, bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)bar0.offset);
	if (r == MAP_FAILED)
		die("mmap BAR0");

	uint32_t id = r->id;
	uint32_t version = r->version;
	printf("ID %#x VERSION %#x\n", id, version);
	r->scratch = 0x12345678;
	r->scratch64 = 0x1122334455667788ull;
	uint32_t scratch = r->scratch;
	uint64_t scratch64 = r->scratch64;
	printf("SCRATCH %#x SCRATCH64 %#llx\n", scratch, (unsigned long long)scratch64);
	for (int i = 0; i < 3; i++)
		printf("COUNTER %u\n", r->counter);
	r->status_set = 0x5;
	r->status = 0x1;	/* write 1 to clear */
	printf("STATUS %#x\n", r->status);
	r->doorbell[3] = 42;
	munmap(r, bar0.size);
	return 0;
}
