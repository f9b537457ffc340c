/* Backends: the ways one device access reaches a BAR. Each gets one access
 * (an offset in a mapping, a length, a buffer) and performs it or fails; it
 * knows nothing of instructions or traces. choose.c says which exist on
 * this architecture and which one a BAR gets. Run in the signal handler. */
#ifndef MMIOSHIM_BACKEND_H
#define MMIOSHIM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum backend_id { BACKEND_AUTO, BACKEND_REGION, BACKEND_DIRECT, BACKEND_SYSCALL, BACKEND_MIO, BACKEND_COUNT };
/* "auto", "region", ... indexed by enum backend_id, NULL-terminated */
extern const char *const backend_names[];

/* Where a backend finds the BAR: offset 0 of an access is guard[0] of the
 * trapped mapping, i.e. real[0] and file offset file_off. */
struct bar_io {
	void *real;		/* the kernel's mapping, or NULL */
	int fd;			/* the shim's own dup of the device fd */
	uint64_t file_off;	/* device fd offset (for pread/pwrite) */
	bool sysfs;		/* a sysfs resource file: no pread/pwrite */
};

struct backend {
	const char *name;
	bool (*usable)(const struct bar_io *io, const char **why);
	int (*read)(const struct bar_io *io, uint64_t off, size_t len, void *buf);
	int (*write)(const struct bar_io *io, uint64_t off, size_t len, const void *buf);
};

/* NULL where the backend does not exist on this architecture. */
const struct backend *backend_get(enum backend_id id);
/* What `auto` picks for a BAR, and why (for -v). */
enum backend_id backend_choose(const struct bar_io *io, const char **why);
const char *backend_name(enum backend_id id);
/* Can a plain CPU load or store reach a BAR the kernel mapped? */
extern const bool cpu_reaches_bars;

/* The largest naturally aligned piece of at most 8 bytes that starts at
 * addr and fits in len: how pread/pwrite, the kernel and the shim cut wider
 * or unaligned accesses. May run in a signal handler. */
static inline size_t aligned_piece(uint64_t addr, size_t len)
{
	size_t n = 8;

	while (n > len || (addr & (n - 1)))
		n >>= 1;
	return n;
}

#endif
