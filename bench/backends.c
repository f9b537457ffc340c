/* (4) the shim's trapped access through one backend, the shim and the
 * simulator preloaded with the backend's settings; and the pairs of the
 * headline ratios: the trap floor and the shim taking turns in the same
 * process. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

/* The raw kernel actions of SIGSEGV: the floor's and the shim's. Opaque:
 * written back as they were read, with the raw system call, which the shim
 * does not see. */
static uint64_t ksa_floor[8], ksa_shim[8];

static void ksa_get(uint64_t *k)
{
	if (syscall(SYS_rt_sigaction, SIGSEGV, NULL, k, (size_t)8))
		die("rt_sigaction: %s", strerror(errno));
}

static void ksa_set(const uint64_t *k)
{
	if (syscall(SYS_rt_sigaction, SIGSEGV, k, NULL, (size_t)8))
		die("rt_sigaction: %s", strerror(errno));
}

/* The trap floor's handler, installed before the shim owns SIGSEGV (it
 * takes it over when the first BAR is trapped) and kept as ksa_floor. */
static void floor_keep(void)
{
	floor_map();
	floor_install(0);
	ksa_get(ksa_floor);
	signal(SIGSEGV, SIG_DFL);
}

/* The PAIRS pairs of one measurement: ns per access of the floor, the shim
 * and pread/pwrite, and what each pair gives */
struct pairs {
	double floor[PAIRS], shim[PAIRS], io[PAIRS], ratio[PAIRS], own[PAIRS];
};

/* Floor, shim (and for the region backend pread or pwrite on the device
 * fd) measured alternately, PAIRS times: each pair gives a ratio of
 * neighbours in time. */
static void time_pairs(struct pairs *p, int store, volatile uint8_t *reg, struct fd_ctx *fc)
{
	run_fn op = store ? run_store : run_load;
	run_fn io = store ? run_pwrite : run_pread;

	ksa_set(ksa_floor);
	long nf = calibrate(op, (void *)(floor_page + 8));
	ksa_set(ksa_shim);
	long ns = calibrate(op, (void *)reg);
	long np = fc ? calibrate(io, fc) : 0;
	for (int i = 0; i < PAIRS; i++) {
		ksa_set(ksa_floor);
		p->floor[i] = timed(op, (void *)(floor_page + 8), nf) / (double)nf;
		ksa_set(ksa_shim);
		p->shim[i] = timed(op, (void *)reg, ns) / (double)ns;
		p->io[i] = fc ? timed(io, fc, np) / (double)np : 0;
		p->ratio[i] = p->shim[i] / (p->floor[i] + p->io[i]);
		p->own[i] = p->shim[i] - p->floor[i] - p->io[i];
	}
}

/* emit() of PAIRS values under a key made from f */
static void __attribute__((format(printf, 3, 4))) emit_pairs(const double *v, const char *unit, const char *f, ...)
{
	char key[160];
	va_list ap;

	va_start(ap, f);
	vsnprintf(key, sizeof(key), f, ap);
	va_end(ap);
	emit(key, unit, v, PAIRS);
}

/* The shim's figure (shim.B.OP.hit), the floor and pread figures of this
 * process and the per-pair ratios; tag: the key prefix of a tracing mode */
static void measure_pairs(const char *backend, const char *tag, int store, volatile uint8_t *reg,
			  struct fd_ctx *fc)
{
	const char *name = store ? "store" : "load";
	struct pairs p;

	time_pairs(&p, store, reg, fc);
	emit_pairs(p.shim, "ns", "%sshim.%s.%s.hit", tag, backend, name);
	emit_pairs(p.floor, "ns", "%sfloor@%s.%s", tag, backend, name);
	if (fc)
		emit_pairs(p.io, "ns", "%s%s@%s", tag, store ? "pwrite" : "pread", backend);
	emit_pairs(p.ratio, "x", "%sratio.%s.%s", tag, backend, name);
	emit_pairs(p.own, "ns", "%sown.%s.%s", tag, backend, name);
}

/* Sites seen for the first time, loads then stores */
static void measure_first(const char *backend, volatile uint8_t *reg)
{
	struct sites ls, ss;
	char key[128];

	sites_make(&ls, 0, (size_t)REPS * FRESH_SITES);
	sites_make(&ss, 1, (size_t)REPS * FRESH_SITES);
	snprintf(key, sizeof(key), "shim.%s.load.first", backend);
	measure_fresh(key, &ls, reg);
	snprintf(key, sizeof(key), "shim.%s.store.first", backend);
	measure_fresh(key, &ss, reg);
}

/* (4), (6) through one backend; bar: which BAR to map (0: registers, 2:
 * memory); tag: a tracing mode's, or empty */
static void measure_backend(const char *backend, int bar, const char *tag)
{
	int dev;

	floor_keep();
	/* a tracing mode against a shim that cannot trace: say so, measure nothing */
	if (tag[0] && !shim_can_trace()) {
		emit_untraceable(tag);
		return;
	}
	volatile uint8_t *m = map_trapped_bar(bar, &dev);
	volatile uint8_t *reg = m + reg_offset(bar);
	ksa_get(ksa_shim);

	/* the access the backend performs, on the device fd (region only) */
	struct fd_ctx fc = reg_fd(dev, bar);
	struct fd_ctx *io = !strcmp(backend, "region") ? &fc : NULL;

	measure_pairs(backend, tag, 0, reg, io);
	measure_pairs(backend, tag, 1, reg, io);
	if (tag[0])
		return;	/* a tracing mode: repeated sites only */
	measure_first(backend, reg);
	measure_doorbells(backend, m, bar);
}

/* --part shim NAME:BAR[:TAG] */
void part_shim(const char *spec)
{
	char name[32], tag[32] = "";
	int bar;

	if (sscanf(spec, "%31[^:]:%d:%31s", name, &bar, tag) < 2)
		die("--part shim NAME:BAR[:TAG]");
	measure_backend(name, bar, tag);
}

/* For profilers (perf, strace -c, valgrind --tool=callgrind): N trapped
 * loads or stores at one site, untimed. Run it with the environment of a
 * backend, e.g. LD_PRELOAD="libmmioshim.so libmmiosim.so"
 * mmio-bench --part repeat load:0:100000 */
void part_repeat(const char *spec)
{
	char what[16];
	int bar;
	long n;

	if (sscanf(spec, "%15[^:]:%d:%ld", what, &bar, &n) != 3)
		die("--part repeat load|store|first-load|first-store:BAR:COUNT");
	volatile uint8_t *reg = map_trapped_bar(bar, NULL) + reg_offset(bar);
	if (!strcmp(what, "load")) {
		run_load((void *)reg, n);
	} else if (!strcmp(what, "store")) {
		run_store((void *)reg, n);
	} else if (!strcmp(what, "first-load") || !strcmp(what, "first-store")) {
		/* n sites seen for the first time, each called once */
		struct sites s;
		sites_make(&s, !strcmp(what, "first-store"), (size_t)n);
		sites_call(&s, reg, n);
	} else {
		die("--part repeat load|store|first-load|first-store:BAR:COUNT");
	}
}
