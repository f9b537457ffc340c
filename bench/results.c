/* The figures the driver collects: the values of each key from all
 * rounds, with their median, min and max; the failed parts. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static struct result results[128];
static int nresults;
char failures[4096];
char untraceable[64];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct result *find(const char *key)
{
	for (int i = 0; i < nresults; i++)
		if (!strcmp(results[i].key, key))
			return &results[i];
	return NULL;
}

/* a new figure, or NULL when the table is full */
static struct result *add_result(const char *key, const char *unit)
{
	if (nresults == (int)(sizeof(results) / sizeof(results[0])))
		return NULL;
	struct result *r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	return r;
}

static void summarize(struct result *r)
{
	double s[MAXV];

	memcpy(s, r->v, sizeof(double) * (size_t)r->n);
	qsort(s, (size_t)r->n, sizeof(s[0]), cmp_double);
	r->med = r->n % 2 ? s[r->n / 2] : (s[r->n / 2 - 1] + s[r->n / 2]) / 2;
	r->min = s[0];
	r->max = s[r->n - 1];
}

/* values of one figure, from any round */
void add_values(const char *key, const char *unit, const double *v, int n)
{
	struct result *r = find(key);

	if (!r && !(r = add_result(key, unit)))
		return;
	for (int i = 0; i < n && r->n < MAXV; i++)
		r->v[r->n++] = v[i];
	summarize(r);
}

const struct result *get(const char *key)
{
	return find(key);
}

double med(const char *key)
{
	const struct result *r = get(key);
	return r ? r->med : -1;
}

/* One line of a child: V key unit value..., or U tag */
static void read_line(char *line)
{
	char key[64], unit[16];
	int used;
	double v[MAXV];
	int n = 0;

	if (sscanf(line, "U %63s", key) == 1) {	/* a tracing mode the shim lacks */
		snprintf(untraceable, sizeof(untraceable), "%s", key);
		return;
	}
	if (sscanf(line, "V %63s %15s%n", key, unit, &used) != 2)
		return;
	for (char *p = line + used, *end; n < MAXV; p = end) {
		v[n] = strtod(p, &end);
		if (end == p)
			break;
		n++;
	}
	if (n)
		add_values(key, unit, v, n);
}

/* The lines a child prints on its pipe */
void read_results(FILE *f)
{
	char line[1024];

	while (fgets(line, sizeof(line), f))
		read_line(line);
}

void note_failure(const char *f, ...)
{
	va_list ap;
	size_t len = strlen(failures);

	va_start(ap, f);
	vsnprintf(failures + len, sizeof(failures) - len, f, ap);
	va_end(ap);
	len = strlen(failures);
	if (len + 1 < sizeof(failures))
		strcat(failures, "\n");
}
