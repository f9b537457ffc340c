/* nvmeprobe BDF: a small driver written the usual way (VFIO group flow,
 * mmap of BAR0, plain loads and stores through pointers) against a real
 * NVMe controller, checked against pread/pwrite on the VFIO device fd.
 *
 * Loads of 1, 2, 4 and 8 bytes of CAP and VS, byte-reversed loads (what
 * le32_to_cpu() compiles to on s390x), stores of 4 and 8 bytes to AQA and
 * ASQ (writable while the controller is disabled, as it is after the reset
 * vfio-pci does on open) read back both ways. One line per check, "ok" or "bad"; exit 0 if all are ok,
 * 1 if one is bad, 2 if the device cannot be opened. Without the shim on
 * s390x the first load dies with SIGILL. */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

static int dev, bad;
static uint64_t bar0;

static void reg(uint32_t off, void *buf, size_t n)
{
	memset(buf, 0, n);
	if (pread(dev, buf, n, (off_t)(bar0 + off)) != (ssize_t)n) {
		fprintf(stderr, "nvmeprobe: pread 0x%x: %s\n", off, strerror(errno));
		exit(2);
	}
}

static void check(const char *what, uint64_t got, uint64_t want)
{
	printf("%s %s: 0x%llx%s0x%llx\n", got == want ? "ok" : "bad", what, (unsigned long long)got,
	       got == want ? " == " : " != ", (unsigned long long)want);
	bad |= got != want;
}

/* the integer a native load of n bytes at off gives, computed from pread's bytes */
static uint64_t native(uint32_t off, size_t n)
{
	unsigned char b[8];
	uint64_t v = 0;
	reg(off, b, n);
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | b[__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? i : n - 1 - i];
	return v;
}

static uint64_t le(uint32_t off, size_t n)
{
	unsigned char b[8];
	uint64_t v = 0;
	reg(off, b, n);
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: nvmeprobe BDF\n");
		return 2;
	}
	char path[512], link[512];
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/iommu_group", argv[1]);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n < 0) {
		perror(path);
		return 2;
	}
	link[n] = 0;
	snprintf(path, sizeof path, "/dev/vfio/%s", basename(link));
	int container = open("/dev/vfio/vfio", O_RDWR), group = open(path, O_RDWR);
	if (container < 0 || group < 0 || ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU)) ||
	    (dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1])) < 0) {
		fprintf(stderr, "nvmeprobe: cannot open %s through %s: %s\n", argv[1], path, strerror(errno));
		return 2;
	}
	struct vfio_region_info ri = { .argsz = sizeof ri, .index = VFIO_PCI_BAR0_REGION_INDEX };
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) || ri.size < 0x1000) {
		fprintf(stderr, "nvmeprobe: BAR0 region info: %s\n", strerror(errno));
		return 2;
	}
	bar0 = ri.offset;
	volatile unsigned char *p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)ri.offset);
	if (p == MAP_FAILED) {
		fprintf(stderr, "nvmeprobe: mmap BAR0: %s\n", strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	check("CAP 8-byte load", *(volatile uint64_t *)(p + 0x0), native(0x0, 8));
	check("CAP.MQES 2-byte load", *(volatile uint16_t *)(p + 0x0), native(0x0, 2));
	check("CAP.TO 1-byte load", p[0x3], native(0x3, 1));
	check("VS 4-byte load", *(volatile uint32_t *)(p + 0x8), native(0x8, 4));
	/* le32toh() of a load: a byte-reversed load (LRV) on s390x */
	check("VS le32toh of a load", le32toh(*(volatile uint32_t *)(p + 0x8)), le(0x8, 4));
	/* not volatile, so that the compiler may fuse load and swap (LRV, MOVBE) */
	check("VS byte-reversed load", __builtin_bswap32(*(const uint32_t *)(uintptr_t)(p + 0x8)),
	      __builtin_bswap32((uint32_t)native(0x8, 4)));
	check("VS major (shift of a le32toh load)", le32toh(*(volatile uint32_t *)(p + 0x8)) >> 16, le(0x8, 4) >> 16);
	check("CSTS.RDY after reset", *(volatile uint32_t *)(p + 0x1c) & 1, 0);

	/* AQA and ASQ are writable while CC.EN is 0 */
	*(volatile uint32_t *)(p + 0x24) = 0x001f001f;
	check("AQA 4-byte store, pread back", native(0x24, 4), 0x001f001f);
	check("AQA 4-byte store, load back", *(volatile uint32_t *)(p + 0x24), 0x001f001f);
	*(volatile uint64_t *)(p + 0x28) = 0x12345000ULL << 4;
	check("ASQ 8-byte store, pread back", native(0x28, 8), 0x12345000ULL << 4);
	check("ASQ 8-byte store, load back", *(volatile uint64_t *)(p + 0x28), 0x12345000ULL << 4);
	*(volatile uint32_t *)(p + 0x24) = 0;
	*(volatile uint64_t *)(p + 0x28) = 0;
	check("AQA, ASQ cleared", native(0x24, 4) | native(0x28, 8), 0);
	printf("%s\n", bad ? "nvmeprobe: FAILED" : "nvmeprobe: all ok");
	return bad;
}
