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
