/* (7) a program that uses no device, without and with the shim preloaded:
 * program starts (posix_spawn + waitpid, elapsed time, measured by the
 * driver itself), and a loop over calls the shim interposes (in a child). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* open/close, mmap/munmap */
static void run_loop(void *ctx, long n)
{
	(void)ctx;
	for (long i = 0; i < n; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("/dev/null: %s", strerror(errno));
		close(fd);
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		munmap(p, 4096);
	}
}

void part_loop(const char *key)
{
	measure(key, run_loop, NULL);
}

/* Start a program that uses no device n times; returns ns per run. */
static double spawn_runs(char **argv, char **env, long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int st;
		if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, env))
			die("posix_spawn %s: %s", argv[0], strerror(errno));
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("%s failed", argv[0]);
	}
	return now_ns() - t0;
}

/* How many starts make a repetition of about 5 * TARGET_NS (3 at least) */
static long spawn_calibrate(char **argv, char **env)
{
	long n = 1;
	double t;

	spawn_runs(argv, env, 1);	/* warm up */
	for (;;) {
		t = spawn_runs(argv, env, n);
		if (t >= 5 * TARGET_NS / 10 || n >= 4096)
			break;
		n *= 2;
	}
	n = (long)((double)n * 5 * TARGET_NS / (t > 1 ? t : 1));
	return n < 3 ? 3 : n;
}

/* The cost of having the shim in LD_PRELOAD when starting a program */
static void measure_spawn(const char *key, char **argv, char **env)
{
	double v[REPS];
	long n = spawn_calibrate(argv, env);

	for (int i = 0; i < REPS; i++)
		v[i] = spawn_runs(argv, env, n) / (double)n;
	add_values(key, "ns", v, REPS);
}

/* /bin/true, or under emulation `mmio-bench --part nop` through the
 * emulator (/bin/true is a host binary); then the loop's parts */
void run_startup_parts(void)
{
	char *prog_true[] = { "/bin/true", NULL };
	const char *nop_args[] = { self_exe, "--part", "nop", "-", NULL };
	char **prog = emulated ? child_argv(nop_args) : prog_true;
	char **env_plain = child_env(NULL);
	char **env_shim = child_env((const char *[]){ preload_shim, NULL });

	measure_spawn("spawn.plain", prog, env_plain);
	measure_spawn("spawn.shim", prog, env_shim);
	free(env_plain);
	free(env_shim);
	run_part("(7) loop, no preload", "loop", "loop.plain", NULL);
	run_part("(7) loop, shim preloaded", "loop", "loop.shim", (const char *[]){ preload_shim, NULL });
}
