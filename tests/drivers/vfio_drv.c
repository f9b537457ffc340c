/* Test-driver support: the VFIO flows of real userspace drivers. */
#include "vfio_drv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct drv drv = { .container = -1, .group = -1, .iommufd = -1, .devfd = -1 };

void drv_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("driver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

static int find_iommu_group(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		drv_die("readlink %s: %s", path, strerror(errno));
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	return atoi(base);
}

static void open_group_flow(void)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int group_id, iommu_type;

	group_id = find_iommu_group(drv.bdf);

	drv.container = open("/dev/vfio/vfio", O_RDWR);
	if (drv.container < 0)
		drv_die("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(drv.container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		drv_die("VFIO_GET_API_VERSION: unexpected version");
	if (ioctl(drv.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		iommu_type = VFIO_TYPE1v2_IOMMU;
	else if (ioctl(drv.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		iommu_type = VFIO_TYPE1_IOMMU;
	else
		drv_die("VFIO_CHECK_EXTENSION: no type1 IOMMU");

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	drv.group = open(path, O_RDWR);
	if (drv.group < 0)
		drv_die("open %s: %s", path, strerror(errno));
	if (ioctl(drv.group, VFIO_GROUP_GET_STATUS, &status))
		drv_die("VFIO_GROUP_GET_STATUS: %s", strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		drv_die("group %d is not viable", group_id);
	if (ioctl(drv.group, VFIO_GROUP_SET_CONTAINER, &drv.container))
		drv_die("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (ioctl(drv.container, VFIO_SET_IOMMU, iommu_type))
		drv_die("VFIO_SET_IOMMU: %s", strerror(errno));
	drv.devfd = ioctl(drv.group, VFIO_GROUP_GET_DEVICE_FD, drv.bdf);
	if (drv.devfd < 0)
		drv_die("VFIO_GROUP_GET_DEVICE_FD %s: %s", drv.bdf, strerror(errno));
}

static void open_cdev_flow(void)
{
	char path[PATH_MAX], name[256] = "";
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", drv.bdf);
	dir = opendir(path);
	if (!dir)
		drv_die("opendir %s: %s", path, strerror(errno));
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(name, sizeof(name), "%s", de->d_name);
			break;
		}
	closedir(dir);
	if (!name[0])
		drv_die("%s: no vfioN entry", path);

	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	drv.devfd = open(path, O_RDWR);
	if (drv.devfd < 0)
		drv_die("open %s: %s", path, strerror(errno));
	drv.iommufd = open("/dev/iommu", O_RDWR);
	if (drv.iommufd < 0)
		drv_die("open /dev/iommu: %s", strerror(errno));

	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .flags = 0, .iommufd = drv.iommufd,
	};
	if (ioctl(drv.devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		drv_die("VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));

	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	if (ioctl(drv.iommufd, IOMMU_IOAS_ALLOC, &alloc))
		drv_die("IOMMU_IOAS_ALLOC: %s", strerror(errno));

	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .flags = 0, .pt_id = alloc.out_ioas_id,
	};
	if (ioctl(drv.devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		drv_die("VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s", strerror(errno));
}

int drv_region_info(int devfd, unsigned int index, struct vfio_region_info *out,
		    uint32_t *cap_ids)
{
	size_t size = sizeof(*out);
	struct vfio_region_info *ri = calloc(1, size);
	int err = 0;

	if (!ri)
		return -ENOMEM;
	ri->argsz = size;
	ri->index = index;
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, ri)) {
		err = -errno;
		goto out;
	}
	if (ri->argsz > size) { /* capability chain: ask again with room for it */
		size = ri->argsz;
		free(ri);
		ri = calloc(1, size);
		if (!ri)
			return -ENOMEM;
		ri->argsz = size;
		ri->index = index;
		if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, ri)) {
			err = -errno;
			goto out;
		}
	}
	if (cap_ids)
		*cap_ids = 0;
	if ((ri->flags & VFIO_REGION_INFO_FLAG_CAPS) && ri->cap_offset) {
		uint32_t off = ri->cap_offset;
		int hops = 0;

		while (off) {
			struct vfio_info_cap_header *hdr;

			if (off < sizeof(*ri) || off + sizeof(*hdr) > size || ++hops > 64) {
				err = -EPROTO;
				goto out;
			}
			hdr = (struct vfio_info_cap_header *)((char *)ri + off);
			if (cap_ids && hdr->id < 32)
				*cap_ids |= 1u << hdr->id;
			off = hdr->next;
		}
	}
	*out = *ri;
	out->argsz = sizeof(*out);
out:
	free(ri);
	return err;
}

void drv_open(void)
{
	const char *flow = getenv("DRV_FLOW");
	unsigned int i;

	drv.bdf = getenv("DRV_BDF");
	if (!drv.bdf || !*drv.bdf)
		drv.bdf = "0000:00:01.0";
	if (!flow || !*flow || !strcmp(flow, "group"))
		drv.flow_cdev = 0;
	else if (!strcmp(flow, "cdev"))
		drv.flow_cdev = 1;
	else
		drv_die("DRV_FLOW=%s: expected group or cdev", flow);

	if (drv.flow_cdev)
		open_cdev_flow();
	else
		open_group_flow();

	drv.info.argsz = sizeof(drv.info);
	if (ioctl(drv.devfd, VFIO_DEVICE_GET_INFO, &drv.info))
		drv_die("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	if (!(drv.info.flags & VFIO_DEVICE_FLAGS_PCI))
		drv_die("not a PCI device (flags 0x%x)", drv.info.flags);
	if (drv.info.num_regions <= VFIO_PCI_BAR2_REGION_INDEX)
		drv_die("only %u regions", drv.info.num_regions);

	for (i = 0; i < drv.info.num_regions && i < DRV_MAX_REGIONS; i++) {
		int err = drv_region_info(drv.devfd, i, &drv.region[i], &drv.region_caps[i]);

		if (err)
			drv_die("VFIO_DEVICE_GET_REGION_INFO %u: %s", i, strerror(-err));
	}
}

/* ---- mappings */

#define MAX_WINDOWS 16
static struct window {
	char *base;
	size_t len;
	unsigned int bar;
} windows[MAX_WINDOWS];

static void remember_window(void *base, size_t len, unsigned int bar)
{
	for (int i = 0; i < MAX_WINDOWS; i++)
		if (!windows[i].base) {
			windows[i] = (struct window){ base, len, bar };
			return;
		}
	drv_die("too many BAR windows");
}

void *drv_map_bar(unsigned int bar, void *addr, size_t len, int prot, int flags)
{
	struct vfio_region_info *ri;
	void *p;

	if (bar >= drv.info.num_regions || bar >= DRV_MAX_REGIONS)
		drv_die("BAR%u: no such region", bar);
	ri = &drv.region[bar];
	if (!len)
		len = ri->size;
	if (!ri->size)
		drv_die("BAR%u: size 0", bar);
#ifdef EXPLICIT
	(void)prot;
	p = mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED)
		drv_die("BAR%u placeholder mmap: %s", bar, strerror(errno));
#else
	if (!(ri->flags & VFIO_REGION_INFO_FLAG_MMAP))
		drv_die("BAR%u: region flags 0x%x lack VFIO_REGION_INFO_FLAG_MMAP", bar, ri->flags);
	p = mmap(addr, len, prot, MAP_SHARED | flags, drv.devfd, (off_t)ri->offset);
	if (p == MAP_FAILED)
		drv_die("BAR%u mmap(len 0x%zx, prot %d, offset 0x%llx): %s", bar, len, prot,
			(unsigned long long)ri->offset, strerror(errno));
#endif
	remember_window(p, len, bar);
	return p;
}

void drv_unmap_bar(void *p, size_t len)
{
	for (int i = 0; i < MAX_WINDOWS; i++)
		if (windows[i].base == p)
			windows[i].base = NULL;
	if (munmap(p, len))
		drv_die("munmap: %s", strerror(errno));
}

static const struct window *window_of(const volatile void *p, size_t n)
{
	const char *c = (const char *)p;

	for (int i = 0; i < MAX_WINDOWS; i++)
		if (windows[i].base && c >= windows[i].base &&
		    c + n <= windows[i].base + windows[i].len)
			return &windows[i];
	drv_die("explicit access to %p (%zu bytes) outside any BAR window", (const void *)c, n);
}

void drv_region_pread(unsigned int bar, uint64_t off, void *buf, size_t n)
{
	ssize_t r = pread(drv.devfd, buf, n, (off_t)(drv.region[bar].offset + off));

	if (r != (ssize_t)n)
		drv_die("pread BAR%u+0x%llx (%zu bytes): %zd, %s", bar, (unsigned long long)off, n, r,
			strerror(errno));
}

void drv_region_pwrite(unsigned int bar, uint64_t off, const void *buf, size_t n)
{
	ssize_t r = pwrite(drv.devfd, buf, n, (off_t)(drv.region[bar].offset + off));

	if (r != (ssize_t)n)
		drv_die("pwrite BAR%u+0x%llx (%zu bytes): %zd, %s", bar, (unsigned long long)off, n, r,
			strerror(errno));
}

void drv_explicit_rd(const volatile void *p, void *buf, size_t n)
{
	const struct window *w = window_of(p, n);

	drv_region_pread(w->bar, (uint64_t)((const char *)p - w->base), buf, n);
}

void drv_explicit_wr(volatile void *p, const void *buf, size_t n)
{
	const struct window *w = window_of(p, n);

	drv_region_pwrite(w->bar, (uint64_t)((const char *)p - w->base), buf, n);
}

const char *drv_page_perms(const void *p)
{
	static char perms[8];
	unsigned long a = (unsigned long)p, lo, hi;
	char line[512], pr[8];
	FILE *f = fopen("/proc/self/maps", "r");

	snprintf(perms, sizeof(perms), "none");
	if (!f)
		return perms;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, pr) == 3 && a >= lo && a < hi) {
			snprintf(perms, sizeof(perms), "%s", pr);
			break;
		}
	fclose(f);
	return perms;
}
