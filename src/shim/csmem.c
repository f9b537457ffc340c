/* Memory for capstone that is safe to use in the signal handler.
 * CS_OPT_MEM is process-wide and must be set before the first cs_open.
 * Blocks come in power-of-two classes kept on free lists under a spinlock;
 * the lock is only taken inside capstone, so a thread interrupted while
 * holding it is never the one that needs it. */
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <capstone/capstone.h>

#include "arch.h"
#include "fault.h"
#include "support.h"

#define MIN_SHIFT 5
#define MAX_SHIFT 24
#define CHUNK (1u << 20)
#define HDR 16

struct free_blk {
	struct free_blk *next;
};

static atomic_flag lk = ATOMIC_FLAG_INIT;
static struct free_blk *free_list[MAX_SHIFT + 1];
static char *arena, *arena_end;

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&lk, memory_order_acquire))
		;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&lk, memory_order_release);
}

void csmem_fork_prepare(void)
{
	lock();
}

void csmem_fork_done(void)
{
	unlock();
}

static int class_of(size_t n)
{
	int c = MIN_SHIFT;

	while (c <= MAX_SHIFT && ((size_t)1 << c) < n + HDR)
		c++;
	return c;
}

static void *carve(size_t n)
{
	if ((size_t)(arena_end - arena) < n) {
		size_t want = n > CHUNK ? n : CHUNK;
		void *p = arch_raw_mmap(want);
		if (p == MAP_FAILED)
			return NULL;
		arena = p;
		arena_end = arena + want;
	}
	void *p = arena;
	arena += n;
	return p;
}

static void *cs_mem_alloc(size_t n)
{
	/* may run in a signal handler */
	int c = class_of(n);
	char *p;

	if (c > MAX_SHIFT)
		return NULL;
	lock();
	if (free_list[c]) {
		p = (char *)free_list[c];
		free_list[c] = free_list[c]->next;
	} else {
		p = carve((size_t)1 << c);
	}
	unlock();
	if (!p)
		return NULL;
	*(int *)p = c;
	return p + HDR;
}

static void cs_mem_free(void *ptr)
{
	/* may run in a signal handler */
	if (!ptr)
		return;
	char *p = (char *)ptr - HDR;
	int c = *(int *)p;
	lock();
	((struct free_blk *)p)->next = free_list[c];
	free_list[c] = (struct free_blk *)p;
	unlock();
}

static void *cs_mem_calloc(size_t n, size_t size)
{
	/* may run in a signal handler */
	if (size && n > (size_t)-1 / size)
		return NULL;
	void *p = cs_mem_alloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void *cs_mem_realloc(void *ptr, size_t n)
{
	/* may run in a signal handler */
	if (!ptr)
		return cs_mem_alloc(n);
	size_t have = ((size_t)1 << *(int *)((char *)ptr - HDR)) - HDR;
	if (n <= have)
		return ptr;
	void *p = cs_mem_alloc(n);
	if (p) {
		memcpy(p, ptr, have);
		cs_mem_free(ptr);
	}
	return p;
}

static int cs_mem_vsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	/* may run in a signal handler */
	return fmt_v(buf, size, f, ap);
}

static bool ready;

bool csmem_ready(void)
{
	return ready;
}

void csmem_setup(void)
{
	cs_opt_mem mem = {
		.malloc = cs_mem_alloc,
		.calloc = cs_mem_calloc,
		.realloc = cs_mem_realloc,
		.free = cs_mem_free,
		.vsnprintf = cs_mem_vsnprintf,
	};
	ready = cs_option(0, CS_OPT_MEM, (size_t)&mem) == CS_ERR_OK;
}
