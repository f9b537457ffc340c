/* The MMIOSHIM_* environment. A value outside its set stops the program
 * with status 2 before main runs: a typo must not silently change how
 * device accesses are done. */
#include <string.h>

#include "early_getenv.h"
#include "init.h"
#include "support.h"

struct config cfg = { BACKEND_AUTO, TRAP_AUTO, UNALIGNED_REFUSE, COMPAT_AUTO };

static const char *const trap_names[] = { "auto", "all", NULL };
static const char *const unaligned_names[] = { "refuse", "split", NULL };
static const char *const compat_names[] = { "auto", "none", NULL };
static const char *const log_names[] = { "error", "warn", "info", "debug", NULL };

static int pick(const char *var, const char *const names[], int dflt)
{
	const char *v = early_getenv(var);
	char accepted[128] = "";

	if (!v || !*v)
		return dflt;
	for (int i = 0; names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	for (int i = 0; names[i]; i++) {
		strcat(accepted, i ? "|" : "");
		strcat(accepted, names[i]);
	}
	log_usage_exit("%s=%s is not valid; accepted values: %s", var, v, accepted);
}

void config_load(void)
{
	log_level = (enum log_level)pick("MMIOSHIM_LOG", log_names, LOG_WARN);
	cfg.backend = (enum backend_id)pick("MMIOSHIM_BACKEND", backend_names, BACKEND_AUTO);
	cfg.trap = (enum trap_mode)pick("MMIOSHIM_TRAP", trap_names, TRAP_AUTO);
	cfg.unaligned = (enum unaligned_mode)pick("MMIOSHIM_UNALIGNED", unaligned_names, UNALIGNED_REFUSE);
	cfg.compat = (enum compat_mode)pick("MMIOSHIM_COMPAT", compat_names, COMPAT_AUTO);
}
