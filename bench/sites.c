/* Sites seen for the first time: copies of a one-instruction function in
 * fresh executable pages, each called once. Addresses are never reused
 * (the shim's decode cache is keyed by address). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

typedef uint32_t (*site_load_fn)(volatile void *p);
typedef void (*site_store_fn)(volatile void *p, uint32_t v);

void sites_make(struct sites *s, int store, size_t count)
{
	const struct site_code *tmpl = store ? &site_store : &site_load;
	size_t size = (count * SITE_STRIDE + 4095) & ~(size_t)4095;
	uint8_t *c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (c == MAP_FAILED)
		die("mmap code: %s", strerror(errno));
	for (size_t i = 0; i < count; i++)
		memcpy(c + i * SITE_STRIDE, tmpl->code, tmpl->len);
	__builtin___clear_cache((char *)c, (char *)c + size);
	if (mprotect(c, size, PROT_READ | PROT_EXEC))
		die("mprotect code: %s", strerror(errno));
	s->code = c;
	s->count = count;
	s->next = 0;
	s->store = store;
}

/* The next n sites, none of them called before */
static inline uint8_t *take_sites(struct sites *s, size_t n)
{
	if (s->next + n > s->count)
		die("out of generated sites");
	uint8_t *base = s->code + s->next * SITE_STRIDE;
	s->next += n;
	return base;
}

/* Site i from base on, called with p */
static inline void call_site(uint8_t *base, size_t i, int store, volatile void *p)
{
	void *f = base + i * SITE_STRIDE;

	if (store)
		((site_store_fn)f)(p, (uint32_t)i);
	else
		(void)((site_load_fn)f)(p);
}

/* The next n sites, each called once, untimed */
void sites_call(struct sites *s, volatile void *p, long n)
{
	uint8_t *base = take_sites(s, (size_t)n);

	for (long i = 0; i < n; i++)
		call_site(base, (size_t)i, s->store, p);
}

/* REPS repetitions of FRESH_SITES first-time calls */
void measure_fresh(const char *key, struct sites *s, volatile void *p)
{
	double v[REPS];
	int store = s->store;

	for (int r = 0; r < REPS; r++) {
		uint8_t *base = take_sites(s, FRESH_SITES);
		double t0 = clock_ns();
		for (int i = 0; i < FRESH_SITES; i++)
			call_site(base, (size_t)i, store, p);
		v[r] = (clock_ns() - t0) / FRESH_SITES;
	}
	emit(key, "ns", v, REPS);
}
