/* The printing: everything the driver collected, the headline first, then
 * one section after the other. Measures nothing. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

static const char *op_name(int store)
{
	return store ? "store" : "load";
}

static const char *label_mark(void)
{
	return emulated ? "  (emulated)" : "";
}

static void print_ns(const char *label, const char *key)
{
	const struct result *r = get(key);

	if (!r) {
		printf("    %-50s (not measured: see the failures below)\n", label);
		return;
	}
	printf("    %-50s %10.1f ns   [min %.1f, max %.1f]%s\n", label, r->med, r->min, r->max, label_mark());
}

static void print_ratio(const char *text, double v)
{
	if (v > 0)
		printf("%s %.2f\n", text, v);
	else
		printf("%s n/a\n", text);
}

/* print(b, store, ctx) for the loads and stores of every backend */
typedef void (*op_print_fn)(const struct backend_part *b, int store, const void *ctx);

static void each_backend_op(op_print_fn print, const void *ctx)
{
	for (size_t b = 0; b < nbackends; b++)
		for (int st = 0; st < 2; st++)
			print(&backends[b], st, ctx);
}

/* The headline, exactly in this form: medians of per-pair ratios */
static void print_headline(void)
{
	print_ratio("ratio direct/trap-floor:", med("ratio.direct.load"));
	print_ratio("ratio region/(trap-floor+pread):", med("ratio.region.load"));
	printf("emulated: %s\n", emulated ? "yes" : "no");
}

static void print_setup(void)
{
	struct utsname u;

	uname(&u);
	printf("\nmmio-bench %s on %s (%s %s, %ld CPUs)%s\n", ARCH_NAME, u.nodename, u.sysname, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), emulated ? ", EMULATED" : "");
	if (emulated)
		printf("figures are emulated (%s): they say nothing about the hardware\n", emulated_why);
	printf("clock: %s\n", bench_clock == CLOCK_MONOTONIC ? "elapsed time (MMIO_BENCH_CLOCK=wall)"
							: "CPU time of the measuring thread");
	printf("ns per access: median of %d repetitions (%d interleaved rounds of %d) [min, max];\n", ROUNDS * REPS,
	       ROUNDS, REPS);
	printf("ratios and the shim's repeated-site figures: %d floor/shim pairs (%d rounds of %d)\n", ROUNDS * PAIRS,
	       ROUNDS, PAIRS);
}

static void print_pair_ratio(const struct backend_part *b, int st, const void *ctx)
{
	char key[128], label[160];
	const char *op = op_name(st);
	int region = !strcmp(b->name, "region");
	(void)ctx;

	snprintf(key, sizeof(key), "ratio.%s.%s", b->name, op);
	snprintf(label, sizeof(label), "%s %s / (trap floor%s)", b->name, op,
		 region ? (st ? " + pwrite" : " + pread") : "");
	const struct result *r = get(key);
	if (!r) {
		printf("    %-50s (not measured)\n", label);
		return;
	}
	printf("    %-50s %10.2f      [min %.2f, max %.2f]%s\n", label, r->med, r->min, r->max, label_mark());
}

static void print_own_work(const struct backend_part *b, int st, const void *ctx)
{
	char key[128], label[160];
	(void)ctx;

	snprintf(key, sizeof(key), "own.%s.%s", b->name, op_name(st));
	snprintf(label, sizeof(label), "%s %s", b->name, op_name(st));
	print_ns(label, key);
}

static void print_ratios(void)
{
	printf("\nratios: shim / what the kernel costs anyway, median of per-pair ratios [min, max]\n");
	each_backend_op(print_pair_ratio, NULL);
	printf("  the handler's own work: shim - floor%s, per pair; median [min, max]\n",
	       get("pread@region") ? " (- pread/pwrite for region)" : "");
	each_backend_op(print_own_work, NULL);
}

static void print_memory(void)
{
	printf("\n(1) direct access to ordinary memory\n");
	print_ns("load  " LOAD_TEXT, "mem.load");
	print_ns("store " STORE_TEXT, "mem.store");
}

static void print_fd(void)
{
	printf("\n(2) pread/pwrite of 4 bytes on an fd\n");
	print_ns("pread  memfd (tmpfs), no preload", "pread.memfd");
	print_ns("pwrite memfd (tmpfs), no preload", "pwrite.memfd");
	print_ns("pread  simulator device fd, BAR0 SCRATCH", "pread.sim");
	print_ns("pwrite simulator device fd, BAR0 SCRATCH", "pwrite.sim");
}

static void print_floor_in(const struct backend_part *b, int st, const void *ctx)
{
	char key[128], label[160];
	(void)ctx;

	snprintf(key, sizeof(key), "floor@%s.%s", b->name, op_name(st));
	snprintf(label, sizeof(label), "%s, in the %s process (pairs)", st ? "store" : "load ", b->name);
	print_ns(label, key);
}

static void print_io_in(const struct backend_part *b, int st, const void *ctx)
{
	char key[128], label[160];
	(void)ctx;

	snprintf(key, sizeof(key), "%s@%s", st ? "pwrite" : "pread", b->name);
	if (!get(key))
		return;
	snprintf(label, sizeof(label), "%s device fd, in the %s process (pairs)", st ? "pwrite" : "pread ", b->name);
	print_ns(label, key);
}

static void print_floor(void)
{
	printf("\n(3) trap floor: PROT_NONE page, handler only skips the instruction\n");
	print_ns("load  (" LOAD_TEXT ")", "floor.load");
	print_ns("store (" STORE_TEXT ")", "floor.store");
	print_ns("load, handler's sa_mask full (as the shim's)", "floor.load.fullmask");
	each_backend_op(print_floor_in, NULL);
	each_backend_op(print_io_in, NULL);
}

static void print_backend(const struct backend_part *b)
{
	static const char *const kinds[][2] = {
		{ "load.hit", "load,  repeated site (decode cache hit)" },
		{ "store.hit", "store, repeated site (decode cache hit)" },
		{ "load.first", "load,  site seen for the first time" },
		{ "store.first", "store, site seen for the first time" },
	};
	char key[128];

	printf("  %s: %s\n", b->name, b->what);
	for (size_t k = 0; k < 4; k++) {
		snprintf(key, sizeof(key), "shim.%s.%s", b->name, kinds[k][0]);
		print_ns(kinds[k][1], key);
	}
}

static void print_shim(void)
{
	printf("\n(4) the shim's trapped access, per backend\n");
	for (size_t b = 0; b < nbackends; b++)
		print_backend(&backends[b]);
	print_ns("reference: first call of fresh code, no trap", "fresh.load");
}

/* ctx: the trace mode */
static void print_traced(const struct backend_part *b, int st, const void *ctx)
{
	const struct trace_mode *m = ctx;
	char key[128], label[160], off[128];

	snprintf(key, sizeof(key), "%s.shim.%s.%s.hit", m->tag, b->name, op_name(st));
	snprintf(label, sizeof(label), "%s: %s %s", m->name, b->name, op_name(st));
	snprintf(off, sizeof(off), "shim.%s.%s.hit", b->name, op_name(st));
	const struct result *r = get(key);
	if (!r || !get(off)) {
		print_ns(label, key);
		return;
	}
	printf("    %-50s %10.1f ns   [min %.1f, max %.1f]  x%.2f of tracing off%s\n", label, r->med, r->min, r->max,
	       r->med / med(off), label_mark());
}

static void print_tracing(void)
{
	printf("\n(5) tracing on/off (repeated site; off: the figures of (4))\n");
	for (size_t t = 0; t < ntrace; t++) {
		if (!trace_modes[t].env || untraceable[0])
			printf("    %-50s tracing: not available in this build\n", trace_modes[t].name);
		else
			each_backend_op(print_traced, &trace_modes[t]);
	}
}

static void print_threads_of(const struct backend_part *b)
{
	char key[128], label[160];

	snprintf(key, sizeof(key), "threads.%s.1", b->name);
	const struct result *one = get(key);
	for (int t = 1; t <= 4; t *= 2) {
		snprintf(key, sizeof(key), "threads.%s.%d", b->name, t);
		const struct result *r = get(key);
		snprintf(label, sizeof(label), "%s, %d thread%s (%s)", b->name, t, t > 1 ? "s" : "",
			 b->bar == 0 ? "DOORBELL[i]" : "BAR2 word i");
		if (!r || !one) {
			printf("    %-50s (not measured)\n", label);
			continue;
		}
		printf("    %-50s %10.0f /s  [min %.0f, max %.0f]  x%.2f of 1 thread%s\n", label, r->med, r->min, r->max,
		       r->med / one->med, label_mark());
	}
}

static void print_threads(void)
{
	printf("\n(6) threads ringing doorbells concurrently: accesses per second (median of %d runs of %d ms)\n",
	       ROUNDS * THREAD_REPS, THREAD_MS);
	for (size_t b = 0; b < nbackends; b++)
		print_threads_of(&backends[b]);
}

static void print_spawn(void)
{
	const struct result *a = get("spawn.plain"), *b = get("spawn.shim");
	const char *prog = emulated ? "mmio-bench --part nop" : "/bin/true";
	char label[160];

	snprintf(label, sizeof(label), "start %s, no preload", prog);
	print_ns(label, "spawn.plain");
	snprintf(label, sizeof(label), "start %s, shim preloaded", prog);
	print_ns(label, "spawn.shim");
	if (a && b)
		printf("    %-50s %10.1f us per program start\n", "difference", (b->med - a->med) / 1000);
}

static void print_loop(void)
{
	const struct result *a = get("loop.plain"), *b = get("loop.shim");

	print_ns("loop: open+close, mmap+munmap; no preload", "loop.plain");
	print_ns("loop: open+close, mmap+munmap; shim preloaded", "loop.shim");
	if (a && b)
		printf("    %-50s %10.1f ns per iteration (4 interposed calls)\n", "difference", b->med - a->med);
}

static void print_startup(void)
{
	printf("\n(7) a program that uses no device, without and with the shim preloaded\n");
	print_spawn();
	print_loop();
}

void print_all(void)
{
	print_headline();
	print_setup();
	print_ratios();
	print_memory();
	print_fd();
	print_floor();
	print_shim();
	print_tracing();
	print_threads();
	print_startup();
	if (failures[0])
		printf("\nfailures:\n%s", failures);
}

void print_total(double ns)
{
	printf("\n(total %.0f s)\n", ns / 1e9);
}
