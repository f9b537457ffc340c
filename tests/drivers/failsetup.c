/* Test helper, preloaded after the shim: makes one of the shim's own setup
 * steps fail the way a kernel or a library can, so that the tests see what
 * the shim says then (never a workaround: it only breaks things).
 *   FAILSETUP=cs_mem           capstone refuses CS_OPT_MEM
 *   FAILSETUP=get_info         VFIO_DEVICE_GET_INFO fails with EIO from its
 *                              second call on (the first is the driver's)
 *   FAILSETUP=get_region_info  GET_REGION_INFO of region 0 fails with EIO
 *                              once GET_INFO has been called twice */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>
#include <capstone/capstone.h>

#define EXPORT __attribute__((visibility("default")))

static int mode_is(const char *m)
{
	const char *v = getenv("FAILSETUP");
	return v && !strcmp(v, m);
}

EXPORT cs_err cs_option(csh h, cs_opt_type type, size_t value)
{
	static cs_err (*next)(csh, cs_opt_type, size_t);

	if (type == CS_OPT_MEM && mode_is("cs_mem"))
		return CS_ERR_MEMSETUP;
	if (!next)
		next = (cs_err (*)(csh, cs_opt_type, size_t))dlsym(RTLD_NEXT, "cs_option");
	return next(h, type, value);
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	static int get_infos;
	va_list ap;

	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (req == VFIO_DEVICE_GET_INFO && ++get_infos >= 2 && mode_is("get_info")) {
		errno = EIO;
		return -1;
	}
	if (req == VFIO_DEVICE_GET_REGION_INFO && get_infos >= 2 && mode_is("get_region_info") &&
	    ((struct vfio_region_info *)arg)->index == 0) {
		errno = EIO;
		return -1;
	}
	if (!next)
		next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return next(fd, req, arg);
}
