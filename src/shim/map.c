/* What happens when a driver maps, unmaps, moves or protects device memory.
 * A trapped BAR is a PROT_NONE guard mapping where the driver asked for the
 * BAR, plus (when the kernel allows it) the kernel's real mapping elsewhere,
 * which the backends use. */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <stdio.h>
#include <unistd.h>

#include "backend.h"
#include "config.h"
#include "fault.h"
#include "init.h"
#include "map.h"
#include "regions.h"
#include "signals.h"
#include "support.h"
#include "trace.h"
#include "vfio.h"

static bool kernel_refused(int err)
{
	return err == EINVAL || err == ENODEV || err == ENXIO;
}

/* Should a BAR the kernel can map be trapped? Always where the CPU cannot
 * reach it; elsewhere only when asked for. */
static bool trap_mappable(void)
{
	return !cpu_reaches_bars || cfg.trap == TRAP_ALL || cfg.backend != BACKEND_AUTO || trace_enabled();
}

static void *map_guard(void *addr, size_t len, int flags)
{
	int gflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		     (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE));

	return real.mmap(addr, len, PROT_NONE, gflags, -1, 0);
}

/* Give back what a failed map_device took; errno = err. */
static void *map_undo(void *guard, void *kmap, size_t len, int fd, int err)
{
	if (guard)
		real.munmap(guard, len);
	if (kmap)
		real.munmap(kmap, len);
	if (fd >= 0)
		real.close(fd);
	errno = err;
	return MAP_FAILED;
}

void *map_device(void *addr, size_t len, int prot, int flags, int fd, off_t off, struct device *dev)
{
	int bar;
	uint64_t bar_off, bar_size;

	if (!(flags & MAP_SHARED) || vfio_find_bar(dev, (uint64_t)off, &bar, &bar_off, &bar_size))
		return real.mmap(addr, len, prot, flags, fd, off);
	if (len > bar_size - bar_off) {
		log_info("%s BAR%d: mapping 0x%zx bytes at offset 0x%llx runs past the BAR (0x%llx bytes)",
			 dev->bdf, bar, len, (unsigned long long)bar_off, (unsigned long long)bar_size);
		errno = EINVAL;
		return MAP_FAILED;
	}

	/* A hint (or MAP_FIXED_NOREPLACE) is honoured as without the shim only
	 * if the guard takes the address before the shim allocates anything of
	 * its own. A MAP_FIXED guard replaces what the driver had there, so it
	 * comes last, once nothing else can fail. */
	bool trap = trap_mappable(), fixed = flags & MAP_FIXED;
	void *g = trap && !fixed ? map_guard(addr, len, flags) : NULL;
	if (g == MAP_FAILED)
		return MAP_FAILED;
	void *kmap = real.mmap(trap ? NULL : addr, len, prot,
			       trap ? flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE) : flags, fd, off);
	if (kmap == MAP_FAILED && !kernel_refused(errno))
		return map_undo(g, NULL, len, -1, errno);
	if (kmap != MAP_FAILED && !trap) {
		log_debug("%s BAR%d: mapped by the kernel, not trapped", dev->bdf, bar);
		return kmap;
	}
	if (!trap && !fixed && (g = map_guard(addr, len, flags)) == MAP_FAILED)
		return MAP_FAILED;

	struct region r = {
		.len = len,
		.bar_off = bar_off,
		.prot = prot,
		.io = { .real = kmap == MAP_FAILED ? NULL : kmap, .fd = fd, .file_off = (uint64_t)off,
			.sysfs = dev->sysfs },
		.label = { .bar = bar },
	};
	const char *why;
	r.backend = cfg.backend == BACKEND_AUTO ? backend_choose(&r.io, &why) : cfg.backend;
	if (cfg.backend != BACKEND_AUTO)
		why = "MMIOSHIM_BACKEND";
	const struct backend *b = backend_get(r.backend);
	const char *unusable = "not available on " MMIOSHIM_ARCH;
	if (!b || !b->usable(&r.io, &unusable)) {
		log_error("%s BAR%d: backend %s cannot work here: %s", dev->bdf, bar,
			  backend_name(r.backend), unusable);
		return map_undo(g, r.io.real, len, -1, ENODEV);
	}
	if (decoder_init())
		return map_undo(g, r.io.real, len, -1, ENOMEM);
	fork_init();
	r.io.fd = real.fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (r.io.fd < 0)
		return map_undo(g, r.io.real, len, -1, errno);
	if (fixed) {
		if ((g = map_guard(addr, len, flags)) == MAP_FAILED)
			return map_undo(NULL, r.io.real, len, r.io.fd, errno);
		region_remove_range((uintptr_t)g, len);
	}
	static atomic_int next_id;
	r.guard = (uintptr_t)g;
	r.label.id = atomic_fetch_add(&next_id, 1) + 1;
	snprintf(r.label.bdf, sizeof(r.label.bdf), "%s", dev->bdf);
	r.label.stats_dev = stats_device(dev->bdf);
	if (trace_enabled() || stats_enabled()) {
		r.label.phys = trace_bar_phys(dev->bdf, bar);
		symbols_start();
	}
	if (region_add(&r)) {
		log_error("%s BAR%d: too many trapped mappings", dev->bdf, bar);
		return map_undo(g, r.io.real, len, r.io.fd, ENOMEM);
	}
	signals_install();
	trace_map(&r.label, r.bar_off, r.len, r.guard, backend_name(r.backend), true);
	stats_map(&r.label, r.bar_off, r.len, backend_name(r.backend));
	log_info("%s BAR%d: trapping 0x%zx bytes at BAR offset 0x%llx (%p), backend %s: %s",
		 dev->bdf, bar, len, (unsigned long long)bar_off, g, backend_name(r.backend), why);
	return g;
}

int map_unmap(void *addr, size_t len)
{
	int ret = real.munmap(addr, len);

	if (ret == 0)
		region_remove_range((uintptr_t)addr, len);
	return ret;
}

void *map_remap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	void *g = real.mremap(old, old_len, new_len, flags, new_addr);

	if (g != MAP_FAILED && region_move((uintptr_t)old, old_len, (uintptr_t)g, new_len)) {
		log_error("cannot move the trapped mapping at %p: accesses at %p are no longer trapped", old, g);
		region_remove_range((uintptr_t)old, old_len);
	}
	return g;
}

#ifndef PROT_SEM
#define PROT_SEM 0x8	/* asm-generic/mman-common.h */
#endif
#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)

/* The guard pages never take the driver's protection, not even for an
 * instant (another thread's store would land in plain memory): the parts
 * of the range that are guards get PROT_NONE again, the rest what the
 * driver asked for, and the region keeps that protection for the backend. */
int map_protect(void *addr, size_t len, int prot)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)addr, end = a + ((len + page - 1) & ~(page - 1));
	uintptr_t g_lo, g_hi;
	int ret = 0;

	if ((a & (page - 1)) || end < a || (prot & ~PROT_KNOWN)) {
		errno = EINVAL;
		return -1;
	}
	while (a < end && ret == 0) {
		if (!region_first_in(a, end, &g_lo, &g_hi))
			g_lo = g_hi = end;
		if (g_lo > a)
			ret = real.mprotect((void *)a, g_lo - a, prot);
		if (ret == 0 && g_hi > g_lo)
			ret = real.mprotect((void *)g_lo, g_hi - g_lo, PROT_NONE);
		a = g_hi;
	}
	if (ret == 0)
		region_set_prot((uintptr_t)addr, len, prot);
	return ret;
}
