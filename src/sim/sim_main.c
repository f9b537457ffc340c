/* libmmiosim: environment, initialisation, shared state, the spinlock and
 * the table of sim file descriptors.
 *
 * Initialisation runs from a constructor, or earlier and lazily from the
 * first interposed path function that needs it (another library's
 * constructor may open files before ours ran). Bad environment values end
 * the process with status 2 before main runs.
 *
 * Everything the device is (registers, config space, sequence counter,
 * objects, DMA mappings, BAR2 memory) lives in MAP_SHARED memory created
 * here, so that a forked child and its parent see one device. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"

struct sim_shared *sim_sh;
struct sim_proc sim_p;
struct sim_real sim_real;

static atomic_int init_state; /* 0: not started, 1: running, 2: done */
static __thread int in_init;

long sim_sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

static void say(const char *msg)
{
	size_t n = strlen(msg);
	while (n) {
		ssize_t w = (ssize_t)syscall(SYS_write, 2, msg, n);
		if (w <= 0)
			break;
		msg += w;
		n -= (size_t)w;
	}
}

__attribute__((noreturn, format(printf, 1, 2))) static void die_env(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	size_t n = strlen(buf);
	if (!n || buf[n - 1] != '\n') {
		buf[n] = '\n';
		buf[n + 1] = '\0';
	}
	say(buf);
	_exit(2);
}

static void resolve_all(void)
{
#define R(name) sim_real.name = (__typeof__(sim_real.name))dlsym(RTLD_NEXT, #name)
	R(open);
	R(openat);
	R(ioctl);
	R(pread);
	R(pwrite);
	R(mmap);
	R(fopen);
	R(opendir);
	R(readlink);
	R(readlinkat);
	R(stat);
	R(lstat);
	R(fstatat);
	R(statx);
	R(access);
	R(faccessat);
	R(realpath);
	R(canonicalize_file_name);
	R(scandir);
	R(getxattr);
	R(lgetxattr);
	R(listxattr);
	R(llistxattr);
	R(munmap);
	R(mremap);
	R(mprotect);
	R(getauxval);
	/* last: from here on the simulator's own syscall() calls go to it */
	__atomic_store_n(&sim_real.syscall, (__typeof__(sim_real.syscall))dlsym(RTLD_NEXT, "syscall"),
			 __ATOMIC_RELEASE);
#undef R
}

/* ---- environment ---- */

#define DEVICES_ACCEPTED                                                                      \
	"accepted: a comma-separated list of MODEL[@BDF], MODEL one of: regs; BDF as "          \
	"DDDD:BB:DD.F in hex (device <= 1f, function <= 7), each BDF at most once; default " \
	"regs@0000:00:01.0"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "DDDD:BB:DD.F" exactly */
static int parse_bdf(const char *s, size_t n, struct sim_dev *d)
{
	static const char shape[] = "hhhh:hh:hh.h";
	unsigned v[4] = { 0, 0, 0, 0 };
	int field = 0;

	if (n != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] != 'h') {
			if (s[i] != shape[i])
				return -1;
			field++;
			continue;
		}
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v[field] = v[field] * 16 + (unsigned)h;
	}
	if (v[2] > 0x1f || v[3] > 7)
		return -1;
	d->domain = v[0];
	d->bus = v[1];
	d->slot = v[2];
	d->fn = v[3];
	snprintf(d->bdf, sizeof(d->bdf), "%04x:%02x:%02x.%x", v[0], v[1], v[2], v[3]);
	return 0;
}

static void parse_devices(struct sim_dev *devs, int *ndev)
{
	const char *env = early_getenv("MMIOSIM_DEVICES");
	int n = 0;

	if (!env || !*env)
		env = "regs";
	const char *p = env;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *at = memchr(p, '@', len);
		size_t mlen = at ? (size_t)(at - p) : len;
		struct sim_dev d;

		memset(&d, 0, sizeof(d));
		if (len == 0)
			die_env("mmiosim: MMIOSIM_DEVICES='%s': empty entry; %s", env, DEVICES_ACCEPTED);
		if (mlen != 4 || strncmp(p, "regs", 4))
			die_env("mmiosim: MMIOSIM_DEVICES='%s': unknown model '%.*s'; %s", env, (int)mlen,
				p, DEVICES_ACCEPTED);
		if (at) {
			size_t blen = len - mlen - 1;
			if (parse_bdf(at + 1, blen, &d))
				die_env("mmiosim: MMIOSIM_DEVICES='%s': malformed BDF '%.*s'; %s", env,
					(int)blen, at + 1, DEVICES_ACCEPTED);
		} else {
			parse_bdf("0000:00:01.0", 12, &d);
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(devs[i].bdf, d.bdf))
				die_env("mmiosim: MMIOSIM_DEVICES='%s': duplicate BDF %s; %s", env, d.bdf,
					DEVICES_ACCEPTED);
		if (n == SIM_MAX_DEVICES)
			die_env("mmiosim: MMIOSIM_DEVICES='%s': more than %d devices; %s", env,
				SIM_MAX_DEVICES, DEVICES_ACCEPTED);
		d.group = n;
		d.cdev = n;
		devs[n++] = d;
		if (!end)
			break;
		p = end + 1;
	}
	*ndev = n;
}

static enum sim_mmap_mode parse_mmap(void)
{
	const char *env = early_getenv("MMIOSIM_MMAP");

	if (!env || !*env || !strcmp(env, "normal"))
		return SIM_MMAP_NORMAL;
	if (!strcmp(env, "none"))
		return SIM_MMAP_NONE;
	if (!strcmp(env, "refuse"))
		return SIM_MMAP_REFUSE;
	die_env("mmiosim: MMIOSIM_MMAP='%s': unknown value; accepted: normal, none, refuse", env);
}

/* MMIOSIM_MIO: whether AT_HWCAP shows the PCI MIO instructions (s390x) */
static int parse_mio(void)
{
	const char *env = early_getenv("MMIOSIM_MIO");

	if (!env || !*env || !strcmp(env, "0"))
		return 0;
	if (!strcmp(env, "1"))
		return 1;
	die_env("mmiosim: MMIOSIM_MIO='%s': unknown value; accepted: 0, 1", env);
}

/* Move an internal fd out of the way of the program's low fd numbers. */
static int move_high(int fd)
{
	int h = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 512);
	if (h < 0)
		return fd;
	syscall(SYS_close, fd);
	return h;
}

static void open_logs(void)
{
	const char *env = early_getenv("MMIOSIM_LOG");

	for (int i = 0; i < SIM_MAX_DEVICES; i++)
		sim_p.log_fd[i] = -1;
	if (!env || !*env)
		return;
	const char *pct = strstr(env, "%s");
	int shared_fd = -1;
	for (int i = 0; i < sim_p.ndev; i++) {
		char path[4096];
		if (pct)
			snprintf(path, sizeof(path), "%.*s%s%s", (int)(pct - env), env, sim_sh->dev[i].bdf,
				 pct + 2);
		else if (shared_fd >= 0) {
			sim_p.log_fd[i] = shared_fd;
			continue;
		} else
			snprintf(path, sizeof(path), "%s", env);
		int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				      0644);
		if (fd < 0)
			die_env("mmiosim: MMIOSIM_LOG='%s': cannot open %s: %s; accepted: a writable file "
				"path, optionally with %%s for the device's BDF",
				env, path, strerror(errno));
		fd = move_high(fd);
		sim_p.log_fd[i] = fd;
		if (!pct)
			shared_fd = fd;
	}
}

static void *map_shared_anon(size_t size)
{
	void *p = sim_arch_sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void do_init(void)
{
	static struct sim_dev devs[SIM_MAX_DEVICES];
	int ndev = 0;

	resolve_all();
	parse_devices(devs, &ndev);
	sim_p.mmap_mode = parse_mmap();
	sim_p.mio = parse_mio();
	sim_p.ndev = ndev;

	sim_sh = map_shared_anon(sizeof(*sim_sh));
	if (!sim_sh)
		die_env("mmiosim: cannot allocate the shared device state: %s", strerror(errno));
	for (int i = 0; i < ndev; i++) {
		struct sim_dev *d = &sim_sh->dev[i];
		char name[64];

		*d = devs[i];
		sim_model_init(d);
		snprintf(name, sizeof(name), "mmiosim-bar2-%s", d->bdf);
		int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
		if (fd < 0 || syscall(SYS_ftruncate, fd, SIM_BAR2_SIZE))
			die_env("mmiosim: cannot create BAR2 memory: %s", strerror(errno));
		fd = move_high(fd);
		void *m = sim_arch_sys_mmap(NULL, SIM_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			die_env("mmiosim: cannot map BAR2 memory: %s", strerror(errno));
		sim_p.bar2_fd[i] = fd;
		sim_p.bar2[i] = m;
		struct stat st;
		if (syscall(SYS_fstat, fd, &st) == 0) {
			sim_p.memfd_dev = (uint64_t)st.st_dev;
			sim_p.bar2_ino[i] = (uint64_t)st.st_ino;
		}
	}
	open_logs();
}

static void init_now(void)
{
	int expected = 0;
	if (atomic_compare_exchange_strong(&init_state, &expected, 1)) {
		int saved = errno;
		in_init = 1;
		do_init();
		in_init = 0;
		atomic_store(&init_state, 2);
		errno = saved;
		return;
	}
	while (atomic_load(&init_state) != 2)
		sched_yield();
}

int sim_ready(void)
{
	if (atomic_load_explicit(&init_state, memory_order_acquire) == 2)
		return 1;
	if (in_init)
		return 0;
	init_now();
	return 1;
}

/* Runs in a signal handler. */
int sim_ready_nolazy(void)
{
	return atomic_load_explicit(&init_state, memory_order_acquire) == 2;
}

__attribute__((constructor(101))) static void sim_ctor(void)
{
	if (!in_init)
		init_now();
}

__attribute__((destructor)) static void sim_dtor(void)
{
	sim_fs_cleanup();
}

/* ---- the lock ----
 * Runs in a signal handler. All signals are blocked while the lock is held,
 * so a handler of this thread can never spin on a lock its own thread holds.
 * The lock word is the holder's pid: a holder that died (killed in the
 * middle of an access) is detected and its lock taken over. */
void sim_lock(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, old, _NSIG / 8);
	int32_t me = (int32_t)syscall(SYS_getpid);
	unsigned spins = 0;
	for (;;) {
		int32_t cur = 0;
		if (atomic_compare_exchange_weak_explicit(&sim_sh->lock, &cur, me, memory_order_acquire,
							  memory_order_relaxed))
			return;
		if (++spins % 128 == 0) {
			if (cur != 0 && cur != me && syscall(SYS_kill, cur, 0) == -1 && errno == ESRCH &&
			    atomic_compare_exchange_strong(&sim_sh->lock, &cur, me))
				return;
			syscall(SYS_sched_yield);
		}
	}
}

/* Runs in a signal handler. */
void sim_unlock(const sigset_t *old)
{
	atomic_store_explicit(&sim_sh->lock, 0, memory_order_release);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, _NSIG / 8);
}

/* ---- sim fds ---- */

/* Runs in a signal handler. Object index of a sim fd, or -1. errno kept. */
int sim_obj_of_fd(int fd)
{
	if (fd < 0 || !sim_ready_nolazy())
		return -1;
	int n = atomic_load_explicit(&sim_sh->nobj, memory_order_acquire);
	if (n == 0)
		return -1;
	int saved = errno;
	struct stat st;
	long r = syscall(SYS_fstat, fd, &st);
	errno = saved;
	if (r != 0 || (uint64_t)st.st_dev != sim_p.memfd_dev)
		return -1;
	for (int i = 0; i < n && i < SIM_MAX_OBJECTS; i++)
		if (atomic_load_explicit(&sim_sh->obj[i].ino, memory_order_acquire) == (uint64_t)st.st_ino &&
		    sim_sh->obj[i].dev == (uint64_t)st.st_dev)
			return i;
	return -1;
}

/* A new sim fd: a memfd named after what it stands for. Returns the object
 * index, or -errno. */
int sim_obj_new(int kind, int devidx, int cloexec, int *fd_out)
{
	static const char *const names[] = { "", "container", "group", "device", "iommufd" };
	char name[64];
	struct stat st;

	if (devidx >= 0)
		snprintf(name, sizeof(name), "mmiosim-%s-%s", names[kind], sim_sh->dev[devidx].bdf);
	else
		snprintf(name, sizeof(name), "mmiosim-%s", names[kind]);
	int fd = (int)syscall(SYS_memfd_create, name, cloexec ? MFD_CLOEXEC : 0);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_fstat, fd, &st)) {
		int e = errno;
		syscall(SYS_close, fd);
		return -e;
	}
	/* pin the inode: while this mapping exists the inode number cannot be
	 * given to another file */
	void *pin = sim_arch_sys_mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (pin == MAP_FAILED) {
		int e = errno;
		syscall(SYS_close, fd);
		return -e;
	}
	sigset_t old;
	sim_lock(&old);
	int i = atomic_load(&sim_sh->nobj);
	if (i >= SIM_MAX_OBJECTS) {
		sim_unlock(&old);
		syscall(SYS_munmap, pin, 4096);
		syscall(SYS_close, fd);
		return -EMFILE;
	}
	struct sim_obj *o = &sim_sh->obj[i];
	o->dev = (uint64_t)st.st_dev;
	o->kind = kind;
	o->devidx = devidx;
	o->cdev = 0;
	o->iommu_type = 0;
	o->ngroups = 0;
	o->container = -1;
	o->iommufd = -1;
	o->devid = 0;
	o->pt_id = 0;
	o->ioas = 0;
	o->next_id = 1;
	atomic_store_explicit(&o->ino, (uint64_t)st.st_ino, memory_order_release);
	atomic_store_explicit(&sim_sh->nobj, i + 1, memory_order_release);
	sim_unlock(&old);
	*fd_out = fd;
	return i;
}

int sim_dev_by_bdf(const char *bdf)
{
	for (int i = 0; i < sim_p.ndev; i++)
		if (!strcmp(sim_sh->dev[i].bdf, bdf))
			return i;
	return -1;
}

int sim_dev_by_group(int group)
{
	for (int i = 0; i < sim_p.ndev; i++)
		if (sim_sh->dev[i].group == group)
			return i;
	return -1;
}

int sim_dev_by_cdev(int cdev)
{
	for (int i = 0; i < sim_p.ndev; i++)
		if (sim_sh->dev[i].cdev == cdev)
			return i;
	return -1;
}
