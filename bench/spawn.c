/* The driver re-executing itself: each part runs as a child,
 * `mmio-bench --part NAME ARG`, with the environment it needs and, under
 * emulation, through the emulator; its result lines come on a pipe. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

int emulated;
const char *emulated_why;
char self_exe[4096];
char preload_shim[8300], preload_sim[4200], preload_both[8300];	/* LD_PRELOAD=... */
static char shim_lib[4096], sim_lib[4096];
static const char *wrapper_default[] = { BENCH_WRAPPER NULL };
static char *wrapper[16];

/* Under qemu-user there is no AT_PLATFORM (a Linux kernel always gives
 * one); MMIO_BENCH_EMULATED=1 or 0 overrides. */
static void detect_emulation(void)
{
	const char *e = getenv("MMIO_BENCH_EMULATED");

	if (e && *e) {
		emulated = strcmp(e, "0") != 0;
		emulated_why = "MMIO_BENCH_EMULATED is set";
		return;
	}
	emulated = getauxval(AT_PLATFORM) == 0;
	emulated_why = "no AT_PLATFORM in the auxiliary vector: user-mode emulation";
}

static void find_self(void)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n <= 0)
		die("/proc/self/exe: %s", strerror(errno));
	self_exe[n] = '\0';
}

static int exists(const char *p)
{
	return access(p, R_OK) == 0;
}

/* The libraries: $MMIO_BENCH_LIBDIR, else beside the executable's folder
 * (build/bench/mmio-bench -> build/), else the paths of the build. */
static void find_libs(void)
{
	const char *d = getenv("MMIO_BENCH_LIBDIR");
	char dir[4096];

	if (d && *d) {
		snprintf(shim_lib, sizeof(shim_lib), "%s/libmmioshim.so", d);
		snprintf(sim_lib, sizeof(sim_lib), "%s/libmmiosim.so", d);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", self_exe);
	char *up = dirname(dir);
	snprintf(shim_lib, sizeof(shim_lib), "%s/../libmmioshim.so", up);
	snprintf(sim_lib, sizeof(sim_lib), "%s/../libmmiosim.so", up);
	if (exists(shim_lib) && exists(sim_lib))
		return;
	snprintf(shim_lib, sizeof(shim_lib), "%s", BENCH_SHIM_LIB);
	snprintf(sim_lib, sizeof(sim_lib), "%s", BENCH_SIM_LIB);
}

/* How children are started: MMIO_BENCH_WRAPPER (words separated by spaces;
 * empty: none), else under emulation the cross file's wrapper. */
static void find_wrapper(void)
{
	const char *w = getenv("MMIO_BENCH_WRAPPER");
	int n = 0;

	if (w) {
		char *copy = strdup(w), *save = NULL;
		for (char *t = strtok_r(copy, " ", &save); t && n < 15; t = strtok_r(NULL, " ", &save))
			wrapper[n++] = t;
	} else if (emulated) {
		for (int i = 0; wrapper_default[i] && n < 15; i++)
			wrapper[n++] = (char *)wrapper_default[i];
	}
	wrapper[n] = NULL;
}

/* Where we are, what to preload, how to start the parts */
void spawn_setup(void)
{
	detect_emulation();
	find_self();
	find_libs();
	find_wrapper();
	if (!exists(shim_lib) || !exists(sim_lib))
		die("cannot find %s and %s (set MMIO_BENCH_LIBDIR)", shim_lib, sim_lib);
	snprintf(preload_shim, sizeof(preload_shim), "LD_PRELOAD=%s", shim_lib);
	snprintf(preload_sim, sizeof(preload_sim), "LD_PRELOAD=%s", sim_lib);
	snprintf(preload_both, sizeof(preload_both), "LD_PRELOAD=%s %s", shim_lib, sim_lib);
}

/* The environment of a child: ours without the variables that select
 * preloads, shim or simulator settings, plus the given ones. */
char **child_env(const char *const *extra)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	while (extra && extra[k])
		k++;
	char **env = calloc(n + k + 1, sizeof(*env));
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		if (!strncmp(e, "LD_PRELOAD=", 11) || !strncmp(e, "MMIOSHIM_", 9) || !strncmp(e, "MMIOSIM_", 8))
			continue;
		env[j++] = (char *)e;
	}
	for (size_t i = 0; i < k; i++)
		env[j++] = (char *)extra[i];
	env[j] = NULL;
	return env;
}

/* argv with the emulator in front when there is one */
char **child_argv(const char *const *args)
{
	static char *argv[32];
	int n = 0;

	for (int i = 0; wrapper[i]; i++)
		argv[n++] = wrapper[i];
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	return argv;
}

/* A child running args, its standard output on the pipe pfd */
static pid_t start_child(const char *const *args, const char *const *extra, int pfd[2])
{
	char **argv = child_argv(args);
	char **env = child_env(extra);
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvpe(argv[0], argv, env);
		fprintf(stderr, "mmio-bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(env);
	close(pfd[1]);
	return pid;
}

/* Run `mmio-bench --part NAME ARG` with extra environment; collect its
 * result lines. */
void run_part(const char *title, const char *name, const char *arg, const char *const *extra)
{
	int pfd[2], st;
	const char *args[] = { self_exe, "--part", name, arg, NULL };

	if (pipe(pfd))
		die("pipe: %s", strerror(errno));
	pid_t pid = start_child(args, extra, pfd);
	FILE *f = fdopen(pfd[0], "r");
	read_results(f);
	fclose(f);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		note_failure("part '%s' (%s) failed: %s %d", name, title,
			     WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}
