/* The trapped mappings (regions.c): written under a mutex by the
 * interposed memory calls, read lock-free from the signal handler. */
#ifndef MMIOSHIM_REGIONS_H
#define MMIOSHIM_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "trace.h"

struct region {
	uintptr_t guard;	/* what the driver sees */
	size_t len;
	uint64_t bar_off;	/* BAR offset of guard[0] */
	int prot;		/* what the driver asked for */
	enum backend_id backend;
	struct bar_io io;	/* where the backend reaches guard[0] */
	struct bar_label label;	/* what traces, statistics and messages call it */
};

int region_add(const struct region *r);		/* -1 when the table is full */
bool region_lookup(uintptr_t addr, struct region *out);	/* handler-safe copy */
bool region_overlaps(uintptr_t addr, size_t len);
/* The lowest guard range in [lo, hi), clipped to it: false if none. */
bool region_first_in(uintptr_t lo, uintptr_t hi, uintptr_t *g_lo, uintptr_t *g_hi);
/* Forget [addr, addr+len): trims or splits the regions it touches and
 * releases their real mappings and fds (the guard pages are the caller's). */
void region_remove_range(uintptr_t addr, size_t len);
void region_set_prot(uintptr_t addr, size_t len, int prot);
/* The region at exactly [old, old+old_len) now lives at new_addr/new_len. */
int region_move(uintptr_t old, size_t old_len, uintptr_t new_addr, size_t new_len);

/* fork.c: the table's lock is held across fork */
void regions_fork_prepare(void);
void regions_fork_done(void);

#endif
