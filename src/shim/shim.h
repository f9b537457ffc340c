/* Internal interfaces of the shim, one section per file. */
#ifndef MMIOSHIM_SHIM_H
#define MMIOSHIM_SHIM_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXPORT __attribute__((visibility("default")))

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

/* config.c — the MMIOSHIM_* environment, parsed before main */
enum backend_id { BACKEND_AUTO, BACKEND_REGION, BACKEND_DIRECT, BACKEND_SYSCALL, BACKEND_MIO, BACKEND_COUNT };
enum trap_mode { TRAP_AUTO, TRAP_ALL };
enum unaligned_mode { UNALIGNED_REFUSE, UNALIGNED_SPLIT };
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct config {
	enum backend_id backend;
	enum trap_mode trap;
	enum unaligned_mode unaligned;
	enum log_level log;
};
extern struct config cfg;
void config_load(void);

/* fmt.c — a small formatter that is safe in a signal handler
 * (%s %c %d %i %u %x %X %p %%, flags '#' '0' '-', width, precision, l ll z h hh j t) */
int fmt_v(char *buf, size_t size, const char *f, va_list ap);
int fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* log.c — messages on stderr, one write(2) each */
void log_msg(enum log_level level, const char *f, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* real.c — the next definitions of what we interpose */
struct real_fns {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*mprotect)(void *, size_t, int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*sigprocmask)(int, const sigset_t *, sigset_t *);
	int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
};
extern struct real_fns real;
void real_init(void);
void shim_ensure_init(void);

/* vfio.c — which fds are VFIO devices (or sysfs BAR files), and their regions */
#define VFIO_MAX_REGIONS 16
struct vfio_region {
	uint64_t offset;	/* region offset in the device fd */
	uint64_t size;
	uint32_t flags;		/* as the kernel reported them */
	bool valid;
};
struct device {
	char bdf[32];		/* PCI address, or "unknown" */
	bool sysfs;		/* a sysfs resourceN file: one BAR, offset 0 */
	int sysfs_bar;
	bool info_loaded;
	uint32_t num_regions;
	struct vfio_region region[VFIO_MAX_REGIONS];
};
struct device *vfio_device_of(int fd);	/* NULL if fd is not a device we know or recognise */
void vfio_note_open(int fd, const char *path);
void vfio_note_device_fd(int fd, const char *bdf);
void vfio_note_dup(int oldfd, int newfd);
void vfio_note_close(int fd);
void vfio_fix_region_info(int fd, void *arg);	/* after GET_REGION_INFO: report BARs as mappable */
int vfio_find_bar(struct device *dev, uint64_t off, int *bar, uint64_t *bar_off, uint64_t *bar_size);

/* regions.c — the guarded ranges; read lock-free from the handler */
struct region {
	uintptr_t guard;	/* what the driver sees */
	size_t len;
	void *real;		/* the kernel's mapping, or NULL */
	int fd;			/* our own dup of the device fd */
	uint64_t file_off;	/* device fd offset of guard[0] (for pread/pwrite) */
	uint64_t bar_off;	/* BAR offset of guard[0] */
	int bar;
	bool sysfs;		/* from a sysfs resource file: no pread/pwrite */
	int prot;
	enum backend_id backend;
	char bdf[32];
	int id;			/* map id in traces */
	int stats_dev;		/* device index in the statistics */
	uint64_t phys;		/* bus address of guard[0], 0 if unknown */
};
int region_add(const struct region *r);		/* -1 when the table is full */
bool region_lookup(uintptr_t addr, struct region *out);	/* handler-safe copy */
bool region_overlaps(uintptr_t addr, size_t len);
/* Forget [addr, addr+len): trims or splits the regions it touches and
 * releases their real mappings and fds (the guard pages are the caller's). */
void region_remove_range(uintptr_t addr, size_t len);
void region_set_prot(uintptr_t addr, size_t len, int prot);
/* The region at exactly [old, old+old_len) now lives at new_addr/new_len. */
int region_move(uintptr_t old, size_t old_len, uintptr_t new_addr, size_t new_len);

/* backend*.c — perform one device access; run in the handler */
struct backend {
	const char *name;
	bool (*usable)(const struct region *r, const char **why);
	int (*read)(const struct region *r, uint64_t off, size_t len, void *buf);
	int (*write)(const struct region *r, uint64_t off, size_t len, const void *buf);
};
extern const struct backend backend_region, backend_direct;
const char *backend_name(enum backend_id id);
/* per architecture, in src/arch/<arch>/backends.c */
extern const bool arch_cpu_reaches_bars;	/* can a plain load reach a BAR? */
const struct backend *backend_get(enum backend_id id);	/* NULL if absent on this arch */
enum backend_id backend_choose(const struct region *r, const char **why);

/* map.c — what the interposed memory calls do */
void *map_device(void *addr, size_t len, int prot, int flags, int fd, off_t off, struct device *dev);
int map_unmap(void *addr, size_t len);
void *map_remap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
int map_protect(void *addr, size_t len, int prot);

/* signals.c — our handler's place among the application's */
void signals_install(void);
bool signals_owned(int sig);
void signals_forward(int sig, siginfo_t *si, void *uc);
void signals_die(int sig, siginfo_t *si, void *uc);

/* trace.c — the debug trace (MMIOSHIM_TRACE) */
void trace_init(void);
bool trace_enabled(void);
/* one access of at most 8 bytes; val: its bytes as a little-endian number */
void trace_access(const struct region *r, uint64_t off, size_t len, uint64_t val, bool write, uint64_t pc);
void trace_map(const struct region *r, bool map);
void trace_mark(const char *text);
uint64_t trace_bar_phys(const char *bdf, int bar);

/* stats.c — the exit summary (MMIOSHIM_STATS) */
struct timespec;
void stats_init(void);
bool stats_enabled(void);
int stats_device(const char *bdf);
void stats_map(const struct region *r);
void stats_access(const struct region *r, uint64_t off, size_t len, bool write, uint64_t pc);
void stats_fault(const struct timespec *start);

/* symbols.c — function names for addresses */
void symbols_start(void);	/* outside the handler, before the first lookup */
/* handler-safe; *name is NULL (and *off relative to the object) when the
 * object has no symbol there */
bool symbols_lookup(uintptr_t pc, const char **name, uintptr_t *off, const char **obj);
/* "name+0x12 in obj", or "obj+0x1234" without a symbol; false if unknown */
bool symbols_describe(uintptr_t pc, char *buf, size_t size, bool json);

/* debugfile.c — a stripped object's separate debug file (an fd), or -1 */
struct Elf;
int debugfile_open(struct Elf *elf, const char *path);

/* fault.c */
void fault_handler(int sig, siginfo_t *si, void *uc);
void fault_init(void);

/* csmem.c — capstone's memory, safe in the handler (CS_OPT_MEM) */
int csmem_setup(void);

/* decoder.c — capstone handles and the decode cache */
struct insn;
int decoder_init(void);
/* The decoded instruction at pc, from the cache or decoded now (into
 * *scratch when the cache has no room). *err is 0 or an enum mmio_err. */
const struct insn *decoder_get(uint64_t pc, struct insn *scratch, int *err);

/* io.c — the emulator's view of memory */
struct mmio_io;
extern const struct mmio_io shim_io;
/* what the fault path knows about the access, as shim_io's ctx */
struct io_ctx {
	const struct insn *in;
	const struct region *fault_region;
};
void io_init(void);

#endif
