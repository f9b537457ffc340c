/* (5) tracing (issue 4): each backend's part again with the settings of a
 * tracing mode added, repeated sites only. When the shim can trace, each
 * mode has the environment that selects it; a mode with no environment is
 * reported as not available, never measured. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* "%s" in a setting is replaced by the name of a temporary trace file,
 * removed after each part. The part runs with the backend's settings plus
 * these, repeated sites only. */
static const char *const trace_file_env[] = { "MMIOSHIM_TRACE=%s", NULL };
static const char *const trace_filtered_env[] = { "MMIOSHIM_TRACE=%s", "MMIOSHIM_TRACE_FILTER=bar=5", NULL };
const struct trace_mode trace_modes[] = {
	{ "tracing to a file (text)", "trace-file", trace_file_env },
	{ "tracing on, all filtered out (bar=5)", "trace-filtered", trace_filtered_env },
};
const size_t ntrace = sizeof(trace_modes) / sizeof(trace_modes[0]);

static char trace_path[4096];	/* the trace file of a part */

void trace_path_init(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(trace_path, sizeof(trace_path), "%s/mmio-bench-%ld.trace", tmp && *tmp ? tmp : "/tmp", (long)getpid());
}

/* In a part's process: does the preloaded shim have the tracing interface? */
int shim_can_trace(void)
{
	return dlsym(RTLD_DEFAULT, "mmioshim_mark") != NULL;
}

/* One setting of a mode, "%s" replaced by the trace file */
static void trace_setting(char *buf, size_t size, const char *e)
{
	const char *pct = strstr(e, "%s");

	if (pct)
		snprintf(buf, size, "%.*s%s%s", (int)(pct - e), e, trace_path, pct + 2);
	else
		snprintf(buf, size, "%s", e);
}

/* The backend's part under one mode: env[0..k) is the backend's
 * environment (PART_ENV entries at most), the mode's settings go after
 * it and are taken off again */
static void run_traced(const struct backend_part *b, const struct trace_mode *m, const char **env, int k)
{
	char settings[4][4200], title[128], spec[96];
	int kt = k;

	for (int i = 0; m->env[i] && kt < PART_ENV - 1 && i < 4; i++) {
		trace_setting(settings[i], sizeof(settings[i]), m->env[i]);
		env[kt++] = settings[i];
	}
	env[kt] = NULL;
	snprintf(title, sizeof(title), "(5) shim, %s backend, %s", b->name, m->name);
	snprintf(spec, sizeof(spec), "%s:%d:%s.", b->name, b->bar, m->tag);
	run_part(title, "shim", spec, env);
	unlink(trace_path);
	env[k] = NULL;
}

/* The backend's part under each mode the shim has */
void run_traced_parts(const struct backend_part *b, const char **env, int k)
{
	for (size_t t = 0; t < ntrace; t++)
		if (trace_modes[t].env)
			run_traced(b, &trace_modes[t], env, k);
}
