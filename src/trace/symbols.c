/* Function names for instruction addresses, from the ELF symbol tables of
 * the loaded objects (.symtab, else that of the object's separate debug
 * file, else .dynsym) read with libelf. The table is built outside the
 * signal handler, by a thread of ours, and published with one atomic
 * pointer store; the handler only searches it. When the handler
 * sees that objects were loaded since (dlopen), it wakes that thread and
 * waits for the new table, with a time limit. Replaced tables are kept,
 * since a handler may still be reading one. */
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfile.h"
#include "formats.h"
#include "support.h"
#include "trace.h"

struct sym {
	uintptr_t addr;
	size_t size;
	const char *name;	/* NULL: an object's executable segment */
	const char *obj;
	uintptr_t base;		/* the object's load address */
};

struct symtab {
	size_t n, cap;
	struct sym *s;
	size_t nseg, segcap;
	struct sym *seg;	/* executable segments, for code without symbols */
	unsigned objects;	/* link map entries when it was built */
};

static _Atomic(struct symtab *) current;
static atomic_uint wanted, built;	/* generations, futex words */
static atomic_bool thread_started;

static void push(struct sym **v, size_t *n, size_t *cap, struct sym s)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct sym *p = realloc(*v, c * sizeof(*p));
		if (!p)
			return;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = s;
}

static void add(struct symtab *t, struct sym s)
{
	push(&t->s, &t->n, &t->cap, s);
}

static void read_section(struct symtab *t, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, uintptr_t base,
			 const char *obj)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		char *copy = strdup(name);
		if (copy)
			add(t, (struct sym){ base + sym.st_value, sym.st_size, copy, obj, base });
	}
}

static void read_table(struct symtab *t, Elf *elf, Elf_Scn *scn, uintptr_t base, const char *path)
{
	GElf_Shdr sh;
	const char *obj;

	if (gelf_getshdr(scn, &sh) && (obj = strdup(path)))
		read_section(t, elf, scn, &sh, base, obj);
}

/* The symbol tables of elf (NULL where it has none). */
static void find_tables(Elf *elf, Elf_Scn **symtab, Elf_Scn **dynsym)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	*symtab = *dynsym = NULL;
	while (elf && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			*symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			*dynsym = scn;
	}
}

/* The .symtab of path's separate debug file; false if there is none. */
static bool read_debugfile(struct symtab *t, Elf *elf, const char *path, uintptr_t base)
{
	int fd = debugfile_open(elf, path);
	if (fd < 0)
		return false;
	Elf *dbg = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *symtab, *dynsym;

	find_tables(dbg, &symtab, &dynsym);
	if (symtab)
		read_table(t, dbg, symtab, base, path);
	if (dbg)
		elf_end(dbg);
	real.close(fd);
	return symtab;
}

static void read_object(struct symtab *t, const char *path, uintptr_t base)
{
	int fd = real.open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *symtab, *dynsym;

	find_tables(elf, &symtab, &dynsym);
	/* a stripped object's full table is in its debug file, if installed */
	if (symtab)
		read_table(t, elf, symtab, base, path);
	else if (elf && !read_debugfile(t, elf, path, base) && dynsym)
		read_table(t, elf, dynsym, base, path);
	if (elf)
		elf_end(elf);
	real.close(fd);
}

/* The file mapped at addr, from /proc/self/maps. */
static const char *mapped_file(uintptr_t addr, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 128];
	const char *found = NULL;

	while (f && !found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int pos = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &pos) < 2 || !pos)
			continue;
		if (addr < lo || addr >= hi || line[pos] != '/')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%s", line + pos);
		found = out;
	}
	if (f)
		fclose(f);
	return found;
}

static int each_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	const char *path = info->dlpi_name;
	char exe[PATH_MAX];

	/* the executable has no name here, and dlopen keeps a relative name
	 * as it was given: the kernel knows the file of the first segment */
	if (!path || path[0] != '/') {
		for (int i = 0; i < info->dlpi_phnum; i++)
			if (info->dlpi_phdr[i].p_type == PT_LOAD) {
				path = mapped_file(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr, exe, sizeof(exe));
				break;
			}
	}
	if (!path || path[0] != '/')
		return 0;
	struct symtab *t = arg;
	read_object(t, path, (uintptr_t)info->dlpi_addr);
	const char *obj = t->n && !strcmp(t->s[t->n - 1].obj, path) ? t->s[t->n - 1].obj : strdup(path);
	for (int i = 0; obj && i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X))
			push(&t->seg, &t->nseg, &t->segcap,
			     (struct sym){ info->dlpi_addr + ph->p_vaddr, ph->p_memsz, NULL, obj, info->dlpi_addr });
	}
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The number of objects in the dynamic linker's list; read without its
 * lock, which is good enough to notice a dlopen. */
static unsigned count_objects(void)
{
	/* may run in a signal handler */
	unsigned n = 0;

	for (struct link_map *l = _r_debug.r_map; l; l = l->l_next)
		n++;
	return n;
}

static void build(void)
{
	struct symtab *t = calloc(1, sizeof(*t));

	if (!t)
		return;
	t->objects = count_objects();
	elf_version(EV_CURRENT);
	dl_iterate_phdr(each_object, t);
	qsort(t->s, t->n, sizeof(*t->s), by_addr);
	atomic_store_explicit(&current, t, memory_order_release);
}

static long futex(atomic_uint *word, int op, unsigned val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

static void *refresher(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned w = atomic_load(&wanted);
		if (w == atomic_load(&built)) {
			futex(&wanted, FUTEX_WAIT_PRIVATE, w, NULL);
			continue;
		}
		build();
		atomic_store(&built, w);
		futex(&built, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL);
	}
	return NULL;
}

void symbols_start(void)
{
	pthread_t tid;
	pthread_attr_t attr;
	sigset_t all, old;

	if (atomic_exchange(&thread_started, true))
		return;
	build();
	/* the thread takes no signals of the application's */
	sigfillset(&all);
	real.pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, refresher, NULL) == 0)
		pthread_setname_np(tid, "mmioshim-syms");
	pthread_attr_destroy(&attr);
	real.pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Objects were loaded since the table was built: have it rebuilt, and wait
 * up to a second (the loader's lock may be held by this very thread, if a
 * library constructor touches the device). */
static void refresh_if_loaded(void)
{
	/* runs in a signal handler */
	struct symtab *t = atomic_load_explicit(&current, memory_order_acquire);

	if (!atomic_load(&thread_started) || !t || t->objects == count_objects())
		return;
	unsigned w = atomic_fetch_add(&wanted, 1) + 1;
	futex(&wanted, FUTEX_WAKE_PRIVATE, 1, NULL);
	struct timespec limit = { 1, 0 };
	for (unsigned b; (int)((b = atomic_load(&built)) - w) < 0;)
		if (futex(&built, FUTEX_WAIT_PRIVATE, b, &limit) && errno == ETIMEDOUT)
			break;
}

/* The executable segment pc is in, or NULL. */
static const struct sym *segment_of(const struct symtab *t, uintptr_t pc)
{
	/* may run in a signal handler */
	for (size_t i = 0; i < t->nseg; i++)
		if (pc - t->seg[i].addr < t->seg[i].size)
			return &t->seg[i];
	return NULL;
}

bool symbols_lookup(uintptr_t pc, const char **name, uintptr_t *off, const char **obj)
{
	/* may run in a signal handler: a search in a table that never changes */
	refresh_if_loaded();
	struct symtab *t = atomic_load_explicit(&current, memory_order_acquire);
	const struct sym *seg = NULL;

	if (!t)
		return false;
	if (t->n && pc >= t->s[0].addr) {
		size_t lo = 0, hi = t->n;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (t->s[mid].addr <= pc)
				lo = mid;
			else
				hi = mid;
		}
		const struct sym *s = &t->s[lo];
		/* a symbol without a size covers up to the next one, within
		 * its own object's code */
		if (pc - s->addr < s->size || (!s->size && (seg = segment_of(t, pc)) && seg->base == s->base)) {
			*name = s->name;
			*off = pc - s->addr;
			*obj = s->obj;
			return true;
		}
	}
	/* no symbol (a stripped object): the object and the offset in it */
	if (!seg && !(seg = segment_of(t, pc)))
		return false;
	*name = NULL;
	*off = pc - seg->base;
	*obj = seg->obj;
	return true;
}

bool symbols_describe(uintptr_t pc, char *buf, size_t size, bool json)
{
	/* may run in a signal handler */
	const char *name, *obj, *base;
	uintptr_t off;

	if (!symbols_lookup(pc, &name, &off, &obj))
		return false;
	base = strrchr(obj, '/');
	base = base ? base + 1 : obj;
	/* escaped and bounded, so that a record always fits its line: a
	 * name too long for it is shortened, visibly */
	char n[SYMBOLS_NAME_MAX], o[SYMBOLS_OBJ_MAX];
	if (json) {
		trace_json_text(n, sizeof(n), name ? name : base);
		trace_json_text(o, sizeof(o), base);
		fmt(buf, size, "\"%s+0x%lx\", \"obj\": \"%s\"", n, (unsigned long)off, o);
	} else {
		trace_mark_text(n, sizeof(n), name ? name : base, false);
		trace_mark_text(o, sizeof(o), base, false);
		if (name)
			fmt(buf, size, "%s+0x%lx in %s", n, (unsigned long)off, o);
		else
			fmt(buf, size, "%s+0x%lx", n, (unsigned long)off);
	}
	return true;
}
