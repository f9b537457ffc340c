/* mmio-bench: what one emulated access costs, next to what the kernel costs
 * anyway (issue 6). Run it without arguments; see bench/README.md.
 *
 * The program you start is the driver: it runs each part of the benchmark
 * as a child process, re-executing itself as `mmio-bench --part NAME` with
 * the environment that part needs (no preload, the simulator alone, the
 * shim and the simulator with a backend's settings), collects the values
 * the children print on a pipe ("V key unit value..." lines, one value per
 * repetition) and prints everything at the end, the headline ratios first.
 *
 * Nothing here asserts anything about time: it measures and prints. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define USAGE "usage: mmio-bench   (no arguments; see bench/README.md)\n"

void die(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fputs("mmio-bench: ", stderr);
	vfprintf(stderr, f, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* (4), (6) through one backend, then (5) the same with tracing, where the
 * shim has it */
static void run_backend_parts(const struct backend_part *b)
{
	const char *env[PART_ENV] = { preload_both };
	char title[128], spec[96];
	int k = 1;

	for (int i = 0; b->env[i]; i++)
		env[k++] = b->env[i];
	env[k] = NULL;
	snprintf(title, sizeof(title), "(4), (6) shim, %s backend", b->name);
	snprintf(spec, sizeof(spec), "%s:%d", b->name, b->bar);	/* --part shim NAME:BAR */
	run_part(title, "shim", spec, env);
	run_traced_parts(b, env, k);
}

/* One round: every part once */
static void one_round(void)
{
	run_part("(1)-(3) memory, memfd, trap floor", "plain", "-", NULL);
	run_part("(2) pread/pwrite on the simulator", "sim", "-", (const char *[]){ preload_sim, NULL });
	for (size_t b = 0; b < nbackends; b++)
		run_backend_parts(&backends[b]);
	run_startup_parts();
}

static int driver(void)
{
	double start = now_ns();

	spawn_setup();
	trace_path_init();
	for (int round = 1; round <= ROUNDS; round++) {
		fprintf(stderr, "mmio-bench: round %d of %d\n", round, ROUNDS);
		one_round();
	}
	print_all();
	print_total(now_ns() - start);
	return failures[0] ? 1 : 0;
}

/* `--part NAME ARG`: one part, in this process (a child of the driver) */
static void part(const char *p, const char *arg)
{
	if (!strcmp(p, "plain"))
		part_plain();
	else if (!strcmp(p, "sim"))
		part_sim();
	else if (!strcmp(p, "shim"))
		part_shim(arg);
	else if (!strcmp(p, "repeat"))
		part_repeat(arg);
	else if (!strcmp(p, "loop"))
		part_loop(arg);
	else if (strcmp(p, "nop"))
		die("unknown part '%s'", p);
}

int main(int argc, char **argv)
{
	clock_choose();
	if (argc == 1)
		return driver();
	if (argc == 4 && !strcmp(argv[1], "--part")) {
		part(argv[2], argv[3]);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf(USAGE);
		return 0;
	}
	fprintf(stderr, USAGE);
	return 2;
}
