/* The exit summary (MMIOSHIM_STATS=1), like strace -c: accesses per device,
 * BAR and offset with their widths, per instruction site, the total, the
 * time spent in the handler, and the backend of each trapped mapping.
 * Counted in the handler with atomic adds into fixed tables; printed at
 * exit, where symbols may be looked up. One summary per process: a forked
 * child counts from zero and prints its own at exit or _exit; a process
 * that neither mapped a BAR nor made an access (the shell of sh -c, a
 * forked child that only execs) prints nothing. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "early_getenv.h"
#include "support.h"
#include "trace.h"

#define SLOTS 4096	/* power of two */
#define PROBES 16
#define DEVICES 32
#define MAPS 64

struct counter {
	_Atomic uint64_t key;	/* 0: free */
	atomic_ullong count;
};

static bool enabled;
static struct counter accesses[SLOTS], sites[SLOTS];
static atomic_ullong faults, handler_ns, lost;
static char devices[DEVICES][32];
static atomic_int ndevices;
static struct {
	int dev, bar;
	uint64_t bar_off;
	size_t len;
	const char *backend;
} maps[MAPS];
static atomic_int nmaps;
/* The process counting: a vfork child shares the tables and must not print
 * them; maps made before a fork are the child's too, but not its doing. */
static pid_t counting;
static int inherited_maps;
static atomic_bool printed;

bool stats_enabled(void)
{
	return enabled;
}

static void count(struct counter *t, uint64_t key)
{
	/* runs in the signal handler */
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < PROBES; i++) {
		struct counter *c = &t[((h >> 40) + (uint64_t)i) & (SLOTS - 1)];
		uint64_t k = atomic_load_explicit(&c->key, memory_order_acquire);
		if (k == 0) {
			uint64_t expect = 0;
			if (!atomic_compare_exchange_strong(&c->key, &expect, key) && expect != key)
				continue;
			k = key;
		}
		if (k == key) {
			atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
			return;
		}
	}
	atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
}

/* key: offset (40 bits) | width (7) | write (1) | bar (3) | device (8), never 0 */
static uint64_t access_key(int dev, int bar, uint64_t off, size_t width, bool write)
{
	return ((uint64_t)(dev + 1) << 51) | ((uint64_t)bar << 48) | ((uint64_t)write << 47) |
	       ((uint64_t)(width & 0x7f) << 40) | (off & ((1ull << 40) - 1));
}

void stats_access(const struct bar_label *at, uint64_t off, size_t len, bool write, uint64_t pc)
{
	/* runs in the signal handler */
	if (!enabled)
		return;
	count(accesses, access_key(at->stats_dev, at->bar, off, len, write));
	if (pc)
		count(sites, pc);
}

void stats_fault(const struct timespec *start)
{
	/* runs in the signal handler */
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	atomic_fetch_add_explicit(&faults, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&handler_ns,
				  (unsigned long long)((end.tv_sec - start->tv_sec) * 1000000000ll +
						       (end.tv_nsec - start->tv_nsec)),
				  memory_order_relaxed);
}

int stats_device(const char *bdf)
{
	int n = atomic_load(&ndevices);

	for (int i = 0; i < n; i++)
		if (!strcmp(devices[i], bdf))
			return i;
	if (n == DEVICES)
		return DEVICES - 1;
	snprintf(devices[n], sizeof(devices[n]), "%s", bdf);
	atomic_store(&ndevices, n + 1);
	return n;
}

void stats_map(const struct bar_label *at, uint64_t off, size_t len, const char *backend)
{
	int i = atomic_fetch_add(&nmaps, 1);

	if (!enabled || i >= MAPS)
		return;
	maps[i].dev = at->stats_dev;
	maps[i].bar = at->bar;
	maps[i].bar_off = off;
	maps[i].len = len;
	maps[i].backend = backend;
}

struct row {
	uint64_t where;		/* device, bar, offset */
	unsigned long long reads, writes;
	unsigned widths;	/* bit n: width 2^n seen */
};

static int by_where(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->where < y->where ? -1 : x->where > y->where;
}

static int by_count(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void print_summary(void)
{
	static struct row rows[SLOTS];
	static struct counter sorted[SLOTS];
	size_t nrows = 0, nsites = 0;
	unsigned long long total = 0;

	for (int i = 0; i < SLOTS; i++) {
		uint64_t k = accesses[i].key;
		if (!k)
			continue;
		uint64_t where = k & ~(((1ull << 8) - 1) << 40);
		size_t j = 0;
		while (j < nrows && rows[j].where != where)
			j++;
		if (j == nrows)
			rows[nrows++] = (struct row){ .where = where };
		unsigned long long c = accesses[i].count;
		if (k >> 47 & 1)
			rows[j].writes += c;
		else
			rows[j].reads += c;
		rows[j].widths |= 1u << __builtin_ctz((unsigned)(k >> 40 & 0x7f));
		total += c;
	}
	qsort(rows, nrows, sizeof(rows[0]), by_where);
	for (int i = 0; i < SLOTS; i++)
		if (sites[i].key)
			sorted[nsites++] = sites[i];
	qsort(sorted, nsites, sizeof(sorted[0]), by_count);

	FILE *f = stderr;
	fprintf(f, "mmioshim: access statistics of process %d\n", (int)counting);
	fprintf(f, "  %-14s %-4s %-10s %10s %10s  %s\n", "device", "BAR", "offset", "reads", "writes", "widths");
	for (size_t i = 0; i < nrows; i++) {
		uint64_t w = rows[i].where;
		int dev = (int)(w >> 51) - 1;
		char widths[32] = "";
		for (int b = 0; b < 7; b++)
			if (rows[i].widths & 1u << b)
				snprintf(widths + strlen(widths), sizeof(widths) - strlen(widths), "%s%d",
					 *widths ? "," : "", 1 << b);
		fprintf(f, "  %-14s %-4d 0x%-8llx %10llu %10llu  %s\n", dev >= 0 ? devices[dev] : "?",
			(int)(w >> 48 & 7), (unsigned long long)(w & ((1ull << 40) - 1)), rows[i].reads,
			rows[i].writes, widths);
	}
	fprintf(f, "  %-46s %10s\n", "instruction site", "accesses");
	for (size_t i = 0; i < nsites; i++) {
		char site[SYMBOLS_DESCRIBED];
		Dl_info dli;
		if (symbols_describe((uintptr_t)sorted[i].key, site, sizeof(site), false)) {
		} else if (dladdr((void *)(uintptr_t)sorted[i].key, &dli) && dli.dli_fname) {
			const char *base = strrchr(dli.dli_fname, '/');
			snprintf(site, sizeof(site), "%s+0x%llx", base ? base + 1 : dli.dli_fname,
				 (unsigned long long)(sorted[i].key - (uintptr_t)dli.dli_fbase));
		} else {
			snprintf(site, sizeof(site), "0x%llx", (unsigned long long)sorted[i].key);
		}
		fprintf(f, "  %-46s %10llu\n", site, (unsigned long long)sorted[i].count);
	}
	unsigned long long nf = faults, ns = handler_ns;
	fprintf(f, "  total: %llu emulated accesses in %llu faults, %.3f ms in the handler (%.2f us per fault)\n",
		total, nf, ns / 1e6, nf ? ns / 1e3 / (double)nf : 0.0);
	if (lost)
		fprintf(f, "  (%llu accesses not counted per offset or site: tables full)\n", (unsigned long long)lost);
	int nm = atomic_load(&nmaps);
	for (int i = 0; i < nm && i < MAPS; i++)
		fprintf(f, "  backend: %s BAR%d 0x%llx+0x%zx %s\n", devices[maps[i].dev], maps[i].bar,
			(unsigned long long)maps[i].bar_off, maps[i].len, maps[i].backend);
}

/* At exit or _exit, once, in the process that counted, if it did anything. */
void stats_exit(void)
{
	if (!enabled || getpid() != counting || atomic_exchange(&printed, true))
		return;
	bool counted = atomic_load(&faults) || atomic_load(&nmaps) != inherited_maps;
	for (int i = 0; i < SLOTS && !counted; i++)
		counted = accesses[i].key != 0;
	if (!counted)
		return;
	/* _exit may come from a signal handler that interrupted another
	 * thread's output: then the summary is not printed, and that said */
	if (ftrylockfile(stderr)) {
		log_warn("the access statistics of process %d are not printed: stderr is busy at exit",
			 (int)counting);
		return;
	}
	print_summary();
	funlockfile(stderr);
}

static void forked_child(void)
{
	for (int i = 0; i < SLOTS; i++) {
		accesses[i] = (struct counter){ 0 };
		sites[i] = (struct counter){ 0 };
	}
	atomic_store(&faults, 0);
	atomic_store(&handler_ns, 0);
	atomic_store(&lost, 0);
	inherited_maps = atomic_load(&nmaps);
	atomic_store(&printed, false);
	counting = getpid();
}

void stats_init(void)
{
	const char *v = early_getenv("MMIOSHIM_STATS");

	if (!v || !*v || !strcmp(v, "0"))
		return;
	if (strcmp(v, "1"))
		log_usage_exit("MMIOSHIM_STATS=%s is not valid; accepted values: 0|1", v);
	enabled = true;
	counting = getpid();
	pthread_atfork(NULL, NULL, forked_child);
	atexit(stats_exit);
}
