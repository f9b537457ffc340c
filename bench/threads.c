/* (6) threads writing concurrently, each to its own register: BAR0
 * DOORBELL[i] for thread i, or one BAR2 word per thread on its own cache
 * line; accesses per second over THREAD_MS of elapsed time. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "bench.h"

static atomic_int th_ready, th_go, th_stop;

struct th_arg {
	pthread_t tid;
	volatile uint32_t *reg;
	long count;
};

static void *th_main(void *argv)
{
	struct th_arg *a = argv;
	long n = 0;

	atomic_fetch_add(&th_ready, 1);
	while (!atomic_load_explicit(&th_go, memory_order_acquire))
		;
	while (!atomic_load_explicit(&th_stop, memory_order_relaxed)) {
		for (int i = 0; i < 16; i++)
			store32(a->reg, (uint32_t)i);
		n += 16;
	}
	a->count = n;
	return NULL;
}

/* nthreads threads, thread i on the register at base + i * stride, all
 * waiting for th_go */
static void th_start(struct th_arg *a, volatile uint8_t *base, size_t stride, int nthreads)
{
	atomic_store(&th_ready, 0);
	atomic_store(&th_go, 0);
	atomic_store(&th_stop, 0);
	for (int i = 0; i < nthreads; i++) {
		a[i].reg = (volatile uint32_t *)(base + (size_t)i * stride);
		a[i].count = 0;
		if (pthread_create(&a[i].tid, NULL, th_main, &a[i]))
			die("pthread_create");
	}
	while (atomic_load(&th_ready) < nthreads)
		sched_yield();
}

/* the accesses of all threads, once they have ended */
static long th_join(struct th_arg *a, int nthreads)
{
	long total = 0;

	for (int i = 0; i < nthreads; i++) {
		pthread_join(a[i].tid, NULL);
		total += a[i].count;
	}
	return total;
}

/* accesses per second of nthreads threads, THREAD_REPS repetitions */
static void measure_threads(const char *key, volatile uint8_t *base, size_t stride, int nthreads)
{
	double v[THREAD_REPS];
	struct th_arg a[8];

	for (int r = 0; r < THREAD_REPS; r++) {
		th_start(a, base, stride, nthreads);
		double t0 = now_ns();
		atomic_store_explicit(&th_go, 1, memory_order_release);
		struct timespec d = { THREAD_MS / 1000, (THREAD_MS % 1000) * 1000000L };
		nanosleep(&d, NULL);
		atomic_store(&th_stop, 1);
		long total = th_join(a, nthreads);
		v[r] = (double)total / ((now_ns() - t0) / 1e9);
	}
	emit(key, "acc/s", v, THREAD_REPS);
}

/* 1, 2 and 4 threads on the BAR mapped at m */
void measure_doorbells(const char *backend, volatile uint8_t *m, int bar)
{
	volatile uint8_t *db = bar == 0 ? m + BAR0_DOORBELL : m + 0x1000;
	size_t stride = bar == 0 ? 4 : 64;
	char key[128];

	for (int t = 1; t <= 4; t *= 2) {
		snprintf(key, sizeof(key), "threads.%s.%d", backend, t);
		measure_threads(key, db, stride, t);
	}
}
