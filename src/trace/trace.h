/* Everything that observes and nothing that performs an access: the debug
 * trace (MMIOSHIM_TRACE), the exit statistics (MMIOSHIM_STATS) and the
 * function names both print. */
#ifndef MMIOSHIM_TRACE_H
#define MMIOSHIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the trace, the statistics and messages call a trapped mapping. */
struct bar_label {
	char bdf[32];		/* PCI address, or "unknown" */
	int bar;
	int id;			/* map id in traces */
	int stats_dev;		/* device index in the statistics */
	uint64_t phys;		/* bus address of BAR offset 0, 0 if unknown */
};

/* trace.c — the debug trace */
void trace_init(void);
bool trace_enabled(void);
/* At the process's exit or _exit: how many records could not be written. */
void trace_exit(void);
/* One access of at most 8 bytes at BAR offset off; val: its bytes as a
 * little-endian number. Runs in the signal handler. */
void trace_access(const struct bar_label *at, uint64_t off, size_t len, uint64_t val, bool write, uint64_t pc);
/* A mapping of len bytes at BAR offset off, at addr, made or gone. */
void trace_map(const struct bar_label *at, uint64_t off, size_t len, uintptr_t addr, const char *backend, bool map);
void trace_mark(const char *text);
/* A compatibility fix changed a configuration-space write of len bytes at
 * offset off: wrote is what the driver wrote, sent what the device got
 * (little-endian numbers), fix the fix's name. */
void trace_compat(const char *bdf, uint64_t off, size_t len, uint64_t wrote, uint64_t sent, const char *fix);

/* sysfs.c — the bus address of a BAR, from sysfs; 0 when unknown */
uint64_t trace_bar_phys(const char *bdf, int bar);

/* stats.c — the exit summary */
struct timespec;
void stats_init(void);
bool stats_enabled(void);
int stats_device(const char *bdf);
void stats_map(const struct bar_label *at, uint64_t off, size_t len, const char *backend);
/* Run in the signal handler. */
void stats_access(const struct bar_label *at, uint64_t off, size_t len, bool write, uint64_t pc);
void stats_fault(const struct timespec *start);
/* The summary, at the process's exit or _exit (printed once). */
void stats_exit(void);

/* symbols.c — function names for addresses */
void symbols_start(void);	/* outside the handler, before the first lookup */
/* handler-safe; *name is NULL (and *off relative to the object) when the
 * object has no symbol there */
bool symbols_lookup(uintptr_t pc, const char **name, uintptr_t *off, const char **obj);
/* "name+0x12 in obj", or "obj+0x1234" without a symbol; false if unknown.
 * The name is shortened to SYMBOLS_NAME_MAX and the object's to
 * SYMBOLS_OBJ_MAX bytes (escapes included), ending in "...":
 * SYMBOLS_DESCRIBED bytes always hold the whole description. */
#define SYMBOLS_NAME_MAX 1536
#define SYMBOLS_OBJ_MAX 256
#define SYMBOLS_DESCRIBED (SYMBOLS_NAME_MAX + SYMBOLS_OBJ_MAX + 48)
bool symbols_describe(uintptr_t pc, char *buf, size_t size, bool json);

#endif
