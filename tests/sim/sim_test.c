/* Tests of libmmiosim, written the way a userspace VFIO driver is.
 *
 * Usage: sim_test CASE
 *   Runs CASE in a child process (this program re-executed with
 *   LD_PRELOAD=$LIBMMIOSIM and a fresh MMIOSIM_LOG in a temporary directory,
 *   plus the MMIOSIM_* values the case needs), then checks its exit status.
 * sim_test --child CASE: the case itself (under the simulator). */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vfio_compat.h"

#define BDF0 "0000:00:01.0"
#define BDF1 "0000:00:02.0"


#define CHECK(cond, ...)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                              \
			fprintf(stderr, " (errno %d %s)\n", errno, strerror(errno)); \
			exit(1);                                                   \
		}                                                                  \
	} while (0)

/* ---- the access log ---- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*len = 0;
		return strdup("");
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return buf;
}

/* The log as lines (the buffer is modified). */
static char **log_lines(size_t *count)
{
	size_t len;
	char *buf = read_file(getenv("MMIOSIM_LOG"), &len);
	size_t cap = 64, n = 0;
	char **lines = malloc(cap * sizeof(*lines));
	char *p = buf;
	while (*p) {
		char *nl = strchr(p, '\n');
		CHECK(nl, "log ends without a newline: '%s'", p);
		*nl = '\0';
		if (n == cap) {
			cap *= 2;
			lines = realloc(lines, cap * sizeof(*lines));
		}
		lines[n++] = p;
		p = nl + 1;
	}
	*count = n;
	return lines;
}

static unsigned long long seq; /* accesses expected so far */

/* The log has exactly `seq` lines and the last one is `fmt`. */
__attribute__((format(printf, 1, 2))) static void expect_last(const char *fmt, ...)
{
	char want[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	size_t n;
	char **l = log_lines(&n);
	CHECK(n == seq, "log has %zu lines, expected %llu (last: '%s', want '%s')", n, seq,
	      n ? l[n - 1] : "", want);
	CHECK(!strcmp(l[n - 1], want), "log line '%s', expected '%s'", l[n - 1], want);
}

/* ---- the VFIO flows, as a driver does them ---- */

struct dev {
	int container, group, device;
	uint64_t off[9];
	uint64_t size[9];
	uint32_t flags[9];
};

static int group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink %s", path);
	link[n] = '\0';
	CHECK(!strncmp(link, "../../../kernel/iommu_groups/", 29), "iommu_group link '%s'", link);
	return atoi(strrchr(link, '/') + 1);
}

static void load_regions(struct dev *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	CHECK(ioctl(d->device, VFIO_DEVICE_GET_INFO, &info) == 0, "GET_INFO");
	CHECK(info.flags == (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET), "device flags %#x", info.flags);
	CHECK(info.num_regions == 9 && info.num_irqs == 5, "regions %u irqs %u", info.num_regions,
	      info.num_irqs);
	for (unsigned i = 0; i < info.num_regions; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		CHECK(ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0, "REGION_INFO %u", i);
		d->off[i] = ri.offset;
		d->size[i] = ri.size;
		d->flags[i] = ri.flags;
	}
}

static void open_group_flow(struct dev *d, const char *bdf)
{
	char path[64];
	int g = group_of(bdf);

	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	CHECK(d->container >= 0, "open /dev/vfio/vfio");
	CHECK(ioctl(d->container, VFIO_GET_API_VERSION) == VFIO_API_VERSION, "API version");
	CHECK(ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1, "TYPE1v2");
	CHECK(ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1, "TYPE1");
	snprintf(path, sizeof(path), "/dev/vfio/%d", g);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	CHECK(d->group >= 0, "open %s", path);
	struct vfio_group_status st = { .argsz = sizeof(st) };
	CHECK(ioctl(d->group, VFIO_GROUP_GET_STATUS, &st) == 0, "GROUP_GET_STATUS");
	CHECK(st.flags == VFIO_GROUP_FLAGS_VIABLE, "group flags %#x", st.flags);
	CHECK(ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container) == 0, "SET_CONTAINER");
	CHECK(ioctl(d->group, VFIO_GROUP_GET_STATUS, &st) == 0, "GROUP_GET_STATUS");
	CHECK(st.flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET), "flags %#x", st.flags);
	CHECK(ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == 0, "SET_IOMMU");
	d->device = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	CHECK(d->device >= 0, "GET_DEVICE_FD");
	load_regions(d);
}

static uint64_t rd(struct dev *d, unsigned off, unsigned w)
{
	uint8_t b[8] = { 0 };
	CHECK(pread(d->device, b, w, (off_t)(d->off[0] + off)) == (ssize_t)w, "pread %#x/%u", off, w);
	uint64_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void wr(struct dev *d, unsigned off, unsigned w, uint64_t v)
{
	uint8_t b[8];
	for (unsigned i = 0; i < w; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	CHECK(pwrite(d->device, b, w, (off_t)(d->off[0] + off)) == (ssize_t)w, "pwrite %#x/%u", off, w);
}

/* a read that must return `want` and log one line */
static void rd_expect(struct dev *d, unsigned off, unsigned w, uint64_t want, int rejected)
{
	uint64_t v = rd(d, off, w);
	CHECK(v == want, "read %#x/%u = %#llx, expected %#llx", off, w, (unsigned long long)v,
	      (unsigned long long)want);
	seq++;
	expect_last("%llu 0 0x%x %u R 0x%llx%s", seq, off, w, (unsigned long long)want, rejected ? " rejected" : "");
}

static void wr_expect(struct dev *d, unsigned off, unsigned w, uint64_t v, int rejected)
{
	wr(d, off, w, v);
	seq++;
	expect_last("%llu 0 0x%x %u W 0x%llx%s", seq, off, w, (unsigned long long)v, rejected ? " rejected" : "");
}

/* ---- the CPU's view of a BAR mapping ----
 * On s390x a BAR mapping cannot be accessed by the CPU: the simulator
 * answers the s390_pci_mmio_read/write system calls on it, as the kernel
 * does. Elsewhere BAR2's mapping is memory. */
#define NR_MMIO_WRITE 352
#define NR_MMIO_READ 353

static void bar_get(const volatile void *p, void *buf, size_t n)
{
#if defined(__s390x__)
	CHECK(syscall(NR_MMIO_READ, (unsigned long)p, buf, n) == 0, "s390_pci_mmio_read %p/%zu", (void *)p, n);
#else
	memcpy(buf, (const void *)p, n);
#endif
}

static void bar_put(volatile void *p, const void *buf, size_t n)
{
#if defined(__s390x__)
	CHECK(syscall(NR_MMIO_WRITE, (unsigned long)p, buf, n) == 0, "s390_pci_mmio_write %p/%zu", (void *)p, n);
#else
	memcpy((void *)p, buf, n);
#endif
}

static uint8_t bar_get8(const volatile void *p)
{
	uint8_t v;
	bar_get(p, &v, 1);
	return v;
}

static uint32_t bar_get32(const volatile void *p)
{
	uint32_t v;
	bar_get(p, &v, 4);
	return v;
}

/* ---- cases ---- */

#if defined(__s390x__)
#define BAR0_MMAP_FLAG VFIO_REGION_INFO_FLAG_MMAP
#else
#define BAR0_MMAP_FLAG 0
#endif

static int case_group_flow_registers(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	CHECK(d.size[0] == 4096 && d.flags[0] == (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
						  BAR0_MMAP_FLAG),
	      "BAR0 size %llu flags %#x", (unsigned long long)d.size[0], d.flags[0]);
	for (int i = 1; i < 9; i++) {
		if (i == 2 || i == 7)
			continue;
		CHECK(d.size[i] == 0 && d.flags[i] == 0, "region %d size %llu flags %#x", i,
		      (unsigned long long)d.size[i], d.flags[i]);
	}
	CHECK(d.off[0] == 0 && d.off[2] == 2ull << 40 && d.off[7] == 7ull << 40, "offsets");
#if defined(__s390x__)
	void *bar0 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[0]);
	CHECK(bar0 != MAP_FAILED, "s390x: mmap of BAR0 must work (Linux >= 6.15)");
	munmap(bar0, 4096);
#else
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[0]) == MAP_FAILED &&
		      errno == EINVAL,
	      "mmap of BAR0 must fail with EINVAL");
#endif

	rd_expect(&d, 0x0, 4, 0x4d4d494f, 0);
	rd_expect(&d, 0x4, 4, 0x00010000, 0);
	rd_expect(&d, 0x0, 2, 0x494f, 0);
	rd_expect(&d, 0x2, 1, 0x4d, 0);
	rd_expect(&d, 0x0, 8, 0x000100004d4d494full, 0);
	/* SCRATCH */
	wr_expect(&d, 0x8, 4, 0x12345678, 0);
	rd_expect(&d, 0x8, 4, 0x12345678, 0);
	wr_expect(&d, 0x9, 1, 0xab, 0);
	rd_expect(&d, 0x8, 4, 0x1234ab78, 0);
	/* read-only ID */
	wr_expect(&d, 0x0, 4, 0xffffffff, 1);
	rd_expect(&d, 0x0, 4, 0x4d4d494f, 0);
	/* SCRATCH64 and its halves */
	wr_expect(&d, 0x10, 8, 0x1122334455667788ull, 0);
	rd_expect(&d, 0x14, 4, 0x11223344, 0);
	wr_expect(&d, 0x10, 4, 0xcafef00d, 0);
	rd_expect(&d, 0x10, 8, 0x11223344cafef00dull, 0);
	/* COUNTER */
	rd_expect(&d, 0x18, 4, 1, 0);
	rd_expect(&d, 0x18, 4, 2, 0);
	rd_expect(&d, 0x18, 4, 3, 0);
	wr_expect(&d, 0x18, 4, 100, 1);
	/* STATUS (W1C) and STATUS_SET */
	wr_expect(&d, 0x20, 4, 0x5, 0);
	rd_expect(&d, 0x1c, 4, 0x5, 0);
	rd_expect(&d, 0x20, 4, 0, 0); /* write-only */
	wr_expect(&d, 0x1c, 4, 0x1, 0);
	rd_expect(&d, 0x1c, 4, 0x4, 0);
	rd_expect(&d, 0x18, 8, (0x4ull << 32) | 4, 0); /* COUNTER once, and STATUS */
	rd_expect(&d, 0x18, 4, 5, 0);
	/* STRICT32 */
	wr_expect(&d, 0x24, 4, 0xdeadbeef, 0);
	rd_expect(&d, 0x24, 4, 0xdeadbeef, 0);
	rd_expect(&d, 0x24, 2, 0xffff, 1);
	rd_expect(&d, 0x26, 1, 0xff, 1);
	wr_expect(&d, 0x24, 2, 0x1111, 1);
	rd_expect(&d, 0x24, 4, 0xdeadbeef, 0);
	/* DOORBELL */
	wr_expect(&d, 0x100, 4, 0x42, 0);
	rd_expect(&d, 0x100, 4, 0, 0);
	wr_expect(&d, 0x104, 2, 0x42, 1);
	wr_expect(&d, 0x1f8, 8, 0x1, 1);
	/* holes */
	rd_expect(&d, 0xc, 4, 0, 1);
	rd_expect(&d, 0x200, 4, 0, 1);
	wr_expect(&d, 0xffc, 4, 0x1, 1);
	rd_expect(&d, 0x28, 8, 0, 1);

	/* BYTES: a 16-byte pwrite and pread are two 8-byte accesses each */
	uint8_t b[16], r[16];
	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)(0x10 + i);
	CHECK(pwrite(d.device, b, 16, (off_t)(d.off[0] + 0x30)) == 16, "pwrite 16");
	seq += 2;
	size_t n;
	char **l = log_lines(&n);
	CHECK(n == seq, "lines %zu", n);
	CHECK(!strcmp(l[n - 2], ({ static char x[64]; sprintf(x, "%llu 0 0x30 8 W 0x1716151413121110", seq - 1); x; })),
	      "line '%s'", l[n - 2]);
	CHECK(!strcmp(l[n - 1], ({ static char x[64]; sprintf(x, "%llu 0 0x38 8 W 0x1f1e1d1c1b1a1918", seq); x; })),
	      "line '%s'", l[n - 1]);
	memset(r, 0, sizeof(r));
	CHECK(pread(d.device, r, 16, (off_t)(d.off[0] + 0x30)) == 16, "pread 16");
	CHECK(!memcmp(r, b, 16), "BYTES read back");
	seq += 2;
	l = log_lines(&n);
	CHECK(n == seq, "lines %zu", n);
	CHECK(!strcmp(l[n - 2], ({ static char x[64]; sprintf(x, "%llu 0 0x30 8 R 0x1716151413121110", seq - 1); x; })),
	      "line '%s'", l[n - 2]);
	/* 7 bytes at 0x31: split 1, 2, 4 like vfio-pci */
	CHECK(pread(d.device, r, 7, (off_t)(d.off[0] + 0x31)) == 7, "pread 7");
	CHECK(!memcmp(r, b + 1, 7), "BYTES at 0x31");
	seq += 3;
	l = log_lines(&n);
	CHECK(n == seq, "lines %zu", n);
	CHECK(strstr(l[n - 3], " 0 0x31 1 R 0x11") && strstr(l[n - 2], " 0 0x32 2 R 0x1312") &&
		      strstr(l[n - 1], " 0 0x34 4 R 0x17161514"),
	      "split lines '%s' '%s' '%s'", l[n - 3], l[n - 2], l[n - 1]);
	rd_expect(&d, 0x3f, 1, 0x1f, 0);

	/* the end of BAR0: a short count, then EINVAL */
	CHECK(pread(d.device, r, 8, (off_t)(d.off[0] + 0xffc)) == 4, "short pread at the end");
	seq++;
	expect_last("%llu 0 0xffc 4 R 0x0 rejected", seq);
	errno = 0;
	CHECK(pread(d.device, r, 4, (off_t)(d.off[0] + 0x1000)) == -1 && errno == EINVAL, "pread past the end");
	CHECK(pread(d.device, r, 4, (off_t)d.off[1]) == -1 && errno == EINVAL, "pread of BAR1");

	/* reset */
	CHECK(ioctl(d.device, VFIO_DEVICE_RESET) == 0, "RESET");
	rd_expect(&d, 0x8, 4, 0, 0);
	rd_expect(&d, 0x10, 8, 0, 0);
	rd_expect(&d, 0x1c, 4, 0, 0);
	rd_expect(&d, 0x24, 4, 0, 0);
	rd_expect(&d, 0x30, 8, 0, 0);
	rd_expect(&d, 0x18, 4, 1, 0);
	return 0;
}

static int case_errno_untouched(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	errno = 1234;
	rd(&d, 0, 4);
	CHECK(errno == 1234, "errno after a sim pread");
	errno = 4321;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	CHECK(ioctl(d.device, VFIO_DEVICE_GET_INFO, &info) == 0 && errno == 4321, "errno after an ioctl");
	errno = 77;
	char buf[4];
	CHECK(pread(0x7ffff, buf, 4, 0) == -1 && errno == EBADF, "pread of a bad fd goes to libc");
	return 0;
}

static int case_cdev_flow(void)
{
	char path[PATH_MAX + 300], link[PATH_MAX], name[256] = "";
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", BDF0);
	DIR *dir = opendir(path);
	CHECK(dir, "opendir %s", path);
	struct dirent *e;
	while ((e = readdir(dir)))
		if (!strncmp(e->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%s", e->d_name);
	closedir(dir);
	CHECK(name[0], "no vfioN entry in %s", path);
	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s/device", name);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink %s", path);
	link[n] = '\0';
	CHECK(!strcmp(strrchr(link, '/') + 1, BDF0), "device link '%s'", link);

	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	int dev = open(path, O_RDWR | O_CLOEXEC);
	CHECK(dev >= 0, "open %s", path);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	CHECK(ioctl(dev, VFIO_DEVICE_GET_INFO, &info) == -1 && errno == EINVAL, "GET_INFO before bind");
	uint32_t v;
	CHECK(pread(dev, &v, 4, 0) == -1 && errno == EINVAL, "pread before bind");

	char fdlink[64];
	snprintf(fdlink, sizeof(fdlink), "/proc/self/fd/%d", dev);
	n = readlink(fdlink, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink %s", fdlink);
	link[n] = '\0';
	CHECK(!strcmp(link, path), "fd link '%s'", link);

	int iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	CHECK(iommufd >= 0, "open /dev/iommu");
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = iommufd };
	CHECK(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0, "BIND");
	CHECK(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) == -1 && errno == EINVAL, "second BIND");
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	CHECK(ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc) == 0, "IOAS_ALLOC");
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = alloc.out_ioas_id + 100 };
	CHECK(ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == -1 && errno == ENOENT, "ATTACH to no IOAS");
	at.pt_id = alloc.out_ioas_id;
	CHECK(ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0, "ATTACH");

	void *buf = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iommu_ioas_map map = { .size = sizeof(map),
				      .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					       IOMMU_IOAS_MAP_WRITEABLE,
				      .ioas_id = alloc.out_ioas_id,
				      .user_va = (uintptr_t)buf,
				      .length = 1 << 16,
				      .iova = 1 << 20 };
	CHECK(ioctl(iommufd, IOMMU_IOAS_MAP, &map) == 0, "IOAS_MAP");
	map.iova = (1 << 20) + 4096;
	map.length = 4096;
	CHECK(ioctl(iommufd, IOMMU_IOAS_MAP, &map) == -1 && errno == EEXIST, "overlapping IOAS_MAP");
	map.flags &= ~(uint32_t)IOMMU_IOAS_MAP_FIXED_IOVA;
	CHECK(ioctl(iommufd, IOMMU_IOAS_MAP, &map) == 0 && map.iova >= (1 << 20) + (1 << 16),
	      "IOAS_MAP allocating an IOVA");
	struct iommu_ioas_unmap un = { .size = sizeof(un), .ioas_id = alloc.out_ioas_id, .iova = 1 << 20,
				       .length = 1 << 16 };
	CHECK(ioctl(iommufd, IOMMU_IOAS_UNMAP, &un) == 0 && un.length == 1 << 16, "IOAS_UNMAP");
	CHECK(ioctl(iommufd, IOMMU_IOAS_UNMAP, &un) == -1 && errno == ENOENT, "IOAS_UNMAP again");

	struct dev d = { .device = dev };
	load_regions(&d);
	rd_expect(&d, 0, 4, 0x4d4d494f, 0);
	wr_expect(&d, 0x8, 4, 0x600d, 0);
	rd_expect(&d, 0x8, 4, 0x600d, 0);
	struct vfio_device_detach_iommufd_pt det = { .argsz = sizeof(det) };
	CHECK(ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &det) == 0, "DETACH");
	return 0;
}

static int case_bar2_mmap(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	CHECK(d.size[2] == 65536, "BAR2 size");
	uint32_t want = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP |
			VFIO_REGION_INFO_FLAG_CAPS;
	CHECK(d.flags[2] == want, "BAR2 flags %#x", d.flags[2]);
	/* argsz protocol: too small reports the size, then the chain */
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = 2 };
	CHECK(ioctl(d.device, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0, "REGION_INFO");
	CHECK(ri.argsz > sizeof(ri) && ri.cap_offset == 0, "argsz %u cap_offset %u", ri.argsz, ri.cap_offset);
	struct vfio_region_info *big = calloc(1, ri.argsz);
	big->argsz = ri.argsz;
	big->index = 2;
	CHECK(ioctl(d.device, VFIO_DEVICE_GET_REGION_INFO, big) == 0, "REGION_INFO with room");
	CHECK(big->cap_offset >= sizeof(*big), "cap_offset %u", big->cap_offset);
	int sparse = 0;
	for (uint32_t off = big->cap_offset; off; ) {
		struct vfio_info_cap_header *h = (void *)((char *)big + off);
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_info_cap_sparse_mmap *s = (void *)h;
			CHECK(s->nr_areas == 1 && s->areas[0].offset == 0 && s->areas[0].size == 65536,
			      "sparse areas");
			sparse = 1;
		}
		off = h->next;
	}
	CHECK(sparse, "no sparse mmap capability");

	uint8_t *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[2]);
	CHECK(m != MAP_FAILED, "mmap BAR2");
	uint64_t pat = htole64(0x0123456789abcdefull), got = 0;
	CHECK(pwrite(d.device, &pat, 8, (off_t)(d.off[2] + 0x100)) == 8, "pwrite BAR2");
	bar_get(m + 0x100, &got, 8);
	CHECK(got == pat, "the mapping sees pwrite data");
	bar_put(m + 0xfff0, &(uint8_t){ 0x5a }, 1);
	uint8_t c = 0;
	CHECK(pread(d.device, &c, 1, (off_t)(d.off[2] + 0xfff0)) == 1 && c == 0x5a, "pread sees the mapping");
	CHECK(pread(d.device, &got, 8, (off_t)(d.off[2] + 0x100)) == 8 && got == pat, "pread BAR2");
	CHECK(pread(d.device, &got, 8, (off_t)(d.off[2] + 0xfffc)) == 4, "short pread at the end of BAR2");
	/* a second mapping at an offset sees the same bytes */
	uint8_t *m2 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d.device, (off_t)(d.off[2] + 0xf000));
	CHECK(m2 != MAP_FAILED && bar_get8(m2 + 0xff0) == 0x5a, "mapping at an offset");
	CHECK(mmap(NULL, 65536, PROT_READ, MAP_PRIVATE, d.device, (off_t)d.off[2]) == MAP_FAILED && errno == EINVAL,
	      "MAP_PRIVATE must fail");
	CHECK(mmap(NULL, 2 * 65536, PROT_READ, MAP_SHARED, d.device, (off_t)d.off[2]) == MAP_FAILED &&
		      errno == EINVAL,
	      "mmap past the end must fail");
	/* MAP_FIXED over a reservation, as DPDK does */
	void *res = mmap(NULL, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *m3 = mmap(res, 65536, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, d.device, (off_t)d.off[2]);
	CHECK(m3 == res && bar_get8(m3 + 0x100) == 0xef, "MAP_FIXED over a reservation");
	size_t n;
	log_lines(&n);
	CHECK(n == 0, "BAR2 accesses must not be logged (%zu lines)", n);
	return 0;
}

static int mmap_knob(int want_flag)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	CHECK(!!(d.flags[2] & VFIO_REGION_INFO_FLAG_MMAP) == want_flag, "BAR2 flags %#x", d.flags[2]);
	CHECK(!!(d.flags[0] & VFIO_REGION_INFO_FLAG_MMAP) == (want_flag && BAR0_MMAP_FLAG), "BAR0 flags %#x",
	      d.flags[0]);
	if (!want_flag)
		CHECK(!(d.flags[2] & VFIO_REGION_INFO_FLAG_CAPS), "BAR2 flags %#x", d.flags[2]);
	CHECK(mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[2]) == MAP_FAILED &&
		      errno == EINVAL,
	      "mmap of BAR2 must fail with EINVAL");
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[0]) == MAP_FAILED &&
		      errno == EINVAL,
	      "mmap of BAR0 must fail with EINVAL");
	uint32_t v = 0xfeedface, r = 0;
	CHECK(pwrite(d.device, &v, 4, (off_t)(d.off[2] + 8)) == 4, "pwrite BAR2");
	CHECK(pread(d.device, &r, 4, (off_t)(d.off[2] + 8)) == 4 && r == v, "pread BAR2");
	rd_expect(&d, 0, 4, 0x4d4d494f, 0);
	return 0;
}

static int case_mmap_none(void)
{
	return mmap_knob(0);
}

static int case_mmap_refuse(void)
{
	return mmap_knob(1);
}

static int case_fork_shares_device(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	rd_expect(&d, 0x18, 4, 1, 0);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		rd_expect(&d, 0x18, 4, 2, 0);
		wr_expect(&d, 0x8, 4, 0xc41d, 0);
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed");
	seq += 2;
	rd_expect(&d, 0x18, 4, 3, 0);
	rd_expect(&d, 0x8, 4, 0xc41d, 0);
	return 0;
}

#define NTHREADS 4
#define NRINGS 2000

static struct dev tdev;

static void *ring(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;
	for (unsigned k = 0; k < NRINGS; k++)
		wr(&tdev, 0x100 + 4 * t, 4, (t << 16) | k);
	return NULL;
}

static int case_threads_doorbells(void)
{
	pthread_t th[NTHREADS];
	open_group_flow(&tdev, BDF0);
	for (unsigned t = 0; t < NTHREADS; t++)
		CHECK(pthread_create(&th[t], NULL, ring, (void *)(uintptr_t)t) == 0, "pthread_create");
	for (unsigned t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	size_t n;
	char **l = log_lines(&n);
	CHECK(n == NTHREADS * NRINGS, "%zu lines, expected %d", n, NTHREADS * NRINGS);
	unsigned next[NTHREADS] = { 0 };
	for (size_t i = 0; i < n; i++) {
		unsigned long long s, v;
		unsigned bar, off, w;
		char dir, extra[16] = "";
		int f = sscanf(l[i], "%llu %u %x %u %c %llx %15s", &s, &bar, &off, &w, &dir, &v, extra);
		CHECK(f == 6, "malformed line '%s'", l[i]);
		CHECK(s == i + 1, "line %zu has sequence %llu", i + 1, s);
		unsigned t = (off - 0x100) / 4;
		CHECK(bar == 0 && w == 4 && dir == 'W' && t < NTHREADS && (v >> 16) == t, "line '%s'", l[i]);
		CHECK((v & 0xffff) == next[t], "doorbell %u: value %llu, expected %u", t, v & 0xffff, next[t]);
		next[t]++;
	}
	for (unsigned t = 0; t < NTHREADS; t++)
		CHECK(next[t] == NRINGS, "doorbell %u rang %u times", t, next[t]);
	return 0;
}

static int case_config_space(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	off_t c = (off_t)d.off[7];
	CHECK(d.size[7] == 256, "config size");
	uint32_t v = 0;
	CHECK(pread(d.device, &v, 4, c) == 4 && (v = le32toh(v)) == 0x4d491b36, "vendor/device %#x", v);
	CHECK(pread(d.device, &v, 4, c + 8) == 4 && ((v = le32toh(v)) >> 8) == 0xff0000, "class %#x", v);
	CHECK(pread(d.device, &v, 4, c + 0x10) == 4 && (v = le32toh(v)) == 0xfe000000, "BAR0 %#x", v);
	uint32_t ones = 0xffffffff;
	CHECK(pwrite(d.device, &ones, 4, c + 0x10) == 4, "size BAR0");
	CHECK(pread(d.device, &v, 4, c + 0x10) == 4 && (v = le32toh(v)) == 0xfffff000, "BAR0 size mask %#x", v);
	v = htole32(0xfe000000);
	CHECK(pwrite(d.device, &v, 4, c + 0x10) == 4, "restore BAR0");
	CHECK(pread(d.device, &v, 4, c + 0x18) == 4 && (v = le32toh(v)) == 0x0000000c, "BAR2 low %#x", v);
	CHECK(pread(d.device, &v, 4, c + 0x1c) == 4 && (v = le32toh(v)) == 0x8, "BAR2 high %#x", v);
	CHECK(pwrite(d.device, &ones, 4, c + 0x18) == 4 && pwrite(d.device, &ones, 4, c + 0x1c) == 4, "size BAR2");
	CHECK(pread(d.device, &v, 4, c + 0x18) == 4 && (v = le32toh(v)) == 0xffff000c, "BAR2 low mask %#x", v);
	CHECK(pread(d.device, &v, 4, c + 0x1c) == 4 && (v = le32toh(v)) == 0xffffffff, "BAR2 high mask %#x", v);
	CHECK(pread(d.device, &v, 4, c + 0x14) == 4 && v == 0, "BAR1 %#x", v);
	uint16_t cmd = htole16(0x0006);
	CHECK(pwrite(d.device, &cmd, 2, c + 4) == 2, "command");
	cmd = 0;
	CHECK(pread(d.device, &cmd, 2, c + 4) == 2 && le16toh(cmd) == 0x0006, "command %#x", cmd);
	uint8_t cap = 0;
	CHECK(pread(d.device, &cap, 1, c + 0x34) == 1 && cap == 0x40, "capability pointer");
	CHECK(pread(d.device, &v, 4, c + 0x40) == 4 && ((v = le32toh(v)) & 0xff) == 0x11 && ((v >> 16) & 0x7ff) == 3,
	      "MSI-X capability %#x", v);
	uint64_t q;
	CHECK(pread(d.device, &q, 8, c + 0xfc) == -1 && errno == EFAULT, "config past the end");
	size_t n;
	log_lines(&n);
	CHECK(n == 0, "config accesses must not be logged");
	return 0;
}

static void file_is(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	CHECK(f, "fopen %s", path);
	CHECK(fgets(buf, sizeof(buf), f), "read %s", path);
	fclose(f);
	CHECK(!strcmp(buf, want), "%s is '%s', expected '%s'", path, buf, want);
}

static int case_sysfs_files(void)
{
	char path[PATH_MAX], buf[PATH_MAX];
	const char *dir = "/sys/bus/pci/devices/" BDF0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/vendor", dir);
	file_is(path, "0x1b36\n");
	snprintf(path, sizeof(path), "%s/device", dir);
	file_is(path, "0x4d49\n");
	snprintf(path, sizeof(path), "%s/class", dir);
	file_is(path, "0xff0000\n");
	snprintf(path, sizeof(path), "%s/resource", dir);
	file_is(path, "0x00000000fe000000 0x00000000fe000fff 0x0000000000040200\n");
	snprintf(path, sizeof(path), "%s/config", dir);
	int fd = open(path, O_RDONLY);
	uint32_t v = 0;
	CHECK(fd >= 0 && read(fd, &v, 4) == 4 && (v = le32toh(v)) == 0x4d491b36, "config file %#x", v);
	close(fd);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "stat %s", dir);
	CHECK(lstat(dir, &st) == 0 && S_ISLNK(st.st_mode), "lstat %s", dir);
	CHECK(access("/dev/vfio/vfio", F_OK) == 0, "access /dev/vfio/vfio");
	CHECK(realpath(dir, buf) && !strcmp(buf, "/sys/devices/pci0000:00/" BDF0), "realpath '%s'", buf);
	snprintf(path, sizeof(path), "%s/driver", dir);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	CHECK(n > 0, "readlink driver");
	buf[n] = '\0';
	CHECK(!strcmp(strrchr(buf, '/') + 1, "vfio-pci"), "driver '%s'", buf);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices/%s", group_of(BDF0), BDF0);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "stat %s", path);
	CHECK(stat("/sys/bus/pci/devices/0000:00:09.0", &st) == -1 && errno == ENOENT,
	      "a device that is not simulated is not there");
	return 0;
}

static int case_two_devices_one_log(void)
{
	struct dev a, b;
	open_group_flow(&a, BDF0);
	open_group_flow(&b, BDF1);
	CHECK(group_of(BDF0) != group_of(BDF1), "each device has its own group");
	wr_expect(&a, 0x8, 4, 0xaaaa, 0);
	rd_expect(&b, 0x8, 4, 0, 0);
	wr_expect(&b, 0x8, 4, 0xbbbb, 0);
	rd_expect(&a, 0x8, 4, 0xaaaa, 0);
	rd_expect(&a, 0x18, 4, 1, 0);
	rd_expect(&b, 0x18, 4, 1, 0);
	CHECK(ioctl(a.group, VFIO_GROUP_GET_DEVICE_FD, BDF1) == -1 && errno == ENODEV,
	      "another group's device");
	return 0;
}

static int case_irqs_eventfd(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	static const unsigned counts[5] = { 1, 1, 4, 1, 1 };
	for (unsigned i = 0; i < 5; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };
		CHECK(ioctl(d.device, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0, "IRQ_INFO %u", i);
		CHECK(ii.count == counts[i] && (ii.flags & VFIO_IRQ_INFO_EVENTFD), "irq %u count %u flags %#x", i,
		      ii.count, ii.flags);
	}
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = 0 };
	ioctl(d.device, VFIO_DEVICE_GET_IRQ_INFO, &ii);
	CHECK(ii.flags & VFIO_IRQ_INFO_MASKABLE, "INTx maskable");

	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (void *)buf;
	*s = (struct vfio_irq_set){ .argsz = sizeof(buf),
				    .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
				    .index = VFIO_PCI_MSIX_IRQ_INDEX,
				    .start = 0,
				    .count = 1 };
	memcpy(s->data, &efd, sizeof(efd));
	CHECK(ioctl(d.device, VFIO_DEVICE_SET_IRQS, s) == 0, "SET_IRQS MSI-X");
	uint64_t cnt = 0;
	CHECK(read(efd, &cnt, 8) == -1 && errno == EAGAIN, "no interrupt yet");
	wr_expect(&d, 0x20, 4, 0x1, 0); /* STATUS_SET bit 0 raises MSI-X vector 0 */
	CHECK(read(efd, &cnt, 8) == 8 && cnt == 1, "interrupt after STATUS_SET bit 0");
	struct vfio_irq_set t = { .argsz = sizeof(t),
				  .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
				  .index = VFIO_PCI_MSIX_IRQ_INDEX,
				  .start = 0,
				  .count = 1 };
	CHECK(ioctl(d.device, VFIO_DEVICE_SET_IRQS, &t) == 0, "SET_IRQS trigger");
	CHECK(read(efd, &cnt, 8) == 8 && cnt == 1, "interrupt after a trigger");
	/* INTx while MSI-X is on: EINVAL as vfio-pci */
	s->index = VFIO_PCI_INTX_IRQ_INDEX;
	CHECK(ioctl(d.device, VFIO_DEVICE_SET_IRQS, s) == -1 && errno == EINVAL, "INTx while MSI-X");
	/* count 0 disables */
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->count = 0;
	s->argsz = sizeof(*s);
	CHECK(ioctl(d.device, VFIO_DEVICE_SET_IRQS, s) == 0, "SET_IRQS disable");
	wr_expect(&d, 0x20, 4, 0x1, 0);
	CHECK(read(efd, &cnt, 8) == -1 && errno == EAGAIN, "no interrupt when disabled");
	s->count = 5;
	s->argsz = sizeof(*s) + 20;
	CHECK(ioctl(d.device, VFIO_DEVICE_SET_IRQS, s) == -1 && errno == EINVAL, "5 MSI-X vectors");
	return 0;
}

static int case_dma_map_type1(void)
{
	int container = open("/dev/vfio/vfio", O_RDWR);
	CHECK(container >= 0, "open container");
	CHECK(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == -1 && errno == EINVAL,
	      "SET_IOMMU without a group");
	char path[64];
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_of(BDF0));
	int group = open(path, O_RDWR);
	CHECK(group >= 0, "open group");
	CHECK(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF0) == -1 && errno == EINVAL,
	      "GET_DEVICE_FD before SET_CONTAINER");
	CHECK(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) == 0, "SET_CONTAINER");
	CHECK(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) == -1 && errno == EINVAL, "second SET_CONTAINER");
	CHECK(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF0) == -1 && errno == EINVAL,
	      "GET_DEVICE_FD before SET_IOMMU");
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map),
						.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE };
	CHECK(ioctl(container, VFIO_IOMMU_MAP_DMA, &map) == -1 && errno == EINVAL, "MAP_DMA before SET_IOMMU");
	CHECK(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == 0, "SET_IOMMU");
	CHECK(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == -1 && errno == EINVAL, "second SET_IOMMU");

	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	CHECK(ioctl(container, VFIO_IOMMU_GET_INFO, &info) == 0, "IOMMU_GET_INFO");
	CHECK((info.flags & VFIO_IOMMU_INFO_PGSIZES) && (info.iova_pgsizes & 4096), "pgsizes");
	CHECK((info.flags & VFIO_IOMMU_INFO_CAPS) && info.argsz > sizeof(info) && info.cap_offset == 0,
	      "IOMMU_GET_INFO argsz %u", info.argsz);

	void *mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map.vaddr = (uintptr_t)mem;
	map.iova = 1 << 30;
	map.size = 1 << 20;
	CHECK(ioctl(container, VFIO_IOMMU_MAP_DMA, &map) == 0, "MAP_DMA");
	map.iova += 4096;
	map.size = 4096;
	CHECK(ioctl(container, VFIO_IOMMU_MAP_DMA, &map) == -1 && errno == EEXIST, "overlapping MAP_DMA");
	map.iova = (1 << 30) + (1 << 20);
	CHECK(ioctl(container, VFIO_IOMMU_MAP_DMA, &map) == 0, "adjacent MAP_DMA");
	struct vfio_iommu_type1_dma_unmap un = { .argsz = sizeof(un), .iova = 1 << 30, .size = 4096 };
	CHECK(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &un) == -1 && errno == EINVAL, "unmap of part of a mapping");
	un.size = 1 << 20;
	CHECK(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &un) == 0 && un.size == 1 << 20, "UNMAP_DMA size %llu",
	      (unsigned long long)un.size);
	un = (struct vfio_iommu_type1_dma_unmap){ .argsz = sizeof(un), .flags = VFIO_DMA_UNMAP_FLAG_ALL };
	CHECK(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &un) == 0 && un.size == 4096, "UNMAP_DMA all");

	int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF0);
	CHECK(dev >= 0, "GET_DEVICE_FD");
	CHECK(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:00:07.0") == -1 && errno == ENODEV, "unknown device");
	char link[64], fdp[64];
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", dev);
	ssize_t n = readlink(fdp, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink fd");
	link[n] = '\0';
	CHECK(!strcmp(link, "anon_inode:[vfio-device]"), "device fd link '%s'", link);
	CHECK(fcntl(dev, F_GETFD) & FD_CLOEXEC, "device fd is close-on-exec");
	int dup_fd = dup(dev);
	struct vfio_device_info di = { .argsz = sizeof(di) };
	CHECK(ioctl(dup_fd, VFIO_DEVICE_GET_INFO, &di) == 0, "a dup of a device fd is a device fd");
	close(dev);
	CHECK(ioctl(dup_fd, VFIO_DEVICE_GET_INFO, &di) == 0, "after closing the original");
	return 0;
}

/* The shim calls pread/pwrite from its SIGSEGV handler: do the same. */
static struct dev sdev;
static uint8_t *guard;
static volatile uint32_t seen_in_handler;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	uint32_t v = 0, w = htole32(7);
	if ((uint8_t *)si->si_addr != guard)
		_exit(3);
	pread(sdev.device, &v, 4, (off_t)sdev.off[0]);
	pwrite(sdev.device, &w, 4, (off_t)(sdev.off[0] + 0x100));
	seen_in_handler = le32toh(v);
	mprotect(guard, 4096, PROT_READ | PROT_WRITE);
}

static int case_pread_in_signal_handler(void)
{
	open_group_flow(&sdev, BDF0);
	guard = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction");
	errno = 4242;
	*(volatile uint32_t *)guard = 1;
	CHECK(errno == 4242, "errno changed by the handler's device accesses");
	CHECK(seen_in_handler == 0x4d4d494f, "ID read in the handler %#x", seen_in_handler);
	seq = 2;
	wr_expect(&sdev, 0x8, 4, 0x99, 0);
	size_t n;
	char **l = log_lines(&n);
	CHECK(n == 3 && !strcmp(l[0], "1 0 0x0 4 R 0x4d4d494f") && !strcmp(l[1], "2 0 0x100 4 W 0x7"),
	      "handler's accesses '%s' '%s'", l[0], l[1]);
	return 0;
}

/* MMIOSIM_LOG with %s: one file per device, one sequence across them */
static int case_log_per_device(void)
{
	struct dev a, b;
	open_group_flow(&a, BDF0);
	open_group_flow(&b, BDF1);
	wr(&a, 0x8, 4, 0xa);
	wr(&b, 0x8, 4, 0xb);
	rd(&a, 0x8, 4);
	const char *pat = getenv("MMIOSIM_LOG");
	char pa[PATH_MAX], pb[PATH_MAX];
	const char *pct = strstr(pat, "%s");
	CHECK(pct, "MMIOSIM_LOG '%s' has no %%s", pat);
	snprintf(pa, sizeof(pa), "%.*s%s%s", (int)(pct - pat), pat, BDF0, pct + 2);
	snprintf(pb, sizeof(pb), "%.*s%s%s", (int)(pct - pat), pat, BDF1, pct + 2);
	size_t n;
	char *la = read_file(pa, &n), *lb = read_file(pb, &n);
	CHECK(!strcmp(la, "1 0 0x8 4 W 0xa\n3 0 0x8 4 R 0xa\n"), "%s: '%s'", pa, la);
	CHECK(!strcmp(lb, "2 0 0x8 4 W 0xb\n"), "%s: '%s'", pb, lb);
	unlink(pa);
	unlink(pb);
	return 0;
}

/* sysfs resource2 is BAR2's memory, as mmap of a real resource file is */
static int case_sysfs_resource2(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	uint32_t v = 0x5eed;
	CHECK(pwrite(d.device, &v, 4, (off_t)(d.off[2] + 0x40)) == 4, "pwrite BAR2");
	int fd = open("/sys/bus/pci/devices/" BDF0 "/resource2", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open resource2");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 65536, "resource2 size");
	uint32_t *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && bar_get32(m + 0x10) == 0x5eed, "resource2 mapping");
	return 0;
}

#if defined(__s390x__)
/* ---- s390x: BAR mappings the CPU cannot access, the PCI MMIO system calls ---- */

static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_sig;

static void on_probe(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_jmp, 1);
}

/* The signal a plain 4-byte load from p raises, or 0. */
static int plain_load_faults(const volatile void *p)
{
	struct sigaction sa = { .sa_handler = on_probe }, old_segv, old_ill;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGILL, &sa, &old_ill);
	probe_sig = 0;
	if (!sigsetjmp(probe_jmp, 1))
		(void)*(const volatile uint32_t *)p;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGILL, &old_ill, NULL);
	return probe_sig;
}

static long mmio(long nr, const volatile void *addr, void *buf, size_t len)
{
	return syscall(nr, (unsigned long)addr, buf, len);
}

/* A read through the system call that must return `want` and log one line. */
static void srd_expect(uint8_t *bar, unsigned off, unsigned w, uint64_t want)
{
	uint8_t b[8] = { 0 };
	CHECK(mmio(NR_MMIO_READ, bar + off, b, w) == 0, "s390_pci_mmio_read %#x/%u", off, w);
	uint64_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint64_t)b[i] << (8 * i);
	CHECK(v == want, "read %#x/%u = %#llx, expected %#llx", off, w, (unsigned long long)v,
	      (unsigned long long)want);
	seq++;
	expect_last("%llu 0 0x%x %u R 0x%llx", seq, off, w, (unsigned long long)want);
}

static void swr_expect(uint8_t *bar, unsigned off, unsigned w, uint64_t v)
{
	uint8_t b[8];
	for (unsigned i = 0; i < w; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	CHECK(mmio(NR_MMIO_WRITE, bar + off, b, w) == 0, "s390_pci_mmio_write %#x/%u", off, w);
	seq++;
	expect_last("%llu 0 0x%x %u W 0x%llx", seq, off, w, (unsigned long long)v);
}

/* BAR0 is mappable; the mapping faults on plain access; the system calls
 * reach the registers and log like pread/pwrite, split the same way. */
static int case_s390x_bar0_syscalls(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	CHECK(d.flags[0] == (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP),
	      "BAR0 flags %#x", d.flags[0]);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d.device, (off_t)d.off[0]) == MAP_FAILED && errno == EINVAL,
	      "MAP_PRIVATE must fail");
	CHECK(mmap(NULL, 8192, PROT_READ, MAP_SHARED, d.device, (off_t)d.off[0]) == MAP_FAILED && errno == EINVAL,
	      "mmap past the end of BAR0 must fail");
	uint8_t *bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[0]);
	CHECK(bar != MAP_FAILED, "mmap BAR0");
	int sig = plain_load_faults(bar);
	CHECK(sig == SIGSEGV || sig == SIGILL, "a plain load from the BAR0 mapping must fault (signal %d)", sig);
	size_t n;
	log_lines(&n);
	CHECK(n == 0, "the faulting load reached the device (%zu log lines)", n);

	srd_expect(bar, 0x0, 4, 0x4d4d494f);
	srd_expect(bar, 0x0, 2, 0x494f);
	srd_expect(bar, 0x3, 1, 0x4d);
	srd_expect(bar, 0x0, 8, 0x000100004d4d494full);
	swr_expect(bar, 0x8, 4, 0x12345678);
	srd_expect(bar, 0x8, 4, 0x12345678);
	swr_expect(bar, 0x10, 8, 0x0123456789abcdefull);
	srd_expect(bar, 0x14, 4, 0x01234567);
	srd_expect(bar, 0x18, 4, 1); /* COUNTER */
	swr_expect(bar, 0x30, 1, 0xa1);
	swr_expect(bar, 0x32, 2, 0xb2c3);
	srd_expect(bar, 0x30, 8, 0xb2c300a1ull);
	swr_expect(bar, 0x104, 4, 0xd00d);
	/* longer and unaligned ranges: naturally aligned pieces in address order */
	uint8_t buf[16];
	for (int i = 0; i < 16; i++)
		buf[i] = (uint8_t)(0x10 + i);
	CHECK(mmio(NR_MMIO_WRITE, bar + 0x30, buf, 16) == 0, "16-byte write");
	seq += 2;
	expect_last("%llu 0 0x38 8 W 0x1f1e1d1c1b1a1918", seq);
	CHECK(mmio(NR_MMIO_READ, bar + 0x31, buf, 4) == 0, "unaligned 4-byte read");
	seq += 3;
	char **l = log_lines(&n);
	char w1[64], w2[64], w3[64];
	snprintf(w1, sizeof(w1), "%llu 0 0x31 1 R 0x11", seq - 2);
	snprintf(w2, sizeof(w2), "%llu 0 0x32 2 R 0x1312", seq - 1);
	snprintf(w3, sizeof(w3), "%llu 0 0x34 1 R 0x14", seq);
	CHECK(n == seq && !strcmp(l[n - 3], w1) && !strcmp(l[n - 2], w2) && !strcmp(l[n - 1], w3),
	      "unaligned read pieces '%s' '%s' '%s'", l[n - 3], l[n - 2], l[n - 1]);
	CHECK(buf[0] == 0x11 && buf[3] == 0x14, "unaligned read data");
	/* errno is untouched by a successful call */
	errno = 4242;
	CHECK(mmio(NR_MMIO_READ, bar, buf, 4) == 0 && errno == 4242, "errno after a successful call");
	seq++;
	/* the same device through pread */
	rd_expect(&d, 0x8, 4, 0x12345678, 0);
	/* a forked child inherits the mapping */
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		uint32_t v = htole32(0xc41d);
		_exit(mmio(NR_MMIO_WRITE, bar + 0x108, &v, 4) == 0 ? 0 : 1);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %#x", st);
	seq++;
	expect_last("%llu 0 0x108 4 W 0xc41d", seq);
	return 0;
}

static void expect_err(long nr, const volatile void *addr, size_t len, int want, const char *what)
{
	uint8_t buf[4096];
	memset(buf, 0, sizeof(buf));
	errno = 0;
	long r = mmio(nr, addr, buf, len);
	CHECK(r == -1 && errno == want, "%s: %s %p/%zu returned %ld errno %d, want -1 errno %d", what,
	      nr == NR_MMIO_READ ? "read" : "write", (void *)addr, len, r, errno, want);
}

/* The kernel's errors, and the table following munmap, mremap, mprotect
 * and MAP_FIXED. None of these reach the device. */
static int case_s390x_syscall_errors(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	uint8_t *b2 = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[2]);
	CHECK(b2 != MAP_FAILED, "mmap BAR2");
	int sig = plain_load_faults(b2 + 0x100);
	CHECK(sig == SIGSEGV || sig == SIGILL, "a plain load from the BAR2 mapping must fault (signal %d)", sig);
	uint32_t v = 0x5eed5eed, r = 0;
	CHECK(mmio(NR_MMIO_WRITE, b2 + 0x2000, &v, 4) == 0, "BAR2 write");
	CHECK(pread(d.device, &r, 4, (off_t)(d.off[2] + 0x2000)) == 4 && r == v, "pread sees it");

	expect_err(NR_MMIO_READ, b2, 0, EINVAL, "length 0");
	expect_err(NR_MMIO_WRITE, b2, 0, EINVAL, "length 0");
	expect_err(NR_MMIO_READ, b2 + 0xffc, 8, EINVAL, "crossing a page");
	expect_err(NR_MMIO_WRITE, b2 + 0x1ff8, 16, EINVAL, "crossing a page");
	expect_err(NR_MMIO_READ, b2, 4097, EINVAL, "longer than a page");
	CHECK(mmio(NR_MMIO_READ, b2 + 0xf000, &r, 4) == 0, "the last page's start");
	CHECK(mmio(NR_MMIO_READ, b2 + 0x1000, (uint8_t[4096]){ 0 }, 4096) == 0, "a whole page");
	static uint32_t plain_word;
	expect_err(NR_MMIO_READ, &plain_word, 4, EINVAL, "ordinary memory");
	expect_err(NR_MMIO_WRITE, &plain_word, 4, EINVAL, "ordinary memory");
	expect_err(NR_MMIO_READ, b2 + 65536, 4, EINVAL, "past the mapping");
	void *anon = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_err(NR_MMIO_READ, anon, 4, EINVAL, "a PROT_NONE anonymous mapping");

	/* protection: read needs PROT_READ, write PROT_WRITE */
	uint8_t *ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d.device, (off_t)d.off[0]);
	uint8_t *wo = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[0]);
	CHECK(ro != MAP_FAILED && wo != MAP_FAILED, "mmap BAR0 read-only and write-only");
	expect_err(NR_MMIO_WRITE, ro + 0x8, 4, EACCES, "write to a PROT_READ mapping");
	expect_err(NR_MMIO_READ, wo + 0x8, 4, EACCES, "read from a PROT_WRITE mapping");
	CHECK(mprotect(ro, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect");
	sig = plain_load_faults(ro);
	CHECK(sig == SIGSEGV || sig == SIGILL, "after mprotect a plain load must still fault (signal %d)", sig);
	v = htole32(0x77);
	CHECK(mmio(NR_MMIO_WRITE, ro + 0x8, &v, 4) == 0, "write after mprotect(PROT_READ|PROT_WRITE)");
	seq++;
	expect_last("%llu 0 0x8 4 W 0x77", seq);
	CHECK(mprotect(ro, 4096, PROT_NONE) == 0, "mprotect PROT_NONE");
	expect_err(NR_MMIO_READ, ro + 0x8, 4, EACCES, "read from a mapping made PROT_NONE");

	/* munmap of the middle page of BAR2's mapping */
	CHECK(munmap(b2 + 0x3000, 4096) == 0, "munmap one page");
	expect_err(NR_MMIO_READ, b2 + 0x3000, 4, EINVAL, "an unmapped page");
	CHECK(mmio(NR_MMIO_READ, b2 + 0x2000, &r, 4) == 0 && r == 0x5eed5eed, "the page before");
	v = 0xabcd0123;
	CHECK(mmio(NR_MMIO_WRITE, b2 + 0x4008, &v, 4) == 0, "the page after");
	CHECK(pread(d.device, &r, 4, (off_t)(d.off[2] + 0x4008)) == 4 && r == v, "the page after keeps its offset");
	/* mremap: moving works, growing does not (EFAULT, as for VM_PFNMAP) */
	void *g = mremap(b2 + 0x4000, 4096, 8192, MREMAP_MAYMOVE);
	CHECK(g == MAP_FAILED && errno == EFAULT, "growing a BAR mapping must fail with EFAULT");
	void *dst = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *moved = mremap(b2 + 0x4000, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	CHECK(moved == dst, "mremap move");
	expect_err(NR_MMIO_READ, b2 + 0x4008, 4, EINVAL, "the old place of a moved mapping");
	CHECK(mmio(NR_MMIO_READ, moved + 0x8, &r, 4) == 0 && r == 0xabcd0123, "the moved mapping (%#x)", r);
	/* an anonymous MAP_FIXED mapping over a BAR mapping replaces it */
	CHECK(mmap(b2 + 0x5000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		      b2 + 0x5000,
	      "MAP_FIXED anonymous");
	expect_err(NR_MMIO_READ, b2 + 0x5000, 4, EINVAL, "anonymous memory mapped over a BAR");
	CHECK(munmap(b2, 65536) == 0, "munmap all");
	expect_err(NR_MMIO_READ, b2 + 0x2000, 4, EINVAL, "after munmap");

	/* other system calls pass through, errno as libc sets it */
	CHECK(syscall(SYS_getpid) == getpid(), "syscall(SYS_getpid)");
	errno = 0;
	CHECK(syscall(SYS_close, -1) == -1 && errno == EBADF, "syscall(SYS_close, -1): errno %d", errno);
	char cwd[PATH_MAX];
	CHECK(syscall(SYS_getcwd, cwd, sizeof(cwd)) > 0 && cwd[0] == '/', "syscall(SYS_getcwd)");
	size_t n;
	log_lines(&n);
	CHECK(n == seq, "%zu log lines, want %llu: a refused call reached the device", n, seq);
	return 0;
}

/* The system call answered from inside a SIGSEGV handler (as the shim's
 * syscall backend does). */
static uint8_t *sbar;
static void *sguard;
static volatile uint32_t s_in_handler;

static void on_segv_sys(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	uint32_t v = 0, w = htole32(0x7);
	if (si->si_addr != sguard)
		_exit(3);
	mmio(NR_MMIO_READ, sbar, &v, 4);
	mmio(NR_MMIO_WRITE, sbar + 0x100, &w, 4);
	s_in_handler = le32toh(v);
	mprotect(sguard, 4096, PROT_READ | PROT_WRITE);
}

static int case_s390x_syscall_in_signal_handler(void)
{
	struct dev d;
	open_group_flow(&d, BDF0);
	sbar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.device, (off_t)d.off[0]);
	CHECK(sbar != MAP_FAILED, "mmap BAR0");
	sguard = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sigaction sa = { .sa_sigaction = on_segv_sys, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction");
	errno = 4242;
	*(volatile uint32_t *)sguard = 1;
	CHECK(errno == 4242, "errno changed by the handler's device accesses");
	CHECK(s_in_handler == 0x4d4d494f, "ID read in the handler %#x", s_in_handler);
	size_t n;
	char **l = log_lines(&n);
	CHECK(n == 2 && !strcmp(l[0], "1 0 0x0 4 R 0x4d4d494f") && !strcmp(l[1], "2 0 0x100 4 W 0x7"),
	      "handler's accesses (%zu lines)", n);
	return 0;
}

/* AT_HWCAP's PCI MIO bit (21) as MMIOSIM_MIO says; default cleared */
static int case_s390x_hwcap_mio(void)
{
	const char *e = getenv("MMIOSIM_MIO");
	int want = e && !strcmp(e, "1");
	unsigned long hw = getauxval(AT_HWCAP);
	CHECK(!!(hw & (1ul << 21)) == want, "AT_HWCAP %#lx with MMIOSIM_MIO=%s", hw, e ? e : "(unset)");
	CHECK(getauxval(AT_PAGESZ) == 4096, "other entries pass through");
	printf("AT_HWCAP %#lx\n", hw);
	return 0;
}
#endif

static int case_noop(void)
{
	printf("main ran\n");
	return 0;
}

/* ---- driver ---- */

struct tcase {
	const char *name;
	int (*fn)(void);
	const char *devices; /* MMIOSIM_DEVICES, NULL: unset */
	const char *mmap; /* MMIOSIM_MMAP, NULL: unset */
	const char *log; /* MMIOSIM_LOG's file name in the test directory, NULL: "log" */
	const char *env; /* one more VAR=VALUE for the child, or NULL */
};

static const struct tcase cases[] = {
	{ "group_flow_registers", case_group_flow_registers, NULL, NULL, NULL, NULL },
	{ "errno_untouched", case_errno_untouched, NULL, NULL, NULL, NULL },
	{ "cdev_flow", case_cdev_flow, "regs@" BDF0, NULL, NULL, NULL },
	{ "bar2_mmap", case_bar2_mmap, NULL, "normal", NULL, NULL },
	{ "mmap_none", case_mmap_none, NULL, "none", NULL, NULL },
	{ "mmap_refuse", case_mmap_refuse, NULL, "refuse", NULL, NULL },
	{ "fork_shares_device", case_fork_shares_device, NULL, NULL, NULL, NULL },
	{ "threads_doorbells", case_threads_doorbells, NULL, NULL, NULL, NULL },
	{ "config_space", case_config_space, NULL, NULL, NULL, NULL },
	{ "sysfs_files", case_sysfs_files, NULL, NULL, NULL, NULL },
	{ "two_devices_one_log", case_two_devices_one_log, "regs@" BDF0 ",regs@" BDF1, NULL, NULL, NULL },
	{ "irqs_eventfd", case_irqs_eventfd, NULL, NULL, NULL, NULL },
	{ "dma_map_type1", case_dma_map_type1, NULL, NULL, NULL, NULL },
	{ "pread_in_signal_handler", case_pread_in_signal_handler, NULL, NULL, NULL, NULL },
	{ "log_per_device", case_log_per_device, "regs@" BDF0 ",regs@" BDF1, NULL, "log-%s.txt", NULL },
	{ "sysfs_resource2", case_sysfs_resource2, NULL, NULL, NULL, NULL },
#if defined(__s390x__)
	{ "s390x_bar0_syscalls", case_s390x_bar0_syscalls, NULL, NULL, NULL, NULL },
	{ "s390x_syscall_errors", case_s390x_syscall_errors, NULL, NULL, NULL, NULL },
	{ "s390x_syscall_in_signal_handler", case_s390x_syscall_in_signal_handler, NULL, NULL, NULL, NULL },
	{ "s390x_hwcap_mio_default", case_s390x_hwcap_mio, NULL, NULL, NULL, NULL },
	{ "s390x_hwcap_mio_1", case_s390x_hwcap_mio, NULL, NULL, NULL, "MMIOSIM_MIO=1" },
	{ "s390x_hwcap_mio_0", case_s390x_hwcap_mio, NULL, NULL, NULL, "MMIOSIM_MIO=0" },
#endif
	{ "noop", case_noop, NULL, NULL, NULL, NULL },
};

static const struct tcase *find_case(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

/* Run `self --child name` under the simulator; capture stderr and stdout. */
static char child_tmpdir[PATH_MAX];

static int run_child_env(const char *name, const char *devices, const char *mmapv, const char *logv,
			 const char *extra, char *out, size_t outsz);

static int run_child(const char *name, const char *devices, const char *mmapv, const char *logv,
		     char *out, size_t outsz)
{
	return run_child_env(name, devices, mmapv, logv, NULL, out, outsz);
}

/* The program re-executed: through MMIO_TEST_WRAPPER (words separated by
 * spaces, e.g. "qemu-s390x-static -L /") when set, as the tests of a cross
 * build run under user-mode emulation, where an exec of the program itself
 * would not find an interpreter. */
static void exec_self(const char *name)
{
	static char self[PATH_MAX];
	const char *w = getenv("MMIO_TEST_WRAPPER");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		_exit(127);
	self[n] = '\0';
	if (!w || !*w) {
		execl(self, self, "--child", name, (char *)NULL);
		_exit(127);
	}
	char *words = strdup(w), *argv[32];
	int argc = 0;
	for (char *t = strtok(words, " "); t && argc < 28; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc++] = self;
	argv[argc++] = (char *)"--child";
	argv[argc++] = (char *)name;
	argv[argc] = NULL;
	execvp(argv[0], argv);
	_exit(127);
}

static int run_child_env(const char *name, const char *devices, const char *mmapv, const char *logv,
			 const char *extra, char *out, size_t outsz)
{
	int pipefd[2];
	CHECK(pipe(pipefd) == 0, "pipe");
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		setenv("LD_PRELOAD", getenv("LIBMMIOSIM"), 1);
		if (devices)
			setenv("MMIOSIM_DEVICES", devices, 1);
		else
			unsetenv("MMIOSIM_DEVICES");
		if (mmapv)
			setenv("MMIOSIM_MMAP", mmapv, 1);
		else
			unsetenv("MMIOSIM_MMAP");
		setenv("MMIOSIM_LOG", logv, 1);
		unsetenv("MMIOSIM_MIO");
		if (extra)
			putenv((char *)extra);
		if (child_tmpdir[0])
			setenv("TMPDIR", child_tmpdir, 1);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		exec_self(name);
	}
	close(pipefd[1]);
	size_t n = 0;
	ssize_t r;
	while ((r = read(pipefd[0], out + n, outsz - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(pipefd[0]);
	int st;
	waitpid(pid, &st, 0);
	return st;
}

static int bad_env(const char *tmp)
{
	static const struct {
		const char *var, *value, *mention;
	} bad[] = {
		{ "MMIOSIM_DEVICES", "nvme", "regs" },
		{ "MMIOSIM_DEVICES", "regs@0000:00:1.0", "BDF" },
		{ "MMIOSIM_DEVICES", "regs@zz", "BDF" },
		{ "MMIOSIM_DEVICES", "regs@0000:00:20.0", "BDF" },
		{ "MMIOSIM_DEVICES", "regs@0000:00:01.0,regs", "duplicate" },
		{ "MMIOSIM_DEVICES", "regs,,regs@0000:00:02.0", "regs" },
		{ "MMIOSIM_MMAP", "sometimes", "normal, none, refuse" },
		{ "MMIOSIM_MIO", "2", "0, 1" },
	};
	char out[4096], logv[PATH_MAX];
	snprintf(logv, sizeof(logv), "%s/log", tmp);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int is_dev = !strcmp(bad[i].var, "MMIOSIM_DEVICES");
		int is_mmap = !strcmp(bad[i].var, "MMIOSIM_MMAP");
		char extra[128];
		snprintf(extra, sizeof(extra), "%s=%s", bad[i].var, bad[i].value);
		int st = run_child_env("noop", is_dev ? bad[i].value : NULL, is_mmap ? bad[i].value : NULL, logv,
				       !is_dev && !is_mmap ? extra : NULL, out, sizeof(out));
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s=%s: status %#x, output '%s'", bad[i].var,
		      bad[i].value, st, out);
		CHECK(!strstr(out, "main ran"), "%s=%s: main ran", bad[i].var, bad[i].value);
		CHECK(strstr(out, bad[i].var) && strstr(out, bad[i].value) && strstr(out, bad[i].mention),
		      "%s=%s: message '%s'", bad[i].var, bad[i].value, out);
		CHECK(strchr(out, '\n') == out + strlen(out) - 1, "one line: '%s'", out);
	}
	/* and good values run main */
	int st = run_child("noop", "regs@0000:0a:1f.7,regs", "none", logv, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(out, "main ran"), "good values: '%s'", out);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--child")) {
		const struct tcase *c = find_case(argv[2]);
		CHECK(c, "unknown case %s", argv[2]);
		return c->fn();
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE|bad_env_exits_2\n", argv[0]);
		return 2;
	}
	CHECK(getenv("LIBMMIOSIM"), "LIBMMIOSIM must name libmmiosim.so");
	char tmp[] = "/tmp/mmiosim-test.XXXXXX";
	CHECK(mkdtemp(tmp), "mkdtemp");
	char logv[PATH_MAX], out[65536];
	snprintf(logv, sizeof(logv), "%s/log", tmp);
	snprintf(child_tmpdir, sizeof(child_tmpdir), "%s/tmp", tmp);
	CHECK(mkdir(child_tmpdir, 0700) == 0, "mkdir %s", child_tmpdir);
	int rc;
	if (!strcmp(argv[1], "bad_env_exits_2")) {
		rc = bad_env(tmp);
	} else {
		const struct tcase *c = find_case(argv[1]);
		CHECK(c, "unknown case %s", argv[1]);
		if (c->log)
			snprintf(logv, sizeof(logv), "%s/%s", tmp, c->log);
		int st = run_child_env(c->name, c->devices, c->mmap, logv, c->env, out, sizeof(out));
		fputs(out, stderr);
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (rc == 0) {
			/* the simulator removed its private sysfs tree at exit */
			DIR *dir = opendir(child_tmpdir);
			struct dirent *e;
			while (dir && (e = readdir(dir)))
				CHECK(e->d_name[0] == '.', "left behind in TMPDIR: %s", e->d_name);
			if (dir)
				closedir(dir);
		}
	}
	unlink(logv);
	rmdir(child_tmpdir);
	rmdir(tmp);
	return rc;
}
