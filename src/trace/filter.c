/* MMIOSHIM_TRACE_FILTER: which accesses the trace records. dev=BDF, bar=N,
 * off=A[-B], dir=R|W, comma-separated; terms with the same key are
 * alternatives, different keys must all match. Every term is checked
 * before the program runs: a filter that cannot match is a mistake. */
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "support.h"

#define FILTER_MAX 8
static struct {
	int nbdf, nbar, noff, ndir;
	char bdf[FILTER_MAX][24];
	atomic_bool bdf_mapped[FILTER_MAX];
	int bar[FILTER_MAX];
	uint64_t off_lo[FILTER_MAX], off_hi[FILTER_MAX];
	char dir[FILTER_MAX];
} filter;

static const char var[] = "MMIOSHIM_TRACE_FILTER";
static const char accepted[] = "accepted: comma-separated dev=BDF, bar=0-5, off=N or N-M, dir=R or W";

static void bad(const char *spec, const char *term, const char *why)
{
	log_usage_exit("%s=%s: term '%s' %s; %s", var, spec, term, why, accepted);
}

/* A number as the whole of s[0..]: digits only (no sign, no space). */
static uint64_t number(const char *spec, const char *term, const char *s, char **end)
{
	if (!isdigit((unsigned char)*s))
		bad(spec, term, "needs a number (decimal or 0x hex) there");
	errno = 0;
	unsigned long long v = strtoull(s, end, 0);
	if (errno)
		bad(spec, term, "has a number out of range");
	return v;
}

static bool hex_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* DDDD:BB:DD.F or BB:DD.F (domain 0), as lspci and sysfs write it (a
 * domain of 4 to 8 hex digits); stored as sysfs names it: lower case,
 * with the domain. */
static void add_bdf(const char *spec, const char *term, const char *v)
{
	static const char form[] = "needs a PCI address DDDD:BB:DD.F or BB:DD.F (hex digits, device 00-1f, "
				   "function 0-7)";
	const char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *bdf = c2 ? c1 + 1 : v;
	size_t dlen = c2 ? (size_t)(c1 - v) : 0;
	char *out = filter.bdf[filter.nbdf];

	if (c2 && (dlen < 4 || dlen > 8 || !hex_digits(v, (int)dlen)))
		bad(spec, term, form);
	if (strlen(bdf) != 7 || !hex_digits(bdf, 2) || bdf[2] != ':' || !hex_digits(bdf + 3, 2) || bdf[5] != '.' ||
	    bdf[6] < '0' || bdf[6] > '7' || strtoul(bdf + 3, NULL, 16) > 0x1f)
		bad(spec, term, form);
	if (c2) {
		memcpy(out, v, dlen);
		out[dlen] = '\0';
	} else {
		strcpy(out, "0000");
	}
	strcat(out, ":");
	strcat(out, bdf);
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	filter.nbdf++;
}

static void add_term(const char *spec, const char *term, const char *key, const char *v)
{
	char *end;
	int *count = !strcmp(key, "dev")   ? &filter.nbdf
		     : !strcmp(key, "bar") ? &filter.nbar
		     : !strcmp(key, "off") ? &filter.noff
		     : !strcmp(key, "dir") ? &filter.ndir
					   : NULL;

	if (!count)
		bad(spec, term, "has an unknown key");
	if (*count == FILTER_MAX)
		bad(spec, term, "is one too many: at most 8 terms per key");
	if (!*v)
		bad(spec, term, "has no value");
	if (count == &filter.nbdf) {
		add_bdf(spec, term, v);
	} else if (count == &filter.nbar) {
		uint64_t b = number(spec, term, v, &end);
		if (*end || b > 5)
			bad(spec, term, "needs a BAR number 0-5");
		filter.bar[filter.nbar++] = (int)b;
	} else if (count == &filter.noff) {
		uint64_t lo = number(spec, term, v, &end), hi = lo;
		if (*end == '-')
			hi = number(spec, term, end + 1, &end);
		if (*end)
			bad(spec, term, "needs an offset N or a range N-M");
		if (hi < lo)
			bad(spec, term, "has a range that ends before it starts");
		filter.off_lo[filter.noff] = lo;
		filter.off_hi[filter.noff++] = hi;
	} else {
		if (strcmp(v, "R") && strcmp(v, "W"))
			bad(spec, term, "needs R or W");
		filter.dir[filter.ndir++] = v[0];
	}
}

void filter_parse(const char *spec)
{
	char buf[512];

	if (strlen(spec) >= sizeof(buf))
		log_usage_exit("%s=%s: too long (at most %zu characters)", var, spec, sizeof(buf) - 1);
	strcpy(buf, spec);
	/* strtok would pass over an empty term (a doubled or trailing comma) */
	for (char *term = buf, *next; term; term = next) {
		next = strchr(term, ',');
		if (next)
			*next++ = '\0';
		if (!*term)
			log_usage_exit("%s=%s: an empty term (a doubled, leading or trailing comma); %s", var, spec,
				       accepted);
		char *v = strchr(term, '=');
		if (!v)
			bad(spec, term, "has no '='");
		char key[8] = "?";
		if ((size_t)(v - term) < sizeof(key)) {
			memcpy(key, term, (size_t)(v - term));
			key[v - term] = '\0';
		}
		add_term(spec, term, key, v + 1);
	}
}

static bool mapped_any;

void filter_note_map(const struct bar_label *at)
{
	mapped_any = true;
	for (int i = 0; i < filter.nbdf; i++)
		if (!strcmp(filter.bdf[i], at->bdf))
			atomic_store(&filter.bdf_mapped[i], true);
}

void filter_exit(void)
{
	/* a process that mapped nothing (the shell of sh -c) has nothing to say */
	for (int i = 0; i < filter.nbdf && mapped_any; i++)
		if (!atomic_load(&filter.bdf_mapped[i]))
			log_warn("%s: dev=%s matched no device whose BAR the program mapped: nothing of it was "
				 "recorded", var, filter.bdf[i]);
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
