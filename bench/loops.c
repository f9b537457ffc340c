/* Accesses in a loop: one instruction site, repeated (the inline load and
 * store of the architecture's header), and pread/pwrite of 4 bytes. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

void run_load(void *ctx, long n)
{
	volatile void *p = ctx;
	for (long i = 0; i < n; i++)
		(void)load32(p);
}

void run_store(void *ctx, long n)
{
	volatile void *p = ctx;
	for (long i = 0; i < n; i++)
		store32(p, (uint32_t)i);
}

void run_pread(void *ctx, long n)
{
	struct fd_ctx *c = ctx;
	uint32_t v;
	for (long i = 0; i < n; i++)
		if (pread(c->fd, &v, 4, c->off) != 4)
			die("pread: %s", strerror(errno));
}

void run_pwrite(void *ctx, long n)
{
	struct fd_ctx *c = ctx;
	uint32_t v = 0;
	for (long i = 0; i < n; i++, v++)
		if (pwrite(c->fd, &v, 4, c->off) != 4)
			die("pwrite: %s", strerror(errno));
}

/* A load that is the first instruction of its function: valgrind reports
 * the pc of a fault precisely only there (see bench/README.md). */
__attribute__((noinline)) uint32_t load_once(const volatile void *p)
{
	return load32(p);
}
