/* fork(): a child is a copy of one thread; a lock another thread held at
 * that moment would stay held in the child forever. Every lock of the
 * shim is taken before the fork and released after it, in parent and
 * child, in one order (the fault path takes a decoder before capstone's
 * allocator, never a table's mutex). */
#include <pthread.h>

#include "fault.h"
#include "init.h"
#include "regions.h"
#include "signals.h"
#include "vfio.h"

static void prepare(void)
{
	vfio_fork_prepare();
	signals_fork_prepare();
	regions_fork_prepare();
	decoder_fork_prepare();
	csmem_fork_prepare();
}

static void done(void)
{
	csmem_fork_done();
	decoder_fork_done();
	regions_fork_done();
	signals_fork_done();
	vfio_fork_done();
}

static void register_handlers(void)
{
	pthread_atfork(prepare, done, done);
}

/* Registered at the first trapped mapping, after the libraries loaded with
 * the shim have registered theirs: prepare handlers run last-registered
 * first, so the shim's locks are taken before theirs, in the order its
 * own paths take them (a table's mutex, then whatever the next mmap or
 * munmap locks; the simulator's mapping table, say). */
void fork_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_handlers);
}
