/* Internal interfaces of mmio-bench, one section per file (see
 * bench/README.md for what is measured and how). */
#ifndef MMIO_BENCH_H
#define MMIO_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "bench_config.h"
#include BENCH_ARCH_H	/* arch_x86_64.h or arch_s390x.h, chosen by bench/meson.build */

/* All of it is inside the executable: reached directly, as a static of the
 * same file would be (no GOT in the timed code, e.g. for bench_clock). */
#pragma GCC visibility push(hidden)

/* Every part runs ROUNDS times, the rounds interleaved (all parts, then all
 * parts again...), so that a slow stretch of the machine spreads over all
 * figures instead of landing on one; each run of a part does REPS
 * repetitions of each of its measurements. A figure is the median of its
 * ROUNDS * REPS repetitions, with min and max. */
#define ROUNDS 3
#define REPS 3			/* repetitions of each measurement, per round */
#define TARGET_NS 20000000.0	/* one repetition lasts about this long */
#define FRESH_SITES 48		/* first-time sites per repetition */
#define THREAD_MS 200		/* one repetition of the doorbell test */
#define THREAD_REPS 2		/* per round */
#define PAIRS 5			/* floor/shim pairs per round */
#define MAXV 32			/* values kept per figure */
#define SITE_STRIDE 16		/* bytes between generated sites */
#define PART_ENV 8		/* settings of a part's environment, NULL included */

#define BAR0_SCRATCH 0x8
#define BAR0_DOORBELL 0x100

/* main.c — the driver, or one part in a child */
void die(const char *f, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* measure.c — the clock, the repetitions, a child's result lines */
extern clockid_t bench_clock;
void clock_choose(void);

/* elapsed time */
static inline double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* the clock of the single-thread measurements (bench_clock) */
static inline double clock_ns(void)
{
	struct timespec t;

	clock_gettime(bench_clock, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* n accesses (or operations); returns nothing, the caller times it */
typedef void (*run_fn)(void *ctx, long n);

/* ns that f takes for n; inline, as the clock, in every measuring function */
static inline double timed(run_fn f, void *ctx, long n)
{
	double t0 = clock_ns();
	f(ctx, n);
	return clock_ns() - t0;
}

long calibrate(run_fn f, void *ctx);
void measure(const char *key, run_fn f, void *ctx);
void emit(const char *key, const char *unit, const double *v, int n);
void emit_untraceable(const char *tag);

/* loops.c — accesses in a loop: one instruction site, repeated */
struct fd_ctx {
	int fd;
	off_t off;
};
void run_load(void *ctx, long n);
void run_store(void *ctx, long n);
void run_pread(void *ctx, long n);
void run_pwrite(void *ctx, long n);
uint32_t load_once(const volatile void *p);

/* sites.c — sites seen for the first time */
struct sites {
	uint8_t *code;
	size_t count, next;
	int store;		/* copies of site_store, else of site_load */
};
void sites_make(struct sites *s, int store, size_t count);
void sites_call(struct sites *s, volatile void *p, long n);
void measure_fresh(const char *key, struct sites *s, volatile void *p);

/* arch_*.c — the generated sites' code; the backends of the shim this
 * architecture has, as the parts that measure them */
struct site_code {
	size_t len;
	uint8_t code[8];
};
extern const struct site_code site_load, site_store;

struct backend_part {
	const char *name;
	int bar;
	const char *what;
	const char *env[4];
};
extern const struct backend_part backends[];
extern const size_t nbackends;

/* device.c — the simulated device, opened as drivers do */
int open_device(void);
size_t reg_offset(int bar);
struct fd_ctx reg_fd(int dev, int bar);
volatile uint8_t *map_trapped_bar(int bar, int *devp);

/* floor.c — (1)-(3): ordinary memory, pread/pwrite, the trap floor */
extern volatile uint8_t *floor_page;
void floor_map(void);
void floor_install(int full_mask);
void part_plain(void);
void part_sim(void);

/* backends.c — (4), and the pairs of the ratios: the shim's backends */
void part_shim(const char *spec);
void part_repeat(const char *spec);

/* tracing.c — (5) */
struct trace_mode {
	const char *name;
	const char *tag;	/* key prefix of its figures */
	const char *const *env;	/* NULL: not available, nothing measured */
};
extern const struct trace_mode trace_modes[];
extern const size_t ntrace;
int shim_can_trace(void);
void trace_path_init(void);
void run_traced_parts(const struct backend_part *b, const char **env, int k);

/* threads.c — (6) */
void measure_doorbells(const char *backend, volatile uint8_t *m, int bar);

/* startup.c — (7) */
void part_loop(const char *key);
void run_startup_parts(void);

/* results.c — the figures the driver collects */
struct result {
	char key[64], unit[16];
	double v[MAXV];
	int n;
	double med, min, max;	/* of v[0..n) */
};
extern char failures[4096];
extern char untraceable[64];	/* (5): set when the shim has no tracing */
void add_values(const char *key, const char *unit, const double *v, int n);
const struct result *get(const char *key);
double med(const char *key);
void read_results(FILE *f);
void note_failure(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* spawn.c — the driver re-executing itself */
extern int emulated;
extern const char *emulated_why;
extern char self_exe[4096];
extern char preload_shim[8300], preload_sim[4200], preload_both[8300];
void spawn_setup(void);
char **child_env(const char *const *extra);
char **child_argv(const char *const *args);
void run_part(const char *title, const char *name, const char *arg, const char *const *extra);

/* report.c — the printing */
void print_all(void);
void print_total(double ns);

#pragma GCC visibility pop

#endif
