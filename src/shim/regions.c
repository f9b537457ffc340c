/* The table of guarded ranges. Written under a mutex by the interposed
 * memory calls; read by the fault handler without locks: each slot has a
 * sequence count that is odd while the slot changes, and the reader copies
 * the slot and retries if the count moved. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "regions.h"
#include "support.h"
#include "trace.h"

#define REGIONS_MAX 256

struct slot {
	atomic_uint seq;
	struct region r;	/* r.len == 0: free */
};

static struct slot slots[REGIONS_MAX];
static atomic_int used;		/* slots [0, used) may be in use */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void slot_write(struct slot *s, const struct region *r)
{
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	if (r)
		s->r = *r;
	else
		s->r.len = 0;
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_relaxed);
}

int region_add(const struct region *r)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < REGIONS_MAX; i++) {
		if (slots[i].r.len)
			continue;
		slot_write(&slots[i], r);
		if (i >= atomic_load(&used))
			atomic_store(&used, i + 1);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* Does addr fall in r's guard or real mapping? Then out gets a copy, with
 * its guard set to the base addr is in. */
static bool slot_match(const volatile struct region *r, uintptr_t addr)
{
	/* runs in the signal handler */
	uintptr_t real = (uintptr_t)r->io.real;

	return r->len && ((addr >= r->guard && addr - r->guard < r->len) ||
			  (real && addr >= real && addr - real < r->len));
}

bool region_lookup(uintptr_t addr, struct region *out)
{
	/* runs in the signal handler */
	int n = atomic_load_explicit(&used, memory_order_acquire);

	for (int i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		unsigned before, after;
		bool hit;
		do {
			before = atomic_load_explicit(&s->seq, memory_order_acquire);
			/* compare first; copy the slot only when it is the one */
			hit = slot_match(&s->r, addr);
			if (hit)
				*out = *(volatile struct region *)&s->r;
			atomic_thread_fence(memory_order_acquire);
			after = atomic_load_explicit(&s->seq, memory_order_relaxed);
		} while (before != after || (before & 1));
		if (!hit)
			continue;
		/* an access to the real mapping itself (s390x: SIGILL) is served
		 * the same way: present it as if it were the guard */
		if (!(addr >= out->guard && addr - out->guard < out->len))
			out->guard = (uintptr_t)out->io.real;
		return true;
	}
	return false;
}

static bool overlaps(const struct region *r, uintptr_t addr, size_t len)
{
	return r->len && addr < r->guard + r->len && r->guard < addr + len;
}

bool region_overlaps(uintptr_t addr, size_t len)
{
	bool hit = false;

	if (!atomic_load(&used))	/* the common case: nothing trapped */
		return false;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < atomic_load(&used) && !hit; i++)
		hit = overlaps(&slots[i].r, addr, len);
	pthread_mutex_unlock(&lock);
	return hit;
}

bool region_first_in(uintptr_t lo, uintptr_t hi, uintptr_t *g_lo, uintptr_t *g_hi)
{
	bool hit = false;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < atomic_load(&used); i++) {
		const struct region *r = &slots[i].r;
		if (!r->len || r->guard >= hi || r->guard + r->len <= lo)
			continue;
		uintptr_t a = r->guard > lo ? r->guard : lo;
		if (!hit || a < *g_lo) {
			*g_lo = a;
			*g_hi = r->guard + r->len < hi ? r->guard + r->len : hi;
			hit = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return hit;
}

/* The part of r starting skip bytes in and len long, as a region of its own. */
static struct region piece(const struct region *r, size_t skip, size_t len)
{
	struct region p = *r;

	p.guard += skip;
	p.len = len;
	p.io.real = r->io.real ? (char *)r->io.real + skip : NULL;
	p.io.file_off += skip;
	p.bar_off += skip;
	return p;
}

void region_remove_range(uintptr_t addr, size_t len)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < atomic_load(&used); i++) {
		struct region r = slots[i].r;
		if (!overlaps(&r, addr, len))
			continue;
		uintptr_t lo = addr > r.guard ? addr : r.guard;
		uintptr_t hi = addr + len < r.guard + r.len ? addr + len : r.guard + r.len;
		size_t head = lo - r.guard, tail = r.guard + r.len - hi;

		if (r.io.real)
			real.munmap((char *)r.io.real + head, hi - lo);
		if (head && tail) {
			struct region t = piece(&r, r.len - tail, tail);
			t.io.fd = real.fcntl(r.io.fd, F_DUPFD_CLOEXEC, 3);
			slot_write(&slots[i], (struct region[]){ piece(&r, 0, head) });
			pthread_mutex_unlock(&lock);
			if (region_add(&t))
				log_error("region table full: the rest of a split mapping at %p is no longer trapped",
					  (void *)t.guard);
			pthread_mutex_lock(&lock);
		} else if (head) {
			slot_write(&slots[i], (struct region[]){ piece(&r, 0, head) });
		} else if (tail) {
			slot_write(&slots[i], (struct region[]){ piece(&r, r.len - tail, tail) });
		} else {
			slot_write(&slots[i], NULL);
			real.close(r.io.fd);
			trace_map(&r.label, r.bar_off, r.len, r.guard, backend_name(r.backend), false);
		}
	}
	pthread_mutex_unlock(&lock);
}

void region_set_prot(uintptr_t addr, size_t len, int prot)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < atomic_load(&used); i++) {
		struct region r = slots[i].r;
		if (!overlaps(&r, addr, len))
			continue;
		/* Protection is kept per region; a change to part of one applies
		 * to all of it, which is what drivers do (they change whole BARs). */
		r.prot = prot;
		if (r.io.real)
			real.mprotect(r.io.real, r.len, prot);
		slot_write(&slots[i], &r);
	}
	pthread_mutex_unlock(&lock);
}

int region_move(uintptr_t old, size_t old_len, uintptr_t new_addr, size_t new_len)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < atomic_load(&used); i++) {
		struct region r = slots[i].r;
		if (!r.len || r.guard != old || r.len != old_len)
			continue;
		if (r.io.real) {
			void *m = real.mremap(r.io.real, r.len, new_len, MREMAP_MAYMOVE);
			if (m == MAP_FAILED)
				break;
			r.io.real = m;
		}
		r.guard = new_addr;
		r.len = new_len;
		slot_write(&slots[i], &r);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

void regions_fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

void regions_fork_done(void)
{
	pthread_mutex_unlock(&lock);
}
