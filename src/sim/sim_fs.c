/* The sysfs and /dev view of the simulated devices.
 *
 * On first need, a private tree is created under $TMPDIR (or /tmp),
 * mmiosim.<pid>, that mirrors the kernel's layout for each sim device:
 *
 *   sys/devices/pciDDDD:BB/BDF/{vendor,device,class,...,config,resource,
 *                               iommu_group ->, driver ->, vfio-dev/vfioN/}
 *   sys/bus/pci/devices/BDF -> ../../../devices/pciDDDD:BB/BDF
 *   sys/bus/pci/drivers/vfio-pci/BDF ->
 *   sys/kernel/iommu_groups/G/{type,devices/BDF ->}
 *   sys/class/vfio-dev/vfioN -> ../../devices/pciDDDD:BB/BDF/vfio-dev/vfioN
 *   dev/vfio/{vfio,G,devices/vfioN}, dev/iommu   (placeholders for stat)
 *
 * Paths a program passes for sim devices are rewritten into that tree;
 * realpath results are mapped back. The process that created the tree
 * removes it at exit; trees of processes that are gone (signal, _exit,
 * exec) are removed by the next process that makes a tree. Opens of /dev/vfio/... and /dev/iommu return sim fds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"

static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static char tree[PATH_MAX];
static size_t tree_len;
static int tree_state; /* 0: not made, 1: made, -1: failed */
static pid_t tree_owner;

/* ---- removing trees ---- */

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	syscall(SYS_unlinkat, AT_FDCWD, path, flag == FTW_DP ? AT_REMOVEDIR : 0);
	return 0;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Trees are named mmiosim.<pid>. Remove those of processes that are gone
 * (killed by a signal, ended by _exit, or replaced by exec). */
static void collect_garbage(const char *tmp)
{
	DIR *(*od)(const char *) = (DIR * (*)(const char *)) sim_real.opendir;
	DIR *dir = od ? od(tmp) : NULL;
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		const char *n = e->d_name;
		if (strncmp(n, "mmiosim.", 8) || !n[8] || strspn(n + 8, "0123456789") != strlen(n + 8))
			continue;
		long pid = strtol(n + 8, NULL, 10);
		if (pid <= 0 || pid > INT32_MAX || (syscall(SYS_kill, (pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", tmp, n);
		if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
		    st.st_uid == getuid())
			rm_tree(p);
	}
	closedir(dir);
}

__attribute__((format(printf, 2, 3))) static int mkpath(char *out, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, PATH_MAX, "%s", tree);
	va_start(ap, fmt);
	vsnprintf(out + n, (size_t)(PATH_MAX - n), fmt, ap);
	va_end(ap);
	return 0;
}

__attribute__((format(printf, 1, 2))) static int mkdir_t(const char *fmt, ...)
{
	char rel[PATH_MAX], p[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	mkpath(p, "%s", rel);
	if (syscall(SYS_mkdirat, AT_FDCWD, p, 0755) == 0)
		return 0;
	return errno == EEXIST ? 0 : -1;
}

static int file_t(const char *rel, const void *data, size_t len, off_t size)
{
	char p[PATH_MAX];
	mkpath(p, "%s", rel);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (len)
		syscall(SYS_write, fd, data, len);
	if (size)
		syscall(SYS_ftruncate, fd, size);
	syscall(SYS_close, fd);
	return 0;
}

__attribute__((format(printf, 2, 3))) static int text_t(const char *rel, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return file_t(rel, buf, (size_t)n, 0);
}

static int link_t(const char *rel, const char *target)
{
	char p[PATH_MAX];
	mkpath(p, "%s", rel);
	return syscall(SYS_symlinkat, target, AT_FDCWD, p) == 0 ? 0 : -1;
}

static int build_device(const struct sim_dev *d)
{
	char dir[256], rel[PATH_MAX], tgt[PATH_MAX], root[32];
	int r = 0;

	snprintf(root, sizeof(root), "pci%04x:%02x", d->domain, d->bus);
	r |= mkdir_t("/sys/devices/%s", root);
	snprintf(dir, sizeof(dir), "/sys/devices/%s/%s", root, d->bdf);
	r |= mkdir_t("%s", dir);
#define TEXT(name, ...)                                         \
	do {                                                    \
		snprintf(rel, sizeof(rel), "%s/%s", dir, name); \
		r |= text_t(rel, __VA_ARGS__);                  \
	} while (0)
	TEXT("vendor", "0x%04x\n", SIM_VENDOR_ID);
	TEXT("device", "0x%04x\n", SIM_DEVICE_ID);
	TEXT("subsystem_vendor", "0x%04x\n", SIM_SUBVENDOR);
	TEXT("subsystem_device", "0x%04x\n", SIM_SUBDEVICE);
	TEXT("class", "0x%06x\n", SIM_CLASS);
	TEXT("revision", "0x%02x\n", SIM_REVISION);
	TEXT("irq", "0\n");
	TEXT("numa_node", "-1\n");
	TEXT("enable", "1\n");
	TEXT("driver_override", "(null)\n");
	TEXT("uevent", "DRIVER=vfio-pci\nPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
		       "PCI_SLOT_NAME=%s\n",
	     SIM_CLASS, SIM_VENDOR_ID, SIM_DEVICE_ID, SIM_SUBVENDOR, SIM_SUBDEVICE, d->bdf);
	/* resource: 13 lines (6 BARs, ROM, 6 SR-IOV BARs), start end flags */
	{
		char res[2048];
		size_t n = 0;
		for (int i = 0; i < 13; i++) {
			unsigned long long s = 0, e = 0, f = 0;
			if (i == 0) {
				s = SIM_BAR0_ADDR;
				e = s + SIM_BAR0_SIZE - 1;
				f = 0x40200; /* IORESOURCE_MEM | SIZEALIGN */
			} else if (i == 2) {
				s = SIM_BAR2_ADDR;
				e = s + SIM_BAR2_SIZE - 1;
				f = 0x14220c; /* MEM | PREFETCH | MEM_64 | SIZEALIGN */
			}
			n += (size_t)snprintf(res + n, sizeof(res) - n, "0x%016llx 0x%016llx 0x%016llx\n", s,
					      e, f);
		}
		snprintf(rel, sizeof(rel), "%s/resource", dir);
		r |= file_t(rel, res, n, 0);
	}
	snprintf(rel, sizeof(rel), "%s/config", dir);
	r |= file_t(rel, d->cfg, SIM_CFG_SIZE, 0);
	/* resource2 is opened as BAR2 memory (see sim_open_special); this
	 * placeholder gives stat the size */
	snprintf(rel, sizeof(rel), "%s/resource2", dir);
	r |= file_t(rel, NULL, 0, SIM_BAR2_SIZE);
	snprintf(rel, sizeof(rel), "%s/iommu_group", dir);
	snprintf(tgt, sizeof(tgt), "../../../kernel/iommu_groups/%d", d->group);
	r |= link_t(rel, tgt);
	snprintf(rel, sizeof(rel), "%s/driver", dir);
	r |= link_t(rel, "../../../bus/pci/drivers/vfio-pci");
	snprintf(rel, sizeof(rel), "%s/subsystem", dir);
	r |= link_t(rel, "../../../bus/pci");
	r |= mkdir_t("%s/vfio-dev", dir);
	r |= mkdir_t("%s/vfio-dev/vfio%d", dir, d->cdev);
	snprintf(rel, sizeof(rel), "%s/vfio-dev/vfio%d/dev", dir, d->cdev);
	r |= text_t(rel, "511:%d\n", d->cdev);
	snprintf(rel, sizeof(rel), "%s/vfio-dev/vfio%d/device", dir, d->cdev);
	snprintf(tgt, sizeof(tgt), "../../../%s", d->bdf);
	r |= link_t(rel, tgt);
#undef TEXT

	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s", d->bdf);
	snprintf(tgt, sizeof(tgt), "../../../devices/%s/%s", root, d->bdf);
	r |= link_t(rel, tgt);
	snprintf(rel, sizeof(rel), "/sys/bus/pci/drivers/vfio-pci/%s", d->bdf);
	snprintf(tgt, sizeof(tgt), "../../../../devices/%s/%s", root, d->bdf);
	r |= link_t(rel, tgt);

	r |= mkdir_t("/sys/kernel/iommu_groups/%d", d->group);
	r |= mkdir_t("/sys/kernel/iommu_groups/%d/devices", d->group);
	snprintf(rel, sizeof(rel), "/sys/kernel/iommu_groups/%d/type", d->group);
	r |= text_t(rel, "DMA\n");
	snprintf(rel, sizeof(rel), "/sys/kernel/iommu_groups/%d/devices/%s", d->group, d->bdf);
	snprintf(tgt, sizeof(tgt), "../../../../devices/%s/%s", root, d->bdf);
	r |= link_t(rel, tgt);

	snprintf(rel, sizeof(rel), "/sys/class/vfio-dev/vfio%d", d->cdev);
	snprintf(tgt, sizeof(tgt), "../../devices/%s/%s/vfio-dev/vfio%d", root, d->bdf, d->cdev);
	r |= link_t(rel, tgt);

	snprintf(rel, sizeof(rel), "/dev/vfio/%d", d->group);
	r |= file_t(rel, NULL, 0, 0);
	snprintf(rel, sizeof(rel), "/dev/vfio/devices/vfio%d", d->cdev);
	r |= file_t(rel, NULL, 0, 0);
	return r;
}

static int build_tree(void)
{
	const char *tmp = early_getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	collect_garbage(tmp);
	/* mmiosim.<pid>: one left by this pid is stale (an earlier program
	 * this process exec'd from, or a dead process whose pid came back) */
	snprintf(tree, sizeof(tree), "%s/mmiosim.%d", tmp, (int)getpid());
	struct stat st;
	if (syscall(SYS_newfstatat, AT_FDCWD, tree, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == getuid())
		rm_tree(tree);
	if (syscall(SYS_mkdirat, AT_FDCWD, tree, 0700)) {
		snprintf(tree, sizeof(tree), "%s/mmiosim.%d.XXXXXX", tmp, (int)getpid());
		if (!mkdtemp(tree)) {
			tree[0] = '\0';
			return -1;
		}
	}
	tree_len = strlen(tree);
	tree_owner = getpid();
	int r = 0;
	static const char *const dirs[] = { "/sys", "/sys/devices", "/sys/bus", "/sys/bus/pci",
					    "/sys/bus/pci/devices", "/sys/bus/pci/drivers",
					    "/sys/bus/pci/drivers/vfio-pci", "/sys/kernel",
					    "/sys/kernel/iommu_groups", "/sys/class", "/sys/class/vfio-dev",
					    "/dev", "/dev/vfio", "/dev/vfio/devices" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		r |= mkdir_t("%s", dirs[i]);
	r |= file_t("/dev/vfio/vfio", NULL, 0, 0);
	r |= file_t("/dev/iommu", NULL, 0, 0);
	for (int i = 0; i < sim_p.ndev; i++)
		r |= build_device(&sim_sh->dev[i]);
	return r;
}

static int tree_ready(void)
{
	int s = __atomic_load_n(&tree_state, __ATOMIC_ACQUIRE);
	if (s)
		return s > 0;
	pthread_mutex_lock(&tree_lock);
	if (!tree_state) {
		int saved = errno;
		int r = build_tree();
		if (r && tree_len == 0) {
			static const char msg[] = "mmiosim: cannot create the private sysfs tree\n";
			syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		}
		__atomic_store_n(&tree_state, tree_len ? 1 : -1, __ATOMIC_RELEASE);
		errno = saved;
	}
	pthread_mutex_unlock(&tree_lock);
	return tree_state > 0;
}

void sim_fs_cleanup(void)
{
	if (tree_state <= 0 || tree_owner != getpid())
		return;
	int saved = errno;
	rm_tree(tree);
	tree_state = -1;
	errno = saved;
}

/* Does path start with prefix, followed by its end or a '/'? */
static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static int is_sim_path(const char *path)
{
	char pre[128];

	if (!strncmp(path, "/dev/", 5)) {
		/* under the simulator /dev/vfio is the simulator's */
		return under(path, "/dev/vfio") || under(path, "/dev/iommu");
	}
	for (int i = 0; i < sim_p.ndev; i++) {
		const struct sim_dev *d = &sim_sh->dev[i];
		snprintf(pre, sizeof(pre), "/sys/bus/pci/devices/%s", d->bdf);
		if (under(path, pre))
			return 1;
		snprintf(pre, sizeof(pre), "/sys/bus/pci/drivers/vfio-pci/%s", d->bdf);
		if (under(path, pre))
			return 1;
		snprintf(pre, sizeof(pre), "/sys/devices/pci%04x:%02x/%s", d->domain, d->bus, d->bdf);
		if (under(path, pre))
			return 1;
		snprintf(pre, sizeof(pre), "/sys/kernel/iommu_groups/%d", d->group);
		if (under(path, pre))
			return 1;
		snprintf(pre, sizeof(pre), "/sys/class/vfio-dev/vfio%d", d->cdev);
		if (under(path, pre))
			return 1;
	}
	return 0;
}

const char *sim_path(const char *path, char *buf, size_t size)
{
	if (!path || path[0] != '/' || (strncmp(path, "/sys/", 5) && strncmp(path, "/dev/", 5)))
		return path;
	if (!sim_ready() || !is_sim_path(path) || !tree_ready())
		return path;
	if ((size_t)snprintf(buf, size, "%s%s", tree, path) >= size)
		return path;
	return buf;
}

void sim_unpath(char *resolved)
{
	if (!resolved || tree_state <= 0 || strncmp(resolved, tree, tree_len) ||
	    (resolved[tree_len] != '/' && resolved[tree_len] != '\0'))
		return;
	if (resolved[tree_len] == '\0') {
		strcpy(resolved, "/");
		return;
	}
	memmove(resolved, resolved + tree_len, strlen(resolved + tree_len) + 1);
}

static int parse_int(const char *s, int *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = (int)v;
	return 0;
}

static int new_fd(int kind, int devidx, int flags, int cdev)
{
	int fd = -1;
	int oi = sim_obj_new(kind, devidx, (flags & O_CLOEXEC) != 0, &fd);
	if (oi < 0) {
		errno = -oi;
		return -1;
	}
	sim_sh->obj[oi].cdev = cdev;
	return fd;
}

int sim_open_special(const char *path, int flags)
{
	int n;

	if (!path || path[0] != '/')
		return -2;
	if (!strncmp(path, "/dev/", 5)) {
		if (!sim_ready())
			return -2;
		if (!strcmp(path, "/dev/vfio/vfio"))
			return new_fd(SIM_CONTAINER, -1, flags, 0);
		if (!strcmp(path, "/dev/iommu"))
			return new_fd(SIM_IOMMUFD, -1, flags, 0);
		if (!strncmp(path, "/dev/vfio/devices/vfio", 22) && !parse_int(path + 22, &n)) {
			int d = sim_dev_by_cdev(n);
			return d < 0 ? -2 : new_fd(SIM_DEVICE, d, flags, 1);
		}
		if (!strncmp(path, "/dev/vfio/", 10) && !parse_int(path + 10, &n)) {
			int d = sim_dev_by_group(n);
			return d < 0 ? -2 : new_fd(SIM_GROUP, d, flags, 0);
		}
		return -2;
	}
	if (strncmp(path, "/sys/", 5))
		return -2;
	/* sysfs resource2 (and resource2_wc): BAR2 memory itself */
	const char *base = strrchr(path, '/');
	if (!base || (strcmp(base, "/resource2") && strcmp(base, "/resource2_wc")))
		return -2;
	if (!sim_ready())
		return -2;
	char dir[PATH_MAX];
	size_t dl = (size_t)(base - path);
	if (dl >= sizeof(dir))
		return -2;
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	const char *bdf = strrchr(dir, '/');
	int d = bdf ? sim_dev_by_bdf(bdf + 1) : -1;
	if (d < 0 || !is_sim_path(dir))
		return -2;
	if (sim_p.mmap_mode != SIM_MMAP_NORMAL) {
		/* a kernel that cannot map BARs offers no mappable resource file */
		errno = ENODEV;
		return -1;
	}
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", sim_p.bar2_fd[d]);
	return (int)syscall(SYS_openat, AT_FDCWD, self, flags & (O_ACCMODE | O_CLOEXEC | O_SYNC | O_DSYNC));
}

ssize_t sim_fd_link(const char *path, char *buf, size_t size)
{
	const char *p;
	char pre[64];
	int fd;

	if (!path || strncmp(path, "/proc/", 6))
		return -1;
	p = path + 6;
	if (!strncmp(p, "self/fd/", 8))
		p += 8;
	else if (!strncmp(p, "thread-self/fd/", 15))
		p += 15;
	else {
		snprintf(pre, sizeof(pre), "%d/fd/", (int)getpid());
		if (strncmp(p, pre, strlen(pre)))
			return -1;
		p += strlen(pre);
	}
	if (parse_int(p, &fd))
		return -1;
	int oi = sim_obj_of_fd(fd);
	if (oi < 0)
		return -1;
	const struct sim_obj *o = &sim_sh->obj[oi];
	char out[64];
	switch (o->kind) {
	case SIM_CONTAINER:
		snprintf(out, sizeof(out), "/dev/vfio/vfio");
		break;
	case SIM_GROUP:
		snprintf(out, sizeof(out), "/dev/vfio/%d", sim_sh->dev[o->devidx].group);
		break;
	case SIM_DEVICE:
		if (o->cdev)
			snprintf(out, sizeof(out), "/dev/vfio/devices/vfio%d", sim_sh->dev[o->devidx].cdev);
		else
			snprintf(out, sizeof(out), "anon_inode:[vfio-device]");
		break;
	case SIM_IOMMUFD:
		snprintf(out, sizeof(out), "/dev/iommu");
		break;
	default:
		return -1;
	}
	size_t n = strlen(out);
	if (n > size)
		n = size;
	memcpy(buf, out, n);
	return (ssize_t)n;
}
