/* The libc functions we interpose. Each one passes through to the next
 * definition unchanged, except for what concerns VFIO device fds and the
 * mappings we trap. */
/* The plain and the 64 names are the same functions on 64-bit targets:
 * define the plain ones and alias the others. */
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "arch.h"
#include "compat.h"
#include "fault.h"
#include "init.h"
#include "map.h"
#include "regions.h"
#include "support.h"
#include "vfio.h"

static bool takes_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;

	shim_ensure_init();
	va_start(ap, flags);
	mode_t mode = takes_mode(flags) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	int fd = real.open(path, flags, mode);
	if (fd >= 0)
		vfio_note_open(fd, path);
	return fd;
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;

	shim_ensure_init();
	va_start(ap, flags);
	mode_t mode = takes_mode(flags) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	int fd = real.openat(dirfd, path, flags, mode);
	if (fd >= 0)
		vfio_note_open(fd, path[0] == '/' ? path : NULL);
	return fd;
}

EXPORT int open64(const char *path, int flags, ...) __attribute__((alias("open")));
EXPORT int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

EXPORT int close(int fd)
{
	shim_ensure_init();
	vfio_note_close(fd);
	return real.close(fd);
}

EXPORT int dup(int fd)
{
	shim_ensure_init();
	int n = real.dup(fd);
	if (n >= 0)
		vfio_note_dup(fd, n);
	return n;
}

EXPORT int dup2(int fd, int to)
{
	shim_ensure_init();
	int n = real.dup2(fd, to);
	if (n >= 0 && n != fd)
		vfio_note_dup(fd, n);
	return n;
}

EXPORT int dup3(int fd, int to, int flags)
{
	shim_ensure_init();
	int n = real.dup3(fd, to, flags);
	if (n >= 0)
		vfio_note_dup(fd, n);
	return n;
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;

	shim_ensure_init();
	va_start(ap, cmd);
	/* every fcntl argument is an int or a pointer; pass one word on */
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int ret = real.fcntl(fd, cmd, arg);
	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		vfio_note_dup(fd, ret);
	return ret;
}

EXPORT int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;

	shim_ensure_init();
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int ret = real.ioctl(fd, req, arg);
	if (ret < 0)
		return ret;
	int saved = errno;
	if (req == VFIO_GROUP_GET_DEVICE_FD)
		vfio_note_device_fd(ret, arg);
	else if (req == VFIO_DEVICE_GET_REGION_INFO)
		vfio_fix_region_info(fd, arg);
	errno = saved;
	return ret;
}

/* The device's configuration region, and pos's offset in it; NULL when fd
 * is not a VFIO device we know or pos is elsewhere. */
static struct device *config_region_of(int fd, off_t pos, uint64_t *at)
{
	struct device *d = vfio_device_known(fd);

	if (!d || d->sysfs || d->num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		return NULL;
	const struct vfio_region *r = &d->region[VFIO_PCI_CONFIG_REGION_INDEX];
	if (!r->valid || pos < 0 || (uint64_t)pos < r->offset || (uint64_t)pos - r->offset >= r->size)
		return NULL;
	*at = (uint64_t)pos - r->offset;
	return d;
}

static void config_was_read(int fd, const void *buf, ssize_t got, off_t pos)
{
	uint64_t at;
	int saved = errno;

	if (got > 0) {
		struct device *d = config_region_of(fd, pos, &at);
		if (d)
			compat_config_read(d, at, buf, (size_t)got);
	}
	errno = saved;
}

EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t pos)
{
	shim_ensure_init();
	ssize_t got = real.pread(fd, buf, n, pos);
	config_was_read(fd, buf, got, pos);
	return got;
}

EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t pos) __attribute__((alias("pread")));

/* What _FORTIFY_SOURCE makes of pread with a buffer of known size (QEMU's
 * qemu_vfio_pci_read_config is built so). */
EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t pos, size_t buflen);
EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t pos, size_t buflen)
{
	shim_ensure_init();
	ssize_t got = real.pread_chk(fd, buf, n, pos, buflen);
	config_was_read(fd, buf, got, pos);
	return got;
}

EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t pos, size_t buflen) __attribute__((alias("__pread_chk")));

EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t pos)
{
	uint64_t at;
	uint8_t fixed[2];

	shim_ensure_init();
	int saved = errno;
	struct device *d = config_region_of(fd, pos, &at);
	if (d)
		buf = compat_config_write(d, at, buf, n, fixed);
	errno = saved;
	return real.pwrite(fd, buf, n, pos);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t pos) __attribute__((alias("pwrite")));

/* syscall(): a hand-converted s390x driver's s390_pci_mmio_read/write on
 * its BAR mapping, which under the shim is a guard mapping, is done by the
 * shim; every other call goes on untouched. The shim's own calls come here
 * too (from the handler): only lock-free steps before passing them on. */
EXPORT long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	struct arch_mmio_call c;
	struct region r;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real.syscall)
		shim_ensure_init();
	/* on the kernel's own mapping (the backends' calls) the kernel serves it */
	if (arch_mmio_syscall(nr, a, &c) && region_lookup(c.addr, &r) && r.guard != (uintptr_t)r.io.real) {
		int err = io_mmio_call(&r, c.addr, c.buf, c.len, c.write, (uint64_t)(uintptr_t)__builtin_return_address(0));
		if (!err)
			return 0;
		errno = -err;
		return -1;
	}
	return real.syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	shim_ensure_init();
	if (!(flags & MAP_ANONYMOUS) && fd >= 0) {
		struct device *dev = vfio_device_of(fd);
		if (dev)
			return map_device(addr, len, prot, flags, fd, off, dev);
	}
	void *p = real.mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && (flags & MAP_FIXED) && region_overlaps((uintptr_t)p, len))
		region_remove_range((uintptr_t)p, len);
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) __attribute__((alias("mmap")));

EXPORT int munmap(void *addr, size_t len)
{
	shim_ensure_init();
	if (!region_overlaps((uintptr_t)addr, len))
		return real.munmap(addr, len);
	return map_unmap(addr, len);
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *new_addr = NULL;

	shim_ensure_init();
	if (flags & MREMAP_FIXED) {
		va_list ap;
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (!region_overlaps((uintptr_t)old, old_len))
		return real.mremap(old, old_len, new_len, flags, new_addr);
	return map_remap(old, old_len, new_len, flags, new_addr);
}

EXPORT int mprotect(void *addr, size_t len, int prot)
{
	shim_ensure_init();
	if (!region_overlaps((uintptr_t)addr, len))
		return real.mprotect(addr, len, prot);
	return map_protect(addr, len, prot);
}
