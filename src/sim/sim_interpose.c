/* The exported libc symbols of libmmiosim.
 *
 * Anything that is not a sim fd or a sim path goes to the next definition
 * (dlsym(RTLD_NEXT, ...), normally libc) unchanged, errno untouched. Before
 * the real function is known (a call while dlsym itself runs) the raw
 * system call stands in. */
/* The plain and the 64 names are the same functions on 64-bit targets (the
 * only ones meson.build accepts): define the plain ones and alias the others.
 * Both forward to the plain libc function. */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sim.h"

/* ---- open ---- */

static int do_open(int at, int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[PATH_MAX];
	int saved = errno;

	sim_ready();
	if (path && path[0] == '/' && (!strncmp(path, "/dev/", 5) || !strncmp(path, "/sys/", 5))) {
		int fd = sim_open_special(path, flags);
		if (fd != -2) {
			if (fd >= 0)
				errno = saved;
			return fd;
		}
		path = sim_path(path, buf, sizeof(buf));
	}
	if (!at && sim_real.open)
		return sim_real.open(path, flags, mode);
	if (at && sim_real.openat)
		return sim_real.openat(dirfd, path, flags, mode);
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

static mode_t open_mode(int flags, va_list ap)
{
	if (flags & (O_CREAT | O_TMPFILE))
		return (mode_t)va_arg(ap, int);
	return 0;
}

SIM_EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return do_open(0, AT_FDCWD, path, flags, mode);
}

SIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	return do_open(1, dirfd, path, flags, mode);
}

SIM_EXPORT int open64(const char *path, int flags, ...) __attribute__((alias("open")));
SIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

/* _FORTIFY_SOURCE entry points */
SIM_EXPORT int __open_2(const char *path, int flags);
SIM_EXPORT int __open_2(const char *path, int flags)
{
	return do_open(0, AT_FDCWD, path, flags, 0);
}

SIM_EXPORT int __openat_2(int dirfd, const char *path, int flags);
SIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return do_open(1, dirfd, path, flags, 0);
}

SIM_EXPORT int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));
SIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags) __attribute__((alias("__openat_2")));

/* ---- stdio, dirs, links ---- */

SIM_EXPORT FILE *fopen(const char *restrict path, const char *restrict mode)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (!sim_real.fopen) {
		errno = ENOSYS;
		return NULL;
	}
	return sim_real.fopen(path, mode);
}

SIM_EXPORT FILE *fopen64(const char *restrict path, const char *restrict mode)
	__attribute__((alias("fopen")));

SIM_EXPORT DIR *opendir(const char *path)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (!sim_real.opendir) {
		errno = ENOSYS;
		return NULL;
	}
	return sim_real.opendir(path);
}

SIM_EXPORT ssize_t readlink(const char *restrict path, char *restrict out, size_t size)
{
	sim_ready();
	char buf[PATH_MAX];
	if (!strncmp(path, "/proc/", 6) && sim_ready()) {
		int saved = errno;
		ssize_t n = sim_fd_link(path, out, size);
		if (n >= 0) {
			errno = saved;
			return n;
		}
	}
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.readlink)
		return sim_real.readlink(path, out, size);
	return syscall(SYS_readlinkat, AT_FDCWD, path, out, size);
}

SIM_EXPORT ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict out, size_t size)
{
	sim_ready();
	char buf[PATH_MAX];
	if (!strncmp(path, "/proc/", 6) && sim_ready()) {
		int saved = errno;
		ssize_t n = sim_fd_link(path, out, size);
		if (n >= 0) {
			errno = saved;
			return n;
		}
	}
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.readlinkat)
		return sim_real.readlinkat(dirfd, path, out, size);
	return syscall(SYS_readlinkat, dirfd, path, out, size);
}

SIM_EXPORT char *realpath(const char *restrict path, char *restrict resolved)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (!sim_real.realpath) {
		errno = ENOSYS;
		return NULL;
	}
	char *r = sim_real.realpath(path, resolved);
	if (r && path == buf)
		sim_unpath(r);
	return r;
}

SIM_EXPORT char *canonicalize_file_name(const char *path)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (!sim_real.canonicalize_file_name) {
		errno = ENOSYS;
		return NULL;
	}
	char *r = sim_real.canonicalize_file_name(path);
	if (r && path == buf)
		sim_unpath(r);
	return r;
}

typedef int (*scandir_filter)(const struct dirent *);
typedef int (*scandir_compar)(const struct dirent **, const struct dirent **);

SIM_EXPORT int scandir(const char *restrict path, struct dirent ***restrict list, scandir_filter filter,
		       scandir_compar compar)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (!sim_real.scandir) {
		errno = ENOSYS;
		return -1;
	}
	return sim_real.scandir(path, list, filter, compar);
}

/* ---- extended attributes (ls -l asks for them) ---- */

SIM_EXPORT ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.getxattr)
		return sim_real.getxattr(path, name, value, size);
	return syscall(SYS_getxattr, path, name, value, size);
}

SIM_EXPORT ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.lgetxattr)
		return sim_real.lgetxattr(path, name, value, size);
	return syscall(SYS_lgetxattr, path, name, value, size);
}

SIM_EXPORT ssize_t listxattr(const char *path, char *list, size_t size)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.listxattr)
		return sim_real.listxattr(path, list, size);
	return syscall(SYS_listxattr, path, list, size);
}

SIM_EXPORT ssize_t llistxattr(const char *path, char *list, size_t size)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.llistxattr)
		return sim_real.llistxattr(path, list, size);
	return syscall(SYS_llistxattr, path, list, size);
}

/* ---- stat family ---- */

SIM_EXPORT int stat(const char *restrict path, struct stat *restrict st)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.stat)
		return sim_real.stat(path, st);
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

SIM_EXPORT int lstat(const char *restrict path, struct stat *restrict st)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.lstat)
		return sim_real.lstat(path, st);
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

SIM_EXPORT int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.fstatat)
		return sim_real.fstatat(dirfd, path, st, flags);
	return (int)syscall(SYS_newfstatat, dirfd, path, st, flags);
}

SIM_EXPORT int statx(int dirfd, const char *restrict path, int flags, unsigned int mask,
		     struct statx *restrict st)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.statx)
		return sim_real.statx(dirfd, path, flags, mask, st);
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, st);
}

SIM_EXPORT int stat64(const char *restrict path, struct stat64 *restrict st) __attribute__((alias("stat")));
SIM_EXPORT int lstat64(const char *restrict path, struct stat64 *restrict st) __attribute__((alias("lstat")));
SIM_EXPORT int fstatat64(int dirfd, const char *restrict path, struct stat64 *restrict st, int flags)
	__attribute__((alias("fstatat")));

/* glibc < 2.33 binaries call these; x86_64's struct stat is the kernel's */
SIM_EXPORT int __xstat(int ver, const char *path, struct stat *st);
SIM_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat(path, st);
}

SIM_EXPORT int __lxstat(int ver, const char *path, struct stat *st);
SIM_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return lstat(path, st);
}

SIM_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
SIM_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	(void)ver;
	return fstatat(dirfd, path, st, flags);
}

SIM_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st) __attribute__((alias("__xstat")));
SIM_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st) __attribute__((alias("__lxstat")));
SIM_EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
	__attribute__((alias("__fxstatat")));

SIM_EXPORT int access(const char *path, int mode)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.access)
		return sim_real.access(path, mode);
	return (int)syscall(SYS_faccessat, AT_FDCWD, path, mode, 0);
}

SIM_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	sim_ready();
	char buf[PATH_MAX];
	path = sim_path(path, buf, sizeof(buf));
	if (sim_real.faccessat)
		return sim_real.faccessat(dirfd, path, mode, flags);
	return (int)syscall(SYS_faccessat, dirfd, path, mode, flags);
}

/* ---- fd operations ---- */

SIM_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	sim_ready();
	int oi = sim_obj_of_fd(fd);
	if (oi >= 0) {
		int saved = errno;
		int r = sim_ioctl(oi, req, arg);
		if (r < 0) {
			errno = -r;
			return -1;
		}
		errno = saved;
		return r;
	}
	if (sim_real.ioctl)
		return sim_real.ioctl(fd, req, arg);
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

/* Runs in a signal handler (the shim's SIGSEGV handler calls it). */
static ssize_t do_pread(int fd, void *buf, size_t count, off_t off)
{
	int oi = sim_obj_of_fd(fd);
	if (oi >= 0) {
		ssize_t r = sim_region_rw(oi, buf, count, (uint64_t)off, 0);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	if (sim_real.pread)
		return sim_real.pread(fd, buf, count, off);
	return syscall(SYS_pread64, fd, buf, count, off);
}

/* Runs in a signal handler (the shim's SIGSEGV handler calls it). */
static ssize_t do_pwrite(int fd, const void *buf, size_t count, off_t off)
{
	int oi = sim_obj_of_fd(fd);
	if (oi >= 0) {
		ssize_t r = sim_region_rw(oi, (void *)(uintptr_t)buf, count, (uint64_t)off, 1);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	if (sim_real.pwrite)
		return sim_real.pwrite(fd, buf, count, off);
	return syscall(SYS_pwrite64, fd, buf, count, off);
}

/* Runs in a signal handler. */
SIM_EXPORT ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	return do_pread(fd, buf, count, off);
}

/* Runs in a signal handler. */
SIM_EXPORT ssize_t pread64(int fd, void *buf, size_t count, off64_t off) __attribute__((alias("pread")));

/* Runs in a signal handler. */
SIM_EXPORT ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	return do_pwrite(fd, buf, count, off);
}

/* Runs in a signal handler. */
SIM_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off)
	__attribute__((alias("pwrite")));

extern void __chk_fail(void) __attribute__((noreturn));

/* Runs in a signal handler. */
SIM_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen);
SIM_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen)
{
	if (count > buflen)
		__chk_fail();
	return do_pread(fd, buf, count, off);
}

/* Runs in a signal handler. */
SIM_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t off, size_t buflen)
	__attribute__((alias("__pread_chk")));

SIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	sim_ready();
	if (fd >= 0 && !(flags & MAP_ANONYMOUS)) {
		int oi = sim_obj_of_fd(fd);
		if (oi >= 0) {
			int saved = errno, err = 0;
			void *p = sim_mmap(oi, addr, len, prot, flags, off, &err);
			errno = p == MAP_FAILED ? err : saved;
			return p;
		}
		/* s390x: sysfs resource2: a BAR mapping as well */
		int err = 0;
		void *p = sim_arch_resource_mmap(addr, len, prot, flags, fd, off, &err);
		if (p) {
			if (p == MAP_FAILED)
				errno = err;
			return p;
		}
	}
	void *p = sim_real.mmap ? sim_real.mmap(addr, len, prot, flags, fd, off)
				: sim_arch_sys_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		/* s390x: whatever was mapped there (a BAR mapping) is gone */
		int saved = errno;
		sim_arch_bar_forget((uintptr_t)p, len);
		errno = saved;
	}
	return p;
}

SIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
	__attribute__((alias("mmap")));
