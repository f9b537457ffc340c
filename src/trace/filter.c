/* MMIOSHIM_TRACE_FILTER: which accesses the trace records. dev=BDF, bar=N,
 * off=A[-B], dir=R|W, comma-separated; terms with the same key are
 * alternatives, different keys must all match. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "support.h"

#define FILTER_MAX 8
static struct {
	int nbdf, nbar, noff, ndir;
	char bdf[FILTER_MAX][32];
	int bar[FILTER_MAX];
	uint64_t off_lo[FILTER_MAX], off_hi[FILTER_MAX];
	char dir[FILTER_MAX];
} filter;

static const char var[] = "MMIOSHIM_TRACE_FILTER";
static const char accepted[] = "accepted: comma-separated dev=BDF, bar=0-5, off=N or N-M, dir=R or W";

static uint64_t number(const char *spec, const char *s, char **end)
{
	errno = 0;
	unsigned long long v = strtoull(s, end, 0);
	if (errno || *end == s)
		log_usage_exit("%s=%s: a number (decimal or 0x hex) is expected", var, spec);
	return v;
}

static void add_term(const char *spec, char *key, char *v)
{
	char *end;

	if (!strcmp(key, "dev") && filter.nbdf < FILTER_MAX && strlen(v) < 32) {
		strcpy(filter.bdf[filter.nbdf++], v);
	} else if (!strcmp(key, "bar") && filter.nbar < FILTER_MAX) {
		uint64_t b = number(spec, v, &end);
		if (*end || b > 5)
			log_usage_exit("%s=%s: %s", var, spec, accepted);
		filter.bar[filter.nbar++] = (int)b;
	} else if (!strcmp(key, "off") && filter.noff < FILTER_MAX) {
		uint64_t lo = number(spec, v, &end), hi = lo;
		if (*end == '-')
			hi = number(spec, end + 1, &end);
		if (*end || hi < lo)
			log_usage_exit("%s=%s: %s", var, spec, accepted);
		filter.off_lo[filter.noff] = lo;
		filter.off_hi[filter.noff++] = hi;
	} else if (!strcmp(key, "dir") && filter.ndir < FILTER_MAX && (!strcmp(v, "R") || !strcmp(v, "W"))) {
		filter.dir[filter.ndir++] = v[0];
	} else {
		log_usage_exit("%s=%s: %s", var, spec, accepted);
	}
}

void filter_parse(const char *spec)
{
	char buf[512], *save = NULL;

	if (strlen(spec) >= sizeof(buf))
		log_usage_exit("%s=%s: too long", var, spec);
	strcpy(buf, spec);
	for (char *term = strtok_r(buf, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *v = strchr(term, '=');
		if (!v)
			log_usage_exit("%s=%s: %s", var, spec, accepted);
		*v++ = '\0';
		add_term(spec, term, v);
	}
}

bool filter_match(const struct bar_label *at, uint64_t off, size_t len, char dir)
{
	/* runs in the signal handler */
	bool ok = !filter.nbdf;
	for (int i = 0; i < filter.nbdf && !ok; i++)
		ok = !strcmp(filter.bdf[i], at->bdf);
	bool bar = !filter.nbar;
	for (int i = 0; i < filter.nbar && !bar; i++)
		bar = filter.bar[i] == at->bar;
	bool o = !filter.noff;
	for (int i = 0; i < filter.noff && !o; i++)
		o = off <= filter.off_hi[i] && off + len - 1 >= filter.off_lo[i];
	bool d = !filter.ndir;
	for (int i = 0; i < filter.ndir && !d; i++)
		d = filter.dir[i] == dir;
	return ok && bar && o && d;
}
