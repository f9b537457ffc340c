/* Decoding faulting instructions: a small pool of capstone handles opened
 * before any fault, and a cache by instruction address so that capstone runs
 * once per site. The cache is filled by the handler itself: a slot is claimed
 * with a compare-and-swap and published with a release store of its key. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch.h"
#include "fault.h"
#include "support.h"

#define POOL 8
#define CACHE_SLOTS 1024	/* power of two */
#define CACHE_PROBES 8
#define KEY_EMPTY 0
#define KEY_BUSY 1

struct decoder {
	atomic_flag busy;
	csh handle;
	cs_insn *scratch;
};

struct cache_slot {
	_Atomic uint64_t key;	/* KEY_EMPTY, KEY_BUSY, or the instruction address */
	struct insn in;
};

static struct decoder pool[POOL];
static int pool_size;
static struct cache_slot cache[CACHE_SLOTS];

static void open_pool(void)
{
	if (!csmem_ready()) {
		/* capstone would then call malloc in the fault handler */
		log_error("capstone refused the shim's signal-safe allocator (cs_option CS_OPT_MEM): "
			  "no BAR can be trapped, so this BAR mapping fails (ENOMEM)");
		return;
	}
	for (int i = 0; i < POOL; i++) {
		if (arch_cs_open(&pool[i].handle) != 0)
			break;
		pool[i].scratch = cs_malloc(pool[i].handle);
		if (!pool[i].scratch) {
			cs_close(&pool[i].handle);
			break;
		}
		atomic_flag_clear(&pool[i].busy);
		pool_size++;
	}
	if (!pool_size)
		log_error("cannot open the capstone decoder");
}

/* Once, before the first trap, by whichever thread maps a BAR first;
 * the others wait for it. */
int decoder_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, open_pool);
	return pool_size ? 0 : -1;
}

static struct decoder *acquire(void)
{
	/* runs in the signal handler: the handles are only held while decoding,
	 * which never blocks, so spinning ends */
	for (;;)
		for (int i = 0; i < pool_size; i++)
			if (!atomic_flag_test_and_set_explicit(&pool[i].busy, memory_order_acquire))
				return &pool[i];
}

static void release(struct decoder *d)
{
	atomic_flag_clear_explicit(&d->busy, memory_order_release);
}

void decoder_fork_prepare(void)
{
	/* wait for decodes in flight; handlers of other threads then spin
	 * until the fork is done */
	for (int i = 0; i < pool_size; i++)
		while (atomic_flag_test_and_set_explicit(&pool[i].busy, memory_order_acquire))
			;
}

void decoder_fork_done(void)
{
	for (int i = 0; i < pool_size; i++)
		release(&pool[i]);
}

/* Copy the instruction bytes; the part past the page may not be mapped. */
static size_t read_code(uint64_t pc, uint8_t *buf)
{
	/* runs in the signal handler */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t first = page - (pc & (page - 1));

	if (first >= ARCH_MAX_INSN) {
		memcpy(buf, (const void *)pc, ARCH_MAX_INSN);
		return ARCH_MAX_INSN;
	}
	memcpy(buf, (const void *)pc, first);
	struct iovec local = { buf + first, ARCH_MAX_INSN - first };
	struct iovec remote = { (void *)(pc + first), ARCH_MAX_INSN - first };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n > 0)
		return first + (size_t)n;
	/* without process_vm_readv (user-mode emulators), ask whether the
	 * next page is mapped before reading it */
	unsigned char vec;
	if (mincore((void *)(pc + first), 1, &vec) == 0) {
		memcpy(buf + first, (const void *)(pc + first), ARCH_MAX_INSN - first);
		return ARCH_MAX_INSN;
	}
	return first;
}

static void decode(uint64_t pc, struct insn *out)
{
	/* runs in the signal handler */
	uint8_t code[ARCH_MAX_INSN];
	size_t avail = read_code(pc, code);
	struct decoder *d = acquire();

	memset(out, 0, sizeof(*out));
	int err = arch_decode(d->handle, d->scratch, code, avail, pc, out);
	release(d);
	out->pc = pc;
	if (err && !out->refuse)
		out->refuse = (uint8_t)err;
	if (io_in_libc(pc))
		out->element = 0;
}

const struct insn *decoder_get(uint64_t pc, struct insn *scratch, int *err)
{
	/* runs in the signal handler */
	size_t h = (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 40);

	for (int i = 0; i < CACHE_PROBES; i++) {
		struct cache_slot *s = &cache[(h + (size_t)i) & (CACHE_SLOTS - 1)];
		uint64_t key = atomic_load_explicit(&s->key, memory_order_acquire);
		if (key == pc) {
			*err = s->in.refuse;
			return &s->in;
		}
		if (key != KEY_EMPTY)
			continue;
		uint64_t expect = KEY_EMPTY;
		if (!atomic_compare_exchange_strong(&s->key, &expect, KEY_BUSY))
			continue;
		decode(pc, &s->in);
		atomic_store_explicit(&s->key, pc, memory_order_release);
		*err = s->in.refuse;
		return &s->in;
	}
	decode(pc, scratch);
	*err = scratch->refuse;
	return scratch;
}
