/* The clock, the repetitions, and the lines a child prints on its pipe:
 * "V key unit value..." (one value per repetition), "U tag" (a tracing
 * mode the shim does not have). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The clock of the single-thread measurements: the measuring thread's CPU
 * time (user and system: the fault, the signal delivery and the system
 * calls are all charged to it), so that time the thread spends waiting
 * for a CPU another process holds does not count. MMIO_BENCH_CLOCK=wall
 * measures elapsed time instead. Threads (6) and program starts (7) are
 * always elapsed time. */
clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

void clock_choose(void)
{
	const char *c = getenv("MMIO_BENCH_CLOCK");

	if (c && !strcmp(c, "wall"))
		bench_clock = CLOCK_MONOTONIC;
}

/* A child's result line: V key unit value... (one value per repetition) */
void emit(const char *key, const char *unit, const double *v, int n)
{
	printf("V %s %s", key, unit);
	for (int i = 0; i < n; i++)
		printf(" %.6g", v[i]);
	printf("\n");
	fflush(stdout);
}

/* A tracing mode whose figures will not come: the shim cannot trace */
void emit_untraceable(const char *tag)
{
	printf("U %s\n", tag);
}

/* How many operations make a repetition of about TARGET_NS. */
long calibrate(run_fn f, void *ctx)
{
	long n = 1;
	double t;

	f(ctx, 1);	/* warm up: first faults, decode, page tables */
	for (;;) {
		t = timed(f, ctx, n);
		if (t >= TARGET_NS / 10 || n >= (1L << 30))
			break;
		n *= 4;
	}
	n = (long)((double)n * TARGET_NS / (t > 1 ? t : 1));
	return n < 1 ? 1 : n;
}

/* ns per operation: REPS repetitions of about TARGET_NS each */
void measure(const char *key, run_fn f, void *ctx)
{
	double v[REPS];
	long n = calibrate(f, ctx);

	for (int i = 0; i < REPS; i++)
		v[i] = timed(f, ctx, n) / (double)n;
	emit(key, "ns", v, REPS);
}
