/* Start-up: read the environment, find the next definitions, prepare the
 * decoder. The fault handler is installed only when the first BAR mapping
 * is trapped, so a program that never maps a device sees no change. */
#include <pthread.h>

#include "fault.h"
#include "init.h"
#include "support.h"
#include "trace.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	real_init();
	/* process-wide, and before any capstone allocation: capstone runs in
	 * the fault handler, where malloc must not be called */
	csmem_setup();
	config_load();
	trace_init();
	stats_init();
	io_init();
}

void shim_ensure_init(void)
{
	pthread_once(&once, init);
}

__attribute__((constructor)) static void shim_constructor(void)
{
	shim_ensure_init();
}
